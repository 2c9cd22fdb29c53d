#!/usr/bin/env python3
"""A real MCP server (official Python SDK, `mcp` 2.x) for mcp-bridge's interoperability tests.

    python mcp_server.py [--mode stateless|stateful] [--modern-only] [--host 127.0.0.1] [--port 0]
                         [--path /ossserver-stateless/ossmcp] [--health-path /ossserver-stateless/health]
                         [--json-response] [--name replica] [--ledger PATH]

It serves both protocol eras on one path (the SDK picks by the `MCP-Protocol-Version` header). `--modern-only`
refuses the handshake era as a 2026-07-28-only server does (see modern_only.py).

Binds its socket itself (port 0 = ephemeral), prints exactly one line `LISTENING <port>` on stdout, then serves.
Logs go to stderr only. SIGTERM / SIGINT end it with exit status 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
import lifeline  # noqa: E402
import serving  # noqa: E402
from modern_only import modern_only  # noqa: E402
import warnings
from typing import Annotated

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse

from mcp.server.elicitation import AcceptedElicitation, ElicitationResult
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.resolve import Elicit, Resolve
from mcp.server.request_state import RequestStateSecurity
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import SamplingMessage, TextContent, ToolAnnotations

# ctx.info() is deprecated for 2026-07-28 but still the way to send notifications/message on legacy versions.
warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", message=".*logging capability is deprecated.*")

INDICES = ["logs-2026.11", "metrics", "traces", "audit"]

# A 2026-07-28 `input_required` round trip carries a sealed `requestState`; the SDK's default key lives in one
# process, so the answer must reach the replica that asked. Multi-instance deployments must share a key (the SDK's
# RequestStateSecurity docs), as replicas behind a balancer do here: one key and one audience for every instance.
REQUEST_STATE = RequestStateSecurity(keys=["mcp-bridge-tests-shared-request-state-key-0123456789"], audience="oss-mcp")


class NameAnswer(BaseModel):
    name: str = Field(description="Your name")


def ask_for_name() -> Elicit[NameAnswer]:
    """The resolver behind `ask_name`: the SDK turns this marker into whatever the request's era can carry."""
    return Elicit("What is your name?", NameAnswer)


def build_server(replica: str, ledger: str | None = None) -> MCPServer:
    server = MCPServer(replica, version="1.0.0", log_level="WARNING", request_state_security=REQUEST_STATE)
    items: list[str] = []
    # --ledger: every add_item is also appended to this file (shared by replicas, survives SIGKILL: one O_APPEND
    # write per item, done before the reply is sent), so chaos tests can count how often each item was applied.
    ledger_fd = os.open(ledger, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644) if ledger else None

    @server.tool(annotations=ToolAnnotations(readOnlyHint=True), structured_output=False)
    def list_indices() -> str:
        """List the search indices available on this deployment (read-only)."""
        return json.dumps(INDICES)

    @server.tool(structured_output=False)
    def echo(text: str) -> str:
        """Return `text` unchanged."""
        return text

    @server.tool(structured_output=False)
    def whoami() -> str:
        """Return the name of the replica that answered (for load-balancing tests)."""
        return replica

    @server.tool(structured_output=False)
    def request_headers(ctx: Context) -> str:
        """Return the HTTP request headers this call arrived with, as a JSON object with lower-cased names."""
        headers = ctx.headers or {}
        return json.dumps({k.lower(): v for k, v in headers.items()}, sort_keys=True)

    @server.tool(structured_output=False)
    async def slow(seconds: float) -> str:
        """Sleep for `seconds`, then return "slept <seconds>"."""
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
    async def ask_name(answer: Annotated[ElicitationResult[NameAnswer], Resolve(ask_for_name)]) -> str:
        """Ask the client for a name; return "hello <name>" or "declined". On 2026-07-28 the call first returns an
        input_required result (answered by a retry); on 2025 eras it sends elicitation/create mid-call (stateful)."""
        if isinstance(answer, AcceptedElicitation):
            return f"hello {answer.data.name}"
        return "declined"

    @server.tool(structured_output=False)
    async def ask_name_direct(ctx: Context) -> str:
        """Like ask_name, but always through `ctx.elicit`, i.e. a server-to-client request (2025 stateful only)."""
        result = await ctx.elicit("What is your name?", NameAnswer)
        if result.action == "accept" and result.data is not None:
            return f"hello {result.data.name}"
        return "declined"

    @server.tool(structured_output=False)
    async def sample_haiku(ctx: Context) -> str:
        """Ask the host's model through `ctx.session.create_message` (sampling/createMessage mid-call)."""
        result = await ctx.session.create_message(
            [SamplingMessage(role="user", content=TextContent(type="text", text="Write a haiku about bridges."))],
            max_tokens=50,
        )
        return f"sampled: {result.content.text}" if isinstance(result.content, TextContent) else "sampled: ?"

    @server.tool(structured_output=False)
    async def host_roots(ctx: Context) -> str:
        """Ask the host for its roots through `ctx.session.list_roots` (roots/list mid-call)."""
        result = await ctx.session.list_roots()
        return "roots: " + ",".join(str(root.uri) for root in result.roots)

    @server.tool(structured_output=False)
    def lookup_region(
        region: Annotated[str, Field(json_schema_extra={"x-mcp-header": "Region"})],
        limit: Annotated[int, Field(json_schema_extra={"x-mcp-header": "Limit"})] = 10,
    ) -> str:
        """Echo a region and limit that 2026-07-28 clients must mirror in Mcp-Param-Region/Mcp-Param-Limit."""
        return f"{region}:{limit}"

    @server.tool(structured_output=False)
    def add_item(item: str) -> str:
        """Append `item` to an in-process list (a side effect, not read-only); return the new count."""
        items.append(item)
        if ledger_fd is not None:
            os.write(ledger_fd, f"{replica}\t{item}\n".encode())
        return str(len(items))

    @server.tool(annotations=ToolAnnotations(readOnlyHint=True), structured_output=False)
    def list_items() -> str:
        """The items add_item appended in this process, as a JSON array (read-only)."""
        return json.dumps(items)

    @server.tool(structured_output=False)
    async def announce_changes(uri: str, ctx: Context) -> str:
        """Tell `subscriptions/listen` streams that the tool list changed and that resource `uri` was updated."""
        await ctx.notify_tools_changed()
        await ctx.notify_resource_updated(uri)
        return "announced"

    @server.resource("test://readme", name="readme", mime_type="text/plain")
    def readme() -> str:
        """A small fixed text resource."""
        return f"mcp-bridge test server, replica {replica}"

    @server.prompt()
    def greet(name: str) -> str:
        """A prompt that greets `name`."""
        return f"Please greet {name} warmly."

    return server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["stateless", "stateful"], default="stateless")
    parser.add_argument("--modern-only", action="store_true",
                        help="serve 2026-07-28 only: legacy POSTs get 400 -32022, GET/DELETE 405")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--path", default="/ossserver-stateless/ossmcp")
    parser.add_argument("--health-path", default="/ossserver-stateless/health")
    parser.add_argument("--json-response", action="store_true", help="answer with application/json instead of SSE")
    parser.add_argument("--name", default="replica", help="replica name (returned by whoami and the health route)")
    parser.add_argument("--ledger", help="append `<name>\\t<item>` to this file for every add_item (chaos tests)")
    args = parser.parse_args()

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    server = build_server(args.name, args.ledger)

    @server.custom_route(args.health_path, methods=["GET"])
    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "replica": args.name})

    app = server.streamable_http_app(
        streamable_http_path=args.path,
        stateless_http=args.mode == "stateless",
        json_response=args.json_response,
        # It sits behind nginx in the tests: accept any Host / Origin.
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )

    asgi = modern_only(app, args.path) if args.modern_only else app

    return serving.serve(asgi, serving.listen(args.host, args.port))


if __name__ == "__main__":
    lifeline.watch()
    sys.exit(main())
