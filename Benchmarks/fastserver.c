/* fastserver: a minimal, fast MCP Streamable-HTTP server for benchmarking bridges (not a conforming server).
 *
 *   fastserver [--port 0] [--host 127.0.0.1]
 *
 * Prints exactly one line `LISTENING <port>` on stdout, then serves HTTP/1.1 with keep-alive, one thread per
 * connection (blocking I/O, TCP_NODELAY). Every reply has a Content-Length. SIGTERM/SIGINT end it with status 0.
 *
 * POST any path: the body is one JSON-RPC message; only its top-level keys are looked at.
 *   initialize           -> InitializeResult echoing the client's protocolVersion (stateless: no Mcp-Session-Id)
 *   notification/response -> 202, empty body
 *   ping                 -> {}
 *   tools/list           -> three tools: echo, big, progress
 *   tools/call echo      -> text = arguments.text
 *   tools/call big       -> text of arguments.bytes 'a' characters (default 100,000,000): the large-reply test
 *   tools/call progress  -> always SSE: arguments.count (default 10,000) notifications/progress events carrying
 *                           params._meta.progressToken, then the result (text "done")
 *   other methods        -> JSON-RPC error -32601
 * Replies are application/json, or text/event-stream (one `event: message` + `data:` line) when the path
 * starts with /sse. GET and DELETE -> 405.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jscan.h"

#define BIG_DEFAULT 100000000L
#define FILL_SIZE (1 << 20)
#define SSE_PRE "event: message\r\ndata: "
#define SSE_POST "\r\n\r\n"
#define SSE_OVERHEAD (sizeof SSE_PRE - 1 + sizeof SSE_POST - 1)
static char fill[FILL_SIZE];

typedef struct { char *p; size_t len, cap; } buf_t;

static void buf_reserve(buf_t *b, size_t extra) {
    if (b->len + extra <= b->cap) return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra) cap *= 2;
    b->p = realloc(b->p, cap);
    if (!b->p) { perror("realloc"); exit(1); }
    b->cap = cap;
}
static void buf_add(buf_t *b, const void *s, size_t n) { buf_reserve(b, n); memcpy(b->p + b->len, s, n); b->len += n; }
static void buf_str(buf_t *b, const char *s) { buf_add(b, s, strlen(s)); }
static void buf_fmt(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void buf_fmt(buf_t *b, const char *fmt, ...) {
    va_list ap;
    for (;;) {
        size_t room = b->cap - b->len;
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) return;
        if ((size_t)n < room) { b->len += (size_t)n; return; }
        buf_reserve(b, (size_t)n + 1);
    }
}

static int write_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) { if (errno == EINTR) continue; return -1; }
        p += w; n -= (size_t)w;
    }
    return 0;
}

/* Finds a nested value: top-level key k1, then within it k2 (and k3 if given). */
static int nested(const char *b, size_t n, const char *k1, const char *k2, const char *k3, size_t *vs, size_t *ve) {
    size_t s, e;
    if (!jscan_key(b, n, k1, &s, &e)) return 0;
    if (!jscan_key(b + s, e - s, k2, vs, ve)) return 0;
    *vs += s; *ve += s;
    if (!k3) return 1;
    size_t s2 = *vs, e2 = *ve;
    if (!jscan_key(b + s2, e2 - s2, k3, vs, ve)) return 0;
    *vs += s2; *ve += s2;
    return 1;
}

/* Appends the head and the body of a complete reply (JSON or one SSE event). */
static void reply(buf_t *out, int sse, const char *body, size_t blen) {
    if (sse) {
        buf_fmt(out, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                     "Content-Length: %zu\r\n\r\n" SSE_PRE, blen + SSE_OVERHEAD);
        buf_add(out, body, blen);
        buf_str(out, SSE_POST);
    } else {
        buf_fmt(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n", blen);
        buf_add(out, body, blen);
    }
}

/* Handles one POST body; appends the reply to out, or streams it itself (big). Returns -1 on a write error. */
static int handle_post(int fd, int sse, const char *b, size_t n, buf_t *out, buf_t *tmp) {
    char method[64];
    size_t ids, ide;
    int has_id = jscan_key(b, n, "id", &ids, &ide);
    if (jscan_string(b, n, "method", method, sizeof method) < 0 || !has_id) {
        buf_str(out, "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");
        return 0;
    }
    const char *id = b + ids;
    int idl = (int)(ide - ids);
    tmp->len = 0;
    if (strcmp(method, "initialize") == 0) {
        size_t vs, ve;
        const char *ver = "\"2025-06-18\"";
        int verl = (int)strlen(ver);
        if (nested(b, n, "params", "protocolVersion", NULL, &vs, &ve) && b[vs] == '"') { ver = b + vs; verl = (int)(ve - vs); }
        buf_fmt(tmp, "{\"jsonrpc\":\"2.0\",\"id\":%.*s,\"result\":{\"protocolVersion\":%.*s,"
                     "\"capabilities\":{\"tools\":{\"listChanged\":false}},"
                     "\"serverInfo\":{\"name\":\"fastserver\",\"version\":\"1.0.0\"}}}", idl, id, verl, ver);
    } else if (strcmp(method, "ping") == 0) {
        buf_fmt(tmp, "{\"jsonrpc\":\"2.0\",\"id\":%.*s,\"result\":{}}", idl, id);
    } else if (strcmp(method, "tools/list") == 0) {
        buf_fmt(tmp, "{\"jsonrpc\":\"2.0\",\"id\":%.*s,\"result\":{\"tools\":["
                     "{\"name\":\"echo\",\"description\":\"Return text.\",\"inputSchema\":{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}},"
                     "{\"name\":\"big\",\"description\":\"A large text reply.\",\"inputSchema\":{\"type\":\"object\",\"properties\":{\"bytes\":{\"type\":\"integer\"}}}},"
                     "{\"name\":\"progress\",\"description\":\"Progress notifications, then done.\",\"inputSchema\":{\"type\":\"object\",\"properties\":{\"count\":{\"type\":\"integer\"}}}}"
                     "]}}", idl, id);
    } else if (strcmp(method, "tools/call") == 0) {
        char name[64] = "";
        size_t ps, pe, vs, ve;
        if (jscan_key(b, n, "params", &ps, &pe)) jscan_string(b + ps, pe - ps, "name", name, sizeof name);
        if (strcmp(name, "echo") == 0) {
            const char *text = "\"\"";
            int tl = 2;
            if (nested(b, n, "params", "arguments", "text", &vs, &ve)) { text = b + vs; tl = (int)(ve - vs); }
            buf_fmt(tmp, "{\"jsonrpc\":\"2.0\",\"id\":%.*s,\"result\":{\"content\":[{\"type\":\"text\",\"text\":%.*s}],"
                         "\"isError\":false}}", idl, id, tl, text);
        } else if (strcmp(name, "big") == 0) {
            long size = BIG_DEFAULT;
            if (nested(b, n, "params", "arguments", "bytes", &vs, &ve)) size = strtol(b + vs, NULL, 10);
            if (size < 0) size = 0;
            char pre[256], post[64];
            int prel = snprintf(pre, sizeof pre, "{\"jsonrpc\":\"2.0\",\"id\":%.*s,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"", idl, id);
            int postl = snprintf(post, sizeof post, "\"}],\"isError\":false}}");
            size_t total = (size_t)prel + (size_t)size + (size_t)postl;
            if (sse) total += SSE_OVERHEAD;
            buf_fmt(out, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n%s%.*s",
                    sse ? "text/event-stream" : "application/json", total, sse ? SSE_PRE : "", prel, pre);
            if (write_all(fd, out->p, out->len) < 0) return -1;
            out->len = 0;
            for (long left = size; left > 0;) {
                size_t k = left > FILL_SIZE ? FILL_SIZE : (size_t)left;
                if (write_all(fd, fill, k) < 0) return -1;
                left -= (long)k;
            }
            buf_str(out, post);
            if (sse) buf_str(out, SSE_POST);
            return 0;
        } else if (strcmp(name, "progress") == 0) {
            long count = 10000;
            if (nested(b, n, "params", "arguments", "count", &vs, &ve)) count = strtol(b + vs, NULL, 10);
            const char *tok = "0";
            int tokl = 1;
            if (nested(b, n, "params", "_meta", "progressToken", &vs, &ve)) { tok = b + vs; tokl = (int)(ve - vs); }
            for (long i = 1; i <= count; i++)
                buf_fmt(tmp, "event: message\r\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":"
                             "{\"progressToken\":%.*s,\"progress\":%ld,\"total\":%ld,\"message\":\"step %ld/%ld\"}}\r\n\r\n",
                        tokl, tok, i, count, i, count);
            buf_fmt(tmp, "event: message\r\ndata: {\"jsonrpc\":\"2.0\",\"id\":%.*s,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"done\"}],"
                         "\"isError\":false}}\r\n\r\n", idl, id);
            buf_fmt(out, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nContent-Length: %zu\r\n\r\n", tmp->len);
            buf_add(out, tmp->p, tmp->len);
            return 0;
        } else {
            buf_fmt(tmp, "{\"jsonrpc\":\"2.0\",\"id\":%.*s,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"unknown tool\"}],"
                         "\"isError\":true}}", idl, id);
        }
    } else {
        buf_fmt(tmp, "{\"jsonrpc\":\"2.0\",\"id\":%.*s,\"error\":{\"code\":-32601,\"message\":\"Method not found\"}}", idl, id);
    }
    reply(out, sse, tmp->p, tmp->len);
    return 0;
}

/* Decodes a chunked body in place from in[0..n); returns the decoded length, -1 if incomplete, -2 if bad.
 * *used gets the number of input bytes consumed (through the final CRLF). */
static long dechunk(char *in, size_t n, size_t *used) {
    size_t r = 0, w = 0;
    for (;;) {
        char *crlf = memmem(in + r, n - r, "\r\n", 2);
        if (!crlf) return -1;
        char *end;
        unsigned long sz = strtoul(in + r, &end, 16);
        if (end == in + r) return -2;
        size_t data = (size_t)(crlf - in) + 2;
        if (sz == 0) {
            char *fin = memmem(in + data - 2, n - (data - 2), "\r\n\r\n", 4);
            if (!fin) return -1;
            *used = (size_t)(fin - in) + 4;
            return (long)w;
        }
        if (data + sz + 2 > n) return -1;
        memmove(in + w, in + data, sz);
        w += sz;
        r = data + sz + 2;
    }
}

static void *conn_main(void *arg) {
    int fd = (int)(long)arg;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    buf_t in = {0}, out = {0}, tmp = {0};
    buf_reserve(&in, 65536);
    for (;;) {
        /* Read until a complete head is buffered. */
        char *eoh;
        while (!(eoh = in.len ? memmem(in.p, in.len, "\r\n\r\n", 4) : NULL)) {
            buf_reserve(&in, 65536);
            ssize_t r = recv(fd, in.p + in.len, in.cap - in.len, 0);
            if (r <= 0) { if (r < 0 && errno == EINTR) continue; goto done; }
            in.len += (size_t)r;
        }
        size_t head_len = (size_t)(eoh - in.p) + 4;
        char method[16] = "", path[256] = "";
        sscanf(in.p, "%15s %255s", method, path);
        int http10 = memmem(in.p, head_len, "HTTP/1.0\r\n", 10) != NULL;
        long clen = 0;
        int chunked = 0, close_after = http10, expect = 0;
        for (char *l = memmem(in.p, head_len, "\r\n", 2) + 2; l < in.p + head_len - 2;) {
            char *e = memmem(l, (size_t)(in.p + head_len - l), "\r\n", 2);
            if (!e) break;
            if (strncasecmp(l, "content-length:", 15) == 0) clen = strtol(l + 15, NULL, 10);
            else if (strncasecmp(l, "transfer-encoding:", 18) == 0 && memmem(l, (size_t)(e - l), "chunked", 7)) chunked = 1;
            else if (strncasecmp(l, "connection:", 11) == 0) {
                if (memmem(l, (size_t)(e - l), "close", 5)) close_after = 1;
                if (memmem(l, (size_t)(e - l), "keep-alive", 10)) close_after = 0;
            } else if (strncasecmp(l, "expect:", 7) == 0 && memmem(l, (size_t)(e - l), "100-continue", 12)) expect = 1;
            l = e + 2;
        }
        if (expect && in.len == head_len && write_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25) < 0) goto done;
        /* Read the body. */
        size_t body_len, consumed;
        if (chunked) {
            long dl;
            for (;;) {
                size_t used = 0;
                /* dechunk works in place, so decode a copy and only commit once complete. */
                buf_reserve(&tmp, in.len - head_len);
                memcpy(tmp.p, in.p + head_len, in.len - head_len);
                dl = dechunk(tmp.p, in.len - head_len, &used);
                if (dl == -2) goto done;
                if (dl >= 0) { memcpy(in.p + head_len, tmp.p, (size_t)dl); consumed = head_len + used; body_len = (size_t)dl; break; }
                buf_reserve(&in, 65536);
                ssize_t r = recv(fd, in.p + in.len, in.cap - in.len, 0);
                if (r <= 0) { if (r < 0 && errno == EINTR) continue; goto done; }
                in.len += (size_t)r;
            }
        } else {
            if (clen < 0) goto done;
            body_len = (size_t)clen;
            consumed = head_len + body_len;
            while (in.len < consumed) {
                buf_reserve(&in, consumed - in.len);
                ssize_t r = recv(fd, in.p + in.len, in.cap - in.len, 0);
                if (r <= 0) { if (r < 0 && errno == EINTR) continue; goto done; }
                in.len += (size_t)r;
            }
        }
        out.len = 0;
        if (strcmp(method, "POST") == 0) {
            if (handle_post(fd, strncmp(path, "/sse", 4) == 0, in.p + head_len, body_len, &out, &tmp) < 0) goto done;
        } else {
            buf_str(&out, "HTTP/1.1 405 Method Not Allowed\r\nAllow: POST\r\nContent-Length: 0\r\n\r\n");
        }
        if (out.len && write_all(fd, out.p, out.len) < 0) goto done;
        memmove(in.p, in.p + consumed, in.len - consumed);
        in.len -= consumed;
        if (tmp.cap > (1 << 22)) { free(tmp.p); tmp = (buf_t){0}; }
        if (out.cap > (1 << 22)) { free(out.p); out = (buf_t){0}; }
        if (close_after) break;
    }
done:
    close(fd);
    free(in.p); free(out.p); free(tmp.p);
    return NULL;
}

static void on_signal(int sig) { (void)sig; _exit(0); }

int main(int argc, char **argv) {
    int port = 0;
    const char *host = "127.0.0.1";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) port = atoi(argv[++i]);
        else if (strcmp(argv[i], "--host") == 0 && i + 1 < argc) host = argv[++i];
        else { fprintf(stderr, "usage: fastserver [--port N] [--host 127.0.0.1]\n"); return 64; }
    }
    memset(fill, 'a', sizeof fill);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    /* A parent that spawns us from a thread with these signals blocked (Swift's Process does) would otherwise leave
       us unkillable by SIGTERM: the test suite's `terminate()` then leaked one server per run. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    sigprocmask(SIG_UNBLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) { fprintf(stderr, "bad host %s\n", host); return 64; }
    if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 1024) < 0) { perror("bind/listen"); return 1; }
    socklen_t al = sizeof a;
    getsockname(ls, (struct sockaddr *)&a, &al);
    printf("LISTENING %d\n", ntohs(a.sin_port));
    fflush(stdout);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    for (;;) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0) { if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE) continue; perror("accept"); return 1; }
        pthread_t t;
        if (pthread_create(&t, &attr, conn_main, (void *)(long)fd) != 0) close(fd);
    }
}
