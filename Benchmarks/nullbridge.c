/* nullbridge [--batch]: the benchmark harness's own floor. Reads newline-delimited JSON-RPC on stdin and answers
 * every request line itself on stdout ({"jsonrpc":"2.0","id":ID,"result":{}}), with no network at all;
 * notifications get nothing. By default each answer is its own write(), as a bridge whose replies arrive one by
 * one from the network must do; --batch answers everything one read() brought with a single write() (an upper
 * bound no real bridge reaches). Measures the cost of pushing lines through a child process's pipes.
 * Exits at stdin EOF. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jscan.h"

static char *in, *out;
static size_t incap = 1 << 20, outcap = 1 << 20;

static int write_all(const char *p, size_t n) {
    while (n) {
        ssize_t w = write(1, p, n);
        if (w < 0) { if (errno == EINTR) continue; return -1; }
        p += w; n -= (size_t)w;
    }
    return 0;
}

int main(int argc, char **argv) {
    int batch = argc > 1 && strcmp(argv[1], "--batch") == 0;
    in = malloc(incap);
    out = malloc(outcap);
    size_t have = 0;
    for (;;) {
        if (have == incap) { incap *= 2; in = realloc(in, incap); }
        ssize_t r = read(0, in + have, incap - have);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return 0;
        have += (size_t)r;
        size_t start = 0, olen = 0;
        char *nl;
        while ((nl = memchr(in + start, '\n', have - start))) {
            size_t len = (size_t)(nl - (in + start)), vs, ve, ms, me;
            const char *line = in + start;
            if (jscan_key(line, len, "id", &vs, &ve) && jscan_key(line, len, "method", &ms, &me)) {
                size_t need = olen + (ve - vs) + 64;
                if (need > outcap) { while (outcap < need) outcap *= 2; out = realloc(out, outcap); }
                olen += (size_t)sprintf(out + olen, "{\"jsonrpc\":\"2.0\",\"id\":%.*s,\"result\":{}}\n", (int)(ve - vs), line + vs);
                if (!batch) {
                    if (write_all(out, olen) < 0) return 0;
                    olen = 0;
                }
            }
            start += len + 1;
        }
        if (olen && write_all(out, olen) < 0) return 0;
        memmove(in, in + start, have - start);
        have -= start;
    }
}
