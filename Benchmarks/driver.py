#!/usr/bin/env python3
"""Runs the mcp-bridge benchmark suite and writes BENCHMARKS.md.

    python3 Benchmarks/driver.py [--quick] [--out BENCHMARKS.md] [--only mcp-bridge,null,...]

Needs Benchmarks/setup.sh to have run (peer venvs, C helpers), `swift build -c release` and the .venv-test venv
(`make deps`). `make bench` / `make bench-smoke` do all of that. BENCH_QUICK=1 in the environment = --quick.

Python only orchestrates: every timed loop runs in C (Benchmarks/stdio_driver.c plays the host and measures the
bridge process; Benchmarks/floor.c is the direct libcurl client). Servers: Benchmarks/fastserver.c (JSON replies on
/mcp, SSE replies on /sse) and the real FastMCP server Tests/Servers/mcp_server.py --mode stateless (SSE replies).
Each spawn of a bridge is one process doing the phases in order; every number is the median over repeated spawns.
Raw results go to Benchmarks/results/latest.json.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BUILD = os.path.join(HERE, ".build")
DRIVER = os.path.join(BUILD, "stdio_driver")
FLOOR = os.path.join(BUILD, "floor")
FASTSERVER = os.path.join(BUILD, "fastserver")
NULLBRIDGE = os.path.join(BUILD, "nullbridge")
MCP_BRIDGE = os.environ.get("MCP_BRIDGE_BIN", os.path.join(REPO, ".build", "release", "mcp-bridge"))
# Optional second build measured alongside (`make bench`: the plain dynamic build, while MCP_BRIDGE is the static one).
MCP_BRIDGE_DYNAMIC = os.environ.get("MCP_BRIDGE_DYNAMIC_BIN")
MCP_PROXY = os.path.join(HERE, ".venv-mcp-proxy", "bin", "mcp-proxy")
MCP_STDIO = os.path.join(HERE, ".venv-mcp-stdio", "bin", "mcp-stdio")
TEST_PYTHON = os.environ.get("MCP_BRIDGE_PYTHON", os.path.join(REPO, ".venv-test", "bin", "python"))
FASTMCP = os.path.join(REPO, "Tests", "Servers", "mcp_server.py")

BIG = 100_000_000          # the large reply, bytes of text
PROGRESS = 10_000          # progress notifications in one SSE reply
MAX_MSG = 200 * 1024 * 1024  # raise the bridges' message limits above the large reply
INIT = ('{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18",'
        '"capabilities":{},"clientInfo":{"name":"floor","version":"1.0"}}}')
BRIDGES = ["mcp-bridge"] + (["mcp-bridge-dynamic"] if MCP_BRIDGE_DYNAMIC else []) + ["mcp-proxy", "mcp-stdio", "null"]
PEERS = ["mcp-proxy", "mcp-stdio"]


def profile(quick: bool) -> dict:
    """Run sizes. tput = (window, max calls, seconds); a phase ends at whichever limit comes first."""
    if quick:
        return dict(reps=1, cold_reps=1, lat=(200, 20), tput=[(1, 20000, 0.2), (8, 50000, 0.2), (64, 100000, 0.25)],
                    sse_reps=1, sse_tput=(64, 100000, 0.2), big_reps=1, big=20_000_000, progress=2_000,
                    fm_reps=1, fm_lat=(10, 2), fm_tput=[(1, 100, 0.3), (8, 300, 0.3), (64, 500, 0.3)], timeout=60)
    return dict(reps=5, cold_reps=10, lat=(2000, 200), tput=[(1, 100000, 3), (8, 200000, 3), (64, 400000, 3)],
                sse_reps=3, sse_tput=(64, 400000, 3), big_reps=3, big=BIG, progress=PROGRESS,
                fm_reps=3, fm_lat=(100, 10), fm_tput=[(1, 2000, 3), (8, 4000, 3), (64, 4000, 3)], timeout=120)


def bridge_cmd(name: str, url: str) -> list[str]:
    if name == "mcp-bridge":
        return [MCP_BRIDGE, url, "--silent", "--max-message-bytes", str(MAX_MSG)]
    if name == "mcp-bridge-dynamic":
        return [MCP_BRIDGE_DYNAMIC, url, "--silent", "--max-message-bytes", str(MAX_MSG)]
    if name == "mcp-proxy":
        return [MCP_PROXY, "--transport", "streamablehttp", url]
    if name == "mcp-stdio":
        return [MCP_STDIO, url, "--max-message-size", str(MAX_MSG)]
    if name == "null":
        return [NULLBRIDGE]
    raise ValueError(name)


def log(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def run_json(cmd: list[str], timeout: float) -> dict | None:
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        log(f"timed out: {shlex.join(cmd[:6])} ...")
        return None
    if p.stderr.strip():
        for line in p.stderr.strip().splitlines()[:5]:
            log(f"  {line}")
    try:
        return json.loads(p.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        log(f"no result from {shlex.join(cmd[:6])} ... (rc {p.returncode})")
        return None


def drive(name: str, url: str, args: list[str], timeout: float) -> dict | None:
    cmd = [DRIVER, "--timeout", str(timeout), *args, "--", *bridge_cmd(name, url)]
    r = run_json(cmd, timeout * 4 + 60)
    if r is not None and not r.get("ok"):
        log(f"{name}: run not ok: {json.dumps(r)[:400]}")
    return r


def start_server(cmd: list[str]) -> tuple[subprocess.Popen, int]:
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.time() + 20
    while time.time() < deadline:
        line = p.stdout.readline()
        if line.startswith("LISTENING "):
            return p, int(line.split()[1])
        if not line and p.poll() is not None:
            break
    p.kill()
    raise SystemExit(f"server did not start: {cmd}")


def med(values):
    values = [v for v in values if v is not None and v >= 0]
    return statistics.median(values) if values else None


# ---------------------------------------------------------------- measuring

def measure_fast(port: int, prof: dict, names: list[str]) -> dict:
    url, sse_url = f"http://127.0.0.1:{port}/mcp", f"http://127.0.0.1:{port}/sse"
    res: dict = {}
    t = prof["timeout"]
    main_args = ["--lat", "%d:%d" % prof["lat"]] + sum((["--tput", "%d:%d:%g" % w] for w in prof["tput"]), [])
    # The main phases (latency, throughput, CPU, RSS) run round-robin, one spawn of each bridge and one floor run per
    # round, so a noisy minute on this shared machine weighs on every column alike rather than on one.
    main: dict = {name: [] for name in names}
    seq: list = []
    floor_tput: dict = {w: [] for w, _, _ in prof["tput"]}
    for rep in range(prof["reps"]):
        log(f"fast server: round {rep + 1} of {prof['reps']}")
        for name in names:
            main[name].append(drive(name, url, main_args, t))
        seq.append(run_json([FLOOR, url, "seq", str(prof["lat"][0]), str(prof["lat"][1])], 600))
        for w, n, s in prof["tput"]:
            floor_tput[w].append(run_json([FLOOR, url, "tput", str(w), str(n), str(s)], 600))
    for name in names:
        log(f"fast server: {name}")
        runs = main[name]
        colds = [r["cold_start_ms"] for r in runs if r]
        for _ in range(max(0, prof["cold_reps"] - len(colds))):
            r = drive(name, url, [], t)
            if r:
                colds.append(r["cold_start_ms"])
        sse = [] if name == "null" else [drive(name, sse_url, ["--lat", "%d:%d" % prof["lat"], "--tput", "%d:%d:%g" % prof["sse_tput"]], t)
               for _ in range(prof["sse_reps"])]
        big = prog = []
        if name != "null":
            prog = [drive(name, sse_url, ["--progress", str(prof["progress"])], t) for _ in range(prof["big_reps"])]
            big = [drive(name, url, ["--big", str(prof["big"])], t) for _ in range(prof["big_reps"])]
        res[name] = summarize(runs, colds, sse, prog, big, [w for w, _, _ in prof["tput"]])
    # the floor
    log("fast server: floor")
    f: dict = {}
    f["lat_p50_us"] = med([r["p50_us"] for r in seq if r])
    f["lat_p99_us"] = med([r["p99_us"] for r in seq if r])
    for w, _, _ in prof["tput"]:
        tp = floor_tput[w]
        f[f"tput{w}"] = med([r["calls_per_s"] for r in tp if r])
        if w == 64:
            f["cpu_us_per_call"] = med([r["cpu_us_per_call"] for r in tp if r])
            f["peak_rss_kib"] = med([r["peak_rss_kib"] for r in tp if r])
    cold = [run_json([DRIVER, "--first-line", "--", FLOOR, url, "one", INIT], 60) for _ in range(prof["cold_reps"])]
    f["cold_ms"] = med([r["cold_start_ms"] for r in cold if r])
    sseq = [run_json([FLOOR, sse_url, "seq", str(prof["lat"][0]), str(prof["lat"][1])], 600) for _ in range(prof["sse_reps"])]
    f["sse_lat_p50_us"] = med([r["p50_us"] for r in sseq if r])
    f["sse_lat_p99_us"] = med([r["p99_us"] for r in sseq if r])
    w, n, s = prof["sse_tput"]
    stp = [run_json([FLOOR, sse_url, "tput", str(w), str(n), str(s)], 600) for _ in range(prof["sse_reps"])]
    f["sse_tput64"] = med([r["calls_per_s"] for r in stp if r])
    body = lambda name, extra: json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                                           "params": {"name": name, "arguments": extra, "_meta": {"progressToken": "p1"}}})
    big = [run_json([FLOOR, url, "one", body("big", {"bytes": prof["big"]})], 600) for _ in range(prof["big_reps"])]
    f["big_s"] = med([r["seconds"] for r in big if r])
    f["big_rss_kib"] = med([r["peak_rss_kib"] for r in big if r])
    prog = [run_json([FLOOR, sse_url, "one", body("progress", {"count": prof["progress"]})], 600) for _ in range(prof["big_reps"])]
    f["progress_s"] = med([r["seconds"] for r in prog if r])
    res["floor"] = f
    return res


def summarize(runs, colds, sse, prog, big, windows) -> dict:
    ok = [r for r in runs if r and r.get("lat")]
    s: dict = {"cold_ms": med(colds), "failures": sum(1 for r in runs + sse + prog + big if not r or not r.get("ok"))}
    s["lat_p50_us"] = med([r["lat"]["p50_us"] for r in ok])
    s["lat_p99_us"] = med([r["lat"]["p99_us"] for r in ok])
    for w in windows:
        s[f"tput{w}"] = med([t["calls_per_s"] for r in ok for t in r.get("tput", []) if t["window"] == w and t["complete"]])
        if w == 64:
            s["cpu_us_per_call"] = med([t["cpu_us_per_call"] for r in ok for t in r.get("tput", [])
                                        if t["window"] == w and t["complete"]])
    s["peak_rss_kib"] = med([r["peak_rss_kib"] for r in ok])
    s["private_kib"] = med([r["private_kib"] for r in ok if r.get("private_kib", -1) >= 0])
    sse_ok = [r for r in sse if r and r.get("lat")]
    s["sse_lat_p50_us"] = med([r["lat"]["p50_us"] for r in sse_ok])
    s["sse_lat_p99_us"] = med([r["lat"]["p99_us"] for r in sse_ok])
    s["sse_tput64"] = med([t["calls_per_s"] for r in sse_ok for t in r.get("tput", []) if t["complete"]])
    p_ok = [r for r in prog if r and r.get("progress", {}).get("complete")]
    s["progress_s"] = med([r["progress"]["seconds"] for r in p_ok])
    s["progress_notes"] = med([r["progress"]["notifications"] for r in p_ok])
    b_ok = [r for r in big if r and r.get("big", {}).get("complete")]
    s["big_s"] = med([r["big"]["seconds"] for r in b_ok])
    s["big_rss_kib"] = med([r["peak_rss_kib"] for r in b_ok])
    s["big_bytes"] = med([r["big"]["reply_bytes"] for r in b_ok])
    s["raw"] = {"main": runs, "sse": sse, "progress": prog, "big": big}
    return s


def measure_fastmcp(port: int, prof: dict, names: list[str]) -> dict:
    url = f"http://127.0.0.1:{port}/ossserver-stateless/ossmcp"
    t = prof["timeout"]
    args = ["--lat", "%d:%d" % prof["fm_lat"]] + sum((["--tput", "%d:%d:%g" % w] for w in prof["fm_tput"]), [])
    res: dict = {}
    for name in [n for n in names if n != "null"]:
        log(f"FastMCP: {name}")
        runs = [drive(name, url, args, t) for _ in range(prof["fm_reps"])]
        res[name] = summarize(runs, [r["cold_start_ms"] for r in runs if r], [], [], [], [w for w, _, _ in prof["fm_tput"]])
    log("FastMCP: floor")
    f: dict = {}
    seq = [run_json([FLOOR, url, "seq", str(prof["fm_lat"][0]), str(prof["fm_lat"][1])], 600) for _ in range(prof["fm_reps"])]
    f["lat_p50_us"] = med([r["p50_us"] for r in seq if r])
    f["lat_p99_us"] = med([r["p99_us"] for r in seq if r])
    for w, n, s in prof["fm_tput"]:
        tp = [run_json([FLOOR, url, "tput", str(w), str(n), str(s)], 600) for _ in range(prof["fm_reps"])]
        f[f"tput{w}"] = med([r["calls_per_s"] for r in tp if r])
        if w == 64:
            f["cpu_us_per_call"] = med([r["cpu_us_per_call"] for r in tp if r])
            f["peak_rss_kib"] = med([r["peak_rss_kib"] for r in tp if r])
    cold = [run_json([DRIVER, "--first-line", "--", FLOOR, url, "one", INIT], 60) for _ in range(prof["fm_reps"])]
    f["cold_ms"] = med([r["cold_start_ms"] for r in cold if r])
    res["floor"] = f
    return res


# ---------------------------------------------------------------- reporting

def sh(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def pkg_version(venv_bin: str, *pkgs: str) -> str:
    py = os.path.join(os.path.dirname(venv_bin), "python")
    code = "import importlib.metadata as m;print(' '.join(p+' '+m.version(p) for p in %r))" % (pkgs,)
    return sh([py, "-c", code])


def machine() -> dict:
    model = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = "%.1f GiB" % (int(line.split()[1]) / 1048576)
    except OSError:
        pass
    return {"nproc": sh(["nproc"]), "cpu": model, "mem": mem, "kernel": platform.release(),
            "load": " ".join(open("/proc/loadavg").read().split()[:3])}


def versions() -> dict:
    return {
        "mcp-bridge": sh([MCP_BRIDGE, "--version"]) + " (" + sh(["git", "-C", REPO, "rev-parse", "--short", "HEAD"]) + "), "
        + build_kind(MCP_BRIDGE) + (f"; mcp-bridge-dynamic: {build_kind(MCP_BRIDGE_DYNAMIC)}" if MCP_BRIDGE_DYNAMIC else ""),
        "mcp-proxy": pkg_version(MCP_PROXY, "mcp-proxy", "mcp", "httpx"),
        "mcp-stdio": pkg_version(MCP_STDIO, "mcp-stdio", "httpx"),
        "FastMCP server": pkg_version(TEST_PYTHON, "mcp", "uvicorn"),
        "libcurl": sh(["curl-config", "--version"]),
        "cc": sh(["cc", "--version"]).splitlines()[0] if sh(["cc", "--version"]) else "?",
        "swift": (sh(["swift", "--version"]).splitlines() or ["?"])[0],
        "python (peers)": sh([os.path.join(os.path.dirname(MCP_PROXY), "python"), "--version"]),
    }


def build_kind(path: str) -> str:
    """Which of README's two release builds a binary is: statically linked Swift runtime or not."""
    linked = sh(["ldd", path])
    kind = "dynamic Swift runtime (swift build -c release)" if "libswiftCore" in linked else \
        "static Swift runtime (swift build -c release --static-swift-stdlib)"
    return f"`{os.path.relpath(path, REPO)}`, {kind}"


def fmt(v, unit=""):
    if v is None:
        return "—"
    if isinstance(v, float) or isinstance(v, int):
        a = abs(v)
        s = f"{v:,.0f}" if a >= 100 else f"{v:.1f}" if a >= 10 else f"{v:.2f}"
        return s + unit
    return str(v)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "—"
    r = a / b
    return f"{r:,.0f}×" if r >= 100 else f"{r:.1f}×" if r >= 10 else f"{r:.2f}×"


METRICS = [  # key, label, unit, scale, lower_is_better
    ("cold_ms", "cold start (spawn → initialize answered)", " ms", 1, True),
    ("lat_p50_us", "sequential call p50", " µs", 1, True),
    ("lat_p99_us", "sequential call p99", " µs", 1, True),
    ("tput1", "throughput, 1 in flight", "/s", 1, False),
    ("tput8", "throughput, 8 in flight", "/s", 1, False),
    ("tput64", "throughput, 64 in flight", "/s", 1, False),
    ("cpu_us_per_call", "CPU per call at 64 in flight", " µs", 1, True),
    ("cpu_per_10k", "CPU per 10,000 calls at 64 in flight", " s", 1, True),
    ("peak_rss_kib", "peak RSS (VmHWM), calls only", " MiB", 1 / 1024, True),
    ("private_kib", "private dirty memory after the calls (what each further copy adds)", " MiB", 1 / 1024, True),
    ("sse_lat_p50_us", "SSE replies: sequential p50", " µs", 1, True),
    ("sse_lat_p99_us", "SSE replies: sequential p99", " µs", 1, True),
    ("sse_tput64", "SSE replies: throughput, 64 in flight", "/s", 1, False),
    ("big_s", "{big} reply: time", " s", 1, True),
    ("big_rss_kib", "{big} reply: peak RSS", " MiB", 1 / 1024, True),
    ("progress_s", "SSE reply with {progress} progress notifications: time", " s", 1, True),
]


def table(res: dict, cols: list[str], keys: list[str], prof: dict) -> list[str]:
    for c in cols:
        if c in res and res[c].get("cpu_us_per_call") is not None:
            res[c]["cpu_per_10k"] = res[c]["cpu_us_per_call"] * 10_000 / 1e6
    head = ["metric"] + cols + ["mcp-bridge vs floor"] + [f"{p} vs mcp-bridge" for p in PEERS if p in cols]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, label, unit, scale, lower in METRICS:
        if key not in keys:
            continue
        row = [label.format(big=f"{prof['big'] / 1e6:g} MB", progress=f"{prof['progress']:,}")]
        vals = {}
        for c in cols:
            v = res.get(c, {}).get(key)
            vals[c] = None if v is None else v * scale
            row.append(fmt(vals[c], unit))
        b = vals.get("mcp-bridge")
        row.append(ratio(b, vals.get("floor")))
        for p in PEERS:
            if p in cols:
                row.append(ratio(vals.get(p), b))
        out.append("| " + " | ".join(row) + " |")
    return out


def targets(res: dict) -> list[str]:
    b, px, nb, fl = (res.get(k, {}) for k in ("mcp-bridge", "mcp-proxy", "null", "floor"))
    rows = []

    def add(name, value, goal, met):
        rows.append(f"| {name} | {value} | {goal} | {'met' if met else 'NOT met' if met is not None else '—'} |")

    def have(*v):
        return all(x is not None for x in v)

    if have(b.get("cold_ms"), px.get("cold_ms")):
        add("cold start ≤ 1/20 of mcp-proxy's", f"{fmt(b['cold_ms'], ' ms')} vs {fmt(px['cold_ms'], ' ms')} "
            f"(1/{px['cold_ms'] / b['cold_ms']:.0f})", f"≤ {fmt(px['cold_ms'] / 20, ' ms')}", b["cold_ms"] <= px["cold_ms"] / 20)
    if have(b.get("lat_p50_us"), fl.get("lat_p50_us"), nb.get("lat_p50_us")):
        added = b["lat_p50_us"] - fl["lat_p50_us"] - nb["lat_p50_us"]
        add("p50 added latency over the floor, net of the null bridge's round trip",
            f"{fmt(b['lat_p50_us'])} − {fmt(fl['lat_p50_us'])} − {fmt(nb['lat_p50_us'])} = {fmt(added, ' µs')}", "≤ 50 µs",
            added <= 50)
    if have(b.get("cpu_us_per_call")):
        add("bridge CPU per call at 64 in flight", fmt(b["cpu_us_per_call"], " µs") +
            (f" (mcp-proxy {fmt(px['cpu_us_per_call'], ' µs')})" if px.get("cpu_us_per_call") else ""), "≤ 50 µs",
            b["cpu_us_per_call"] <= 50)
    if have(b.get("tput64"), nb.get("tput64")):
        add("throughput at 64 in flight ≥ 1/4 of the null bridge's", f"{fmt(b['tput64'], '/s')} vs {fmt(nb['tput64'], '/s')}",
            f"≥ {fmt(nb['tput64'] / 4, '/s')}", b["tput64"] >= nb["tput64"] / 4)
    if have(b.get("tput64"), nb.get("tput64"), fl.get("tput64")) and nb["tput64"] > fl["tput64"]:
        add("(same, against the lower of the null bridge and the floor: this harness's null bridge outruns the network "
            "floor, so the line above cannot be met by any HTTP client)",
            f"{fmt(b['tput64'], '/s')} vs floor {fmt(fl['tput64'], '/s')}", f"≥ {fmt(fl['tput64'] / 4, '/s')}",
            b["tput64"] >= fl["tput64"] / 4)
    if have(b.get("tput64"), px.get("tput64")):
        add("throughput at 64 in flight ≥ 50× mcp-proxy's", f"{fmt(b['tput64'], '/s')} = {ratio(b['tput64'], px['tput64'])}",
            f"≥ {fmt(px['tput64'] * 50, '/s')}", b["tput64"] >= 50 * px["tput64"])
    if have(b.get("peak_rss_kib"), px.get("peak_rss_kib")):
        add("peak RSS ≤ 1/5 of mcp-proxy's", f"{fmt(b['peak_rss_kib'] / 1024, ' MiB')} vs {fmt(px['peak_rss_kib'] / 1024, ' MiB')}",
            f"≤ {fmt(px['peak_rss_kib'] / 1024 / 5, ' MiB')}", b["peak_rss_kib"] <= px["peak_rss_kib"] / 5)
    if have(b.get("private_kib"), px.get("private_kib")):
        add("(same, for private dirty memory: peak RSS also counts code and library pages that copies running side by "
            "side share; private dirty memory is what each further copy adds)",
            f"{fmt(b['private_kib'] / 1024, ' MiB')} vs {fmt(px['private_kib'] / 1024, ' MiB')}",
            f"≤ {fmt(px['private_kib'] / 1024 / 5, ' MiB')}", b["private_kib"] <= px["private_kib"] / 5)
    if have(b.get("big_rss_kib"), b.get("big_bytes")):
        add(f"{b['big_bytes'] / 1e6:.0f} MB reply: peak RSS ≤ 2× its size", f"{fmt(b['big_rss_kib'] / 1024, ' MiB')} for {fmt(b['big_bytes'] / 1048576, ' MiB')}",
            f"≤ {fmt(2 * b['big_bytes'] / 1048576, ' MiB')}", b["big_rss_kib"] * 1024 <= 2 * b["big_bytes"])
    return ["| target | measured | goal | |", "|---|---|---|---|"] + rows


def write_md(path: str, data: dict, quick: bool, command: str) -> None:
    m, v, prof = data["machine"], data["versions"], data["profile"]
    fast, fm = data["fast"], data.get("fastmcp", {})
    cols = [c for c in ["floor", "null", "mcp-bridge", "mcp-bridge-dynamic", "mcp-proxy", "mcp-stdio"] if c in fast]
    L = ["# Benchmarks", ""]
    if quick:
        L += ["> **Quick run on a shared machine, not the final numbers.** Tiny phase sizes, one repetition, other jobs "
              "running on the same 2 cores. Use `make bench` for real numbers.", ""]
    L += [f"Generated by `{command}` on {data['started']} in {data['elapsed_s']:.0f} s. "
          f"Every value is the median over {prof['reps']} spawn(s) of each bridge ({prof['cold_reps']} for cold start, "
          f"{prof['big_reps']} for the large and progress replies); ratios are computed from the medians.", ""]
    L += ["## Machine", "",
          f"- {m['nproc']} CPUs, {m['cpu']}, {m['mem']} RAM, Linux {m['kernel']}",
          f"- load average at start {data['load_start']}, at end {data['load_end']} (the machine may be shared)", ""]
    L += ["## Versions", ""] + [f"- {k}: {val}" for k, val in v.items()] + [""]
    L += ["## Fast C server (`Benchmarks/fastserver.c`)", "",
          "JSON replies on `/mcp`, SSE replies on `/sse`. `floor` = `Benchmarks/floor.c`, a direct libcurl keep-alive client "
          "making the same POSTs (its CPU and RSS are its own, for scale); `null` = `Benchmarks/nullbridge.c`, a child "
          "process that answers every stdin line itself (the harness's own pipe round trip, no network). "
          "Throughput in calls per second. Ratios: `mcp-bridge vs floor` = mcp-bridge ÷ floor; `peer vs mcp-bridge` = "
          "peer ÷ mcp-bridge (for throughput a value below 1× means the peer is slower).", ""]
    L += table(fast, cols, [k for k, *_ in METRICS], prof) + [""]
    L += ["### Targets", ""] + targets(fast) + [""]
    if fm:
        L += ["## FastMCP (`Tests/Servers/mcp_server.py --mode stateless`, SSE replies)", "",
              "The real Python server, representative but Python-bound (a few hundred calls/s), so only a subset of metrics; "
              f"{prof['fm_reps']} spawn(s) each, sequential phase of {prof['fm_lat'][0]} calls.", ""]
        L += table(fm, [c for c in ["floor", "mcp-bridge", "mcp-bridge-dynamic", "mcp-proxy", "mcp-stdio"] if c in fm],
                   ["cold_ms", "lat_p50_us", "lat_p99_us", "tput1", "tput8", "tput64", "cpu_us_per_call", "peak_rss_kib",
                    "private_kib"], prof) + [""]
    fails = {f"{srv}/{k}": r["failures"] for srv, d in (("fast", fast), ("fastmcp", fm)) for k, r in d.items()
             if isinstance(r, dict) and r.get("failures")}
    L += ["## How it is measured", "",
          "- `Benchmarks/stdio_driver.c` plays the host: it spawns the bridge with piped stdin/stdout (stderr to /dev/null), "
          "writes `initialize`, and times spawn → the initialize response (cold start; for the floor, spawn → its "
          "initialize POST answered). Then `notifications/initialized` and the phases, in one process per spawn:",
          f"  sequential `tools/call echo` ({prof['lat'][0]} calls after {prof['lat'][1]} warm-up; p50/p99 of the round trip), "
          "then throughput with a window of 1, 8 and 64 requests in flight ("
          + ", ".join(f"W={w}: up to {n:,} calls or {s:g} s" for w, n, s in prof["tput"]) + "). These spawns run "
          "round-robin (one of each bridge, then the floor's runs, per round), so a noisy stretch of the shared machine "
          "weighs on every column alike.",
          "- CPU: utime+stime of the bridge process (all threads, `/proc/PID/stat`) across the 64-in-flight phase, divided "
          "by the calls completed (one call = one request line in, one POST, one response line out).",
          "- Peak RSS: `VmHWM` from `/proc/PID/status` at the end of that spawn; private dirty memory: `Private_Dirty` "
          "of `/proc/PID/smaps_rollup` then (heap, stacks, relocated data: what a further copy adds, since copies "
          "share clean code and library pages). The large reply "
          f"(`tools/call big`, {prof['big']:,} bytes of text in one JSON reply) and the SSE reply carrying "
          f"{prof['progress']:,} `notifications/progress` events before the response (`tools/call progress` on `/sse`) "
          "each run in a fresh spawn; their time is request written → last byte of the response line read.",
          f"- Builds: mcp-bridge = {build_kind(MCP_BRIDGE)}"
          + (f"; mcp-bridge-dynamic = {build_kind(MCP_BRIDGE_DYNAMIC)} (Swift runtime and FoundationEssentials as "
             "shared libraries), the same source" if MCP_BRIDGE_DYNAMIC else "") + ". Targets and ratios use mcp-bridge.",
          f"- Bridge flags: mcp-bridge `URL --silent --max-message-bytes {MAX_MSG}`; mcp-proxy `--transport streamablehttp URL` "
          f"(defaults, including its INFO request logging to stderr); mcp-stdio `URL --max-message-size {MAX_MSG}`. "
          "The message limits are raised so the large reply is allowed at all.",
          "- All loops that are timed are C; Python (`Benchmarks/driver.py`) only starts processes and writes this file. "
          "Raw per-spawn results: `Benchmarks/results/latest.json` (not committed).",
          "- Timing assertions are never part of the tests.", ""]
    notes = os.path.join(HERE, "NOTES.md")
    if os.path.exists(notes):
        L += [open(notes).read().rstrip(), ""]
    if fails:
        L += ["Runs that failed or timed out (excluded from medians): " + ", ".join(f"{k}: {n}" for k, n in fails.items()), ""]
    with open(path, "w") as fh:
        fh.write("\n".join(L))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", default=os.environ.get("BENCH_QUICK") == "1")
    ap.add_argument("--out", default=os.path.join(REPO, "BENCHMARKS.md"))
    ap.add_argument("--only", default=",".join(BRIDGES), help="comma-separated bridges to run")
    ap.add_argument("--no-fastmcp", action="store_true")
    ap.add_argument("--command", default=None, help="the command to quote in BENCHMARKS.md")
    a = ap.parse_args()
    names = [n for n in a.only.split(",") if n]
    for path in (DRIVER, FLOOR, FASTSERVER, NULLBRIDGE, MCP_BRIDGE, MCP_PROXY, MCP_STDIO, TEST_PYTHON) + \
            ((MCP_BRIDGE_DYNAMIC,) if MCP_BRIDGE_DYNAMIC else ()):
        if not os.path.exists(path):
            raise SystemExit(f"missing {path}: run `make bench` (or Benchmarks/setup.sh, swift build -c release, make deps)")
    prof = profile(a.quick)
    t0 = time.time()
    data = {"started": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "quick": a.quick, "profile": prof,
            "machine": machine(), "versions": versions(), "load_start": " ".join(open("/proc/loadavg").read().split()[:3])}
    fs, port = start_server([FASTSERVER])
    try:
        data["fast"] = measure_fast(port, prof, names)
    finally:
        fs.terminate()
        fs.wait()
    if not a.no_fastmcp:
        fm, fport = start_server([TEST_PYTHON, FASTMCP, "--mode", "stateless"])
        try:
            data["fastmcp"] = measure_fastmcp(fport, prof, names)
        finally:
            fm.terminate()
            fm.wait()
    data["load_end"] = " ".join(open("/proc/loadavg").read().split()[:3])
    data["elapsed_s"] = time.time() - t0
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "latest.json"), "w") as fh:
        json.dump(data, fh, indent=1)
    command = a.command or ("make bench-smoke" if a.quick else "make bench")
    write_md(a.out, data, a.quick, command)
    log(f"wrote {a.out} ({data['elapsed_s']:.0f} s)")


if __name__ == "__main__":
    main()
