"""The scenario against the reference time server (`mcp-server-time` behind `mcp-proxy`, Tests/Servers/time_proxy.py).

What a user of the time server relies on: the initialize facts, the two tools with everything they declare, the
current time in a fixed timezone, a conversion of a fixed time, the error for an unknown timezone, the error for an
unknown tool, and ping. One value is normalized, the clock time in `get_current_time`'s answer: it is the server's
reading of the wall clock at the moment of each run, so it differs between any two runs, bridge or not. Its date,
offset, day of week and DST flag, and every other byte of the result, are compared as they are. `convert_time`
of a fixed time is deterministic within a day, so nothing in it is normalized.
"""

from __future__ import annotations

import re
from typing import Any

CURRENT = {"timezone": "Asia/Kathmandu"}  # a +05:45 zone: an offset a relay could not guess
CONVERT = {"source_timezone": "America/New_York", "time": "16:30", "target_timezone": "Asia/Kathmandu"}
UNKNOWN = {"timezone": "Mars/Olympus_Mons"}
CLOCK = re.compile(r"T\d{2}:\d{2}:\d{2}")


def without_clock(value: Any) -> Any:
    """`value` with every ISO 8601 time of day (`T12:34:56`) replaced by `T<clock>`, and nothing else changed."""
    if isinstance(value, str):
        return CLOCK.sub("T<clock>", value)
    if isinstance(value, list):
        return [without_clock(item) for item in value]
    if isinstance(value, dict):
        return {key: without_clock(item) for key, item in value.items()}
    return value


def tool_result(result: Any, dump: Any) -> Any:
    """A tool result as its user reads it: every content block, the structured content, whether it is an error."""
    content = [dump(block) for block in (getattr(result, "content", None) or [])]
    structured = getattr(result, "structuredContent", getattr(result, "structured_content", None))
    return {"content": content, "structuredContent": structured,
            "isError": bool(getattr(result, "is_error", getattr(result, "isError", False)))}


async def run(client: Any, observe: Any, dump: Any) -> dict[str, Any]:
    """Runs the scenario with one connected client adapter of differential_client.py."""
    results: dict[str, Any] = {"init": client.info()}

    async def listed_tools() -> Any:
        return sorted((dump(tool) for tool in await client.list_tools()), key=lambda tool: tool["name"])
    await observe("tools/list", results, listed_tools)

    async def call(name: str, arguments: dict) -> Any:
        return tool_result(await client.call(name, arguments), dump)

    async def current() -> Any:
        return without_clock(await call("get_current_time", CURRENT))
    await observe("get_current_time", results, current)
    await observe("convert_time", results, lambda: call("convert_time", CONVERT))
    await observe("unknown timezone", results, lambda: call("get_current_time", UNKNOWN))
    await observe("unknown tool", results, lambda: call("get_weather", {"city": "Paris"}))
    await observe("ping", results, client.ping)
    return results
