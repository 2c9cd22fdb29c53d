#!/usr/bin/env bash
# Runs the whole test suite under ThreadSanitizer and AddressSanitizer (see RELIABILITY.md).
#
#   scripts/sanitize.sh [thread|address]...      default: thread address
#
# Each sanitizer builds into its own scratch path (.build-tsan, .build-asan) so the normal .build stays untouched.
# The end-to-end tests spawn the bridge through MCP_BRIDGE_BIN, pointed at the sanitized binary; every instrumented
# process (the test runner and each bridge) writes its reports under $SANITIZE_REPORTS/<sanitizer>/, and the run
# fails if any report appears, even one from a bridge whose exit status no test checked. The Python test servers
# are not instrumented.
#
# TSan builds pass -DMCP_BRIDGE_TSAN, which swaps Synchronization.Mutex for a pthread-based stand-in TSan can see
# through (Sources/BridgeRuntime/TSanMutex.swift, linked into every module that locks). LeakSanitizer is off: the bridge ends with exit() while its
# libcurl driver thread still owns the multi handle and connection cache (a constant ~14 KB per process, not a
# growing leak; the soak test measures growth).
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$PWD
python=${MCP_BRIDGE_PYTHON:-$repo/.venv-test/bin/python}
reports=${SANITIZE_REPORTS:-$repo/.build-sanitize-reports}
jobs=${SANITIZE_JOBS:-2}
status=0

run() {
    local sanitizer=$1 scratch extra=() options
    case "$sanitizer" in
        thread) scratch=.build-tsan; extra=(-Xswiftc -DMCP_BRIDGE_TSAN) ;;
        address) scratch=.build-asan ;;
        *) echo "sanitize: unknown sanitizer '$sanitizer' (thread, address)" >&2; return 2 ;;
    esac
    local dir=$reports/$sanitizer
    rm -rf "$dir" && mkdir -p "$dir"
    echo "sanitize: building with --sanitize=$sanitizer into $scratch" >&2
    swift build --build-tests --sanitize="$sanitizer" "${extra[@]}" --scratch-path "$scratch" -j "$jobs"
    local bin
    bin=$(swift build --show-bin-path --sanitize="$sanitizer" "${extra[@]}" --scratch-path "$scratch")/mcp-bridge
    if [ "$sanitizer" = thread ]; then
        export TSAN_OPTIONS="log_path=$dir/tsan halt_on_error=0 ${TSAN_EXTRA_OPTIONS:-}"
    else
        export ASAN_OPTIONS="log_path=$dir/asan detect_leaks=0 ${ASAN_EXTRA_OPTIONS:-}"
    fi
    echo "sanitize: swift test --sanitize=$sanitizer (bridge: $bin)" >&2
    local tests=0
    MCP_BRIDGE_REPO="$repo" MCP_BRIDGE_PYTHON="$python" MCP_BRIDGE_BIN="$bin" \
        swift test --skip-build --sanitize="$sanitizer" "${extra[@]}" --scratch-path "$scratch" || tests=$?
    unset TSAN_OPTIONS ASAN_OPTIONS
    local found
    found=$(find "$dir" -type f | wc -l)
    if [ "$found" -gt 0 ]; then
        echo "sanitize: $sanitizer: $found report file(s) in $dir:" >&2
        grep -h "SUMMARY" "$dir"/* | sort | uniq -c >&2 || true
        status=1
    fi
    if [ "$tests" -ne 0 ]; then
        echo "sanitize: $sanitizer: tests failed (status $tests)" >&2
        status=1
    fi
    [ "$found" -eq 0 ] && [ "$tests" -eq 0 ] && echo "sanitize: $sanitizer: tests passed, no reports" >&2
    return 0
}

for sanitizer in "${@:-thread address}"; do
    for s in $sanitizer; do run "$s"; done
done
exit "$status"
