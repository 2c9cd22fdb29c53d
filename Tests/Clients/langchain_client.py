"""langchain-mcp-adapters 0.3.2's `MultiServerMCPClient` (on mcp 1.x), run through differential_client.py's scenarios.

Only what the adapter hands a LangChain user is observed: `get_server_info()`, the tools of `get_tools()` (name,
description, args schema, the metadata the adapter fills from annotations), each tool's `ToolMessage` when invoked
with a tool call as an agent does (content, artifact = structured content, status), the progress, log and
elicitation callbacks it offers, `get_resources()` and `get_prompt()`. It has no ping, sampling, roots or
cancellation of its own, so those are not observed. The connection is `"transport": "streamable_http"` (direct) or
`"transport": "stdio"` with the bridge as the command (bridged). The adapter opens a new session for each call (its
documented default), so a bridged run starts one bridge per call: each must exit on its own when its session closes,
and record_exit.sh appends every exit to the exit file.

One thing is normalized: the `id` (`lc_<uuid>`) the adapter gives each content block it makes, a fresh random
value per block on every run.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import time_scenario

SERVER = "server"


def without_block_ids(content: Any) -> Any:
    if isinstance(content, list):
        return [{key: value for key, value in block.items() if not (key == "id" and str(value).startswith("lc_"))}
                if isinstance(block, dict) else block for block in content]
    return content


def connection(args: Any, command: tuple[str, list[str]] | None) -> dict[str, Any]:
    if command is None:
        return {"transport": "streamable_http", "url": args.url}
    wrapper, argv = command
    return {"transport": "stdio", "command": wrapper, "args": argv, "env": dict(os.environ)}


class LangChain:
    def __init__(self, args: Any, command: tuple[str, list[str]] | None, events: Any) -> None:
        from langchain_mcp_adapters.callbacks import Callbacks
        from mcp import types

        async def progress(value: float, total: Any, message: Any, context: Any) -> None:
            events.progress.append(value)

        async def log(params: Any, context: Any) -> None:
            events.logs.append(params.data)

        async def elicit(mcp_context: Any, params: Any, context: Any) -> Any:
            events.asked.append("elicitation")
            return types.ElicitResult(action="accept", content={"name": "Ada"})

        from langchain_mcp_adapters.client import MultiServerMCPClient
        self.client = MultiServerMCPClient(
            {SERVER: connection(args, command)},
            callbacks=Callbacks(on_progress=progress, on_logging_message=log, on_elicitation=elicit))
        self.tools: dict[str, Any] = {}

    async def info(self) -> Any:
        init = (await self.client.get_server_info(server_name=SERVER))[SERVER]
        return {"protocolVersion": init.protocolVersion, "serverInfo": init.serverInfo.model_dump(exclude_none=True),
                "capabilities": init.capabilities.model_dump(exclude_none=True), "instructions": init.instructions}

    async def list_tools(self) -> Any:
        self.tools = {tool.name: tool for tool in await self.client.get_tools()}
        return sorted(({"name": tool.name, "description": tool.description, "args_schema": tool.args_schema,
                        "metadata": tool.metadata} for tool in self.tools.values()), key=lambda tool: tool["name"])

    async def invoke(self, name: str, arguments: dict, call_id: str = "call-1") -> Any:
        message = await self.tools[name].ainvoke({"name": name, "args": arguments, "id": call_id,
                                                  "type": "tool_call"})
        return {"content": without_block_ids(message.content), "artifact": message.artifact,
                "status": message.status}

    async def resources(self) -> Any:
        blobs = await self.client.get_resources(SERVER)
        return sorted(({"data": blob.as_string(), "mimetype": blob.mimetype,
                        "metadata": {key: str(value) for key, value in (blob.metadata or {}).items()}}
                       for blob in blobs), key=lambda blob: str(blob["metadata"]))

    async def prompt(self) -> Any:
        messages = await self.client.get_prompt(SERVER, "greet", arguments={"name": "Ada"})
        return [{"type": message.type, "content": without_block_ids(message.content)} for message in messages]


async def default_scenario(client: LangChain, events: Any, observe: Any) -> dict[str, Any]:
    results: dict[str, Any] = {}
    await observe("init", results, client.info)
    await observe("tools", results, client.list_tools)
    names = set(client.tools)
    await observe("call echo", results, lambda: client.invoke("echo", {"text": "héllo \u2028 wörld"}))
    await observe("resources", results, client.resources)
    await observe("prompts", results, client.prompt)

    async def progress() -> Any:
        result = await client.invoke("progress", {"steps": 3})
        return {"result": result, "progress": list(events.progress)}
    if "progress" in names:
        await observe("progress", results, progress)

    async def logs() -> Any:
        result = await client.invoke("log_messages", {"count": 2})
        return {"result": result, "logs": list(events.logs)}
    if "log_messages" in names:
        await observe("logs", results, logs)

    for tool in ("ask_name", "ask_name_direct"):
        if tool in names:
            async def asked(tool: str = tool) -> Any:
                before = len(events.asked)
                return {"result": await client.invoke(tool, {}), "asked": events.asked[before:]}
            await observe(tool, results, asked)

    async def concurrent() -> Any:
        answers = await asyncio.gather(*(client.invoke("echo", {"text": f"c{n}"}, f"call-{n}") for n in range(10)))
        return [answer["content"] for answer in answers]
    await observe("10 concurrent calls", results, concurrent)
    return results


async def time_server_scenario(client: LangChain, observe: Any) -> dict[str, Any]:
    results: dict[str, Any] = {}
    await observe("init", results, client.info)
    await observe("tools", results, client.list_tools)

    async def current() -> Any:
        return time_scenario.without_clock(await client.invoke("get_current_time", time_scenario.CURRENT))
    await observe("get_current_time", results, current)
    await observe("convert_time", results, lambda: client.invoke("convert_time", time_scenario.CONVERT))
    await observe("unknown timezone", results,
                  lambda: client.invoke("get_current_time", time_scenario.UNKNOWN))
    return results


async def run(args: Any, command: tuple[str, list[str]] | None, events: Any, observe: Any) -> dict[str, Any]:
    client = LangChain(args, command, events)
    if args.scenario == "time":
        return await time_server_scenario(client, observe)
    return await default_scenario(client, events, observe)
