#!/usr/bin/env python3
"""A small MCP server shaped like a real search deployment, to try mcp-bridge against.

Stateless Streamable HTTP at /ossserver-stateless/ossmcp, a health check at /ossserver-stateless/health,
and one tool, `list_indices`. Needs the official SDK: `pip install mcp==2.3.0 uvicorn` (or `make deps`).

    python examples/oss_server.py --port 8080
    mcp-bridge http://127.0.0.1:8080/ossserver-stateless/ossmcp

With `--port 0` the system picks a free port; the first line on stdout is always `LISTENING <port>`.
"""

import argparse
import json
import signal
import socket

import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse

from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import ToolAnnotations

INDICES = ["logs-2026.11", "logs-2026.12", "metrics", "traces", "audit"]

server = MCPServer("oss-server", version="1.0.0", log_level="WARNING")


@server.tool(annotations=ToolAnnotations(readOnlyHint=True), structured_output=False)
def list_indices(prefix: str = "") -> str:
    """List the search indices, optionally only those whose name starts with `prefix`."""
    return json.dumps([name for name in INDICES if name.startswith(prefix)])


@server.custom_route("/ossserver-stateless/health", methods=["GET"])
async def health(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def main() -> None:
    parser = argparse.ArgumentParser(description="demo MCP server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = any free port")
    args = parser.parse_args()

    app = server.streamable_http_app(
        streamable_http_path="/ossserver-stateless/ossmcp",
        stateless_http=True,  # every POST stands alone: no session, any replica can answer
        # Accept any Host header, as a server behind a reverse proxy must.
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )

    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(128)  # connections queue from here on, so LISTENING is true as soon as it is printed
    print(f"LISTENING {sock.getsockname()[1]}", flush=True)

    # uvicorn re-raises SIGTERM/SIGINT after its graceful shutdown; ignoring them then means exit status 0.
    signal.signal(signal.SIGTERM, lambda *_: None)
    signal.signal(signal.SIGINT, lambda *_: None)
    uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2)).run(sockets=[sock])


if __name__ == "__main__":
    main()
