"""ASGI middleware that turns the mcp 2.x dual-era app into a 2026-07-28-ONLY server (`mcp_server.py --modern-only`).

The SDK's Streamable HTTP app serves both eras on one path: a POST whose `MCP-Protocol-Version` header is a
handshake-era version (or absent) goes to its 2025 session machinery, anything else to its 2026 path. A server that
implements only 2026-07-28 answers legacy traffic the way the spec says (`basic/transports/streamable-http.mdx`
§Backward Compatibility, `basic/versioning.mdx`): a POST that is not modern gets HTTP 400 with an
`UnsupportedProtocolVersion` (-32022) error naming the versions it does support, and GET / DELETE (the legacy stream
and session teardown, both removed in 2026) get 405. That is exactly the signal a dual-era client (or the bridge's
era detection) keys on, so the middleware reproduces it instead of letting the SDK answer legacy requests.
Everything else reaches the SDK untouched, so the modern behaviour under test is the SDK's own.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SUPPORTED = ["2026-07-28"]
# Versions that begin with an `initialize` handshake: the SDK would serve them, a modern-only server must not.
HANDSHAKE_ERA = {"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"}
UNSUPPORTED_PROTOCOL_VERSION = -32022
META_VERSION = "io.modelcontextprotocol/protocolVersion"


def modern_only(app: ASGIApp, mcp_path: str) -> ASGIApp:
    """Wrap `app` so requests to `mcp_path` are refused unless they are 2026-07-28 POSTs; other paths pass."""
    path = mcp_path.rstrip("/")

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http" or scope.get("path", "").rstrip("/") != path:
            return await app(scope, receive, send)
        method = scope.get("method")
        if method in ("GET", "DELETE"):
            return await _respond(send, 405, b"", [(b"allow", b"POST")])
        if method != "POST":
            return await app(scope, receive, send)
        header = _header(scope, b"mcp-protocol-version")
        if header is not None and header not in HANDSHAKE_ERA:
            return await app(scope, receive, send)
        body = await _read_body(receive)
        await _respond(send, 400, json.dumps(_refusal(body, header)).encode(),
                       [(b"content-type", b"application/json")])

    return wrapped


def _refusal(body: bytes, header: str | None) -> dict[str, Any]:
    """The -32022 error for a legacy POST: the request's id (null for notifications, responses or bad JSON) and the
    version it asked for (initialize's `protocolVersion`, else the header, else a `_meta` version)."""
    message: Any
    try:
        message = json.loads(body)
    except ValueError:
        message = None
    message = message if isinstance(message, dict) else {}
    params = message.get("params") if isinstance(message.get("params"), dict) else {}
    meta = params.get("_meta") if isinstance(params.get("_meta"), dict) else {}
    requested = params.get("protocolVersion") or header or meta.get(META_VERSION)
    data: dict[str, Any] = {"supported": SUPPORTED}
    if isinstance(requested, str):
        data["requested"] = requested
    request_id = message.get("id") if "method" in message else None
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "error": {"code": UNSUPPORTED_PROTOCOL_VERSION, "message": "Unsupported protocol version", "data": data},
    }


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1").strip()
    return None


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message.get("type") != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _respond(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    headers = headers + [(b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
