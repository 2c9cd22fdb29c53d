#!/usr/bin/env python3
"""A real MCP server behind real OAuth, for mcp-bridge's sign-in tests (run it with .venv-fastmcp's python).

    python oauth_server.py [--port 0] [--token-seconds 3600] [--iss none|right|wrong|promised-missing] [--no-s256]
                           [--deny] [--refuse-refresh] [--step-up TOOL]

fastmcp 4.x's InMemoryOAuthProvider is the authorization server and the resource server in one process: 401 with a
`WWW-Authenticate` challenge naming its protected resource metadata, RFC 8414 metadata, dynamic client registration,
an authorize endpoint that approves at once (a 302 to the client's redirect URI: the "user" is the test's $BROWSER
script), PKCE S256, refresh-token rotation. `GET /_counts` tells how many registrations, authorizations and token
requests it served, so a test can assert one sign-in for many bridge copies.

Faults on demand (an ASGI layer around the app): `--iss` adds RFC 9207's `iss` to the authorization response (the
right issuer or a wrong one) or advertises it and leaves it out; `--no-s256` removes
`code_challenge_methods_supported` from the metadata; `--deny` makes the "user" refuse (`error=access_denied`); `--refuse-refresh` answers
every refresh with `invalid_grant`, as a revoked refresh token is; `--step-up TOOL` makes a call of TOOL
with a token lacking the `write` scope a 403 `insufficient_scope` challenge.

The socket is bound first (port 0 = ephemeral) so the issuer URL carries the real port; prints `LISTENING <port>`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.parse
import warnings
from collections import Counter

sys.path.insert(0, os.path.dirname(__file__))
import lifeline  # noqa: E402
import serving  # noqa: E402

from fastmcp import FastMCP  # noqa: E402
from fastmcp.server.auth.providers import in_memory  # noqa: E402
from mcp.server.auth.settings import ClientRegistrationOptions, RevocationOptions  # noqa: E402
from starlette.responses import JSONResponse  # noqa: E402

warnings.filterwarnings("ignore")
COUNTS: Counter[str] = Counter()


async def read_body(receive):
    """The whole request body, and a `receive` that hands it to the app again."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    replayed = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay():
        return replayed.pop() if replayed else await receive()
    return body, replay


class Counting:
    """ASGI middleware counting the authorization server's endpoints, serving /_counts, and injecting the faults."""

    def __init__(self, app, options, provider, base):
        self.app = app
        self.options = options
        self.provider = provider
        self.base = base
        self.issuer = ""

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        if path == "/_counts":
            return await JSONResponse(dict(COUNTS))(scope, receive, send)
        for name in ("/register", "/authorize", "/token"):
            if path == name:
                COUNTS[name.strip("/")] += 1
        if path == "/mcp":
            COUNTS["mcp"] += 1
            if self.options.step_up:
                return await self.stepping_up(scope, receive, send)
        if path == "/authorize" and self.options.deny:
            return await self.deny(scope, receive, send)
        if path == "/token" and self.options.refuse_refresh:
            body, replay = await read_body(receive)
            if b"grant_type=refresh_token" in body:
                return await JSONResponse({"error": "invalid_grant", "error_description": "refresh token revoked"},
                                          status_code=400)(scope, replay, send)
            return await self.app(scope, replay, send)
        if path.startswith("/.well-known/oauth-authorization-server"):
            return await self.app(scope, receive, self.rewriting_metadata(send))
        if path == "/authorize" and self.options.iss in ("right", "wrong"):
            return await self.app(scope, receive, self.adding_iss(send))
        await self.app(scope, receive, send)

    def rewriting_metadata(self, send):
        chunks = []

        async def wrapped(message):
            if message["type"] == "http.response.start":
                wrapped.start = message
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            document = json.loads(b"".join(chunks) or b"{}")
            self.issuer = document.get("issuer", "")
            if self.options.no_s256:
                document.pop("code_challenge_methods_supported", None)
            if self.options.iss != "none":
                document["authorization_response_iss_parameter_supported"] = True
            body = json.dumps(document).encode()
            start = dict(wrapped.start)
            start["headers"] = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            start["headers"].append((b"content-length", str(len(body)).encode()))
            await send(start)
            await send({"type": "http.response.body", "body": body})
        return wrapped

    def adding_iss(self, send):
        async def wrapped(message):
            if message["type"] == "http.response.start":
                issuer = self.issuer if self.options.iss == "right" else "http://evil.example/"
                headers = []
                for key, value in message["headers"]:
                    if key.lower() == b"location":
                        value += ("&iss=" + urllib.parse.quote(issuer, safe="")).encode()
                    headers.append((key, value))
                message = dict(message, headers=headers)
            await send(message)
        return wrapped

    async def stepping_up(self, scope, receive, send):
        """--step-up TOOL: a call of TOOL with a token lacking `write` gets 403 insufficient_scope."""
        body, replay = await read_body(receive)
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            request = {}
        calls_tool = isinstance(request, dict) and request.get("method") == "tools/call" \
            and (request.get("params") or {}).get("name") == self.options.step_up
        if calls_tool:
            authorization = dict(scope["headers"]).get(b"authorization", b"").decode()
            token = self.provider.access_tokens.get(authorization.removeprefix("Bearer "))
            if token is not None and "write" not in token.scopes:
                COUNTS["step-up"] += 1
                challenge = (f'Bearer error="insufficient_scope", scope="read write", '
                             f'resource_metadata="{self.base}/.well-known/oauth-protected-resource/mcp"')
                return await JSONResponse({"error": "insufficient_scope"}, status_code=403,
                                          headers={"WWW-Authenticate": challenge})(scope, replay, send)
        return await self.app(scope, replay, send)

    async def deny(self, scope, receive, send):
        query = urllib.parse.parse_qs(scope["query_string"].decode())
        target = query["redirect_uri"][0] + "?" + urllib.parse.urlencode(
            {"error": "access_denied", "error_description": "the user said no", "state": query.get("state", [""])[0]})
        await send({"type": "http.response.start", "status": 302, "headers": [(b"location", target.encode())]})
        await send({"type": "http.response.body", "body": b""})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token-seconds", type=int, default=3600, help="access token lifetime")
    parser.add_argument("--iss", choices=["none", "right", "wrong", "promised-missing"], default="none")
    parser.add_argument("--no-s256", action="store_true")
    parser.add_argument("--deny", action="store_true")
    parser.add_argument("--refuse-refresh", action="store_true", help="answer every refresh with invalid_grant")
    parser.add_argument("--step-up", metavar="TOOL", help="calling TOOL needs the `write` scope (403 step-up)")
    args = parser.parse_args()
    in_memory.DEFAULT_ACCESS_TOKEN_EXPIRY_SECONDS = args.token_seconds

    sock = serving.listen("127.0.0.1", args.port)
    port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"

    provider = in_memory.InMemoryOAuthProvider(
        base_url=base,
        client_registration_options=ClientRegistrationOptions(enabled=True, valid_scopes=["read", "write"]),
        revocation_options=RevocationOptions(enabled=True),
        required_scopes=["read"],
    )
    server = FastMCP("oauth-server", auth=provider)

    @server.tool
    def echo(text: str) -> str:
        """Return `text` unchanged."""
        return text

    app = Counting(server.http_app(path="/mcp"), args, provider, base)
    return serving.serve(app, sock)


if __name__ == "__main__":
    lifeline.watch()
    sys.exit(main())
