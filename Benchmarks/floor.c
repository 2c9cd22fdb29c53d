/* floor: the direct keep-alive client the bridges are judged against. libcurl (the bridge's own HTTP engine),
 * plain HTTP/1.1 POSTs with the same headers and bodies a bridge sends; reply bodies are read and discarded.
 *
 *   floor URL seq N WARMUP          sequential tools/call echo on one reused connection; prints per-call latency
 *   floor URL tput W N SECONDS [T]  W requests in flight (W keep-alive connections, curl multi, T threads, default
 *                                   1) until N calls or SECONDS; prints calls/s and this process's CPU time
 *   floor URL one BODY              one POST of BODY; prints time, bytes, SSE events and peak RSS
 * Output: one JSON object on stdout. Exit 1 if any reply was not HTTP 200/202.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static const char *url;
static struct curl_slist *headers;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct { size_t bytes, events; char last; char prev; } sink_t;

static size_t on_data(char *p, size_t sz, size_t n, void *ud) {
    sink_t *s = ud;
    size_t len = sz * n;
    if (s) {
        s->bytes += len;
        for (size_t i = 0; i < len; i++) { /* count blank-line event separators (\n\n or \r\n\r\n) */
            char c = p[i];
            if (c == '\n' && (s->last == '\n' || (s->last == '\r' && s->prev == '\n'))) s->events++;
            s->prev = s->last;
            s->last = c;
        }
    }
    return len;
}

static CURL *make_easy(char *body, sink_t *sink) {
    CURL *e = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, sink);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    return e;
}

static void echo_body(char *buf, size_t cap, long id) {
    snprintf(buf, cap, "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"hello\"}}}", id);
}

static int ok_status(CURL *e) {
    long code = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
    return code == 200 || code == 202;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long peak_rss_kib(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int run_seq(long n, long warmup) {
    char body[512];
    CURL *e = make_easy(body, NULL);
    double *lat = malloc(sizeof(double) * (size_t)n);
    long errors = 0;
    for (long i = 0; i < warmup + n; i++) {
        echo_body(body, sizeof body, i + 1);
        double t0 = now();
        CURLcode rc = curl_easy_perform(e);
        double dt = now() - t0;
        if (rc != CURLE_OK || !ok_status(e)) errors++;
        if (i >= warmup) lat[i - warmup] = dt * 1e6;
    }
    qsort(lat, (size_t)n, sizeof(double), cmp_d);
    double sum = 0;
    for (long i = 0; i < n; i++) sum += lat[i];
    printf("{\"calls\":%ld,\"p50_us\":%.1f,\"p99_us\":%.1f,\"mean_us\":%.1f,\"peak_rss_kib\":%ld,\"errors\":%ld}\n", n, lat[n / 2],
           lat[(long)((double)n * 0.99) < n ? (long)((double)n * 0.99) : n - 1], sum / (double)n, peak_rss_kib(), errors);
    return errors ? 1 : 0;
}

typedef struct {
    long window, limit;
    double deadline;
    long done, errors;
} tput_arg;

static void *tput_thread(void *p) {
    tput_arg *a = p;
    CURLM *m = curl_multi_init();
    curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, a->window + 4);
    char (*bodies)[256] = calloc((size_t)a->window, 256);
    long started = 0, id = 1;
    for (long i = 0; i < a->window && started < a->limit; i++, started++) {
        echo_body(bodies[i], 256, id++);
        CURL *e = make_easy(bodies[i], NULL);
        curl_easy_setopt(e, CURLOPT_PRIVATE, bodies[i]);
        curl_multi_add_handle(m, e);
    }
    int running = 1;
    while (running || started > a->done) {
        curl_multi_perform(m, &running);
        CURLMsg *msg;
        int q;
        int stop = now() >= a->deadline;
        while ((msg = curl_multi_info_read(m, &q))) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL *e = msg->easy_handle;
            a->done++;
            if (msg->data.result != CURLE_OK || !ok_status(e)) a->errors++;
            curl_multi_remove_handle(m, e);
            if (started < a->limit && !stop) {
                char *body;
                curl_easy_getinfo(e, CURLINFO_PRIVATE, &body);
                echo_body(body, 256, id++);
                curl_multi_add_handle(m, e);
                started++;
                running = 1;
            } else {
                curl_easy_cleanup(e);
            }
        }
        if (started == a->done) break;
        curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    curl_multi_cleanup(m);
    free(bodies);
    return NULL;
}

static int run_tput(long window, long n, double seconds, long threads) {
    if (threads < 1) threads = 1;
    if (threads > window) threads = window;
    pthread_t th[64];
    tput_arg args[64];
    double c0 = cpu_seconds(), t0 = now();
    for (long t = 0; t < threads; t++) {
        args[t] = (tput_arg){.window = window / threads + (t < window % threads), .limit = n / threads + (t < n % threads),
                             .deadline = t0 + seconds};
        pthread_create(&th[t], NULL, tput_thread, &args[t]);
    }
    long done = 0, errors = 0;
    for (long t = 0; t < threads; t++) {
        pthread_join(th[t], NULL);
        done += args[t].done;
        errors += args[t].errors;
    }
    double dt = now() - t0, cpu = cpu_seconds() - c0;
    printf("{\"calls\":%ld,\"seconds\":%.4f,\"calls_per_s\":%.1f,\"cpu_s\":%.4f,\"cpu_us_per_call\":%.2f,\"peak_rss_kib\":%ld,\"errors\":%ld}\n", done, dt,
           (double)done / dt, cpu, cpu / (double)(done ? done : 1) * 1e6, peak_rss_kib(), errors);
    return errors ? 1 : 0;
}

static int run_one(char *body) {
    sink_t sink = {0};
    CURL *e = make_easy(body, &sink);
    double t0 = now();
    CURLcode rc = curl_easy_perform(e);
    double dt = now() - t0;
    int ok = rc == CURLE_OK && ok_status(e);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"seconds\":%.6f,\"bytes\":%zu,\"sse_events\":%zu,\"peak_rss_kib\":%ld,\"errors\":%d}\n", dt, sink.bytes, sink.events,
           ru.ru_maxrss, ok ? 0 : 1);
    return ok ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: floor URL seq N WARMUP | tput W N SECONDS [THREADS] | one BODY\n"); return 64; }
    url = argv[1];
    curl_global_init(CURL_GLOBAL_DEFAULT);
    headers = curl_slist_append(NULL, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Accept: application/json, text/event-stream");
    headers = curl_slist_append(headers, "Expect:");
    if (strcmp(argv[2], "seq") == 0 && argc >= 5) return run_seq(atol(argv[3]), atol(argv[4]));
    if (strcmp(argv[2], "tput") == 0 && argc >= 6) return run_tput(atol(argv[3]), atol(argv[4]), atof(argv[5]), argc > 6 ? atol(argv[6]) : 1);
    if (strcmp(argv[2], "one") == 0 && argc >= 4) return run_one(argv[3]);
    fprintf(stderr, "floor: bad arguments\n");
    return 64;
}
