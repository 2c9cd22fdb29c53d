#!/usr/bin/env bash
# Benchmark prerequisites, idempotently (a second run does no network access):
#   - Benchmarks/.venv-mcp-proxy : mcp-proxy==0.13.0 (needs mcp<2, so it gets its own venv)
#   - Benchmarks/.venv-mcp-stdio : mcp-stdio==0.45.2
#   - Benchmarks/.build/          : the C helpers (fastserver, floor, nullbridge, stdio_driver), cc -O2
# The bridge itself is built by `make bench` (swift build -c release); the test-server venv by `make deps`.
# Environment: PYTHON=/path/to/python3 (default python3), CC (default cc).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"
cc="${CC:-cc}"
log() { printf 'bench-setup: %s\n' "$*" >&2; }

make_venv() { # dir, stamp text, pip args...
    local dir="$1" want="$2"; shift 2
    if [ -f "$dir/.bench-stamp" ] && [ "$(cat "$dir/.bench-stamp")" = "$want" ]; then
        return 0
    fi
    log "creating $dir ($want)"
    rm -rf "$dir"
    "$python" -m venv "$dir"
    "$dir/bin/pip" install --quiet "$@"
    printf '%s' "$want" > "$dir/.bench-stamp"
}

make_venv "$here/.venv-mcp-proxy" "mcp-proxy==0.13.0 mcp<2" "mcp-proxy==0.13.0" "mcp<2"
make_venv "$here/.venv-mcp-stdio" "mcp-stdio==0.45.2" "mcp-stdio==0.45.2"

out="$here/.build"
mkdir -p "$out"
build() { # name, extra link flags...
    local name="$1"; shift
    local src="$here/$name.c" bin="$out/$name"
    if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
        log "cc -O2 $name.c"
        "$cc" -O2 -Wall -Wextra -o "$bin" "$src" "$@"
    fi
}
build fastserver -lpthread
build floor -lcurl -lpthread
build nullbridge
build stdio_driver
log "ok"
