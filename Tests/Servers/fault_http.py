"""Raw HTTP/1.1 plumbing for fault_server.py: stdlib only, exact control over bytes, timing and resets.

One `Conn` per TCP connection; requests are read one after another (keep-alive), bodies may be
Content-Length or chunked, `Expect: 100-continue` is honoured. Handlers write responses through
`Conn` helpers (whole responses, chunked streams, raw bytes, RST) and can wait for the client to
go away (`Conn.race`), which is how scenarios notice that a client cancelled a transfer.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import ssl
import struct
import sys
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qs, urlsplit

MAX_HEAD = 64 * 1024


class ClientGone(Exception):
    """The client closed or reset the connection."""


@dataclass
class Request:
    method: str
    target: str
    path: str
    query: dict[str, str]
    raw_query: str
    headers: dict[str, str]  # lower-cased names; repeated headers joined with ", "
    body: bytes
    json: Any = None  # parsed body, or None (also when it is not valid JSON: see json_error)
    json_error: bool = False

    def param(self, name: str, default: float) -> float:
        try:
            return float(self.query[name])
        except (KeyError, ValueError):
            return default


@dataclass
class Conn:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    buf: bytearray = field(default_factory=bytearray)
    closed: bool = False  # set when a handler ended the connection (close / reset)
    gone: bool = False  # the client went away

    # ---- reading -------------------------------------------------------------------------
    async def _fill(self) -> None:
        data = await self.reader.read(65536)
        if not data:
            self.gone = True
            raise ClientGone()
        self.buf += data

    async def read_until(self, sep: bytes, limit: int = MAX_HEAD) -> bytes:
        while True:
            i = self.buf.find(sep)
            if i >= 0:
                out = bytes(self.buf[: i + len(sep)])
                del self.buf[: i + len(sep)]
                return out
            if len(self.buf) > limit:
                raise ValueError("header section too large")
            await self._fill()

    async def read_exactly(self, n: int) -> bytes:
        while len(self.buf) < n:
            await self._fill()
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    async def read_request(self) -> Request | None:
        """Next request on this connection, or None at a clean EOF between requests."""
        try:
            while self.buf.startswith(b"\r\n"):  # tolerate stray CRLF between requests
                del self.buf[:2]
            head = await self.read_until(b"\r\n\r\n")
        except ClientGone:
            return None
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        if headers.get("expect", "").lower() == "100-continue":
            await self.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = bytearray()
            while True:
                size = int((await self.read_until(b"\r\n")).split(b";")[0].strip(), 16)
                if size == 0:
                    while (await self.read_until(b"\r\n")) != b"\r\n":  # trailers
                        pass
                    break
                body += await self.read_exactly(size)
                await self.read_exactly(2)
            body = bytes(body)
        else:
            body = await self.read_exactly(int(headers.get("content-length", "0") or 0))
        parts = urlsplit(target)
        req = Request(
            method=method.upper(),
            target=target,
            path=parts.path,
            query={k: v[-1] for k, v in parse_qs(parts.query).items()},
            raw_query=parts.query,
            headers=headers,
            body=body,
        )
        if body:
            try:
                req.json = json.loads(body)
            except ValueError:
                req.json_error = True
        return req

    # ---- waiting -------------------------------------------------------------------------
    async def race(self, aw: Awaitable[Any] | None, timeout: float | None) -> tuple[str, Any]:
        """Wait for `aw` (None = nothing), a timeout, or the client going away.

        Returns ("done", value), ("timeout", None) or ("gone", None). Bytes the client sends
        meanwhile are kept for the next request.
        """
        watcher = asyncio.ensure_future(self._watch())
        task = asyncio.ensure_future(aw) if aw is not None else None
        waiting = {watcher} | ({task} if task else set())
        try:
            done, _ = await asyncio.wait(waiting, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            watcher.cancel()
            await asyncio.wait({watcher})  # let it finish before anyone reads again
        if task is not None and task in done:
            return "done", task.result()
        if task is not None:
            task.cancel()
        if watcher in done:
            return "gone", None
        return "timeout", None

    async def _watch(self) -> None:
        try:
            while True:
                await self._fill()
        except (ClientGone, ConnectionError):
            self.gone = True

    # ---- writing -------------------------------------------------------------------------
    async def write(self, data: bytes) -> None:
        try:
            self.writer.write(data)
            await self.writer.drain()
        except ConnectionError as e:
            self.gone = True
            raise ClientGone() from e

    async def head(self, status: int, headers: list[tuple[str, str]], *, chunked: bool = False) -> None:
        reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Status"
        lines = [f"HTTP/1.1 {status} {reason}", "Server: fault-server"]
        lines += [f"{k}: {v}" for k, v in headers]
        if chunked:
            lines.append("Transfer-Encoding: chunked")
        await self.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    async def respond(self, status: int, body: bytes | str = b"", content_type: str | None = None,
                      headers: list[tuple[str, str]] | None = None) -> None:
        body = body.encode() if isinstance(body, str) else body
        hs = list(headers or [])
        if content_type:
            hs.append(("Content-Type", content_type))
        hs.append(("Content-Length", str(len(body))))
        await self.head(status, hs)
        if body:
            await self.write(body)

    async def respond_json(self, status: int, obj: Any, headers: list[tuple[str, str]] | None = None,
                           content_type: str = "application/json") -> None:
        await self.respond(status, json.dumps(obj), content_type, headers)

    async def chunk(self, data: bytes | str) -> None:
        data = data.encode() if isinstance(data, str) else data
        if data:
            await self.write(b"%x\r\n%s\r\n" % (len(data), data))

    async def end_chunks(self) -> None:
        await self.write(b"0\r\n\r\n")

    async def sse_head(self, headers: list[tuple[str, str]] | None = None) -> None:
        await self.head(200, [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache"),
                              *(headers or [])], chunked=True)

    def close(self) -> None:
        self.closed = True
        self.writer.close()

    async def reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0), after letting written bytes reach the peer."""
        self.closed = True
        await asyncio.sleep(0.05)
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()


Handler = Callable[[Request, Conn], Awaitable[None]]


async def _serve_conn(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, handle: Handler) -> None:
    conn = Conn(reader, writer)
    try:
        while not conn.closed:
            try:
                req = await conn.read_request()
            except (ValueError, IndexError):
                await conn.respond(400, "malformed request\n", "text/plain", [("Connection", "close")])
                break
            if req is None:
                break
            await handle(req, conn)
            if req.headers.get("connection", "").lower() == "close":
                break
    except (ClientGone, ConnectionError):
        pass
    except Exception as e:  # a bug in a scenario: say so on stderr, drop the connection
        print(f"fault-server: handler error: {e!r}", file=sys.stderr, flush=True)
    finally:
        if not writer.transport.is_closing():
            writer.close()


async def serve(handle: Handler, host: str, port: int, tls: "ssl.SSLContext | None" = None) -> None:
    """Bind, print `LISTENING <port>`, serve (over TLS when `tls` is given) until SIGTERM/SIGINT."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    tasks: set[asyncio.Task[None]] = set()

    async def on_client(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        t = asyncio.current_task()
        assert t is not None
        tasks.add(t)
        try:
            await _serve_conn(r, w, handle)
        except asyncio.CancelledError:  # shutting down
            w.transport.abort()
        finally:
            tasks.discard(t)

    server = await asyncio.start_server(on_client, sock=sock, limit=1 << 20, ssl=tls)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"LISTENING {sock.getsockname()[1]}", flush=True)
    await stop.wait()
    server.close()
    for t in list(tasks):
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
