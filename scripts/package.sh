#!/usr/bin/env bash
# Packages mcp-bridge (`make install`, `make dist`, `make deb`; README: Install).
#
#   scripts/package.sh install PREFIX [DESTDIR]   the tree below installed into DESTDIR/PREFIX
#   scripts/package.sh dist                       .build-dist/mcp-bridge-VERSION-linux-ARCH.tar.gz and SHA256SUMS
#   scripts/package.sh deb                        .build-dist/mcp-bridge_VERSION_ARCH.deb (dpkg-deb; depends on libcurl4)
#
# Every form first builds the self-contained binary (`--static-swift-stdlib`, in .build-static, the one BENCHMARKS.md
# measures) and lays out, relative to a prefix:
#   bin/mcp-bridge                                          stripped of debug info, not of symbols (backtraces)
#   share/man/man1/mcp-bridge.1                             swift-argument-parser's generate-manual, from the binary
#   share/bash-completion/completions/mcp-bridge            swift-argument-parser's completion scripts
#   share/zsh/site-functions/_mcp-bridge
#   share/fish/vendor_completions.d/mcp-bridge.fish
#   share/doc/mcp-bridge/README.md, examples/
# The binary still links the system's glibc and libcurl (libcurl4 on Debian), nothing of Swift's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SCRATCH=.build-static
OUT=.build-dist
SWIFT=${SWIFT:-swift}

# Builds and lays out the tree in $OUT/root; sets VERSION.
stage() {
    "$SWIFT" build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product mcp-bridge >&2
    # The manual generator is a build tool: debug, in .build, where the test build already compiled ArgumentParser.
    "$SWIFT" build --product generate-manual >&2
    local bin=$SCRATCH/release/mcp-bridge root=$OUT/root
    VERSION=$("$bin" --version)
    rm -rf "$root"
    mkdir -p "$root/bin" "$root/share/man/man1" "$root/share/bash-completion/completions" \
        "$root/share/zsh/site-functions" "$root/share/fish/vendor_completions.d" "$root/share/doc/mcp-bridge"
    install -m 755 "$bin" "$root/bin/mcp-bridge"
    strip --strip-debug "$root/bin/mcp-bridge"
    # The manual's date is the last commit's, so two builds of one commit are the same bytes.
    local date
    date=$(git log -1 --format=%cs 2>/dev/null || date -u +%F)
    "$("$SWIFT" build --show-bin-path)/generate-manual" "$root/bin/mcp-bridge" --date "$date" -o "$root/share/man/man1" >&2
    "$root/bin/mcp-bridge" --generate-completion-script bash >"$root/share/bash-completion/completions/mcp-bridge"
    "$root/bin/mcp-bridge" --generate-completion-script zsh >"$root/share/zsh/site-functions/_mcp-bridge"
    "$root/bin/mcp-bridge" --generate-completion-script fish >"$root/share/fish/vendor_completions.d/mcp-bridge.fish"
    install -m 644 README.md "$root/share/doc/mcp-bridge/"
    cp -R examples "$root/share/doc/mcp-bridge/"
    [[ -s $root/share/man/man1/mcp-bridge.1 ]] || { echo "package: no manual was generated" >&2; exit 1; }
}

arch() { dpkg --print-architecture 2>/dev/null || uname -m; }

install_tree() {
    local prefix=${1:?usage: scripts/package.sh install PREFIX [DESTDIR]} destdir=${2:-}
    stage
    mkdir -p "$destdir$prefix"
    cp -R "$OUT/root/." "$destdir$prefix/"
    echo "package: installed mcp-bridge $VERSION into $destdir$prefix" >&2
}

dist() {
    stage
    local name=mcp-bridge-$VERSION-linux-$(uname -m)
    rm -rf "${OUT:?}/$name"
    cp -R "$OUT/root" "$OUT/$name"
    tar -C "$OUT" --owner=0 --group=0 --numeric-owner -czf "$OUT/$name.tar.gz" "$name"
    rm -rf "${OUT:?}/$name"
    (cd "$OUT" && sha256sum "$name.tar.gz" >SHA256SUMS)
    echo "package: $OUT/$name.tar.gz ($(cd "$OUT" && cut -c1-16 SHA256SUMS)…)" >&2
}

# Depends on at least the glibc and libcurl4 versions it was built against: conservative (dpkg-shlibdeps would
# need a debian/ source tree), and right for the machines of the Debian release that built it and later.
deb() {
    stage
    local arch package curl libc
    arch=$(arch)
    package=$OUT/deb
    curl=$(dpkg-query -W -f='${Version}' libcurl4 2>/dev/null | sed 's/-.*//')
    libc=$(dpkg-query -W -f='${Version}' libc6 2>/dev/null | sed 's/-.*//')
    rm -rf "$package"
    mkdir -p "$package/DEBIAN" "$package/usr"
    cp -R "$OUT/root/." "$package/usr/"
    gzip -9n "$package/usr/share/man/man1/mcp-bridge.1"
    cat >"$package/DEBIAN/control" <<CONTROL
Package: mcp-bridge
Version: $VERSION
Architecture: $arch
Maintainer: mcp-bridge developers
Depends: libc6 (>= ${libc:-2.36}), libcurl4 (>= ${curl:-7.88})
Section: net
Priority: optional
Installed-Size: $(du -sk "$package/usr" | cut -f1)
Description: native bridge from a stdio MCP host to a remote MCP server
 mcp-bridge is what an MCP host (Claude Desktop, Cursor, an agent) launches in
 place of mcp-remote: it relays newline-delimited JSON-RPC on stdin and stdout
 to a Streamable HTTP (or 2024-11-05 HTTP+SSE) MCP server, answers every
 request exactly once, signs in with OAuth or AWS SigV4, and speaks every MCP
 protocol era. One self-contained binary; no Node or Swift runtime needed.
CONTROL
    local file=$OUT/mcp-bridge_${VERSION}_$arch.deb
    dpkg-deb --root-owner-group --build "$package" "$file" >&2
    echo "package: $file" >&2
}

case ${1:-} in
    install) shift; install_tree "$@" ;;
    dist) dist ;;
    deb) deb ;;
    *) echo "usage: scripts/package.sh install PREFIX [DESTDIR] | dist | deb" >&2; exit 2 ;;
esac
