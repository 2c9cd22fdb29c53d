#!/usr/bin/env python3
"""A real fastmcp 4.x server for mcp-bridge's differential client suite (run it with .venv-fastmcp's python).

    python fastmcp_server.py [--stateless] [--host 127.0.0.1] [--port 0] [--path /mcp]

The same tools as mcp_server.py where fastmcp has them (echo, slow, progress, log_messages, ask_name_direct through
`ctx.elicit`, sample_haiku and host_roots through the request's session), one resource and one prompt. Binds its
socket itself (port 0 = ephemeral), prints exactly one line `LISTENING <port>` on stdout, then serves; logs go to
stderr only; SIGTERM ends it.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(__file__))
import lifeline  # noqa: E402
import serving  # noqa: E402

from fastmcp import Context, FastMCP  # noqa: E402
from mcp.types import SamplingMessage, TextContent  # noqa: E402
from pydantic import BaseModel, Field  # noqa: E402

warnings.filterwarnings("ignore")


class NameAnswer(BaseModel):
    name: str = Field(description="Your name")


def build_server() -> FastMCP:
    server = FastMCP("fastmcp-server", version="4.0.0", instructions="A fastmcp server for mcp-bridge's tests.")

    @server.tool
    def echo(text: str) -> str:
        """Return `text` unchanged."""
        return text

    @server.tool
    async def slow(seconds: float) -> str:
        """Sleep for `seconds`, then return "slept <seconds>"."""
        await asyncio.sleep(seconds)
        return f"slept {seconds}"

    @server.tool
    async def progress(steps: int, ctx: Context) -> str:
        """Report `steps` progress notifications, then return "done"."""
        for step in range(1, steps + 1):
            await ctx.report_progress(step, steps)
        return "done"

    @server.tool
    async def log_messages(count: int, ctx: Context) -> str:
        """Send `count` log notifications, then return "logged <count>"."""
        for index in range(1, count + 1):
            await ctx.info(f"log message {index}/{count}")
        return f"logged {count}"

    @server.tool
    async def ask_name_direct(ctx: Context) -> str:
        """Ask the host for a name through `ctx.elicit`."""
        result = await ctx.elicit("What is your name?", NameAnswer)
        data = getattr(result, "data", None)
        return f"hello {data.name}" if data is not None else "declined"

    @server.tool
    async def sample_haiku(ctx: Context) -> str:
        """Ask the host's model for a haiku (sampling/createMessage mid-call)."""
        session = ctx.request_context.session
        result = await session.create_message(
            [SamplingMessage(role="user", content=TextContent(type="text", text="Write a haiku about bridges."))],
            max_tokens=50,
        )
        return f"sampled: {result.content.text}" if isinstance(result.content, TextContent) else "sampled: ?"

    @server.tool
    async def host_roots(ctx: Context) -> str:
        """Ask the host for its roots (roots/list mid-call)."""
        result = await ctx.request_context.session.list_roots()
        return "roots: " + ",".join(str(root.uri) for root in result.roots)

    @server.resource("test://readme", name="readme", mime_type="text/plain")
    def readme() -> str:
        return "fastmcp test server"

    @server.prompt
    def greet(name: str) -> str:
        """A prompt that greets `name`."""
        return f"Please greet {name} warmly."

    return server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stateless", action="store_true")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--path", default="/mcp")
    args = parser.parse_args()
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)

    app = build_server().http_app(path=args.path, stateless_http=args.stateless)
    return serving.serve(app, serving.listen(args.host, args.port))


if __name__ == "__main__":
    lifeline.watch()
    sys.exit(main())
