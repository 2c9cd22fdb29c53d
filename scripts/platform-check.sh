#!/usr/bin/env bash
# Platform check (`make lint`, so CI): the C library and every call only one OS has live in Sources/BridgePlatform,
# so the rest of the package builds on macOS as on Linux (README: Building on macOS). This machine cannot compile for
# Darwin; this check is what keeps the code written for it. Exits non-zero, naming file and line, when a source
# outside BridgePlatform
#   - imports a C library module itself (Glibc, Musl, Darwin, WinSDK): import BridgePlatform instead;
#   - uses a Linux-only (or Linux-spelled) symbol: pwritev2/RWF_*, TCP_QUICKACK, MSG_NOSIGNAL, SOCK_STREAM and
#     friends (an enum on Glibc), st_mtim/st_atim/st_ctim (st_*timespec on Darwin), posix_spawn* (opaque pointers
#     on Darwin), pthread_self/pthread_create (pthread_t is a pointer on Darwin), environ, dlsym, epoll, eventfd,
#     signalfd, inotify, accept4, pipe2, prctl, /proc/, sched_getaffinity, malloc_trim, F_SETPIPE_SZ, SOCK_CLOEXEC,
#     CLOCK_BOOTTIME, CLOCK_MONOTONIC_RAW, a module-qualified `Glibc.` call.
# Add a wrapper to BridgePlatform (with a Darwin branch) rather than an exception here.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

status=0
check() {
    local pattern=$1 what=$2 hits
    hits=$(find Sources -name '*.swift' -not -path 'Sources/BridgePlatform/*' -print0 \
        | xargs -0 grep -HnE -- "$pattern" | grep -vE '^[^:]+:[0-9]+:[[:space:]]*//' || true)
    if [[ -n "$hits" ]]; then
        sed "s/\$/  <- $what/" <<<"$hits" >&2
        status=1
    fi
}
check '^[[:space:]]*(@_exported )?import (Glibc|Musl|Darwin|WinSDK|ucrt)\b' "C library import outside BridgePlatform"
check '\bGlibc\.' "Glibc-qualified call"
check '\b(pwritev2|RWF_[A-Z]+|TCP_QUICKACK|MSG_NOSIGNAL|SOCK_(STREAM|DGRAM|CLOEXEC|NONBLOCK)|st_[amc]tim)\b' \
    "Linux-only or Linux-spelled symbol"
check '\b(posix_spawn[a-z_]*|pthread_self|pthread_create|environ|dlsym|dlopen)\b' "symbol whose type differs on Darwin"
check '\b(epoll_[a-z]+|eventfd|signalfd|inotify_[a-z]+|accept4|pipe2|prctl|sched_getaffinity|malloc_trim)\b' \
    "Linux-only call"
check '\b(F_SETPIPE_SZ|F_GETPIPE_SZ|CLOCK_BOOTTIME|CLOCK_MONOTONIC_RAW)\b' "Linux-only constant"
check '"/proc/' "Linux /proc path"

if [[ $status -ne 0 ]]; then
    echo "platform-check: findings above: move the call into Sources/BridgePlatform (with its Darwin branch)" >&2
    exit 1
fi
echo "platform-check: ok"
