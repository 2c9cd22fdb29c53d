#!/usr/bin/env python3
"""Soak and burst runs for mcp-bridge against the fast C server (Benchmarks/fastserver.c).

    scripts/soak.py [--messages 1000000] [--window 64] [--burst 100000] [--quick] [--no-write] [--json]

soak   `--messages` tools/call echo through ONE bridge, `--window` in flight; the bridge's VmRSS and open fds
       (/proc/PID/status, /proc/PID/fd) are sampled every 1 % of the messages. Criterion: mean RSS of the last 10 %
       of samples within 10 % of the first 10 %; open fds flat (max - min <= 2).
burst  `--burst` requests written to a fresh bridge's stdin as fast as the pipe takes them (no window): every one
       answered exactly once, the bridge's peak RSS (VmHWM) and the time to the last answer.

Exit status 1 if a criterion fails. Writes the figures into RELIABILITY.md (the `soak` and `burst` sections).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reliability_lib import REPO, Child, Host, bridge_binary, log, machine, replace_section, scratch_dir  # noqa: E402


def fastserver() -> str:
    source = os.path.join(REPO, "Benchmarks", "fastserver.c")
    binary = os.path.join(REPO, "Benchmarks", ".build", "fastserver")
    if not os.access(binary, os.X_OK) or os.path.getmtime(source) > os.path.getmtime(binary):
        os.makedirs(os.path.dirname(binary), exist_ok=True)
        subprocess.run([os.environ.get("CC", "cc"), "-O2", "-Wall", "-o", binary, source, "-lpthread"], check=True)
    return binary


def echo(i: int) -> str:
    return ('{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"echo","arguments":{"text":"soak %d"}}}'
            % (i, i))


def soak(n: int, window: int, workdir: str) -> dict:
    server = Child([fastserver(), "--port", "0"], os.path.join(workdir, "fastserver.log"))
    host = Host(f"http://127.0.0.1:{server.port}/mcp", stderr_path=os.path.join(workdir, "bridge-soak.log"))
    try:
        host.handshake()
        result = host.run(echo, n, window, deadline=max(600.0, n / 500), sample_every=max(1, n // 100))
        exit_code = host.close()
    finally:
        server.stop()
    samples = result.samples[1:-1] or result.samples  # drop the before-start and after-end samples
    tenth = max(1, len(samples) // 10)
    first = sum(s[2] for s in samples[:tenth]) / tenth
    last = sum(s[2] for s in samples[-tenth:]) / tenth
    fds = [s[4] for s in samples]
    out = {
        "messages": n, "window": window, "sent": result.sent, "answered": result.answered,
        "answered_twice": result.answered_twice, "hung": result.hung, "succeeded": result.succeeded,
        "errors": {str(k): v for k, v in result.errors.items()}, "stray": result.unexpected,
        "elapsed_s": round(result.elapsed, 1), "rate": round(result.answered / result.elapsed) if result.elapsed else 0,
        "rss_first_kib": round(first), "rss_last_kib": round(last), "rss_change": round((last - first) / first, 4),
        "peak_kib": max(s[3] for s in samples), "fds_min": min(fds), "fds_max": max(fds),
            "samples": [[round(s[0], 1), s[1], s[2], s[4]] for s in result.samples], "bridge_exit": exit_code,
    }
    problems = []
    if out["answered"] != n or out["hung"] or out["answered_twice"] or out["stray"]:
        problems.append("not every message answered exactly once")
    if out["errors"]:
        problems.append(f"errors {out['errors']}")
    if abs(out["rss_change"]) > 0.10:
        problems.append(f"RSS changed {out['rss_change'] * 100:.1f} % (> 10 %)")
    # Flat = no growth: the pool may close idle connections (fds drop), but the last 10 % must not hold more
    # descriptors than the first 10 % did.
    out["fds_first_max"] = max(fds[:tenth])
    out["fds_last_max"] = max(fds[-tenth:])
    if out["fds_last_max"] > out["fds_first_max"] + 2:
        problems.append(f"open fds grew: {out['fds_first_max']} → {out['fds_last_max']}")
    if exit_code != 0:
        problems.append(f"bridge exit {exit_code}")
    out["problems"] = problems
    return out


def burst(n: int, workdir: str, method: str) -> dict:
    server = Child([fastserver(), "--port", "0"], os.path.join(workdir, "fastserver-burst.log"))
    host = Host(f"http://127.0.0.1:{server.port}/mcp", stderr_path=os.path.join(workdir, "bridge-burst.log"))
    if method == "ping":
        make = lambda i: '{"jsonrpc":"2.0","id":%d,"method":"ping"}' % i  # noqa: E731
    else:
        make = echo
    try:
        host.handshake()
        result = host.run(make, n, None, deadline=600.0, sample_seconds=0.1)
        exit_code = host.close()
    finally:
        server.stop()
    out = {
        "lines": n, "method": method, "sent": result.sent, "answered": result.answered,
        "answered_twice": result.answered_twice, "hung": result.hung, "succeeded": result.succeeded,
        "errors": {str(k): v for k, v in result.errors.items()}, "stray": result.unexpected,
        "elapsed_s": round(result.elapsed, 2), "rate": round(result.answered / result.elapsed) if result.elapsed else 0,
        "peak_kib": max(s[3] for s in result.samples), "fds_max": max(s[4] for s in result.samples),
        "max_latency_s": round(max(result.latencies, default=0), 2), "bridge_exit": exit_code,
    }
    out["problems"] = [] if (out["answered"] == n and not out["hung"] and not out["answered_twice"]
                             and not out["stray"] and not out["errors"] and exit_code == 0) else ["burst failed"]
    return out


def soak_markdown(r: dict, command: str) -> str:
    lines = [
        f"Last run: `{command}` on {machine()}, bridge `{os.path.relpath(bridge_binary(), REPO)}`. "
        f"{r['messages']:,} `tools/call echo` through one bridge to `Benchmarks/fastserver.c`, {r['window']} in flight: "
        f"sent {r['sent']:,}, answered {r['answered']:,}, answered twice {r['answered_twice']}, succeeded "
        f"{r['succeeded']:,}, hung {r['hung']}, errors {r['errors'] or 'none'}; {r['elapsed_s']} s "
        f"({r['rate']:,} messages/s).", "",
        f"**RSS**: mean of the first 10 % of samples {r['rss_first_kib'] / 1024:.1f} MiB, of the last 10 % "
        f"{r['rss_last_kib'] / 1024:.1f} MiB: **{r['rss_change'] * 100:+.1f} %** (criterion ±10 %); peak (VmHWM) "
        f"{r['peak_kib'] / 1024:.1f} MiB. **Open fds**: {r['fds_min']}…{r['fds_max']} over the run; at most "
        f"{r['fds_first_max']} in the first 10 % of samples and {r['fds_last_max']} in the last 10 % (criterion: no "
        f"growth; the connection pool may close idle connections). {'All criteria met.' if not r['problems'] else 'FAILED: ' + '; '.join(r['problems'])}",
        "", "| messages answered | time s | RSS MiB | open fds |", "|---:|---:|---:|---:|",
    ]
    samples = r["samples"]
    step = max(1, len(samples) // 20)
    chosen = samples[::step]
    if chosen[-1] is not samples[-1]:
        chosen.append(samples[-1])
    previous = -1
    for t, answered, rss, fds in chosen:
        if answered == previous:
            continue
        previous = answered
        lines.append(f"| {answered:,} | {t} | {rss / 1024:.1f} | {fds} |")
    return "\n".join(lines)


def burst_markdown(results: list[dict], command: str) -> str:
    lines = [
        "Covered by `Tests/MCPBridgeTests/EndToEnd/MisbehavingHostTests.swift` (CI, the figures of its last run are in "
        "the test output) and, for the 100,000-line burst, `make soak` (`scripts/soak.py`):", "",
        "- **Duplicate request ids in flight**: the second request with an id still in flight gets -32011 at once, "
        "without reaching the server; the first gets its real answer; the id is usable again once answered "
        "(`aDuplicateIDInFlightGetsAnErrorAndTheFirstRequestItsRealAnswer`).",
        "- **Responses to ids the server never used** (`{\"jsonrpc\":\"2.0\",\"id\":999,\"result\":{}}`, an error "
        "for a string id): POSTed to the server like any host answer; nothing is written to stdout, at most a warning "
        "on stderr, the next request is answered normally "
        "(`responsesToIDsTheServerNeverUsedWriteNothingAndLogAtMostAWarning`).",
        "- **stdin closed mid-line**: a final line without a newline is still processed "
        "(`StdinFramingTests.aFinalLineWithoutNewlineIsStillProcessedWhenStdinCloses`); a message cut off by EOF gets "
        "one -32700 (`id: null`) while the request in flight still gets its answer, exit 0 "
        "(`stdinClosedMidMessageGetsOneParseErrorAndInFlightRequestsStillTheirAnswers`).",
        "- **A burst of lines** written as fast as the pipe takes them, to the fast C server: the bridge reads stdin "
        "only as `--max-in-flight` (256) permits free up, so the burst waits in the pipe, not in memory. (Session 3 "
        "found that this held only for the requests admitted: the reader kept reading ahead without bound, 210 MB and "
        "400 MiB RSS in 3 s against a server that never answers. The driver now stops polling stdin while 4 MiB or "
        "4,096 lines wait for the pump; `LimitsTests.aHostThatOutrunsTheBridgeWaitsInThePipe` checks that a host "
        "writing 1 KiB lines as fast as it can has written less than 16 MiB after 3 s and nothing more a second "
        "later.)", "",
        f"Last burst run: `{command}` on {machine()}, bridge `{os.path.relpath(bridge_binary(), REPO)}`.", "",
        "| burst | sent | answered | answered twice | hung | succeeded | errors | time to last answer | lines/s "
        "| bridge peak RSS | max open fds |", "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r['lines']:,} × `{r['method']}` | {r['sent']:,} | {r['answered']:,} | {r['answered_twice']} "
                     f"| {r['hung']} | {r['succeeded']:,} | {r['errors'] or '—'} | {r['elapsed_s']} s | {r['rate']:,} "
                     f"| {r['peak_kib'] / 1024:.1f} MiB | {r['fds_max']} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description="soak and burst runs for mcp-bridge")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--window", type=int, default=64)
    parser.add_argument("--burst", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="50,000 messages, a 20,000-line burst")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--skip-soak", action="store_true")
    parser.add_argument("--command", default="scripts/soak.py")
    parser.add_argument("--from-json", help="rewrite RELIABILITY.md from a previous --json run's output")
    args = parser.parse_args()
    if args.quick:
        args.messages, args.burst = 50_000, 20_000
    if args.from_json:
        with open(args.from_json) as f:
            saved = json.load(f)
        replace_section("soak", soak_markdown(saved["soak"], args.command))
        replace_section("burst", burst_markdown(saved["burst"], args.command))
        return 0
    workdir = scratch_dir("soak-")
    failed = False
    report: dict = {}
    if not args.skip_soak:
        log(f"soak: {args.messages:,} messages …")
        report["soak"] = soak(args.messages, args.window, workdir)
        r = report["soak"]
        log(f"soak: answered {r['answered']:,}/{r['messages']:,} in {r['elapsed_s']} s; RSS {r['rss_first_kib']} → "
            f"{r['rss_last_kib']} KiB ({r['rss_change'] * 100:+.1f} %); fds {r['fds_min']}…{r['fds_max']}"
            + (f"; PROBLEMS {r['problems']}" if r["problems"] else ""))
        failed |= bool(r["problems"])
    report["burst"] = []
    for method in ("ping", "echo"):
        log(f"burst: {args.burst:,} × {method} …")
        b = burst(args.burst, workdir, method)
        log(f"burst: answered {b['answered']:,} in {b['elapsed_s']} s, peak RSS {b['peak_kib']} KiB"
            + (f"; PROBLEMS {b['problems']}" if b["problems"] else ""))
        failed |= bool(b["problems"])
        report["burst"].append(b)
    if args.json:
        print(json.dumps(report, indent=1))
    if not args.no_write:
        if "soak" in report:
            replace_section("soak", soak_markdown(report["soak"], args.command))
        replace_section("burst", burst_markdown(report["burst"], args.command))
        log("soak: RELIABILITY.md updated")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
