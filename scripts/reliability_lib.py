"""Shared pieces of scripts/chaos.py and scripts/soak.py: child processes, a host driving the bridge
over stdin/stdout with a bounded window of requests in flight, /proc sampling, and RELIABILITY.md sections.

Standard library only; runs under the test venv's Python or the system python3.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SERVERS = os.path.join(REPO, "Tests", "Servers")
RELIABILITY = os.path.join(REPO, "RELIABILITY.md")
MCP_PATH = "/ossserver-stateless/ossmcp"


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def python() -> str:
    return os.environ.get("MCP_BRIDGE_PYTHON") or os.path.join(REPO, ".venv-test", "bin", "python")


def bridge_binary() -> str:
    if os.environ.get("MCP_BRIDGE_BIN"):
        return os.environ["MCP_BRIDGE_BIN"]
    for kind in ("release", "debug"):
        path = os.path.join(REPO, ".build", kind, "mcp-bridge")
        if os.access(path, os.X_OK):
            return path
    raise SystemExit("no mcp-bridge binary: run `swift build -c release` (or set MCP_BRIDGE_BIN)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Child:
    """A loopback server that prints `LISTENING <port>`; stderr goes to a log file."""

    def __init__(self, argv: list[str], log_path: str, timeout: float = 30):
        self.argv = argv
        self.log_path = log_path
        self.log_file = open(log_path, "ab")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.log_file)
        self.port = self._await_listening(timeout)

    def _await_listening(self, timeout: float) -> int:
        found: list[int] = []

        def read() -> None:
            assert self.proc.stdout is not None
            for raw in self.proc.stdout:
                line = raw.decode(errors="replace").strip()
                if line.startswith("LISTENING "):
                    found.append(int(line.split()[1]))
                    break
            # keep draining so the child never blocks on a full stdout pipe
            for _ in self.proc.stdout:
                pass

        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + timeout
        while not found:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.argv[:3]} exited before listening; see {self.log_path}")
            if time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError(f"{self.argv[:3]} not listening after {timeout} s; see {self.log_path}")
            time.sleep(0.01)
        return found[0]

    def signal(self, sig: int) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)

    def stop(self, timeout: float = 5) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()


def proc_sample(pid: int) -> tuple[int, int, int]:
    """(VmRSS KiB, VmHWM KiB, open fds) of a live process."""
    rss = hwm = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    return rss, hwm, len(os.listdir(f"/proc/{pid}/fd"))


_ID = re.compile(rb'"id":\s*(-?\d+)')


@dataclass
class LoadResult:
    sent: int = 0
    answers: list[int] = field(default_factory=list)   # per request index: how many answers arrived
    errors: dict[int, int] = field(default_factory=dict)  # error code -> count
    error_ids: dict[int, int] = field(default_factory=dict)  # request index -> error code
    error_samples: dict[int, str] = field(default_factory=dict)  # error code -> one message
    unexpected: int = 0       # stdout lines that answer no request we sent (or are not JSON)
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    samples: list[tuple[float, int, int, int, int]] = field(default_factory=list)  # t, answered, rss, hwm, fds
    exit_code: int | None = None
    results: dict[int, str] = field(default_factory=dict)  # index -> tool text (only when keep_results)

    @property
    def answered(self) -> int:
        return sum(1 for a in self.answers if a >= 1)

    @property
    def answered_twice(self) -> int:
        return sum(1 for a in self.answers if a > 1)

    @property
    def hung(self) -> int:
        return sum(1 for a in self.answers if a == 0)

    @property
    def succeeded(self) -> int:
        return self.answered - len(self.error_ids)

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


class Host:
    """Drives one mcp-bridge process as a desktop host does: JSON-RPC lines in, lines out."""

    def __init__(self, url: str, extra: list[str] | None = None, stderr_path: str | None = None):
        self.stderr_file = open(stderr_path or os.devnull, "ab")
        self.proc = subprocess.Popen([bridge_binary(), url, *(extra or [])], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.stderr_file, bufsize=0)
        self.pid = self.proc.pid

    def call(self, line: str, timeout: float = 30) -> dict:
        """Send one request and wait for its answer (used before the load starts)."""
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write((line + "\n").encode())
        want = json.loads(line).get("id")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            raw = self.proc.stdout.readline()
            if not raw:
                raise RuntimeError("bridge closed stdout")
            message = json.loads(raw)
            if message.get("id") == want and "method" not in message:
                return message
        raise RuntimeError(f"no answer to {line}")

    def send(self, line: str) -> None:
        assert self.proc.stdin
        self.proc.stdin.write((line + "\n").encode())

    def handshake(self) -> dict:
        init = self.call(json.dumps({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "chaos", "version": "1"}}}))
        self.send('{"jsonrpc":"2.0","method":"notifications/initialized"}')
        return init

    def run(self, make_line, n: int, window: int | None, deadline: float, sample_every: int = 0,
            keep_results: bool = False, first_id: int = 1, sample_seconds: float = 0.0,
            interval: float = 0.0) -> LoadResult:
        """Send n requests (ids first_id … first_id+n-1) keeping at most `window` unanswered (None: all at once,
        as fast as the pipe takes them); wait for all answers until `deadline` seconds after the start.
        Samples the bridge's RSS and fds every `sample_every` answers and/or `sample_seconds` seconds."""
        assert self.proc.stdin and self.proc.stdout
        result = LoadResult(sent=0, answers=[0] * n)
        sent_at = [0.0] * n
        free = threading.Semaphore(window) if window else None
        done = threading.Event()
        lock = threading.Lock()
        answered = [0]
        start = time.monotonic()

        def sample() -> None:
            try:
                rss, hwm, fds = proc_sample(self.pid)
            except OSError:
                return
            result.samples.append((time.monotonic() - start, answered[0], rss, hwm, fds))

        def reader() -> None:
            stdout = self.proc.stdout
            assert stdout is not None
            next_sample = sample_every
            for raw in stdout:
                now = time.monotonic()
                match = _ID.search(raw)
                index = int(match.group(1)) - first_id if match else -1
                if not (0 <= index < n) or b'"method"' in raw[:40]:
                    result.unexpected += 1
                    continue
                result.answers[index] += 1
                if result.answers[index] > 1:
                    continue
                result.latencies.append(now - sent_at[index])
                if b'"error"' in raw:
                    try:
                        error = json.loads(raw)["error"]
                        code = int(error["code"])
                        result.error_samples.setdefault(code, str(error.get("message", ""))[:500])
                    except (ValueError, KeyError, TypeError):
                        code = 0
                    result.errors[code] = result.errors.get(code, 0) + 1
                    result.error_ids[index] = code
                elif keep_results:
                    try:
                        result.results[index] = json.loads(raw)["result"]["content"][0]["text"]
                    except (ValueError, KeyError, TypeError, IndexError):
                        result.results[index] = ""
                with lock:
                    answered[0] += 1
                    count = answered[0]
                if free:
                    free.release()
                if sample_every and count >= next_sample:
                    next_sample += sample_every
                    sample()
                if count == n:
                    done.set()
            done.set()

        def timed_sampler() -> None:
            while not done.wait(sample_seconds):
                sample()

        threading.Thread(target=reader, daemon=True).start()
        if sample_seconds:
            threading.Thread(target=timed_sampler, daemon=True).start()
        sample()

        def writer() -> None:
            stdin = self.proc.stdin
            assert stdin is not None
            if free is None:  # a burst: preformatted, written in big chunks as fast as the pipe takes them
                chunk: list[bytes] = []
                for i in range(n):
                    chunk.append(make_line(i + first_id).encode() + b"\n")
                    if len(chunk) == 4096 or i == n - 1:
                        now = time.monotonic()
                        for j in range(i + 1 - len(chunk), i + 1):
                            sent_at[j] = now
                        stdin.write(b"".join(chunk))
                        result.sent += len(chunk)
                        chunk = []
                return
            for i in range(n):
                free.acquire()
                if interval:
                    time.sleep(interval)
                line = make_line(i + first_id).encode() + b"\n"
                sent_at[i] = time.monotonic()
                stdin.write(line)
                result.sent += 1

        writer_thread = threading.Thread(target=writer, daemon=True)
        writer_thread.start()
        done.wait(max(0.0, deadline - (time.monotonic() - start)))
        result.elapsed = time.monotonic() - start
        sample()
        return result

    def close(self, timeout: float = 60) -> int | None:
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
            return self.proc.wait(timeout)
        except (subprocess.TimeoutExpired, BrokenPipeError):
            self.proc.kill()
            self.proc.wait()
            return None
        finally:
            self.stderr_file.close()


def replace_section(name: str, text: str, path: str = RELIABILITY) -> None:
    """Replace the text between `<!-- BEGIN name -->` and `<!-- END name -->` in RELIABILITY.md."""
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    with open(path) as f:
        content = f.read()
    if begin not in content or end not in content:
        raise SystemExit(f"{path} has no {begin} … {end} markers")
    head, rest = content.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w") as f:
        f.write(head + begin + "\n" + text.rstrip() + "\n" + end + tail)


def scratch_dir(prefix: str) -> str:
    return tempfile.mkdtemp(prefix=prefix)


def machine() -> str:
    cpus = os.cpu_count()
    try:
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
    except OSError:
        model = "?"
    return f"{cpus} cores ({model}), {time.strftime('%Y-%m-%d')}"


def stop_all(children: list) -> None:
    for child in children:
        try:
            child.stop()
        except Exception:  # noqa: BLE001 - best effort at teardown
            pass


def kill_hard(child: Child, sig: int = signal.SIGKILL) -> None:
    child.signal(sig)
    child.proc.wait()
