"""Hostile-peer routes for fault_server.py (`/h/...`): a stateful MCP endpoint that lies in one chosen way.

Every `/h/<name>` path is a session endpoint (Mcp-Session-Id h-1, h-2, …; `?stateless=1`: none) that answers
`initialize`, `ping`, `tools/list` and notifications honestly, so a test can check the bridge is still alive after
the fault. The fault is picked by `?fault=` and applies to `tools/call` only (and to the GET stream where noted):

  sid_hex=HEX          initialize answers with these raw bytes as Mcp-Session-Id (any fault)
  cookie_hex=HEX       initialize answers with `Set-Cookie: <these raw bytes>` (any fault)
  fault=bad-event-id&eid_hex=HEX   the call's SSE stream is primed with `id: <raw bytes>`, `retry: 100`, then closed
  fault=redirect&to=LOC  307 with `Location: LOC` (raw); `hops=N`: redirect N times to /h/<name>?...&hops=N-1 first
  fault=array          a JSON array: a notification, the call's response, then what is no message of the call's:
                       a number, an object without jsonrpc, a nested array, a response for id 999
  delay_ms=D           (no fault) the call is answered after D ms; with `until=batch`, as soon as a host batch
                       arrives, at the latest after D ms (so the call is surely in flight while the host's batch
                       is handled, however slowly a loaded machine relays it)
  fault=array-sse      the same array as the data of one SSE event
  fault=echo-secret    HTTP 500, text/plain body repeating every request header and the query string (for
                       notifications too)
  fault=echo-secret-json  HTTP 500 with a JSON-RPC error (id null) whose message repeats the headers and query
  fault=id-replace     the response's id re-encoded: lone surrogates replaced by U+FFFD, written as raw UTF-8
  fault=id-reencode    the response's id re-encoded with json.dumps (ASCII escapes)
  fault=retry0         SSE primed with `id: r-N` and `retry: 0`, closed; every resume GET does the same again
  fault=get-retry0     the GET stream sends `retry: 0` and closes at once, for ever (the call itself is answered)
  fault=status&code=N  HTTP N (text/plain), `Retry-After: ?retry_after` when given
  fault=hang           no answer until the client goes away
  fault=slow-notify&delay_ms=D  notifications are answered 202 after D ms (tools/call answered at once)

Events logged (GET /_log): {"event":"hostile-call","path":P,"id":"<the id as JSON text>"} for every tools/call,
{"event":"hostile-resume","path":P,"lastEventId":…} for every GET with Last-Event-ID,
{"event":"hostile-get","path":P} for every GET stream opened, and for every notification
{"event":"hostile-notification","path":P,"method":M,"params":…,"concurrent":N} (N: notifications being handled
at once, this one included).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable

from fault_http import Conn, Request

STATE: dict[str, Any] = {"next": 1, "resumes": 0}

LogEvent = Callable[..., None]


def reset() -> None:
    STATE.clear()
    STATE.update(next=1, resumes=0)


def _batch_seen(path: str) -> asyncio.Event:
    """Set when a host batch arrives at `path` (for `until=batch`; the hostile routes share one server)."""
    return STATE.setdefault(f"batch_seen {path}", asyncio.Event())


def _hex(req: Request, name: str) -> bytes | None:
    value = req.query.get(name)
    return bytes.fromhex(value) if value is not None else None


async def _raw(conn: Conn, status: int, reason: str, headers: list[bytes], body: bytes) -> None:
    head = [f"HTTP/1.1 {status} {reason}".encode(), b"Server: fault-hostile", *headers,
            b"Content-Length: " + str(len(body)).encode()]
    await conn.write(b"\r\n".join(head) + b"\r\n\r\n" + body)


def _id_literal(req: Request, mode: str) -> str:
    value = req.json.get("id")
    if mode == "id-replace" and isinstance(value, str):
        fixed = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return json.dumps(fixed, ensure_ascii=False)
    return json.dumps(value)


def _response(req: Request, mode: str = "", **result: Any) -> bytes:
    body = json.dumps({"echo": req.json.get("method"), **result})
    return ('{"jsonrpc":"2.0","id":%s,"result":%s}' % (_id_literal(req, mode), body)).encode("utf-8", "surrogatepass")


async def _initialize(req: Request, conn: Conn) -> None:
    headers = [b"Content-Type: application/json"]
    if req.query.get("stateless") != "1":
        sid = _hex(req, "sid_hex") or f"h-{STATE['next']}".encode()
        STATE["next"] += 1
        headers.append(b"Mcp-Session-Id: " + sid)
    cookie = _hex(req, "cookie_hex")
    if cookie is not None:
        headers.append(b"Set-Cookie: " + cookie)
    params = req.json.get("params") or {}
    result = {"protocolVersion": params.get("protocolVersion"), "capabilities": {"tools": {}},
              "serverInfo": {"name": "fault-hostile", "version": "1"}}
    await _raw(conn, 200, "OK", headers, json.dumps({"jsonrpc": "2.0", "id": req.json["id"], "result": result}).encode())


async def _get(req: Request, conn: Conn, log_event: LogEvent) -> None:
    last = req.headers.get("last-event-id")
    fault = req.query.get("fault", "")
    if last is not None:
        log_event("hostile-resume", req.path, lastEventId=last)
        if fault == "retry0":
            STATE["resumes"] += 1
            await conn.sse_head()
            await conn.chunk(f"id: r-{STATE['resumes']}\nretry: 0\ndata: \n\n")
            return await conn.end_chunks()
        return await conn.respond(404, "no such stream\n", "text/plain")
    log_event("hostile-get", req.path)
    if fault == "get-retry0":
        await conn.sse_head()
        await conn.chunk("retry: 0\n\n")
        return await conn.end_chunks()
    await conn.respond(405, "no GET stream\n", "text/plain", [("Allow", "POST, DELETE")])


ARRAY_EXTRAS = [7, {"hello": "not json-rpc"}, [{"jsonrpc": "2.0", "method": "nested"}],
                {"jsonrpc": "2.0", "id": 999, "result": {"stray": True}}]


def _array(req: Request) -> bytes:
    note = json.dumps({"jsonrpc": "2.0", "method": "notifications/message",
                       "params": {"level": "info", "data": "inside the array"}})
    extras = ",".join(json.dumps(x) for x in ARRAY_EXTRAS)
    return ("[" + note + "," + _response(req, in_array=True).decode() + "," + extras + "]").encode()


async def _redirect(req: Request, conn: Conn) -> None:
    hops = int(req.query.get("hops", "0"))
    if hops > 0:
        query = "&".join(f"{k}={v}" for k, v in req.query.items() if k != "hops") + f"&hops={hops - 1}"
        location = f"{req.path}?{query}".encode()
        await asyncio.sleep(float(req.query.get("hop_delay_ms", "0")) / 1000)
    else:
        location = req.query.get("to", "/json").encode("latin-1")
    await _raw(conn, 307, "Temporary Redirect", [b"Location: " + location], b"")


async def _echo_secret(req: Request, conn: Conn, as_json: bool) -> None:
    echoed = "; ".join(f"{k}: {v}" for k, v in req.headers.items()) + " | query: " + req.raw_query
    if as_json:  # for no id: the bridge words the failure itself, quoting the server's message
        return await conn.respond_json(500, {"jsonrpc": "2.0", "id": None,
                                             "error": {"code": -32603, "message": "you sent " + echoed}})
    await conn.respond(500, "server error; you sent " + echoed + "\n", "text/plain")


async def _call(req: Request, conn: Conn, log_event: LogEvent) -> None:
    fault = req.query.get("fault", "")
    log_event("hostile-call", req.path, id=json.dumps(req.json.get("id")))  # JSON text: ids may hold lone surrogates
    if fault == "bad-event-id":
        await conn.sse_head()
        await conn.chunk(b"id: " + (_hex(req, "eid_hex") or b"") + b"\nretry: 100\ndata: \n\n")
        return await conn.end_chunks()
    if fault == "retry0":
        await conn.sse_head()
        await conn.chunk("id: r-0\nretry: 0\ndata: \n\n")
        return await conn.end_chunks()
    if fault == "redirect":
        return await _redirect(req, conn)
    if fault == "array":
        return await _raw(conn, 200, "OK", [b"Content-Type: application/json"], _array(req))
    if fault == "array-sse":
        await conn.sse_head()
        await conn.chunk(b"event: message\ndata: " + _array(req) + b"\n\n")
        return await conn.end_chunks()
    if fault in ("echo-secret", "echo-secret-json"):
        return await _echo_secret(req, conn, fault == "echo-secret-json")
    if fault == "status":
        code = int(req.query.get("code", "503"))
        headers = [("Retry-After", req.query["retry_after"])] if "retry_after" in req.query else []
        return await conn.respond(code, f"status {code}\n", "text/plain", headers)
    if fault == "hang":
        await conn.race(None, None)
        log_event("client-closed", req.path)
        return conn.close()
    if "delay_ms" in req.query:
        delay = float(req.query["delay_ms"]) / 1000
        if req.query.get("until") == "batch":
            try:
                await asyncio.wait_for(_batch_seen(req.path).wait(), delay)
            except asyncio.TimeoutError:
                pass
            _batch_seen(req.path).clear()
        else:
            await asyncio.sleep(delay)
    await _raw(conn, 200, "OK", [b"Content-Type: application/json"], _response(req, fault))


async def handle(req: Request, conn: Conn, log_event: LogEvent) -> None:
    if req.method == "GET":
        return await _get(req, conn, log_event)
    if req.method == "DELETE":
        return await conn.respond(200)
    msg = req.json
    if req.method != "POST" or not isinstance(msg, dict):
        if isinstance(msg, list):  # a host batch: answer each request
            _batch_seen(req.path).set()
            replies = [{"jsonrpc": "2.0", "id": m["id"], "result": {"echo": m.get("method")}}
                       for m in msg if isinstance(m, dict) and "id" in m and "method" in m]
            return await (conn.respond_json(200, replies) if replies else conn.respond(202))
        return await conn.respond(400, "bad request\n", "text/plain")
    method = msg.get("method")
    if "id" not in msg or method is None:
        if req.query.get("fault", "").startswith("echo-secret"):
            return await _echo_secret(req, conn, False)
        STATE["concurrent"] = STATE.get("concurrent", 0) + 1
        try:
            if method is not None:
                log_event("hostile-notification", req.path, method=method, concurrent=STATE["concurrent"],
                          params=msg.get("params"))
            if req.query.get("fault") == "slow-notify":
                await asyncio.sleep(float(req.query.get("delay_ms", "50")) / 1000)
        finally:
            STATE["concurrent"] -= 1
        return await conn.respond(202)
    if method == "initialize":
        return await _initialize(req, conn)
    if method == "tools/call":
        return await _call(req, conn, log_event)
    await _raw(conn, 200, "OK", [b"Content-Type: application/json"], _response(req))
