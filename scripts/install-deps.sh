#!/usr/bin/env bash
# Installs what building and testing mcp-bridge needs, idempotently:
#   - apt: libcurl4-openssl-dev (the CCurl module), nginx (load-balancer tests), python3-venv (only if needed)
#   - .venv-test/ at the repo root with the exact pins of Tests/Servers/requirements.txt (mcp 2.x)
#   - .venv-legacy/ with the exact pins of Tests/Servers/requirements-legacy.txt (mcp 1.x: the 2024-11-05 HTTP+SSE
#     server and the 1.x client; it cannot share a venv with mcp 2.x)
#   - .venv-fastmcp/ with the exact pins of Tests/Clients/requirements-fastmcp.txt (fastmcp 4.x client and server)
#   - .venv-authlib/ with the exact pins of Tests/Servers/requirements-authlib.txt (authlib + Flask: the second,
#     independent authorization server of the OAuth tests, with the mcp SDK resource server in front)
#   - .venv-langchain/ with the exact pins of Tests/Clients/requirements-langchain.txt (langchain-mcp-adapters on
#     mcp 1.x: the differential suite's LangChain client)
#   - .venv-mcp-proxy/ and .venv-time/ with the exact pins of Tests/Servers/requirements-mcp-proxy.txt (mcp-proxy,
#     mcp 1.x) and requirements-time.txt (the reference mcp-server-time, mcp 2.x): the differential suite's time
#     server, a stdio server behind mcp-proxy (their mcp pins conflict, so two venvs)
# A second run does no network access and takes well under a second.
# Environment: PYTHON=/path/to/python3 picks the interpreter for the venv (default: python3 on PATH, >= 3.10).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"

log() { printf 'install-deps: %s\n' "$*" >&2; }

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { log "not root and no sudo: install the packages by hand"; exit 1; }
    sudo_cmd=(sudo)
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for pkg in libcurl4-openssl-dev nginx; do
    installed "$pkg" || missing+=("$pkg")
done
# The venv module (and ensurepip) ship separately on Debian's own python3; a pyenv or
# other python usually has them already.
if ! command -v "$python" >/dev/null; then
    missing+=(python3 python3-venv)
    python=/usr/bin/python3
elif ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    missing+=(python3-venv)
fi

if [ "${#missing[@]}" -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    # Keep the nginx package from starting a system nginx on port 80: the tests run their own
    # instances. policy-rc.d exit 101 = "action forbidden" for invoke-rc.d / deb-systemd-invoke.
    # Only added when the machine has none (Docker images already ship one), removed afterwards.
    policy=/usr/sbin/policy-rc.d
    added_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
        "${sudo_cmd[@]}" chmod 755 "$policy"
        added_policy=1
        trap '"${sudo_cmd[@]}" rm -f "$policy"' EXIT
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    if [ "$added_policy" -eq 1 ]; then
        "${sudo_cmd[@]}" rm -f "$policy"
        trap - EXIT
    fi
    # Belt and braces: if a system nginx got started anyway, stop it and keep it from starting at boot.
    if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
        "${sudo_cmd[@]}" systemctl disable --now nginx >/dev/null 2>&1 || true
    elif [ -e /run/nginx.pid ] && command -v service >/dev/null; then
        "${sudo_cmd[@]}" service nginx stop >/dev/null 2>&1 || true
    fi
fi

# A venv is current when its stamp (written only after a successful pip install) matches its
# requirements file and its interpreter still runs (e.g. the base python was not removed).
venv_is_current() {
    local venv="$1" want="$2"
    [ -x "$venv/bin/python" ] && [ -f "$venv/.requirements.sha256" ] \
        && [ "$(cat "$venv/.requirements.sha256")" = "$want" ] && "$venv/bin/python" -c '' >/dev/null 2>&1
}

# ensure_venv DIR REQUIREMENTS: (re)creates DIR with exactly the pins of REQUIREMENTS unless it is current.
ensure_venv() {
    local venv="$1" requirements="$2" want
    want="$(sha256sum "$requirements" | cut -d' ' -f1)"
    venv_is_current "$venv" "$want" && return 0
    "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' \
        || { log "$python is older than 3.10 (mcp needs >= 3.10); set PYTHON=..."; exit 1; }
    log "creating $venv from $requirements"
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements"
    echo "$want" > "$venv/.requirements.sha256"
    log "ok: $venv: $("$venv/bin/python" -c 'import importlib.metadata as m; print("mcp", m.version("mcp"), "uvicorn", m.version("uvicorn"))')"
}

ensure_venv "$repo/.venv-test" "$repo/Tests/Servers/requirements.txt"
ensure_venv "$repo/.venv-legacy" "$repo/Tests/Servers/requirements-legacy.txt"
ensure_venv "$repo/.venv-fastmcp" "$repo/Tests/Clients/requirements-fastmcp.txt"
ensure_venv "$repo/.venv-authlib" "$repo/Tests/Servers/requirements-authlib.txt"
ensure_venv "$repo/.venv-langchain" "$repo/Tests/Clients/requirements-langchain.txt"
ensure_venv "$repo/.venv-mcp-proxy" "$repo/Tests/Servers/requirements-mcp-proxy.txt"
ensure_venv "$repo/.venv-time" "$repo/Tests/Servers/requirements-time.txt"
