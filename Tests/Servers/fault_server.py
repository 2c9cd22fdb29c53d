#!/usr/bin/env python3
"""Fault-injecting MCP-ish HTTP/1.1 server for mcp-bridge tests (stdlib only).

    python fault_server.py [--host 127.0.0.1] [--port 0]

Prints `LISTENING <port>` on stdout once bound, logs to stderr, exits 0 on SIGTERM/SIGINT.
The request path picks the scenario (see SCENARIOS below); `GET /_log` returns every request
received as JSON, `POST /_reset` clears the log and all per-path state, `POST /_expire` expires
all current sessions of /session and /get-stream.

General rules for scenario paths, unless a scenario says otherwise:
  - POST bodies that are JSON objects without an `id`, or JSON-RPC responses (notifications,
    replies to server requests), get `202 Accepted` with an empty body.
  - Replies to requests echo the request's `id` (re-encoded with json.dumps).
  - GET / DELETE on a scenario that does not mention them: 405. Unknown paths: 404.
  - A POST body that is not JSON: 400 with a JSON-RPC parse error (id null).

Scenarios (replies to a request `{"id":ID,"method":M}`; "echo" = `{"jsonrpc":"2.0","id":ID,"result":{"echo":M}}`):
  /json, /json-charset (charset=utf-8), /json-pretty (indent=2, result.text = "line1\nline2"),
  /sse (": keepalive", priming `id: p1` + empty data, progress event e1, response event e2),
  /sse-multiline (pretty JSON over several data: lines, CRLF), /sse-trickle?delay_ms=5 (/sse, one byte per chunk),
  /sse-no-final-blank, /sse-server-request[?timeout_s=10] (ping request id "srv-1" + a log message, waits for a
  POSTed response with id "srv-1", then result {"gotReply": <its result>[, "gotError": <its error>]}, or error -32001
  on timeout), /html500, /jsonrpc-error (400, error -32602), /status?code=N[&retry_after=S] (text/plain),
  /reset-mid-sse (TCP RST), /close-mid-sse, /garbage-sse, /slow-headers?delay_ms=1000, /hang, /sse-hang,
  /poll (like /session, but a request's POST stream is primed with an event id and `retry: 100`, then closed
  without the response; GET with that Last-Event-ID replays the response: 2025-11-25 SSE polling),
  /sse-idle?seconds=5, /big?mb=1 (result {"echo","size","data": "xxx…"}, Content-Length), /batch (arrays),
  /sse-endless-event[?mb=512] (one event whose data line never ends), /redirect?to=/json (307 Location: to),
  /session and /get-stream (Mcp-Session-Id s-1, s-2, …; a batch gets one answer per request; see
  session_endpoint), /empty-200, /202,
  /legacy-cross-origin (a 2024-11-05 HTTP+SSE stream whose `endpoint` event names another origin; POST: 405).
  /h/<name>?fault=… (fault_hostile.py): a stateful endpoint that misbehaves in one chosen way (hostile peers).
  Progress notifications use the request's `_meta.progressToken` (default "fault-progress").
  A POST of `server/discover` (mcp-bridge's era probe) is answered -32601 on every scenario path, as a 2025-era
  server does, and is not logged.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import ssl
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
import lifeline  # noqa: E402
from typing import Any, Awaitable, Callable

import fault_hostile  # noqa: E402
from fault_http import Conn, Request, serve

LOG: list[dict[str, Any]] = []
STATE: dict[str, Any] = {}  # per-path state, cleared by POST /_reset


def reset_state() -> None:
    LOG.clear()
    STATE.clear()
    STATE.update(sessions={}, next_session=1, waiters={}, polls={})
    fault_hostile.reset()


reset_state()


def log_event(event: str, path: str, **extra: Any) -> None:
    LOG.append({"event": event, "path": path, **extra})


def rid(req: Request) -> Any:
    return req.json.get("id") if isinstance(req.json, dict) else None


def is_request(req: Request) -> bool:
    return isinstance(req.json, dict) and "id" in req.json and "method" in req.json


def echo_result(req: Request, **extra: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": rid(req), "result": {"echo": req.json.get("method"), **extra}}


def sse_event(msg: Any, event_id: str | None = None, nl: str = "\n") -> str:
    lines = ["event: message"] + ([f"id: {event_id}"] if event_id else []) + [f"data: {json.dumps(msg)}"]
    return nl.join(lines) + nl + nl


def progress_note(req: Request, n: int = 1, total: int = 2) -> dict[str, Any]:
    meta = (req.json.get("params") or {}).get("_meta") or {}
    token = meta.get("progressToken", "fault-progress")
    return {"jsonrpc": "2.0", "method": "notifications/progress",
            "params": {"progressToken": token, "progress": n, "total": total}}


def log_note(text: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": "notifications/message",
            "params": {"level": "info", "logger": "fault-server", "data": text}}


# ---- scenarios ----------------------------------------------------------------------------
# Each takes (req, conn) for a POST whose body is a JSON-RPC request (see `dispatch`).

async def s_json(req: Request, conn: Conn) -> None:
    await conn.respond_json(200, echo_result(req))


async def s_json_charset(req: Request, conn: Conn) -> None:
    await conn.respond_json(200, echo_result(req), content_type="application/json; charset=utf-8")


async def s_json_pretty(req: Request, conn: Conn) -> None:
    body = json.dumps(echo_result(req, text="line1\nline2"), indent=2)
    await conn.respond(200, body + "\n", "application/json")


async def s_sse(req: Request, conn: Conn, delay: float = 0.0) -> None:
    stream = (": keepalive\n\n" + "id: p1\ndata: \n\n"
              + sse_event(progress_note(req), "e1") + sse_event(echo_result(req), "e2"))
    await conn.sse_head()
    if delay <= 0:
        await conn.chunk(stream)
    else:
        for b in stream.encode():
            await conn.chunk(bytes([b]))
            await asyncio.sleep(delay)
    await conn.end_chunks()


async def s_sse_trickle(req: Request, conn: Conn) -> None:
    await s_sse(req, conn, delay=req.param("delay_ms", 5) / 1000)


async def s_sse_multiline(req: Request, conn: Conn) -> None:
    pretty = json.dumps(echo_result(req, text="line1\nline2"), indent=2)
    event = "event: message\r\nid: m1\r\n" + "".join(f"data: {line}\r\n" for line in pretty.split("\n")) + "\r\n"
    await conn.sse_head()
    await conn.chunk(event)
    await conn.end_chunks()


async def s_sse_no_final_blank(req: Request, conn: Conn) -> None:
    await conn.sse_head()
    await conn.chunk(sse_event(echo_result(req), "e1").rstrip("\n") + "\n")  # one newline only: no blank line
    await conn.end_chunks()
    conn.close()


async def s_sse_server_request(req: Request, conn: Conn) -> None:
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[Any] = loop.create_future()
    STATE["waiters"]["srv-1"] = waiter
    await conn.sse_head()
    await conn.chunk(sse_event({"jsonrpc": "2.0", "id": "srv-1", "method": "ping"}, "r1")
                     + sse_event(log_note("waiting for the reply to srv-1"), "r2"))
    outcome, reply = await conn.race(waiter, req.param("timeout_s", 10))
    STATE["waiters"].pop("srv-1", None)
    if outcome == "gone":
        log_event("client-closed", req.path)
        conn.close()
        return
    if outcome == "timeout":
        msg = {"jsonrpc": "2.0", "id": rid(req),
               "error": {"code": -32001, "message": "fault-server: no reply to srv-1 within the timeout"}}
    else:
        result = {"gotReply": reply.get("result")}
        if "error" in reply:
            result["gotError"] = reply["error"]
        msg = {"jsonrpc": "2.0", "id": rid(req), "result": result}
    await conn.chunk(sse_event(msg, "r3"))
    await conn.end_chunks()


HTML = ("<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head><body>\n"
        "<h1>Internal Server Error</h1>\n<p>The server encountered an internal error.</p>\n"
        + "".join(f"<!-- padding line {i:03d} to make this page about two kilobytes long -->\n" for i in range(28))
        + "</body></html>\n")


async def s_html500(req: Request, conn: Conn) -> None:
    await conn.respond(500, HTML, "text/html")


async def s_jsonrpc_error(req: Request, conn: Conn) -> None:
    await conn.respond_json(400, {"jsonrpc": "2.0", "id": rid(req),
                                  "error": {"code": -32602, "message": "bad params from server"}})


async def s_status(req: Request, conn: Conn) -> None:
    code = int(req.param("code", 500))
    headers = [("Retry-After", req.query["retry_after"])] if "retry_after" in req.query else []
    await conn.respond(code, f"status {code} from fault-server\n", "text/plain", headers)


async def s_reset_mid_sse(req: Request, conn: Conn) -> None:
    await conn.sse_head()
    await conn.chunk(sse_event(progress_note(req), "e1"))
    await conn.reset()


async def s_close_mid_sse(req: Request, conn: Conn) -> None:
    await conn.sse_head()
    await conn.chunk(sse_event(progress_note(req), "e1"))
    await conn.end_chunks()


async def s_garbage_sse(req: Request, conn: Conn) -> None:
    await conn.sse_head()
    await conn.chunk("event: message\ndata: this is not json {\n\n")
    await conn.end_chunks()


async def s_slow_headers(req: Request, conn: Conn) -> None:
    if (await conn.race(None, req.param("delay_ms", 1000) / 1000))[0] == "gone":
        log_event("client-closed", req.path)
        conn.close()
        return
    await conn.respond_json(200, echo_result(req))


async def hang_until_gone(req: Request, conn: Conn) -> None:
    await conn.race(None, None)
    log_event("client-closed", req.path)
    conn.close()


async def s_hang(req: Request, conn: Conn) -> None:
    await hang_until_gone(req, conn)


async def s_sse_hang(req: Request, conn: Conn) -> None:
    await conn.sse_head()
    await conn.chunk(sse_event(progress_note(req), "e1"))
    await hang_until_gone(req, conn)


async def s_sse_idle(req: Request, conn: Conn) -> None:
    await conn.sse_head()
    if (await conn.race(None, req.param("seconds", 5)))[0] == "gone":
        log_event("client-closed", req.path)
        conn.close()
        return
    await conn.chunk(sse_event(echo_result(req), "e1"))
    await conn.end_chunks()


async def s_big(req: Request, conn: Conn) -> None:
    size = int(req.param("mb", 1) * 1024 * 1024)
    prefix = ('{"jsonrpc":"2.0","id":%s,"result":{"echo":%s,"size":%d,"data":"'
              % (json.dumps(rid(req)), json.dumps(req.json.get("method")), size)).encode()
    suffix = b'"}}'
    await conn.head(200, [("Content-Type", "application/json"),
                          ("Content-Length", str(len(prefix) + size + len(suffix)))])
    await conn.write(prefix)
    block = b"x" * 65536
    left = size
    while left > 0:
        await conn.write(block[: min(left, len(block))])
        left -= len(block)
    await conn.write(suffix)


async def s_sse_endless_event(req: Request, conn: Conn) -> None:
    """One SSE event whose data never ends (up to ?mb=, default 512 MiB): the client must cut it off, bounded."""
    await conn.sse_head()
    await conn.chunk("data: ")
    block = "x" * 65536
    try:
        for _ in range(int(req.param("mb", 512) * 16)):
            await conn.chunk(block)
    except (ConnectionError, OSError):
        log_event("client-closed", req.path)
        return
    await conn.end_chunks()


async def s_redirect(req: Request, conn: Conn) -> None:
    """307 to ?to= (a path on this server, or an absolute URL), as Starlette does for a trailing slash."""
    await conn.respond(307, b"", None, [("Location", req.query.get("to", "/json"))])


async def s_batch(req: Request, conn: Conn) -> None:  # only reached for single objects; arrays: dispatch
    await conn.respond_json(200, echo_result(req))


async def s_empty_200(req: Request, conn: Conn) -> None:
    await conn.respond(200, b"", "application/json")


# ---- sessions (/session, /get-stream) ----------------------------------------------------

async def check_session(req: Request, conn: Conn) -> str | None:
    """The request's valid session id, or None after answering 400 (missing/unknown) or 404 (ended)."""
    sid = req.headers.get("mcp-session-id")
    state = STATE["sessions"].get(sid) if sid else None
    if state == "active":
        return sid
    if state in ("expired", "deleted"):
        await conn.respond_json(404, {"jsonrpc": "2.0", "id": "server-error",
                                      "error": {"code": -32001, "message": "Session not found"}})
    else:
        await conn.respond_json(400, {"jsonrpc": "2.0", "id": "server-error",
                                      "error": {"code": -32000, "message": "Bad Request: No valid session ID provided"}})
    return None


async def poll_post(req: Request, conn: Conn) -> None:
    """2025-11-25 SSE polling: prime with an event id and `retry`, then close without the response."""
    event_id = f"p-{len(STATE['polls']) + 1}"
    STATE["polls"][event_id] = {"jsonrpc": "2.0", "id": rid(req),
                                "result": {"echo": req.json.get("method"), "resumed": True}}
    await conn.sse_head()
    await conn.chunk(f"id: {event_id}\nretry: 100\ndata: \n\n")
    await conn.end_chunks()


async def poll_resume(req: Request, conn: Conn) -> None:
    """The GET that resumes a polled stream: replay what came after `Last-Event-ID`, then close."""
    last = req.headers.get("last-event-id")
    log_event("poll-resumed", req.path, lastEventId=last)
    pending = STATE["polls"].pop(last, None)
    if pending is None:
        return await conn.respond(404, "no such stream\n", "text/plain")
    await conn.sse_head()
    await conn.chunk(sse_event(pending, f"{last}-done"))
    await conn.end_chunks()


async def session_endpoint(req: Request, conn: Conn, get_stream: bool, poll: bool = False) -> None:
    if req.method == "POST" and is_request(req) and req.json.get("method") == "initialize":
        sid = f"s-{STATE['next_session']}"
        STATE["next_session"] += 1
        STATE["sessions"][sid] = "active"
        params = req.json.get("params") or {}
        result = {"protocolVersion": params.get("protocolVersion"), "capabilities": {},
                  "serverInfo": {"name": "fault-session", "version": "1"}}
        await conn.respond_json(200, {"jsonrpc": "2.0", "id": rid(req), "result": result},
                                headers=[("Mcp-Session-Id", sid)])
        return
    sid = await check_session(req, conn)
    if sid is None:
        return
    if req.method == "POST" and isinstance(req.json, list):  # a 2025-03-26 batch: each request answered
        replies = [{"jsonrpc": "2.0", "id": m["id"], "result": {"session": sid, "method": m.get("method")}}
                   for m in req.json if isinstance(m, dict) and "id" in m and "method" in m]
        return await (conn.respond_json(200, replies) if replies else conn.respond(202))
    if req.method == "DELETE":
        STATE["sessions"][sid] = "deleted"
        log_event("session-deleted", req.path, session=sid)
        await conn.respond(200)
    elif req.method == "GET" and poll and req.headers.get("last-event-id"):
        await poll_resume(req, conn)
    elif req.method == "GET" and get_stream:
        await get_stream_sse(req, conn, sid)
    elif req.method == "GET":
        await conn.respond(405, "GET stream not offered\n", "text/plain", [("Allow", "POST, DELETE")])
    elif not is_request(req):
        await conn.respond(202)
    elif poll:
        await poll_post(req, conn)
    else:
        await conn.respond_json(200, {"jsonrpc": "2.0", "id": rid(req),
                                      "result": {"session": sid, "method": req.json.get("method")}})


async def get_stream_sse(req: Request, conn: Conn, sid: str) -> None:
    last = req.headers.get("last-event-id")
    log_event("get-stream-opened", req.path, session=sid, lastEventId=last)
    await conn.sse_head()
    if last == "g1":  # already delivered: honour Last-Event-ID, do not replay
        await conn.chunk("retry: 200\n\n")
    else:
        await conn.chunk("retry: 200\n" + sse_event(log_note(f"hello from the GET stream of {sid}"), "g1"))
    # A session that ends (expired, deleted) ends its stream as a server does, cleanly after the event id.
    pings = 0
    while (await conn.race(None, 0.2))[0] == "timeout":
        if STATE["sessions"].get(sid) != "active":
            log_event("get-stream-ended", req.path, session=sid)
            return await conn.end_chunks()
        pings += 1
        if pings % 10 == 0:
            await conn.chunk(": ping\n\n")
    log_event("client-closed", req.path)
    conn.close()


# ---- 2024-11-05 HTTP+SSE (/legacy-cross-origin) -----------------------------------------------

async def legacy_cross_origin(req: Request, conn: Conn) -> None:
    """POST: 405, as a GET-only legacy SSE route answers. GET: an SSE stream whose `endpoint` event names another
    origin (`localhost` instead of the `127.0.0.1` the client used), then nothing until the client leaves."""
    if req.method != "GET":
        return await conn.respond(405, "Method Not Allowed\n", "text/plain", [("Allow", "GET")])
    port = req.headers.get("host", "127.0.0.1:80").rsplit(":", 1)[-1]
    await conn.sse_head()
    await conn.chunk(f"event: endpoint\ndata: http://localhost:{port}/legacy-cross-origin/messages?session_id=x\n\n")
    await hang_until_gone(req, conn)


# ---- routing ------------------------------------------------------------------------------

SCENARIOS: dict[str, Callable[[Request, Conn], Awaitable[None]]] = {
    "/json": s_json,
    "/json-charset": s_json_charset,
    "/json-pretty": s_json_pretty,
    "/sse": s_sse,
    "/sse-multiline": s_sse_multiline,
    "/sse-trickle": s_sse_trickle,
    "/sse-no-final-blank": s_sse_no_final_blank,
    "/sse-server-request": s_sse_server_request,
    "/html500": s_html500,
    "/jsonrpc-error": s_jsonrpc_error,
    "/status": s_status,
    "/reset-mid-sse": s_reset_mid_sse,
    "/close-mid-sse": s_close_mid_sse,
    "/garbage-sse": s_garbage_sse,
    "/slow-headers": s_slow_headers,
    "/hang": s_hang,
    "/sse-hang": s_sse_hang,
    "/sse-idle": s_sse_idle,
    "/big": s_big,
    "/batch": s_batch,
    "/empty-200": s_empty_200,
    "/sse-endless-event": s_sse_endless_event,
    "/redirect": s_redirect,
}


async def handle(req: Request, conn: Conn) -> None:
    path = req.path
    if path == "/_log" and req.method == "GET":
        return await conn.respond_json(200, LOG)
    if path == "/_reset" and req.method == "POST":
        reset_state()
        return await conn.respond(200)
    if path == "/_expire" and req.method == "POST":
        for sid, st in STATE["sessions"].items():
            if st == "active":
                STATE["sessions"][sid] = "expired"
        return await conn.respond(200)

    if req.method == "POST" and not req.json_error and isinstance(req.json, dict) \
            and req.json.get("method") == "server/discover":
        # Every scenario plays a 2025-era server: it answers the bridge's era probe as one would, and the probe is
        # left out of the log, which records what the host's own messages caused.
        STATE["probes"] = STATE.get("probes", 0) + 1
        return await conn.respond_json(200, {"jsonrpc": "2.0", "id": req.json.get("id"),
                                             "error": {"code": -32601, "message": "Method not found"}})
    LOG.append({"method": req.method, "path": path, "query": req.raw_query, "headers": req.headers,
                "body": req.body.decode("utf-8", errors="replace")})
    if path.startswith("/h/"):  # hostile peers: fault_hostile.py
        return await fault_hostile.handle(req, conn, log_event)
    if path in ("/session", "/get-stream", "/poll"):
        if req.method == "POST" and req.json_error:
            return await parse_error(conn)
        return await session_endpoint(req, conn, get_stream=path == "/get-stream", poll=path == "/poll")
    if path == "/202":
        return await conn.respond(202)
    if path == "/legacy-cross-origin":
        return await legacy_cross_origin(req, conn)
    scenario = SCENARIOS.get(path)
    if scenario is None:
        return await conn.respond(404, f"no scenario at {path}\n", "text/plain")
    if req.method != "POST":
        return await conn.respond(405, "only POST here\n", "text/plain", [("Allow", "POST")])
    if req.json_error:
        return await parse_error(conn)
    msg = req.json
    if isinstance(msg, list) and path == "/batch":
        replies = [{"jsonrpc": "2.0", "id": m["id"], "result": {"echo": m.get("method")}}
                   for m in msg if isinstance(m, dict) and "id" in m and "method" in m]
        return await (conn.respond_json(200, replies) if replies else conn.respond(202))
    if isinstance(msg, dict) and "id" not in msg or isinstance(msg, dict) and "method" not in msg:
        # a notification, or a response to a server request (maybe one /sse-server-request waits for)
        waiter = STATE["waiters"].get(msg.get("id")) if "method" not in msg else None
        if waiter is not None and not waiter.done():
            waiter.set_result(msg)
        return await conn.respond(202)
    if not isinstance(msg, dict):
        return await conn.respond_json(400, {"jsonrpc": "2.0", "id": None,
                                             "error": {"code": -32600, "message": "Invalid Request"}})
    await scenario(req, conn)


async def parse_error(conn: Conn) -> None:
    await conn.respond_json(400, {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}})


def main() -> int:
    parser = argparse.ArgumentParser(description="fault-injecting HTTP server for mcp-bridge tests")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate (and --tls-key)")
    parser.add_argument("--tls-key")
    parser.add_argument("--tls-client-ca", help="require a client certificate signed by this CA (mutual TLS)")
    args = parser.parse_args()
    tls = None
    if args.tls_cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
        if args.tls_client_ca:
            tls.verify_mode = ssl.CERT_REQUIRED
            tls.load_verify_locations(args.tls_client_ca)
    try:
        asyncio.run(serve(handle, args.host, args.port, tls))
    except KeyboardInterrupt:
        pass
    print("fault-server: stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    lifeline.watch()
    sys.exit(main())
