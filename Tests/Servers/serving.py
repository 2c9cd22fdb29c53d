"""How every Python test server listens and serves, so the Swift tests can start any of them the same way.

`listen` binds the socket first (port 0 = ephemeral; a server whose URLs must name its own port binds before it
builds its app). `serve` prints exactly one `LISTENING <port>` line on stdout once it accepts connections, then runs
uvicorn until SIGTERM/SIGINT, which end it with exit status 0 after a short graceful shutdown.
"""

import signal
import socket

import uvicorn


def listen(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(app, sock: socket.socket, graceful_seconds: float = 2) -> int:
    config = uvicorn.Config(app, log_level="warning", access_log=False,
                            timeout_graceful_shutdown=graceful_seconds, lifespan="on")
    # uvicorn re-raises the captured signal after a graceful shutdown; with these handlers that is a no-op,
    # so the process exits 0 instead of dying by the signal.
    signal.signal(signal.SIGTERM, lambda *_: None)
    signal.signal(signal.SIGINT, lambda *_: None)
    print(f"LISTENING {sock.getsockname()[1]}", flush=True)
    uvicorn.Server(config).run(sockets=[sock])
    return 0
