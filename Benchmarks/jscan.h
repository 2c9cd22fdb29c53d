/* Tiny top-level JSON object key scanner shared by the benchmark helpers (not a validator).
 * jscan_key(buf, len, "id", &vs, &ve) finds the value of a top-level key of the object in buf[0..len):
 * on success *vs and *ve delimit the raw value bytes (a string value includes its quotes). Nested values are
 * skipped without being parsed, so a key of the same name inside "params" or "result" is never matched.
 * A truncated buffer simply ends the scan (keys after the cut are "not found"). */
#ifndef JSCAN_H
#define JSCAN_H
#include <stddef.h>
#include <string.h>

static inline size_t jscan_ws(const char *b, size_t i, size_t n) {
    while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) i++;
    return i;
}

/* Returns the index just past the string starting at b[i] == '"', or n if it is cut. */
static inline size_t jscan_str(const char *b, size_t i, size_t n) {
    i++;
    while (i < n) {
        const char *q = memchr(b + i, '"', n - i);
        if (!q) return n;
        size_t j = (size_t)(q - b);
        size_t bs = 0;
        while (j - bs > i && b[j - bs - 1] == '\\') bs++;
        i = j + 1;
        if ((bs & 1) == 0) return i;
    }
    return n;
}

/* Returns the index just past the value starting at b[i]. */
static inline size_t jscan_value(const char *b, size_t i, size_t n) {
    if (i >= n) return n;
    if (b[i] == '"') return jscan_str(b, i, n);
    if (b[i] == '{' || b[i] == '[') {
        int depth = 0;
        while (i < n) {
            char c = b[i];
            if (c == '"') { i = jscan_str(b, i, n); continue; }
            if (c == '{' || c == '[') depth++;
            else if (c == '}' || c == ']') { depth--; if (depth == 0) return i + 1; }
            i++;
        }
        return n;
    }
    while (i < n && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\n' && b[i] != '\r' && b[i] != '\t') i++;
    return i;
}

static inline int jscan_key(const char *b, size_t n, const char *key, size_t *vs, size_t *ve) {
    size_t klen = strlen(key);
    size_t i = jscan_ws(b, 0, n);
    if (i >= n || b[i] != '{') return 0;
    i++;
    for (;;) {
        i = jscan_ws(b, i, n);
        if (i >= n || b[i] != '"') return 0;
        size_t ks = i + 1, ke = jscan_str(b, i, n);
        if (ke >= n) return 0;
        int match = (ke - 1 - ks == klen) && memcmp(b + ks, key, klen) == 0;
        i = jscan_ws(b, ke, n);
        if (i >= n || b[i] != ':') return 0;
        i = jscan_ws(b, i + 1, n);
        size_t e = jscan_value(b, i, n);
        if (match) { if (e > n) e = n; *vs = i; *ve = e; return 1; }
        if (e >= n) return 0;
        i = jscan_ws(b, e, n);
        if (i >= n || b[i] != ',') return 0;
        i++;
    }
}

/* Copies a top-level string value (without quotes, escapes left as is) into out; returns its length or -1. */
static inline int jscan_string(const char *b, size_t n, const char *key, char *out, size_t cap) {
    size_t vs, ve;
    if (!jscan_key(b, n, key, &vs, &ve) || b[vs] != '"' || ve < vs + 2) return -1;
    size_t l = ve - vs - 2;
    if (l >= cap) l = cap - 1;
    memcpy(out, b + vs + 1, l);
    out[l] = 0;
    return (int)l;
}
#endif
