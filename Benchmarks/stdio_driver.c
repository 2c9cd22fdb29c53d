/* stdio_driver: plays an MCP host against one bridge process and measures it.
 *
 *   stdio_driver [options] -- COMMAND [ARGS...]
 *     --lat N:WARMUP         sequential tools/call echo; per-call round trip p50/p99/mean
 *     --tput W:N:SECONDS     W calls in flight until N calls or SECONDS (repeatable, run in order); calls/s and
 *                            the bridge's CPU time (utime+stime of its /proc/PID/stat) per call
 *     --progress COUNT       one tools/call progress (with a progressToken): time until the response, notifications
 *     --big BYTES            one tools/call big: time until the whole reply line has arrived
 *     --timeout S            give up on a phase S seconds after its last request was sent (default 120)
 *     --stderr PATH          the bridge's stderr (default /dev/null)
 *     --first-line           do not speak MCP: time spawn -> the first line on COMMAND's stdout (cold start of the
 *                            floor client, which prints one line when its initialize POST is answered)
 *
 * The bridge is spawned with pipes for stdin/stdout; the driver writes `initialize` at once and times spawn ->
 * the initialize response ("cold start"), then sends notifications/initialized and runs the phases. Requests are
 * written in batches with a window of W outstanding; stdout is read in large chunks and only the first 4 KiB of
 * each line is kept (enough to find the top-level "id"/"error"/"method" keys), so a 100 MB line costs nothing.
 * At the end it reads VmHWM (peak RSS) from /proc/PID/status and the private dirty memory from
 * /proc/PID/smaps_rollup, closes stdin and waits for the exit.
 * Output: one JSON object on stdout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jscan.h"

#define PREFIX 4096

static pid_t child;
static int to_child = -1, from_child = -1;
static double timeout_s = 120;
static int first_line;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- output buffer to the child ---- */
static char *wbuf;
static size_t wlen, wcap, woff;
static void wadd(const char *s, size_t n) {
    if (wlen + n > wcap) {
        if (woff) { memmove(wbuf, wbuf + woff, wlen - woff); wlen -= woff; woff = 0; }
        while (wlen + n > wcap) wcap = wcap ? wcap * 2 : 1 << 16;
        wbuf = realloc(wbuf, wcap);
    }
    memcpy(wbuf + wlen, s, n);
    wlen += n;
}
static int wflush(void) { /* non-blocking; returns -1 if the child closed its stdin */
    while (woff < wlen) {
        ssize_t w = write(to_child, wbuf + woff, wlen - woff);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) return 0;
            return -1;
        }
        woff += (size_t)w;
    }
    woff = wlen = 0;
    return 0;
}

/* ---- line reader from the child ---- */
static char rchunk[1 << 18];
static char cur[PREFIX];
static size_t cur_plen, cur_len;

typedef struct {
    long responses, errors, notifications, others;
    long last_id;
    size_t last_len;
} counts_t;
static counts_t cnt;
static double *send_time;  /* per id, for the latency phase */
static double *lat_out;
static long lat_base = -1, lat_n, lat_count;

static void on_line(const char *p, size_t plen, size_t total) {
    size_t vs, ve, rs, re;
    if (jscan_key(p, plen, "id", &vs, &ve) && (jscan_key(p, plen, "result", &rs, &re) || jscan_key(p, plen, "error", &rs, &re))) {
        cnt.responses++;
        cnt.last_len = total;
        long id = strtol(p + vs + (p[vs] == '"'), NULL, 10);
        cnt.last_id = id;
        if (jscan_key(p, plen, "error", &rs, &re)) {
            cnt.errors++;
            if (cnt.errors <= 3) fprintf(stderr, "stdio_driver: error response: %.*s\n", (int)(plen > 300 ? 300 : plen), p);
        }
        if (lat_base >= 0 && id >= lat_base && id < lat_base + lat_n && send_time) {
            if (lat_count < lat_n) lat_out[lat_count++] = (now() - send_time[id - lat_base]) * 1e6;
        }
    } else if (jscan_key(p, plen, "method", &vs, &ve)) {
        cnt.notifications++;
    } else {
        cnt.others++;
        if (cnt.others <= 3 && !first_line) fprintf(stderr, "stdio_driver: unexpected line: %.*s\n", (int)(plen > 300 ? 300 : plen), p);
    }
}

/* Reads what is available (waits up to ms). Returns -1 at EOF. */
static int pump_io(int ms) {
    struct pollfd fds[2] = {{.fd = from_child, .events = POLLIN}, {.fd = to_child, .events = woff < wlen ? POLLOUT : 0}};
    int r = poll(fds, woff < wlen ? 2 : 1, ms);
    if (r < 0) return errno == EINTR ? 0 : -1;
    if (woff < wlen && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) if (wflush() < 0) return -1;
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
        ssize_t n = read(from_child, rchunk, sizeof rchunk);
        if (n == 0) return -1;
        if (n < 0) return errno == EINTR || errno == EAGAIN ? 0 : -1;
        size_t i = 0;
        while (i < (size_t)n) {
            char *nl = memchr(rchunk + i, '\n', (size_t)n - i);
            size_t seg = nl ? (size_t)(nl - (rchunk + i)) : (size_t)n - i;
            if (cur_plen < PREFIX) {
                size_t k = seg < PREFIX - cur_plen ? seg : PREFIX - cur_plen;
                memcpy(cur + cur_plen, rchunk + i, k);
                cur_plen += k;
            }
            cur_len += seg;
            i += seg;
            if (nl) {
                if (cur_len > 0) on_line(cur, cur_plen, cur_len);
                cur_plen = cur_len = 0;
                i++;
            }
        }
    }
    return 0;
}

static long next_id = 1;
static void send_echo(long id) {
    char b[256];
    int n = snprintf(b, sizeof b, "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"hello\"}}}\n", id);
    wadd(b, (size_t)n);
}

/* ---- /proc ---- */
static double proc_cpu(pid_t pid) {
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    unsigned long ut = 0, st = 0;
    /* after ") " : state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15) */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2) return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static long proc_status_kib(pid_t pid, const char *key) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long v = -1;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, kl) == 0 && line[kl] == ':') { v = strtol(line + kl + 1, NULL, 10); break; }
    fclose(f);
    return v;
}

/* Private dirty memory: Private_Dirty of /proc/PID/smaps_rollup: the heap, stacks and the pages relocations wrote,
 * i.e. what each further copy of the process adds. Clean file pages (code, read-only data) are left out: copies
 * running side by side share them through the page cache, though VmHWM counts them in full for each. */
static long proc_private_kib(pid_t pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/smaps_rollup", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long v = 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "Private_Dirty:", 14) == 0) v += strtol(line + 14, NULL, 10);
    fclose(f);
    return v;
}

/* ---- phases ---- */
static char out[1 << 16];
static size_t outl;
#define OUT(...) (outl += (size_t)snprintf(out + outl, sizeof out - outl, __VA_ARGS__))

/* Waits until `want` responses have been counted or the deadline passes. Returns 0, or -1 on EOF/timeout. */
static int wait_responses(long want, double deadline) {
    while (cnt.responses < want) {
        if (now() > deadline) return -1;
        if (pump_io(50) < 0) return -1;
    }
    return 0;
}

/* Waits for any complete line (response, notification or other). */
static int wait_lines(double deadline) {
    while (cnt.responses + cnt.notifications + cnt.others == 0) {
        if (now() > deadline) return -1;
        if (pump_io(50) < 0) return cnt.responses + cnt.notifications + cnt.others ? 0 : -1;
    }
    return 0;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int phase_lat(long n, long warmup) {
    for (long i = 0; i < warmup; i++) {
        long want = cnt.responses + 1;
        send_echo(next_id++);
        if (wflush() < 0 || wait_responses(want, now() + timeout_s) < 0) return -1;
    }
    send_time = calloc((size_t)n, sizeof(double));
    lat_out = calloc((size_t)n, sizeof(double));
    lat_base = next_id;
    lat_n = n;
    lat_count = 0;
    long e0 = cnt.errors;
    for (long i = 0; i < n; i++) {
        long want = cnt.responses + 1;
        long id = next_id++;
        send_echo(id);
        send_time[id - lat_base] = now();
        if (wflush() < 0 || wait_responses(want, now() + timeout_s) < 0) return -1;
    }
    qsort(lat_out, (size_t)lat_count, sizeof(double), cmp_d);
    double sum = 0;
    for (long i = 0; i < lat_count; i++) sum += lat_out[i];
    long p99 = (long)((double)lat_count * 0.99);
    if (p99 >= lat_count) p99 = lat_count - 1;
    OUT(",\"lat\":{\"calls\":%ld,\"p50_us\":%.1f,\"p99_us\":%.1f,\"mean_us\":%.1f,\"errors\":%ld}", lat_count,
        lat_count ? lat_out[lat_count / 2] : -1, lat_count ? lat_out[p99] : -1, lat_count ? sum / (double)lat_count : -1, cnt.errors - e0);
    lat_base = -1;
    return 0;
}

static char tbuf[1 << 14];
static size_t tbufl;
static int phase_tput(long window, long n, double seconds) {
    long r0 = cnt.responses, e0 = cnt.errors, sent = 0;
    double cpu0 = proc_cpu(child), t0 = now(), stop = t0 + seconds;
    int rc = 0;
    for (;;) {
        long outstanding = sent - (cnt.responses - r0);
        int sending = sent < n && now() < stop;
        if (!sending && outstanding == 0) break;
        if (sending && outstanding < window) {
            for (long k = outstanding; k < window && sent < n; k++, sent++) send_echo(next_id++);
            if (wflush() < 0) { rc = -1; break; }
        }
        if (!sending && now() > stop + timeout_s) { rc = -1; break; }
        if (pump_io(sending ? 100 : 50) < 0) { rc = -1; break; }
    }
    double dt = now() - t0, cpu = proc_cpu(child) - cpu0;
    long done = cnt.responses - r0;
    tbufl += (size_t)snprintf(tbuf + tbufl, sizeof tbuf - tbufl, "%s{\"window\":%ld,\"calls\":%ld,\"sent\":%ld,\"seconds\":%.4f,\"calls_per_s\":%.1f,\"cpu_s\":%.3f,\"cpu_us_per_call\":%.2f,"
        "\"errors\":%ld,\"complete\":%s}",
        tbufl ? "," : "", window, done, sent, dt, (double)done / dt, cpu, done ? cpu / (double)done * 1e6 : -1,
        cnt.errors - e0, rc == 0 ? "true" : "false");
    return rc;
}

static int phase_one(const char *name, const char *body) {
    long want = cnt.responses + 1, n0 = cnt.notifications, e0 = cnt.errors;
    double t0 = now();
    wadd(body, strlen(body));
    int rc = wflush() < 0 || wait_responses(want, now() + timeout_s) < 0 ? -1 : 0;
    double dt = now() - t0;
    OUT(",\"%s\":{\"seconds\":%.4f,\"notifications\":%ld,\"reply_bytes\":%zu,\"errors\":%ld,\"complete\":%s}", name, dt,
        cnt.notifications - n0, rc == 0 ? cnt.last_len : 0, cnt.errors - e0, rc == 0 ? "true" : "false");
    return rc;
}

typedef struct { char kind; long a, b; double s; } step_t;

int main(int argc, char **argv) {
    step_t steps[32];
    int nsteps = 0, i;
    const char *errpath = "/dev/null";
    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (i + 1 >= argc || nsteps >= 32) goto usage;
        const char *o = argv[i], *v = argv[++i];
        if (strcmp(o, "--lat") == 0) { steps[nsteps] = (step_t){'l', 0, 0, 0}; if (sscanf(v, "%ld:%ld", &steps[nsteps].a, &steps[nsteps].b) != 2) goto usage; nsteps++; }
        else if (strcmp(o, "--tput") == 0) { steps[nsteps] = (step_t){'t', 0, 0, 0}; if (sscanf(v, "%ld:%ld:%lf", &steps[nsteps].a, &steps[nsteps].b, &steps[nsteps].s) != 3) goto usage; nsteps++; }
        else if (strcmp(o, "--progress") == 0) steps[nsteps++] = (step_t){'p', atol(v), 0, 0};
        else if (strcmp(o, "--big") == 0) steps[nsteps++] = (step_t){'b', atol(v), 0, 0};
        else if (strcmp(o, "--timeout") == 0) timeout_s = atof(v);
        else if (strcmp(o, "--stderr") == 0) errpath = v;
        else if (strcmp(o, "--first-line") == 0) { first_line = 1; i--; }
        else goto usage;
    }
    if (i + 1 >= argc) goto usage;
    char **cmd = argv + i + 1;
    signal(SIGPIPE, SIG_IGN);

    int in_p[2], out_p[2];
    if (pipe2(in_p, O_CLOEXEC) < 0 || pipe2(out_p, O_CLOEXEC) < 0) { perror("pipe"); return 1; }
    double t_spawn = now();
    child = fork();
    if (child < 0) { perror("fork"); return 1; }
    if (child == 0) {
        dup2(in_p[0], 0);
        dup2(out_p[1], 1);
        int e = open(errpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (e >= 0) dup2(e, 2);
        execvp(cmd[0], cmd);
        _exit(127);
    }
    close(in_p[0]);
    close(out_p[1]);
    to_child = in_p[1];
    from_child = out_p[0];
    fcntl(to_child, F_SETFL, O_NONBLOCK);

    OUT("{\"pid\":%d", child);
    if (first_line) {
        int rc = wait_lines(now() + timeout_s);
        OUT(",\"cold_start_ms\":%.2f", rc == 0 ? (now() - t_spawn) * 1e3 : -1.0);
        int status;
        close(to_child);
        waitpid(child, &status, 0);
        OUT(",\"ok\":%s}", rc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "true" : "false");
        puts(out);
        return rc == 0 ? 0 : 1;
    }
    const char *init = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                       "\"capabilities\":{},\"clientInfo\":{\"name\":\"stdio_driver\",\"version\":\"1.0\"}}}\n";
    wadd(init, strlen(init));
    int rc = wflush() < 0 || wait_responses(1, now() + timeout_s) < 0 || cnt.errors ? -1 : 0;
    OUT(",\"cold_start_ms\":%.2f", rc == 0 ? (now() - t_spawn) * 1e3 : -1.0);
    const char *inited = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n";
    wadd(inited, strlen(inited));
    if (rc == 0 && wflush() < 0) rc = -1;
    long rss_after_init = proc_status_kib(child, "VmRSS");
    OUT(",\"rss_after_init_kib\":%ld", rss_after_init);

    for (int s = 0; s < nsteps && rc == 0; s++) {
        char body[512];
        switch (steps[s].kind) {
        case 'l': rc = phase_lat(steps[s].a, steps[s].b); break;
        case 't': rc = phase_tput(steps[s].a, steps[s].b, steps[s].s); break;
        case 'p':
            snprintf(body, sizeof body, "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\",\"params\":{\"name\":\"progress\","
                     "\"arguments\":{\"count\":%ld},\"_meta\":{\"progressToken\":\"p1\"}}}\n", next_id++, steps[s].a);
            rc = phase_one("progress", body);
            break;
        case 'b':
            snprintf(body, sizeof body, "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\",\"params\":{\"name\":\"big\","
                     "\"arguments\":{\"bytes\":%ld}}}\n", next_id++, steps[s].a);
            rc = phase_one("big", body);
            break;
        }
    }
    OUT(",\"tput\":[%s]", tbuf);
    OUT(",\"peak_rss_kib\":%ld,\"private_kib\":%ld,\"cpu_total_s\":%.3f,\"ok\":%s", proc_status_kib(child, "VmHWM"),
        proc_private_kib(child), proc_cpu(child), rc == 0 ? "true" : "false");

    /* Shut down: close stdin, drain stdout, wait (then TERM, then KILL). */
    close(to_child);
    to_child = -1;
    wlen = woff = 0;
    double t_close = now();
    int status = 0, sig_sent = 0;
    for (;;) {
        pid_t w = waitpid(child, &status, WNOHANG);
        if (w == child) break;
        double waited = now() - t_close;
        if (waited > 5 && sig_sent == 0) { kill(child, SIGTERM); sig_sent = 1; }
        if (waited > 8 && sig_sent == 1) { kill(child, SIGKILL); sig_sent = 2; }
        struct pollfd pf = {.fd = from_child, .events = POLLIN};
        if (poll(&pf, 1, 20) > 0) {
            ssize_t n = read(from_child, rchunk, sizeof rchunk);
            if (n <= 0) usleep(20000);
        }
    }
    OUT(",\"exit\":%d,\"shutdown_ms\":%.1f,\"signalled\":%d,\"responses\":%ld,\"errors\":%ld,\"notifications\":%ld,\"other_lines\":%ld}",
        WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), (now() - t_close) * 1e3, sig_sent, cnt.responses, cnt.errors,
        cnt.notifications, cnt.others);
    puts(out);
    return rc == 0 ? 0 : 1;
usage:
    fprintf(stderr, "usage: stdio_driver [--lat N:WARMUP] [--tput W:N:SECONDS]... [--progress COUNT] [--big BYTES] [--timeout S] "
                    "[--stderr PATH] -- COMMAND [ARGS...]\n");
    return 64;
}
