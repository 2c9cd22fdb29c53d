#!/usr/bin/env bash
# The package as a user gets it (`make package-check`, run by .ci/run after `make deb`): installs
# .build-dist/mcp-bridge_*.deb with apt (one command, which also pulls in libcurl4), checks what it put where, that
# the binary needs no Swift runtime, then runs the installed /usr/bin/mcp-bridge through the demo
# (scripts/demo.sh: a FastMCP server like the seed deployment, a session through the bridge, `mcp-bridge check`).
# The package is removed again on exit, so the machine is left as it was found.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
shopt -s nullglob
packages=(.build-dist/mcp-bridge_*.deb)
[[ ${#packages[@]} -eq 1 ]] || { echo "package-check: expected one .deb in .build-dist (make deb)" >&2; exit 1; }
deb=$PWD/${packages[0]}

cleanup() { "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq mcp-bridge >/dev/null 2>&1 || true; }
trap cleanup EXIT

echo "package-check: apt-get install $deb" >&2
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >/dev/null

fail() { echo "package-check: $*" >&2; exit 1; }
[[ $(command -v mcp-bridge) == /usr/bin/mcp-bridge ]] || fail "mcp-bridge is not /usr/bin/mcp-bridge on PATH"
for file in /usr/share/man/man1/mcp-bridge.1.gz /usr/share/bash-completion/completions/mcp-bridge \
    /usr/share/zsh/site-functions/_mcp-bridge /usr/share/fish/vendor_completions.d/mcp-bridge.fish; do
    [[ -s $file ]] || fail "the package did not install $file"
done
zcat /usr/share/man/man1/mcp-bridge.1.gz | grep -q '^\.Sh SYNOPSIS' || fail "the manual page has no SYNOPSIS"
grep -q 'mcp-bridge' /usr/share/bash-completion/completions/mcp-bridge || fail "the bash completion is empty"
if ldd /usr/bin/mcp-bridge | grep -i swift; then fail "the installed binary links a Swift runtime library"; fi
echo "package-check: installed $(dpkg-query -W -f='${Package} ${Version} (${Installed-Size} KiB)' mcp-bridge)" >&2

MCP_BRIDGE_BIN=/usr/bin/mcp-bridge scripts/demo.sh
echo "package-check: ok" >&2
