#!/usr/bin/env bash
# Builds and runs the libFuzzer targets (see RELIABILITY.md).
#
#   Fuzz/run.sh <target> [seconds]     target: one of TARGETS below, or all; seconds default 60
#                                      (per target)
#   Fuzz/run.sh build <target>         only build .build-fuzz/release/fuzz-<target> (target may be `all`)
#   Fuzz/run.sh smoke [seconds]        build every target, run each for `seconds` (default 10), fail on any finding
#                                      (`make fuzz-smoke`, run by .ci/run)
#
# The targets are SwiftPM executables (`fuzz-<target>`, Fuzz/targets/<target>/, sharing Fuzz/targets/FuzzSupport)
# that Package.swift declares only when MCP_BRIDGE_FUZZ=1, depending on the library targets they exercise; they are
# built in release mode (-O -g) with the fuzzer and address sanitizers into the scratch path .build-fuzz. The
# corpus lives in Fuzz/corpus/<target> (committed seeds); new inputs libFuzzer finds go to
# .build-fuzz/corpus/<target> (not committed; merge the interesting ones by hand). Crashes land in
# .build-fuzz/crashes/<target>/. Extra libFuzzer flags: FUZZ_FLAGS="-max_len=8192" Fuzz/run.sh sse 60.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/.build-fuzz
TARGETS=(sse lines header splice redirect batch headervalue)
# The Swift runtime backtracer would race ASan for the signal and garble the report.
export SWIFT_BACKTRACE=enable=no
SWIFT=${SWIFT:-swift}

# `--sanitize fuzzer` tells SwiftPM this is a libFuzzer build (libFuzzer provides `main`, so SwiftPM must not rename
# or alias the executables' entry point). The sanitizers themselves come from the last `-sanitize=` flag swiftc
# sees, and SwiftPM emits one flag per `--sanitize` in no fixed order, so `--sanitize fuzzer --sanitize address`
# would sometimes drop the coverage instrumentation; the single combined flag through -Xswiftc comes after
# SwiftPM's in every compile and link command.
build() {
    local target
    for target in "$@"; do
        echo "== build fuzz-$target" >&2
        MCP_BRIDGE_FUZZ=1 "$SWIFT" build --scratch-path "$OUT" -c release \
            --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address --product "fuzz-$target" 2>&1 \
            | { grep -v "Cannot export local symbol '__asan" || true; }
        test "${PIPESTATUS[0]}" -eq 0
    done
}

run() {
    local target=$1 seconds=$2
    mkdir -p "$OUT/corpus/$target" "$OUT/crashes/$target"
    echo "== fuzz $target for ${seconds}s" >&2
    # shellcheck disable=SC2086
    "$OUT/release/fuzz-$target" -max_total_time="$seconds" -print_final_stats=1 -timeout="${FUZZ_TIMEOUT:-10}" \
        -rss_limit_mb=4096 -artifact_prefix="$OUT/crashes/$target/" ${FUZZ_FLAGS:-} \
        "$OUT/corpus/$target" "$ROOT/Fuzz/corpus/$target"
}

targets_for() {
    local target
    if [[ $1 == all ]]; then echo "${TARGETS[@]}"; return; fi
    for target in "${TARGETS[@]}"; do
        if [[ $target == "$1" ]]; then echo "$1"; return; fi
    done
    echo "unknown target '$1' (${TARGETS[*]}, all)" >&2
    exit 2
}

# Every target runs even after one fails, so one smoke run reports all of them.
smoke() {
    local seconds=$1 target failed=()
    build "${TARGETS[@]}"
    for target in "${TARGETS[@]}"; do
        run "$target" "$seconds" || failed+=("$target")
    done
    if [[ ${#failed[@]} -gt 0 ]]; then
        echo "fuzz smoke: FAILED: ${failed[*]} (inputs in .build-fuzz/crashes/<target>/)" >&2
        exit 1
    fi
    echo "fuzz smoke: ok (${TARGETS[*]}, ${seconds}s each)" >&2
}

case "${1:-}" in
    build)
        list=$(targets_for "${2:?target}")
        read -r -a selected <<<"$list"
        build "${selected[@]}"
        ;;
    smoke)
        # A stall of a shared CI machine should not read as a hang of the code under test.
        FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-30} smoke "${2:-10}"
        ;;
    "")
        echo "usage: Fuzz/run.sh <${TARGETS[*]// /|}|all> [seconds] | build <target|all> | smoke [seconds]" >&2
        exit 2
        ;;
    *)
        list=$(targets_for "$1")
        read -r -a selected <<<"$list"
        build "${selected[@]}"
        for target in "${selected[@]}"; do run "$target" "${2:-60}"; done
        ;;
esac
