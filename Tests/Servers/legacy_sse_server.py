#!/usr/bin/env python3
"""A real 2024-11-05 "HTTP with SSE" MCP server (official Python SDK `mcp` 1.x FastMCP) for mcp-bridge's tests.

    python legacy_sse_server.py [--transport sse|streamable-http] [--stateless] [--host 127.0.0.1] [--port 0]
                                [--name legacy]

Runs from .venv-legacy (Tests/Servers/requirements-legacy.txt): mcp 1.x cannot share a venv with mcp 2.x.
`--transport sse` (default) serves GET /sse (the stream, whose first event is `endpoint`) and POST /messages/
(202, the answer arrives on the stream); POST /sse is 405, which is what makes a Streamable HTTP client fall
back. `--transport streamable-http` serves the same tools over Streamable HTTP at /mcp, for comparison;
`--stateless` makes that endpoint sessionless (FastMCP `stateless_http`: no Mcp-Session-Id, no GET stream, so a
server-to-client request such as `ask_name`'s elicitation has no channel back and fails).
Binds its socket itself (port 0 = ephemeral; a fixed port may be reused at once, so a test can restart it in
place), prints exactly one line `LISTENING <port>` on stdout, then serves. Logs go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
import lifeline  # noqa: E402
import serving  # noqa: E402

from pydantic import BaseModel, Field

from mcp.server.fastmcp import Context, FastMCP
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import ToolAnnotations

# Headers (lower-cased names) of the GET that opened each SSE session, by session id, for `stream_headers`.
STREAM_HEADERS: dict[str, dict[str, str]] = {}
SESSION_ID = re.compile(rb"session_id=([0-9a-f]+)")


class NameAnswer(BaseModel):
    name: str = Field(description="Your name")


# ask_then_sleep calls cancelled by the client (notifications/cancelled) while they slept, by the name given.
CANCELLED: list[str] = []


def build_server(name: str, stateless: bool = False) -> FastMCP:
    server = FastMCP(
        name,
        log_level="WARNING",
        stateless_http=stateless,
        # Tests reach it as 127.0.0.1:PORT; accept any Host / Origin like mcp_server.py does.
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )

    @server.tool(structured_output=False)
    def echo(text: str) -> str:
        """Return `text` unchanged."""
        return text

    @server.tool(structured_output=False)
    def whoami() -> str:
        """Return the server's --name."""
        return name

    @server.tool(annotations=ToolAnnotations(readOnlyHint=True), structured_output=False)
    async def slow(seconds: float) -> str:
        """Sleep for `seconds`, then return "slept <seconds>" (read-only: safe to repeat)."""
        await asyncio.sleep(seconds)
        return f"slept {seconds}"

    @server.tool(structured_output=False)
    async def slow_effect(seconds: float) -> str:
        """Like `slow`, but not annotated: a client must not repeat it on its own."""
        await asyncio.sleep(seconds)
        return f"slept {seconds}"

    @server.tool(structured_output=False)
    async def progress(steps: int, ctx: Context) -> str:
        """Send `steps` progress notifications about 50 ms apart (needs a progressToken), then return "done"."""
        for i in range(1, steps + 1):
            await ctx.report_progress(i, steps, f"step {i}/{steps}")
            await asyncio.sleep(0.05)
        return "done"

    @server.tool(structured_output=False)
    async def log_messages(count: int, ctx: Context) -> str:
        """Send `count` notifications/message log entries (level info), then return "logged <count>"."""
        for i in range(1, count + 1):
            await ctx.info(f"log message {i}/{count}")
        return f"logged {count}"

    @server.tool(structured_output=False)
    def request_headers(ctx: Context) -> str:
        """The HTTP headers of the POST that carried this call, as JSON with lower-cased names."""
        request = ctx.request_context.request
        headers = dict(request.headers) if request is not None else {}
        return json.dumps({k.lower(): v for k, v in headers.items()}, sort_keys=True)

    @server.tool(structured_output=False)
    def request_meta(ctx: Context) -> str:
        """The `params._meta` this call arrived with, as JSON (what a 2025 server sees of a request's metadata)."""
        meta = ctx.request_context.meta
        return json.dumps(meta.model_dump(mode="json", exclude_none=True) if meta is not None else None,
                          sort_keys=True)

    @server.tool(structured_output=False)
    def stream_headers(ctx: Context) -> str:
        """The HTTP headers of the GET that opened this call's SSE session, as JSON with lower-cased names."""
        request = ctx.request_context.request
        session = request.query_params.get("session_id", "") if request is not None else ""
        return json.dumps(STREAM_HEADERS.get(session.replace("-", ""), {}), sort_keys=True)

    @server.tool(structured_output=False)
    async def ask_name(ctx: Context) -> str:
        """Ask the client for a name via elicitation; return "hello <name>" or "declined"."""
        result = await ctx.elicit("What is your name?", NameAnswer)
        if result.action == "accept" and result.data is not None:
            return f"hello {result.data.name}"
        return "declined"

    @server.tool(structured_output=False)
    async def ask_name_direct(ctx: Context) -> str:
        """The same as ask_name: mcp 1.x has only `ctx.elicit` (the matrix calls both names on every server)."""
        return await ask_name(ctx)

    @server.tool(structured_output=False)
    async def ask_then_sleep(seconds: float, ctx: Context) -> str:
        """Elicit a name, then sleep; a cancellation (notifications/cancelled) while sleeping is counted."""
        result = await ctx.elicit("What is your name?", NameAnswer)
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            CANCELLED.append(result.data.name if result.data is not None else "")
            raise
        return "slept"

    @server.tool(structured_output=False)
    def cancellations() -> str:
        """The names given to ask_then_sleep calls that were cancelled while sleeping, comma-separated."""
        return ",".join(CANCELLED)

    return server


def record_stream_headers(app):  # type: ignore[no-untyped-def]
    """ASGI middleware: remember each GET's headers under the session id its `endpoint` event names, so a test
    can see what its own stream was opened with."""

    async def wrapped(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope.get("type") != "http" or scope.get("method") != "GET":
            return await app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}

        async def watching_send(message):  # type: ignore[no-untyped-def]
            if message.get("type") == "http.response.body":
                found = SESSION_ID.search(message.get("body", b""))
                if found:
                    STREAM_HEADERS[found.group(1).decode()] = headers
            await send(message)

        await app(scope, receive, watching_send)

    return wrapped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transport", choices=["sse", "streamable-http"], default="sse")
    parser.add_argument("--stateless", action="store_true",
                        help="with --transport streamable-http: no sessions (FastMCP stateless_http)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--name", default="legacy")
    args = parser.parse_args()

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.stateless and args.transport != "streamable-http":
        parser.error("--stateless needs --transport streamable-http (the SSE transport is a session by design)")
    server = build_server(args.name, stateless=args.stateless)
    app = server.sse_app() if args.transport == "sse" else server.streamable_http_app()

    return serving.serve(record_stream_headers(app), serving.listen(args.host, args.port), graceful_seconds=1)


if __name__ == "__main__":
    lifeline.watch()
    sys.exit(main())
