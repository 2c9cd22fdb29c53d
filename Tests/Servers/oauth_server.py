#!/usr/bin/env python3
"""A real MCP server behind real OAuth, for mcp-bridge's sign-in tests (run it with .venv-fastmcp's python).

    python oauth_server.py [--port 0] [--token-seconds 3600]

fastmcp 4.x's InMemoryOAuthProvider is the authorization server and the resource server in one process: 401 with a
`WWW-Authenticate` challenge naming its protected resource metadata, RFC 8414 metadata, dynamic client registration,
an authorize endpoint that approves at once (a 302 to the client's redirect URI: the "user" is the test's $BROWSER
script), PKCE S256, refresh-token rotation. `GET /_counts` tells how many registrations, authorizations and token
requests it served, so a test can assert one sign-in for many bridge copies.

The socket is bound first (port 0 = ephemeral) so the issuer URL carries the real port; prints `LISTENING <port>`.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import warnings
from collections import Counter

sys.path.insert(0, os.path.dirname(__file__))
import lifeline  # noqa: E402

import uvicorn  # noqa: E402
from fastmcp import FastMCP  # noqa: E402
from fastmcp.server.auth.providers import in_memory  # noqa: E402
from mcp.server.auth.settings import ClientRegistrationOptions  # noqa: E402
from starlette.responses import JSONResponse  # noqa: E402

warnings.filterwarnings("ignore")
COUNTS: Counter[str] = Counter()


class Counting:
    """ASGI middleware counting the authorization server's endpoints, and serving /_counts."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            path = scope["path"]
            if path == "/_counts":
                return await JSONResponse(dict(COUNTS))(scope, receive, send)
            for name in ("/register", "/authorize", "/token"):
                if path == name:
                    COUNTS[name.strip("/")] += 1
            if path == "/mcp":
                COUNTS["mcp"] += 1
        await self.app(scope, receive, send)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token-seconds", type=int, default=3600, help="access token lifetime")
    args = parser.parse_args()
    in_memory.DEFAULT_ACCESS_TOKEN_EXPIRY_SECONDS = args.token_seconds

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(128)
    port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"

    provider = in_memory.InMemoryOAuthProvider(
        base_url=base,
        client_registration_options=ClientRegistrationOptions(enabled=True, valid_scopes=["read", "write"]),
        required_scopes=["read"],
    )
    server = FastMCP("oauth-server", auth=provider)

    @server.tool
    def echo(text: str) -> str:
        """Return `text` unchanged."""
        return text

    app = Counting(server.http_app(path="/mcp"))
    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=2, lifespan="on")
    signal.signal(signal.SIGTERM, lambda *_: None)
    signal.signal(signal.SIGINT, lambda *_: None)
    print(f"LISTENING {port}", flush=True)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    lifeline.watch()
    sys.exit(main())
