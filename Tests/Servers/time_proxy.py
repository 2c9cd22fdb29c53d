#!/usr/bin/env python3
"""The reference `mcp-server-time` (stdio only) served over Streamable HTTP by the real `mcp-proxy` CLI.

    python time_proxy.py --time-server PATH [--local-timezone Europe/Paris] [--port 0]

Run it with .venv-mcp-proxy's python (mcp-proxy 0.13.0 needs mcp 1.x); PATH is the `mcp-server-time` script of
.venv-time (it needs mcp 2.x: the two cannot share a venv). Neither program is changed or imported: this starts
`mcp-proxy --port P -- PATH --local-timezone TZ` as a user would, and since mcp-proxy has no way to report an
ephemeral port, reads uvicorn's "Uvicorn running on http://127.0.0.1:PORT" from its stderr and prints exactly one
`LISTENING <port>` line on stdout, as every test server does (Tests/Servers/README.md). The MCP endpoint is `/mcp`
(stateful sessions, JSON responses: mcp-proxy's defaults). The fixed local timezone keeps the tool descriptions,
which name it, the same on every machine. SIGTERM (or the lifeline) stops mcp-proxy, which stops the time server.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(__file__))
import lifeline  # noqa: E402

RUNNING = re.compile(r"Uvicorn running on http://[^:]+:(\d+)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-server", required=True, help="the mcp-server-time executable")
    parser.add_argument("--local-timezone", default="Europe/Paris")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    proxy = os.path.join(os.path.dirname(sys.executable), "mcp-proxy")
    child = subprocess.Popen(
        [proxy, "--host", "127.0.0.1", "--port", str(args.port), "--log-level", "INFO", "--",
         args.time_server, "--local-timezone", args.local_timezone],
        stdin=subprocess.DEVNULL, stdout=sys.stderr, stderr=subprocess.PIPE, text=True)

    def stop(*_: object) -> None:
        child.terminate()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    assert child.stderr is not None
    for line in child.stderr:
        sys.stderr.write(line)
        if match := RUNNING.search(line):
            print(f"LISTENING {match.group(1)}", flush=True)
            break
    # Keep draining mcp-proxy's log so it never blocks on a full pipe.
    threading.Thread(target=lambda: [sys.stderr.write(line) for line in child.stderr], daemon=True).start()
    status = child.wait()
    return 0 if status in (0, -signal.SIGTERM) else status


if __name__ == "__main__":
    lifeline.watch()
    sys.exit(main())
