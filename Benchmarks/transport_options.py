#!/usr/bin/env python3
"""--compressed and the HTTP versions (--http1.1, --http2), measured: mcp-bridge through
nginx in front of Benchmarks/.build/fastserver, alternating variants per repetition. nginx serves plain HTTP/1.1 (gzip
for JSON and SSE, for --compressed), h2c with prior knowledge (unused: Debian's libcurl 7.88.1 fails the second
request on a reused h2c connection to nginx 1.22, curl's CLI too), and TLS with a throwaway self-signed certificate (the
bridge trusts it with --cacert) on two ports: one offering h2 through ALPN, one HTTP/1.1 only. Without a flag
libcurl negotiates h2 on https:// when the server offers it (CURL_HTTP_VERSION_2TLS and CURLPIPE_MULTIPLEX are its
defaults since 7.62); --http2 adds PIPEWAIT (requests wait to share one connection), --http1.1 refuses h2.

Usage: python3 Benchmarks/transport_options.py [--reps N]   (needs nginx, openssl, Benchmarks/setup.sh, a release build)
Prints a Markdown table of medians. Not part of `make bench`: nginx adds its own hop, so compare rows only with
each other, never with the direct numbers in BENCHMARKS.md.
"""
import argparse, json, os, shutil, statistics, subprocess, tempfile, time, socket

HERE = os.path.dirname(os.path.abspath(__file__))
B = os.path.join(HERE, ".build")
BRIDGE = os.environ.get("MCP_BRIDGE_BIN", os.path.join(os.path.dirname(HERE), ".build", "release", "mcp-bridge"))
CONF = """worker_processes 1;
pid {tmp}/nginx.pid;
error_log stderr error;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/cb; proxy_temp_path {tmp}/px; fastcgi_temp_path {tmp}/fc;
    uwsgi_temp_path {tmp}/uw; scgi_temp_path {tmp}/sc;
    upstream fast {{ server 127.0.0.1:{up}; keepalive 64; }}
    gzip on; gzip_min_length 0; gzip_proxied any; gzip_types application/json text/event-stream;
    keepalive_requests 1000000;
    http2_max_concurrent_streams 256;
    server {{
        listen 127.0.0.1:{h1};
        listen 127.0.0.1:{h2} http2;
        listen 127.0.0.1:{tls2} ssl http2;
        listen 127.0.0.1:{tls1} ssl;
        ssl_certificate {tmp}/cert.pem;
        ssl_certificate_key {tmp}/key.pem;
        location / {{
            proxy_pass http://fast; proxy_http_version 1.1; proxy_set_header Connection "";
            proxy_buffering off; client_max_body_size 0;
        }}
    }}
}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout.strip().splitlines()
    return json.loads(out[-1]) if out else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--big", type=int, default=20_000_000)
    a = ap.parse_args()
    fs = subprocess.Popen([os.path.join(B, "fastserver")], stdout=subprocess.PIPE, text=True)
    up = int(fs.stdout.readline().split()[1])
    tmp = tempfile.mkdtemp(prefix="bench-nginx-")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", os.path.join(tmp, "key.pem"),
                    "-out", os.path.join(tmp, "cert.pem"), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True)
    h1, h2, tls1, tls2 = free_port(), free_port(), free_port(), free_port()
    with open(os.path.join(tmp, "nginx.conf"), "w") as f:
        f.write(CONF.format(tmp=tmp, up=up, h1=h1, h2=h2, tls1=tls1, tls2=tls2))
    ng = subprocess.Popen(["nginx", "-p", tmp, "-c", os.path.join(tmp, "nginx.conf"), "-g", "daemon off;"])
    time.sleep(0.5)
    cacert = ["--cacert", os.path.join(tmp, "cert.pem")]
    variants = {
        "HTTP/1.1": ("http", h1, []),
        "HTTP/1.1 --compressed": ("http", h1, ["--compressed"]),
        "TLS, server offers no h2": ("https", tls1, cacert),
        "TLS, no flag (h2 by ALPN)": ("https", tls2, cacert),
        "TLS, --http2 (h2, one connection)": ("https", tls2, cacert + ["--http2"]),
        "TLS, --http1.1": ("https", tls2, cacert + ["--http1.1"]),
    }
    rows = {k: [] for k in variants}
    try:
        for _ in range(a.reps):
            for name, (scheme, port, flags) in variants.items():
                base = [BRIDGE, f"{scheme}://127.0.0.1:{port}/mcp", "--silent", "--max-message-bytes", "209715200"] + flags
                d = run([os.path.join(B, "stdio_driver"), "--lat", "1000:100", "--tput", "64:100000:2", "--"] + base)
                g = run([os.path.join(B, "stdio_driver"), "--big", str(a.big), "--"] + base)
                if not d or not g or not d.get("ok"):
                    print("failed:", name, d, g)
                    continue
                t = d["tput"][0]
                rows[name].append((d["lat"]["p50_us"], t["calls_per_s"], t["cpu_us_per_call"], d["peak_rss_kib"] / 1024,
                                   g["big"]["seconds"] * 1000 if "big" in g else -1, g.get("cpu_total_s", -1) * 1000,
                                   g["peak_rss_kib"] / 1024))
    finally:
        ng.terminate(); ng.wait(); fs.terminate(); fs.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"median of {a.reps}; big reply = {a.big:,} bytes of JSON through nginx gzip when --compressed\n")
    print("| variant | seq p50 (µs) | tput 64 in flight (/s) | CPU/call at 64 (µs) | peak RSS, calls (MiB) | big reply (ms) "
          "| big reply CPU (ms) | big reply RSS (MiB) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in rows.items():
        if r:
            m = [statistics.median(c) for c in zip(*r)]
            print(f"| {name} | {m[0]:.0f} | {m[1]:,.0f} | {m[2]:.0f} | {m[3]:.1f} | {m[4]:.0f} | {m[5]:.0f} | {m[6]:.1f} |")


if __name__ == "__main__":
    main()
