#!/usr/bin/env python3
"""Runs nginx in the foreground as a round-robin load balancer in front of MCP test servers.

    python nginx_lb.py [--port 0] --upstream 127.0.0.1:PORT [--upstream ...]
                       [--prefix /ossserver-stateless/] [--sticky-session | --sticky-cookie] [--nginx /usr/sbin/nginx]
                       [--tls-cert CERT --tls-key KEY] [--access-log PATH]

Everything nginx writes (config, pid, logs, temp files) lives in a fresh temp dir: /etc/nginx and /var
are never touched. Prints `LISTENING <port>` on stdout once the port accepts connections. SIGTERM/SIGINT
stop nginx (fast shutdown), remove the temp dir and exit 0. nginx's error log goes to stderr.

Every proxied reply carries `X-Upstream: <ip:port>` (the upstream that answered), for tests.

With --tls-cert/--tls-key the port speaks TLS and offers HTTP/2 by ALPN (HTTP/1.1 too). --access-log writes one line
per request: `<protocol> <connection serial> <method> <status>`, so tests can see which HTTP version a client spoke
and how many connections it used.

Retry policy (`proxy_next_upstream error timeout`): nginx (>= 1.9.13) never passes a POST to another
upstream once any of it was sent, unless `non_idempotent` is given, which we do NOT: a tool call must
not run twice. So a POST moves to the next upstream only when connecting failed (refused / connect
timeout): the dead upstream never saw it, the retry is safe. A failure after the request was sent
(reset, read timeout) reaches the client as 502/504. GET and DELETE may be retried in both cases.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
import lifeline  # noqa: E402
import tempfile
import time

CONFIG = """\
worker_processes 1;
pid {tmp}/nginx.pid;
error_log stderr warn;

events {{
    worker_connections 1024;
}}

http {{
    log_format versions '$server_protocol $connection $request_method $status';
    access_log {access_log} versions;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;

{cookie_map}    upstream mcp_backends {{
{balance}{servers}
        keepalive 16;              # reuse upstream connections (needs HTTP/1.1 + empty Connection below)
    }}

    server {{
        listen 127.0.0.1:{port}{listen_tls};
{tls}
        location {prefix} {{
            proxy_pass http://mcp_backends;
            proxy_http_version 1.1;
            proxy_set_header Connection "";        # keep-alive to the upstream, not "close"
            proxy_set_header Host $http_host;      # pass the client's Host (with port) through
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_buffering off;                   # stream SSE events as they come
            proxy_request_buffering off;
            proxy_cache off;
            proxy_read_timeout 3600s;              # idle SSE streams (long tool calls, GET streams)
            proxy_send_timeout 3600s;
            proxy_connect_timeout 2s;
            proxy_next_upstream error timeout;     # see the module docstring: never re-sends a sent POST
            client_max_body_size 0;
            add_header X-Upstream $upstream_addr always;
{cookie_header}
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description="nginx round-robin load balancer for tests")
    parser.add_argument("--port", type=int, default=0, help="listen port on 127.0.0.1 (0 = pick a free one)")
    parser.add_argument("--upstream", action="append", required=True, help="host:port, repeatable")
    parser.add_argument("--prefix", default="/ossserver-stateless/", help="location to proxy")
    parser.add_argument("--sticky-cookie", action="store_true",
                        help="pin each client to a replica with a cookie, as AWS ALB stickiness does (stateful servers)")
    parser.add_argument("--sticky-session", action="store_true",
                        help="hash on the Mcp-Session-Id header instead of round robin (stateful servers)")
    parser.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    parser.add_argument("--tls-cert", help="PEM certificate: serve TLS, with HTTP/2 offered by ALPN")
    parser.add_argument("--tls-key", help="PEM private key of --tls-cert")
    parser.add_argument("--access-log", help="write `protocol connection method status` per request here")
    args = parser.parse_args()

    port = args.port or free_port()
    tmp = tempfile.mkdtemp(prefix="nginx-lb-")
    os.chmod(tmp, 0o755)  # when run as root, the workers (nobody) must reach the temp dirs
    balance = "        hash $http_mcp_session_id consistent;\n" if args.sticky_session else ""
    cookie_map = cookie_header = ""
    if args.sticky_cookie:
        # No cookie yet: pick by this request's id and hand that id out as the cookie, so the next requests hash
        # to the same replica (open-source nginx has no `sticky cookie`; this is the same effect).
        cookie_map = "    map $cookie_lb $lb_key {\n        \"\" $request_id;\n        default $cookie_lb;\n    }\n\n"
        balance = "        hash $lb_key consistent;\n"
        cookie_header = "            add_header Set-Cookie \"lb=$lb_key; Path=/\" always;"

    # max_fails/fail_timeout: a refused upstream is skipped for 2 s (default 10 s) so chaos tests recover fast.
    servers = "\n".join(f"        server {u} max_fails=1 fail_timeout=2s;" for u in args.upstream)
    conf = os.path.join(tmp, "nginx.conf")
    with open(conf, "w") as f:
        listen_tls = tls = ""
        if args.tls_cert:
            listen_tls = " ssl http2"
            tls = f"        ssl_certificate {args.tls_cert};\n        ssl_certificate_key {args.tls_key};\n"
        f.write(CONFIG.format(tmp=tmp, port=port, prefix=args.prefix, balance=balance, servers=servers,
                              cookie_map=cookie_map, cookie_header=cookie_header, listen_tls=listen_tls, tls=tls,
                              access_log=args.access_log or os.path.join(tmp, "access.log")))

    proc = subprocess.Popen([args.nginx, "-p", tmp, "-e", "stderr", "-c", conf, "-g", "daemon off;"],
                            stdin=subprocess.DEVNULL, stdout=sys.stderr)
    stopping = False

    def stop(_sig: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        if proc.poll() is None:
            proc.terminate()  # SIGTERM = nginx fast shutdown

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        deadline = time.monotonic() + 10
        while not accepts(port):
            if proc.poll() is not None or stopping:
                print(f"nginx_lb: nginx exited ({proc.returncode}) before listening on {port}", file=sys.stderr)
                return 1
            if time.monotonic() > deadline:
                print(f"nginx_lb: nginx not listening on {port} after 10 s", file=sys.stderr)
                proc.terminate()
                return 1
            time.sleep(0.02)
        print(f"LISTENING {port}", flush=True)
        print(f"nginx_lb: {args.prefix} -> {', '.join(args.upstream)} (config {conf})", file=sys.stderr, flush=True)
        code = proc.wait()
        return 0 if stopping else (code or 1)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    lifeline.watch()
    sys.exit(main())
