#!/usr/bin/env python3
"""Chaos run for mcp-bridge: replicas killed and restarted under load, through ONE bridge.

    scripts/chaos.py [--requests 2000] [--window 32] [--quick] [--no-write] [--json]

Scenarios (each with fresh replicas, nginx round robin via Tests/Servers/nginx_lb.py, one bridge):
  readonly   3 stateless FastMCP replicas; `tools/call list_indices` (readOnlyHint) while a chaos thread kills one
             replica at a time (SIGKILL and SIGTERM alternately) and restarts it on the same port.
  sideeffect the same with `add_item` (no hints, a unique item per request). Replicas append every applied item to
             a shared ledger file (mcp_server.py --ledger, written before the reply leaves), so an item applied
             twice is visible even when the replica that applied it was killed. Counted: -32012 answers, and for
             each error whether the item was in fact applied.
  stateful   3 stateful replicas behind round robin (no stickiness), no kills: what re-initialize on 404 achieves.
  sticky     the same with nginx_lb.py --sticky-session (hash on Mcp-Session-Id).
  sticky-kill  sticky, with kills (sessions die with their replica).

Checks (exit status 1 if one fails): every request answered exactly once, none hung (all answered before the
deadline), no stray stdout line, the bridge exits 0 at stdin EOF; readonly ≥ 99.9 % successful; sideeffect: no
item applied twice, every success applied once. Stateful scenarios are measured, not asserted.
Writes the figures into RELIABILITY.md (between the `chaos` markers) unless --no-write.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reliability_lib import (  # noqa: E402
    MCP_PATH, SERVERS, Child, Host, LoadResult, log, machine, python, replace_section, scratch_dir, stop_all,
)

# Codes a host may see from the bridge (README "Error codes"); anything else is reported as unclear.
README_CODES = {-32700, -32600, -32602, -32000, -32001, -32003, -32004, -32005, -32006, -32007, -32008, -32009,
                -32010, -32011, -32012}


class Replica:
    def __init__(self, name: str, mode: str, workdir: str, ledger: str | None):
        self.name, self.mode, self.workdir, self.ledger = name, mode, workdir, ledger
        self.port = 0
        self.child: Child | None = None
        self.start()

    def start(self) -> None:
        argv = [python(), "-u", os.path.join(SERVERS, "mcp_server.py"), "--mode", self.mode,
                "--port", str(self.port), "--name", self.name]
        if self.ledger:
            argv += ["--ledger", self.ledger]
        self.child = Child(argv, os.path.join(self.workdir, f"{self.name}.log"))
        self.port = self.child.port

    def kill(self, sig: int) -> float:
        """Signal the replica and wait for it to exit; returns how long it took to go."""
        assert self.child
        started = time.monotonic()
        self.child.signal(sig)
        self.child.proc.wait()
        self.child.log_file.close()
        return time.monotonic() - started

    def stop(self) -> None:
        if self.child:
            self.child.stop()


class Chaos(threading.Thread):
    """Kills one replica at a time, alternating SIGKILL and SIGTERM, and restarts it on the same port."""

    def __init__(self, replicas: list[Replica], first_delay: float, down: float, pause: float):
        super().__init__(daemon=True)
        self.replicas, self.first_delay, self.down, self.pause = replicas, first_delay, down, pause
        self.stopping = threading.Event()
        self.events: list[str] = []
        self.kills = {"SIGKILL": 0, "SIGTERM": 0}
        self.lock = threading.Lock()
        self.busy = threading.Lock()  # held while a replica is down or restarting
        self.origin = time.monotonic()  # the load starts right after this thread

    def run(self) -> None:
        if self.stopping.wait(self.first_delay):
            return
        turn = 0
        t0 = self.origin
        while not self.stopping.is_set():
            replica = self.replicas[turn % len(self.replicas)]
            sig = signal.SIGKILL if turn % 2 == 0 else signal.SIGTERM
            with self.busy:
                killed_at = time.monotonic() - t0
                gone = replica.kill(sig)
                self.kills[sig.name] += 1
                self.stopping.wait(self.down)
                try:
                    replica.start()
                except RuntimeError as error:  # port still taken? try once more
                    log(f"chaos: restart failed ({error}); retrying")
                    time.sleep(0.5)
                    replica.start()
                self.events.append(f"{killed_at:6.2f} s {sig.name:7} {replica.name}: exited in {gone * 1000:4.0f} ms, "
                                   f"listening again on :{replica.port} at {time.monotonic() - t0:6.2f} s")
            turn += 1
            self.stopping.wait(self.pause)

    def finish(self) -> None:
        self.stopping.set()
        self.join(120)


def call(i: int, tool: str, arguments: dict) -> str:
    return json.dumps({"jsonrpc": "2.0", "id": i, "method": "tools/call",
                       "params": {"name": tool, "arguments": arguments}}, separators=(",", ":"))


def merge(total: dict | None, one: dict) -> dict:
    """Sums of several trials of one scenario (same replicas and nginx, a new bridge and session each)."""
    if total is None:
        return dict(one)
    for key in ("sent", "answered", "answered_twice", "hung", "succeeded", "unclear_errors", "stray_lines"):
        total[key] += one[key]
    for code, n in one["errors"].items():
        total["errors"][code] = total["errors"].get(code, 0) + n
    total["error_samples"] = {**one["error_samples"], **total["error_samples"]}
    total["elapsed_s"] = round(total["elapsed_s"] + one["elapsed_s"], 2)
    total["max_ms"] = max(total["max_ms"], one["max_ms"])
    total["bridge_exit_ok"] = total["bridge_exit_ok"] and one["bridge_exit_ok"]
    total["tools_list_ok"] = total["tools_list_ok"] and one["tools_list_ok"]
    total["success_ratio"] = round(total["succeeded"] / total["sent"], 5) if total["sent"] else 0.0
    return total


def scenario(name: str, *, mode: str, sticky: bool, kills: bool, tool: str, requests: int, window: int,
             deadline: float, quick: bool, trials: int = 1, interval: float = 0.0) -> dict:
    workdir = scratch_dir(f"chaos-{name}-")
    ledger = os.path.join(workdir, "ledger.tsv") if tool == "add_item" else None
    replicas: list[Replica] = []
    lb: Child | None = None
    host: Host | None = None
    chaos: Chaos | None = None
    try:
        replicas = [None, None, None]  # type: ignore[list-item]

        def start(k: int) -> None:
            replicas[k] = Replica(f"r{k}", mode, workdir, ledger)

        starters = [threading.Thread(target=start, args=(k,)) for k in range(3)]
        for t in starters:
            t.start()
        for t in starters:
            t.join()
        if not all(replicas):
            raise RuntimeError("a replica did not start")
        argv = [python(), "-u", os.path.join(SERVERS, "nginx_lb.py"), "--port", "0"]
        for replica in replicas:
            argv += ["--upstream", f"127.0.0.1:{replica.port}"]
        if sticky:
            argv.append("--sticky-session")
        lb = Child(argv, os.path.join(workdir, "nginx.log"))
        url = f"http://127.0.0.1:{lb.port}{MCP_PATH}"
        ratios, out = [], None
        for trial in range(trials):
            host = Host(url, stderr_path=os.path.join(workdir, "bridge.log"))
            init = host.handshake()
            if "result" not in init:
                raise RuntimeError(f"initialize failed: {init}")
            tools = host.call('{"jsonrpc":"2.0","id":-1,"method":"tools/list"}')  # caches readOnlyHint annotations
            if "result" not in tools:
                log(f"{name}: tools/list failed (annotations unknown to the bridge): {tools.get('error')}")
            if kills:
                chaos = Chaos(replicas, first_delay=0.5, down=0.2, pause=0.3 if quick else 0.8)
                chaos.start()
            run = f"{name}-{os.getpid()}-{int(time.time())}-{trial}"
            if tool == "add_item":
                make = lambda i: call(i, "add_item", {"item": f"{run}-{i}"})  # noqa: E731
            else:
                make = lambda i: call(i, tool, {})  # noqa: E731
            result = host.run(make, requests, window, deadline, interval=interval)
            if chaos:
                chaos.finish()
            # No grace after the deadline: an answer that has not come by then counts as hung.
            one = summarize(name, result, mode=mode, sticky=sticky, tool=tool, window=window, chaos=chaos)
            one["tools_list_ok"] = "result" in tools
            if ledger:
                one.update(check_ledger(result, ledger, run, replicas))
            one["bridge_exit"] = host.close()
            host = None
            one["bridge_exit_ok"] = one["bridge_exit"] == 0
            ratios.append(one["success_ratio"])
            out = merge(out, one)
        assert out is not None
        out["trial_ratios"] = ratios
        return out
    finally:
        if chaos and chaos.is_alive():
            chaos.finish()
        if host:
            host.close(5)
        stop_all([lb] if lb else [])
        for replica in replicas:
            if replica:
                replica.stop()


def summarize(name: str, r: LoadResult, *, mode: str, sticky: bool, tool: str, window: int,
              chaos: Chaos | None) -> dict:
    return {
        "scenario": name, "mode": mode, "sticky": sticky, "tool": tool, "window": window,
        "sent": r.sent, "answered": r.answered, "answered_twice": r.answered_twice, "hung": r.hung,
        "succeeded": r.succeeded, "errors": {str(k): v for k, v in sorted(r.errors.items())},
        "error_samples": {str(k): v for k, v in r.error_samples.items()},
        "unclear_errors": sum(v for k, v in r.errors.items() if k not in README_CODES),
        "stray_lines": r.unexpected, "elapsed_s": round(r.elapsed, 2),
        "p50_ms": round(r.percentile(50) * 1000, 1), "p99_ms": round(r.percentile(99) * 1000, 1),
        "max_ms": round(max(r.latencies, default=0) * 1000, 1),
        "kills": dict(chaos.kills) if chaos else {"SIGKILL": 0, "SIGTERM": 0},
        "chaos_events": chaos.events if chaos else [],
        "success_ratio": round(r.succeeded / r.sent, 5) if r.sent else 0.0,
    }


def check_ledger(r: LoadResult, ledger: str, run: str, replicas: list[Replica]) -> dict:
    applied: dict[int, list[str]] = {}
    with open(ledger) as f:
        for line in f:
            replica, item = line.rstrip("\n").split("\t")
            if item.startswith(run + "-"):
                applied.setdefault(int(item.rsplit("-", 1)[1]), []).append(replica)
    index_of = lambda i: i - 1  # noqa: E731 - request ids start at 1
    twice = sorted(i for i, where in applied.items() if len(where) > 1)
    succeeded_not_applied = [i for i in range(1, r.sent + 1)
                             if r.answers[index_of(i)] >= 1 and index_of(i) not in r.error_ids and i not in applied]
    by_code: dict[str, dict[str, int]] = {}
    for index, code in r.error_ids.items():
        entry = by_code.setdefault(str(code), {"applied": 0, "not_applied": 0})
        entry["applied" if (index + 1) in applied else "not_applied"] += 1
    # The surviving replicas' own in-process lists (list_items), straight from each replica, must agree.
    lists_ok = True
    for replica in replicas:
        try:
            import urllib.request
            body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                               "params": {"name": "list_items", "arguments": {}}}).encode()
            request = urllib.request.Request(
                f"http://127.0.0.1:{replica.port}{MCP_PATH}", data=body, method="POST",
                headers={"content-type": "application/json", "accept": "application/json, text/event-stream",
                         "mcp-protocol-version": "2025-06-18"})
            raw = urllib.request.urlopen(request, timeout=10).read().decode()
            data = raw.split("data: ", 1)[1] if "data: " in raw else raw
            items = json.loads(json.loads(data.strip())["result"]["content"][0]["text"])
            mine = [int(i.rsplit("-", 1)[1]) for i in items if i.startswith(run + "-")]
            if len(mine) != len(set(mine)) or any(replica.name not in applied.get(i, []) for i in mine):
                lists_ok = False
        except Exception as error:  # noqa: BLE001
            log(f"list_items on {replica.name} failed: {error}")
            lists_ok = False
    return {"applied": len(applied), "applied_twice": len(twice), "applied_twice_ids": twice[:20],
            "succeeded_not_applied": len(succeeded_not_applied), "errors_applied": by_code,
            "outcome_unknown": r.errors.get(-32012, 0), "replica_lists_consistent": lists_ok}


def verdict(out: dict) -> list[str]:
    problems = []
    if out["answered"] != out["sent"] or out["hung"]:
        problems.append(f"{out['hung']} of {out['sent']} requests hung (no answer before the deadline)")
    if out["answered_twice"]:
        problems.append(f"{out['answered_twice']} requests answered twice")
    if out["stray_lines"]:
        problems.append(f"{out['stray_lines']} stray stdout lines")
    if out["unclear_errors"]:
        problems.append(f"{out['unclear_errors']} errors with codes outside the README table")
    if not out["bridge_exit_ok"]:
        problems.append(f"bridge exit status {out['bridge_exit']}")
    if out["scenario"] == "readonly" and out["success_ratio"] < 0.999:
        problems.append(f"success ratio {out['success_ratio']} < 0.999")
    if out["tool"] == "add_item":
        if out["applied_twice"]:
            problems.append(f"{out['applied_twice']} items applied twice: {out['applied_twice_ids']}")
        if out["succeeded_not_applied"]:
            problems.append(f"{out['succeeded_not_applied']} successes not in the ledger")
        if not out["replica_lists_consistent"]:
            problems.append("a replica's list_items disagrees with the ledger")
    return problems


def markdown(results: list[dict], args: argparse.Namespace, total: float) -> str:
    lines = [f"Last run: `{args.command}` on {machine()}, bridge `{os.path.relpath(bridge_path(), os.getcwd())}`; "
             f"{total:.0f} s in all. Every scenario uses fresh replicas, nginx and one bridge; "
             f"{args.window} requests in flight.", "",
             "| scenario | kills (KILL/TERM) | sent | answered | answered twice | hung | succeeded | errors (code × n) "
             "| p50 / p99 / max ms | time |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        errors = ", ".join(f"{k} × {v}" for k, v in r["errors"].items()) or "—"
        lines.append(f"| {r['scenario']} (`{r['tool']}`, {r['mode']}{', sticky' if r['sticky'] else ''}) "
                     f"| {r['kills']['SIGKILL']}/{r['kills']['SIGTERM']} | {r['sent']} | {r['answered']} "
                     f"| {r['answered_twice']} | {r['hung']} | {r['succeeded']} ({r['success_ratio'] * 100:.2f} %) "
                     f"| {errors} | {r['p50_ms']} / {r['p99_ms']} / {r['max_ms']} | {r['elapsed_s']} s |")
    lines.append("")
    for r in results:
        if len(r.get("trial_ratios", [])) > 1:
            lines.append(f"`{r['scenario']}`: {len(r['trial_ratios'])} trials (a new bridge, so a new session, each; "
                         f"same replicas), success ratio per trial: "
                         + ", ".join(f"{x * 100:.1f} %" for x in r["trial_ratios"]) + ".")
    for r in results:
        if not r.get("tools_list_ok", True):
            lines.append(f"`{r['scenario']}`: the host's `tools/list` itself failed at least once (404 after the one "
                         "re-initialize), so the bridge did not know `list_indices` is read-only and treated it as a "
                         "call with possible side effects.")
    lines.append("")
    for r in results:
        if r["tool"] == "add_item":
            lines.append(f"Side effects (`{r['scenario']}`): {r['applied']} distinct items applied, "
                         f"**{r['applied_twice']} applied twice**; {r['outcome_unknown']} answered -32012 "
                         f"(outcome unknown); {r['succeeded_not_applied']} successes missing from the ledger; "
                         f"errors by code and whether the item had in fact been applied: "
                         f"`{json.dumps(r['errors_applied'])}`; surviving replicas' `list_items` consistent "
                         f"with the ledger: {'yes' if r['replica_lists_consistent'] else 'NO'}.")
            lines.append("")
    for r in results:
        if r["error_samples"]:
            lines.append(f"Error messages seen (`{r['scenario']}`):")
            for code, message in r["error_samples"].items():
                lines.append(f"- {code}: {message}")
            lines.append("")
    for r in results:
        if r["chaos_events"]:
            lines.append(f"<details><summary>Kill timeline ({r['scenario']}; seconds from the start of the load, "
                         f"which took {r['elapsed_s']} s)</summary>\n")
            lines.extend(f"    {e}" for e in r["chaos_events"])
            lines.append("\n</details>\n")
    return "\n".join(lines)


def bridge_path() -> str:
    from reliability_lib import bridge_binary
    return bridge_binary()


def main() -> int:
    parser = argparse.ArgumentParser(description="chaos run for mcp-bridge")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--window", type=int, default=32)
    parser.add_argument("--stateful-requests", type=int, default=1000)
    parser.add_argument("--deadline", type=float, default=180, help="seconds per scenario before a request counts as hung")
    parser.add_argument("--scenario", action="append", help="run only these (readonly, sideeffect, stateful, sticky, "
                                                            "sticky-kill)")
    parser.add_argument("--quick", action="store_true", help="300 requests per scenario, not paced")
    parser.add_argument("--interval", type=float, default=0.015,
                        help="seconds between requests in the kill scenarios (paces the load so that every replica is "
                             "killed both ways while it runs)")
    parser.add_argument("--trials", type=int, default=4, help="trials of the stateful scenarios without kills")
    parser.add_argument("--no-write", action="store_true", help="do not update RELIABILITY.md")
    parser.add_argument("--json", action="store_true", help="print the results as JSON on stdout")
    parser.add_argument("--command", default="scripts/chaos.py", help="how this run was started (for RELIABILITY.md)")
    args = parser.parse_args()
    if args.quick:
        args.requests = args.stateful_requests = 300
        args.interval, args.trials = 0.0, 2
    wanted = args.scenario or ["readonly", "sideeffect", "stateful", "sticky", "sticky-kill"]
    plans = {
        "readonly": dict(mode="stateless", sticky=False, kills=True, tool="list_indices", requests=args.requests,
                         interval=args.interval),
        "sideeffect": dict(mode="stateless", sticky=False, kills=True, tool="add_item", requests=args.requests,
                           interval=args.interval),
        "stateful": dict(mode="stateful", sticky=False, kills=False, tool="list_indices",
                         requests=args.stateful_requests // args.trials, trials=args.trials),
        "sticky": dict(mode="stateful", sticky=True, kills=False, tool="list_indices",
                       requests=args.stateful_requests // args.trials, trials=args.trials),
        "sticky-kill": dict(mode="stateful", sticky=True, kills=True, tool="list_indices",
                            requests=args.stateful_requests, interval=args.interval),
    }
    started = time.monotonic()
    results, failed = [], False
    for name in wanted:
        log(f"chaos: {name} …")
        out = scenario(name, window=args.window, deadline=args.deadline, quick=args.quick, **plans[name])
        problems = verdict(out) if name in ("readonly", "sideeffect") else [
            p for p in verdict(out) if "success ratio" not in p]
        out["problems"] = problems
        failed |= bool(problems)
        log(f"chaos: {name}: sent {out['sent']} answered {out['answered']} succeeded {out['succeeded']} "
            f"hung {out['hung']} errors {out['errors']} kills {out['kills']} in {out['elapsed_s']} s"
            + (f" applied {out['applied']} twice {out['applied_twice']}" if "applied" in out else "")
            + (f" PROBLEMS: {problems}" if problems else ""))
        results.append(out)
    if args.json:
        print(json.dumps(results, indent=1))
    if not args.no_write:
        replace_section("chaos", markdown(results, args, time.monotonic() - started))
        log("chaos: RELIABILITY.md updated")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
