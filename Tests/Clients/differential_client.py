#!/usr/bin/env python3
"""One real MCP client library, run through one scenario against one server, printing what the client hands its user.

    python differential_client.py --client sdk1|sdk2|sdk2-legacy|fastmcp|langchain --url URL [--scenario time]
                                  [--bridge BIN [--exit-file F]]

The client runs the scenario talking to URL directly over Streamable HTTP, then, with `--bridge`, again with the
bridge spawned on its own stdio transport (`BIN URL`), exactly as a desktop host does. The scenario is the same
either way; the output is one JSON object, `{"direct": R, "bridged": R}` where R maps an observation name to what
the client saw, which DifferentialClientTests compares between the two.

Run it with the venv that holds the library: mcp 1.x (sdk1), mcp 2.x (sdk2, sdk2-legacy), fastmcp 4.x (fastmcp) or
langchain-mcp-adapters (langchain, whose own scenarios are in langchain_client.py). `--scenario time` runs the time
server's scenario (time_scenario.py) instead of the one for the test servers' tools.

Each observation is normalized only where the value is the transport's, not the server's (request ids, timings):
what may legitimately differ between direct and bridged is listed in DifferentialClientTests, not hidden here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import warnings
from contextlib import asynccontextmanager
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import time_scenario  # noqa: E402

warnings.filterwarnings("ignore")

ROOT = "file:///work/project"
SAMPLED = "arches over water"


def dump(value: Any) -> Any:
    """A pydantic model as plain JSON, without the members the client left unset."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", exclude_none=True, by_alias=True)
    return value


def failure(error: BaseException) -> dict[str, str]:
    while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
        error = error.exceptions[0]
    text = str(error).splitlines()[0] if str(error) else ""
    return {"error": f"{type(error).__name__}: {text[:200]}"}


def texts(result: Any) -> Any:
    """A tool result as its user reads it: the text blocks, and whether it is an error."""
    content = getattr(result, "content", None) or []
    shown = [getattr(block, "text", None) for block in content]
    return {"text": shown, "isError": bool(getattr(result, "is_error", getattr(result, "isError", False)))}


class Events:
    """What the callbacks saw: progress, logs, and the server's questions."""

    def __init__(self) -> None:
        self.progress: list[float] = []
        self.logs: list[Any] = []
        self.asked: list[str] = []


# --- the client libraries ------------------------------------------------------------------------------------


def sdk_callbacks(events: Events, types: Any) -> dict[str, Any]:
    """Callbacks with the signatures mcp 1.x and 2.x share."""

    async def elicit(_context: Any, params: Any) -> Any:
        events.asked.append("elicitation")
        return types.ElicitResult(action="accept", content={"name": "Ada"})

    async def sample(_context: Any, params: Any) -> Any:
        events.asked.append("sampling")
        return types.CreateMessageResult(role="assistant", model="host-model",
                                         content=types.TextContent(type="text", text=SAMPLED))

    async def roots(_context: Any) -> Any:
        events.asked.append("roots")
        return types.ListRootsResult(roots=[types.Root(uri=ROOT, name="project")])

    async def log(params: Any) -> None:
        events.logs.append(params.data)

    return {"elicitation_callback": elicit, "sampling_callback": sample, "list_roots_callback": roots,
            "logging_callback": log}


@asynccontextmanager
async def connect_sdk1(args: argparse.Namespace, events: Events):
    """mcp 1.x: `ClientSession` over `streamablehttp_client` or `stdio_client`."""
    from mcp import ClientSession, StdioServerParameters, types
    from mcp.client.stdio import stdio_client
    from mcp.client.streamable_http import streamablehttp_client

    if args.bridge:
        transport = stdio_client(bridge_parameters(args, StdioServerParameters))
    else:
        transport = streamablehttp_client(args.url)
    async with transport as streams:
        read, write = streams[0], streams[1]
        async with ClientSession(read, write, **sdk_callbacks(events, types)) as session:
            init = await session.initialize()
            yield Sdk1(session, init)


class Sdk1:
    def __init__(self, session: Any, init: Any) -> None:
        self.session, self.init = session, init

    def info(self) -> Any:
        return {"protocolVersion": self.init.protocolVersion, "serverInfo": dump(self.init.serverInfo),
                "capabilities": dump(self.init.capabilities), "instructions": self.init.instructions}

    async def call(self, name: str, arguments: dict, progress: Any = None) -> Any:
        return await self.session.call_tool(name, arguments, progress_callback=progress)

    async def list_tools(self) -> Any:
        return (await self.session.list_tools()).tools

    async def list_resources(self) -> Any:
        return (await self.session.list_resources()).resources

    async def read_resource(self, uri: str) -> Any:
        return await self.session.read_resource(uri)

    async def list_prompts(self) -> Any:
        return (await self.session.list_prompts()).prompts

    async def get_prompt(self, name: str, arguments: dict) -> Any:
        return await self.session.get_prompt(name, arguments)

    async def ping(self) -> Any:
        return dump(await self.session.send_ping())


@asynccontextmanager
async def connect_sdk2(args: argparse.Namespace, events: Events):
    """mcp 2.x: the high-level `Client`, in `auto` mode (its default) or `legacy`."""
    from mcp import Client, StdioServerParameters, types

    target = bridge_parameters(args, StdioServerParameters) if args.bridge else args.url
    mode = "legacy" if args.client == "sdk2-legacy" else "auto"
    async with Client(target, mode=mode, log_level="debug", **sdk_callbacks(events, types)) as client:
        yield Sdk2(client)


class Sdk2(Sdk1):
    def __init__(self, client: Any) -> None:
        self.client = client
        self.session = client

    def info(self) -> Any:
        return {"protocolVersion": self.client.protocol_version, "serverInfo": dump(self.client.server_info),
                "capabilities": dump(self.client.server_capabilities), "instructions": self.client.instructions}

    async def list_tools(self) -> Any:
        return (await self.client.list_tools()).tools

    async def list_resources(self) -> Any:
        return (await self.client.list_resources()).resources

    async def list_prompts(self) -> Any:
        return (await self.client.list_prompts()).prompts


@asynccontextmanager
async def connect_fastmcp(args: argparse.Namespace, events: Events):
    """fastmcp 4.x: its own `Client`, with its handler signatures."""
    from fastmcp import Client
    from fastmcp.client.transports import StdioTransport

    async def elicit(message: str, response_type: Any, params: Any, context: Any) -> Any:
        events.asked.append("elicitation")
        return {"name": "Ada"}

    async def sample(messages: Any, params: Any, context: Any) -> str:
        events.asked.append("sampling")
        return SAMPLED

    async def log(message: Any) -> None:
        events.logs.append(message.data)

    if args.bridge:
        wrapper, argv = bridge_command(args)
        target: Any = StdioTransport(command=wrapper, args=argv, keep_alive=False)
    else:
        target = args.url
    client = Client(target, elicitation_handler=elicit, sampling_handler=sample, log_handler=log,
                    roots=[ROOT], timeout=30)
    async with client:
        yield FastMCPClient(client)


class FastMCPClient(Sdk1):
    def __init__(self, client: Any) -> None:
        self.client = client

    def info(self) -> Any:
        init = self.client.initialize_result
        if init is not None:
            return {"protocolVersion": init.protocolVersion, "serverInfo": dump(init.serverInfo),
                    "capabilities": dump(init.capabilities), "instructions": init.instructions}
        session = self.client.session
        return {"protocolVersion": session.protocol_version, "serverInfo": dump(session.server_info),
                "capabilities": dump(session.server_capabilities), "instructions": session.instructions}

    async def call(self, name: str, arguments: dict, progress: Any = None) -> Any:
        return await self.client.call_tool(name, arguments, progress_handler=progress, raise_on_error=False)

    async def list_tools(self) -> Any:
        return await self.client.list_tools()

    async def list_resources(self) -> Any:
        return await self.client.list_resources()

    async def read_resource(self, uri: str) -> Any:
        return await self.client.read_resource(uri)

    async def list_prompts(self) -> Any:
        return await self.client.list_prompts()

    async def get_prompt(self, name: str, arguments: dict) -> Any:
        return await self.client.get_prompt(name, arguments)

    async def ping(self) -> Any:
        return await self.client.ping()


CLIENTS = {"sdk1": connect_sdk1, "sdk2": connect_sdk2, "sdk2-legacy": connect_sdk2, "fastmcp": connect_fastmcp}


def bridge_command(args: argparse.Namespace) -> tuple[str, list[str]]:
    """The bridge under record_exit.sh, which writes its exit status and time to the exit file when it exits."""
    wrapper = os.path.join(os.path.dirname(os.path.abspath(__file__)), "record_exit.sh")
    return wrapper, [args.exit_file, args.bridge, args.url, "--allow-http"]


def bridge_parameters(args: argparse.Namespace, parameters: Any) -> Any:
    command, argv = bridge_command(args)
    return parameters(command=command, args=argv, env=dict(os.environ))


# --- the scenario --------------------------------------------------------------------------------------------


async def observe(name: str, results: dict, action: Any) -> None:
    try:
        results[name] = await asyncio.wait_for(action(), timeout=30)
    except BaseException as error:  # noqa: BLE001 - what the client raised is the observation
        if isinstance(error, KeyboardInterrupt):
            raise
        results[name] = failure(error)


async def scenario(client: Any, events: Events, tools: set[str]) -> dict[str, Any]:
    results: dict[str, Any] = {"init": client.info()}

    async def listed_tools() -> Any:
        return sorted(({"name": tool.name, "inputSchema": dump(tool).get("inputSchema")} for tool in await client.list_tools()),
                      key=lambda tool: tool["name"])
    await observe("tools/list", results, listed_tools)
    await observe("call echo", results, lambda: texts_of(client.call("echo", {"text": "héllo \u2028 wörld"})))

    async def resources() -> Any:
        listed = sorted(str(resource.uri) for resource in await client.list_resources())
        read = None
        if "test://readme" in listed:
            result = await client.read_resource("test://readme")  # fastmcp hands out the contents list itself
            read = [dump(item) for item in (result if isinstance(result, list) else result.contents)]
        return {"list": listed, "read": read}
    await observe("resources", results, resources)

    async def prompts() -> Any:
        listed = sorted(prompt.name for prompt in await client.list_prompts())
        got = dump(await client.get_prompt("greet", {"name": "Ada"})) if "greet" in listed else None
        return {"list": listed, "get": got}
    await observe("prompts", results, prompts)

    async def progress() -> Any:
        async def seen(value: float, total: Any = None, message: Any = None) -> None:
            events.progress.append(value)
        result = await texts_of(client.call("progress", {"steps": 3}, progress=seen))
        return {"result": result, "progress": list(events.progress)}
    if "progress" in tools:
        await observe("progress", results, progress)

    async def logs() -> Any:
        result = await texts_of(client.call("log_messages", {"count": 2}))
        await asyncio.sleep(0.2)  # notifications may trail the result on some transports
        return {"result": result, "logs": list(events.logs)}
    if "log_messages" in tools:
        await observe("logs", results, logs)

    for tool in ("ask_name", "ask_name_direct", "sample_haiku", "host_roots"):
        if tool in tools:
            async def asked(tool: str = tool) -> Any:
                before = len(events.asked)
                result = await texts_of(client.call(tool, {}))
                return {"result": result, "asked": events.asked[before:]}
            await observe(tool, results, asked)

    await observe("ping", results, client.ping)
    await observe("cancel", results, lambda: cancellation(client))

    async def concurrent() -> Any:
        answers = await asyncio.gather(*(texts_of(client.call("echo", {"text": f"c{n}"})) for n in range(20)))
        return [answer["text"] for answer in answers]
    await observe("20 concurrent calls", results, concurrent)
    return results


async def texts_of(call: Any) -> Any:
    return texts(await call)


async def cancellation(client: Any) -> Any:
    """A slow call cancelled by its caller, then a call that must still work."""
    task = asyncio.create_task(client.call("slow", {"seconds": 20}))
    await asyncio.sleep(0.5)
    task.cancel()
    started = time.monotonic()
    try:
        await task
        outcome = "completed"
    except asyncio.CancelledError:
        outcome = "cancelled"
    except BaseException as error:  # noqa: BLE001
        outcome = failure(error)["error"]
    after = texts(await client.call("echo", {"text": "after cancel"}))
    return {"outcome": outcome, "promptly": time.monotonic() - started < 5, "next call": after}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """The scenario once, directly (`args.bridge` None) or through the bridge: observation name -> value."""
    events = Events()
    results: dict[str, Any] = {}
    closing = None
    try:
        if args.client == "langchain":
            import langchain_client
            command = bridge_command(args) if args.bridge else None
            results = await langchain_client.run(args, command, events, observe)
        else:
            async with CLIENTS[args.client](args, events) as client:
                if args.scenario == "time":
                    results = await time_scenario.run(client, observe, dump)
                else:
                    results = await scenario(client, events, {tool.name for tool in await client.list_tools()})
                closing = time.monotonic()
    except BaseException as error:  # noqa: BLE001
        if isinstance(error, KeyboardInterrupt):
            raise
        results.setdefault("connect", failure(error))
    if closing is not None:
        results["shutdown"] = {"seconds": round(time.monotonic() - closing, 2)}
    return results


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--client", choices=sorted([*CLIENTS, "langchain"]), required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--bridge", help="the mcp-bridge binary: run the scenario through it too, after the direct run")
    parser.add_argument("--exit-file", help="where record_exit.sh appends the bridge's exit status")
    parser.add_argument("--scenario", choices=["default", "time"], default="default")
    args = parser.parse_args()

    # One interpreter for both runs: starting Python with a client library costs 1-2.5 s of CPU, most of a run.
    output = {"direct": await run(argparse.Namespace(**{**vars(args), "bridge": None}))}
    if args.bridge:
        output["bridged"] = await run(args)
    print(json.dumps(output, sort_keys=True, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
