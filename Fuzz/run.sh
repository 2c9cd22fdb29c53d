#!/usr/bin/env bash
# Builds and runs one libFuzzer target against the library's own sources (see RELIABILITY.md).
#
#   Fuzz/run.sh <target> [seconds]     target: sse | lines | header | splice | all; seconds default 60 (per target)
#   Fuzz/run.sh build <target>         only build .build-fuzz/<target>
#
# Each target is compiled as one module from Fuzz/targets/<target>.swift, Fuzz/targets/FuzzSupport.swift and the
# few library files it needs, with `swiftc -sanitize=fuzzer,address`, so the fuzzers see internal types without
# touching Package.swift. The corpus lives in Fuzz/corpus/<target> (committed seeds); new inputs libFuzzer finds go
# to .build-fuzz/corpus/<target> (not committed; merge the interesting ones by hand). Crashes land in
# .build-fuzz/crashes/<target>/. Extra libFuzzer flags: FUZZ_FLAGS="-max_len=8192" Fuzz/run.sh sse 60.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/.build-fuzz
# The Swift runtime backtracer would race ASan for the signal and garble the report.
export SWIFT_BACKTRACE=enable=no
SRC=$ROOT/Sources/MCPBridge
SWIFTC=${SWIFTC:-swiftc}

sources_for() {
    case "$1" in
        sse) echo "$SRC/SSE/SSEParser.swift $SRC/SSE/SSEParserError.swift $SRC/SSE/ServerSentEvent.swift" ;;
        lines) echo "$SRC/Stdio/LineReader.swift $SRC/Support/DetachedThread.swift $SRC/JSONRPC/Envelope.swift" \
            "$SRC/JSONRPC/JSONCursor.swift $SRC/JSONRPC/JSONScanner.swift $SRC/JSONRPC/RequestID.swift" \
            "$SRC/JSONRPC/JSONString.swift" ;;
        header) echo "$SRC/Configuration/HeaderTemplate.swift $SRC/Configuration/BridgeConfiguration.swift" \
            "$SRC/HTTP/HTTPRequest.swift" ;;
        splice) echo "$SRC/JSONRPC/MessageSplice.swift $SRC/JSONRPC/Envelope.swift $SRC/JSONRPC/Envelope+Fields.swift" \
            "$SRC/JSONRPC/JSONCursor.swift $SRC/JSONRPC/JSONScanner.swift $SRC/JSONRPC/RequestID.swift" \
            "$SRC/JSONRPC/JSONString.swift" ;;
        *) echo "unknown target '$1' (sse, lines, header, splice)" >&2; exit 2 ;;
    esac
}

build() {
    local target=$1
    mkdir -p "$OUT"
    # shellcheck disable=SC2046
    "$SWIFTC" -sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6 -module-name FuzzTarget \
        -enable-upcoming-feature ExistentialAny \
        $(sources_for "$target") "$ROOT/Fuzz/targets/FuzzSupport.swift" "$ROOT/Fuzz/targets/$target.swift" \
        -o "$OUT/fuzz-$target" 2>&1 | { grep -v "Cannot export local symbol '__asan" || true; }
    test "${PIPESTATUS[0]}" -eq 0
}

run() {
    local target=$1 seconds=$2
    build "$target"
    mkdir -p "$OUT/corpus/$target" "$OUT/crashes/$target"
    echo "== fuzz $target for ${seconds}s" >&2
    # shellcheck disable=SC2086
    "$OUT/fuzz-$target" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=4096 \
        -artifact_prefix="$OUT/crashes/$target/" ${FUZZ_FLAGS:-} \
        "$OUT/corpus/$target" "$ROOT/Fuzz/corpus/$target"
}

case "${1:-}" in
    build) build "${2:?target}" ;;
    all) for t in sse lines header splice; do run "$t" "${2:-60}"; done ;;
    "") echo "usage: Fuzz/run.sh <sse|lines|header|splice|all> [seconds]" >&2; exit 2 ;;
    *) run "$1" "${2:-60}" ;;
esac
