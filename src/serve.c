#include "serve.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine.h"

typedef enum { EP_COMPRESS, EP_DECOMPRESS } endpoint;

/* One request being received. */
typedef struct {
    endpoint ep;
    struct MHD_PostProcessor *pp;
    uint8_t *body;
    size_t len, cap;
    char rows[32], cols[32];
    int status; /* an error already decided (4xx), else 0 */
    char error[256];
} request;

/* Contexts of requests done, for the next ones: a request takes one (or
 * makes one), uses it alone, and gives it back, so the decoder tables and
 * lane buffers of earlier requests serve the next at steady-state speed.
 * There are at most as many as requests ever ran at once. */
typedef struct ctx_pool {
    mx_ctx *ctx;
    struct ctx_pool *next;
} ctx_pool;

typedef struct {
    const mx_serve_opts *o;
    pthread_mutex_t lock;
    ctx_pool *idle;
} server;

static mx_ctx *ctx_take(server *s)
{
    pthread_mutex_lock(&s->lock);
    ctx_pool *e = s->idle;
    if (e)
        s->idle = e->next;
    pthread_mutex_unlock(&s->lock);
    mx_ctx *ctx = e ? e->ctx : mx_ctx_create();
    free(e);
    if (ctx && !e)
        mx_ctx_set_threads(ctx, s->o->threads);
    return ctx;
}

static void ctx_give(server *s, mx_ctx *ctx)
{
    ctx_pool *e = malloc(sizeof *e);
    if (!e) { /* cannot keep it: the next request makes another */
        mx_ctx_free(ctx);
        return;
    }
    e->ctx = ctx;
    pthread_mutex_lock(&s->lock);
    e->next = s->idle;
    s->idle = e;
    pthread_mutex_unlock(&s->lock);
}

static void req_fail(request *r, int status, const char *msg)
{
    if (!r->status) {
        r->status = status;
        snprintf(r->error, sizeof r->error, "%s\n", msg);
    }
}

static void append(request *r, const server *s, const char *data, size_t size)
{
    if (r->status)
        return;
    if (r->len + size > s->o->max_upload) {
        req_fail(r, MHD_HTTP_CONTENT_TOO_LARGE, "upload larger than the server's limit");
        return;
    }
    if (r->len + size > r->cap) {
        size_t cap = r->cap ? r->cap : 65536;
        while (cap < r->len + size)
            cap *= 2;
        uint8_t *q = realloc(r->body, cap);
        if (!q) {
            req_fail(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
            return;
        }
        r->body = q;
        r->cap = cap;
    }
    memcpy(r->body + r->len, data, size);
    r->len += size;
}

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *filename, const char *content_type,
                                const char *transfer_encoding, const char *data, uint64_t off,
                                size_t size)
{
    (void)kind, (void)filename, (void)content_type, (void)transfer_encoding;
    void **pair = cls;
    request *r = pair[0];
    const server *s = pair[1];
    if (!strcmp(key, "file")) {
        append(r, s, data, size);
    } else if (!strcmp(key, "rows") || !strcmp(key, "cols")) {
        char *dst = key[0] == 'r' ? r->rows : r->cols;
        if (off + size >= sizeof r->rows)
            req_fail(r, MHD_HTTP_BAD_REQUEST, "rows/cols field too long");
        else
            memcpy(dst + off, data, size);
    }
    return MHD_YES;
}

static enum MHD_Result respond(struct MHD_Connection *c, int status, const char *type,
                               void *body, size_t len, int owned)
{
    struct MHD_Response *resp =
        owned ? MHD_create_response_from_buffer_with_free_callback(len, body, free)
              : MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_COPY);
    if (!resp) {
        if (owned)
            free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", type);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result text(struct MHD_Connection *c, int status, const char *msg)
{
    return respond(c, status, "text/plain", (void *)msg, strlen(msg), 0);
}

static int parse_dim(const char *s, uint64_t *v)
{
    if (!*s) {
        *v = 0;
        return 0;
    }
    char *end;
    unsigned long long x = strtoull(s, &end, 10);
    if (*end || s[0] == '-')
        return -1;
    *v = x;
    return 0;
}

/* Runs the engine on a complete request, with a context of the pool. */
static enum MHD_Result run(struct MHD_Connection *c, const server *s, mx_ctx *ctx, request *r)
{
    mx_error err = {0};
    if (r->ep == EP_DECOMPRESS) {
        mx_matrix m;
        if (mx_decompress(ctx, r->body, r->len, &m, &err)) {
            char msg[600];
            snprintf(msg, sizeof msg, "%s\n", err.msg);
            return text(c, err.code == MX_EFAIL ? 500 : MHD_HTTP_BAD_REQUEST, msg);
        }
        size_t n = mx_matrix_count(&m) * 2;
        uint8_t *out = malloc(n + 1);
        if (!out) {
            mx_matrix_free(&m);
            return text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
        }
        memcpy(out, m.data, n);
        mx_matrix_free(&m);
        return respond(c, MHD_HTTP_OK, "application/octet-stream", out, n, 1);
    }
    uint64_t rows, cols;
    if (parse_dim(r->rows, &rows) || parse_dim(r->cols, &cols))
        return text(c, MHD_HTTP_BAD_REQUEST, "rows and cols must be non-negative integers\n");
    if (r->len % 2)
        return text(c, MHD_HTTP_BAD_REQUEST, "odd number of bytes: not bf16 values\n");
    size_t n = r->len / 2;
    int unshaped = !rows || !cols; /* as the competition sends it: the engine finds the width */
    if (unshaped) {
        rows = 1;
        cols = n;
    }
    if ((cols && rows > SIZE_MAX / 2 / cols) || rows * cols != n)
        return text(c, MHD_HTTP_BAD_REQUEST, "rows x cols does not match the upload\n");
    mx_matrix m;
    if (mx_matrix_alloc(&m, rows, cols))
        return text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
    for (size_t i = 0; i < n; i++)
        m.data[i] = (uint16_t)(r->body[2 * i] | r->body[2 * i + 1] << 8);
    m.origin = MX_ORIGIN_RAW;
    uint8_t *out;
    size_t len;
    int rc = unshaped ? mx_compress_unshaped(ctx, s->o->pipeline, &m, &out, &len, &err)
                      : mx_compress(ctx, s->o->pipeline, &m, &out, &len, &err);
    mx_matrix_free(&m);
    if (rc) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s\n", err.msg);
        return text(c, err.code == MX_EFAIL ? 500 : MHD_HTTP_BAD_REQUEST, msg);
    }
    return respond(c, MHD_HTTP_OK, "application/octet-stream", out, len, 1);
}

static enum MHD_Result finish(struct MHD_Connection *c, server *s, request *r)
{
    if (r->status)
        return text(c, r->status, r->error);
    mx_ctx *ctx = ctx_take(s);
    if (!ctx)
        return text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
    enum MHD_Result ret = run(c, s, ctx, r);
    ctx_give(s, ctx);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    server *s = cls;
    request *r = *con_cls;
    if (!r) { /* first call: headers only */
        if (!strcmp(url, "/health")) {
            if (strcmp(method, "GET") && strcmp(method, "HEAD"))
                return text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET\n");
            char body[MX_SPEC_MAX + 64];
            char spec[MX_SPEC_MAX];
            mx_pipeline_format(s->o->pipeline, spec, sizeof spec);
            snprintf(body, sizeof body, "{\"status\":\"ok\",\"pipeline\":\"%s\"}", spec);
            return respond(c, MHD_HTTP_OK, "application/json", body, strlen(body), 0);
        }
        int is_c = !strcmp(url, "/compress"), is_d = !strcmp(url, "/decompress");
        if (!is_c && !is_d)
            return text(c, MHD_HTTP_NOT_FOUND, "no such endpoint (/health, /compress, /decompress)\n");
        if (strcmp(method, "POST"))
            return text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST\n");
        r = calloc(1, sizeof *r + 2 * sizeof(void *));
        if (!r)
            return MHD_NO;
        r->ep = is_c ? EP_COMPRESS : EP_DECOMPRESS;
        void **pair = (void **)(r + 1);
        pair[0] = r;
        pair[1] = s;
        r->pp = MHD_create_post_processor(c, 65536, on_field, pair);
        /* no post processor: not a form; the raw body is the file */
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_size) {
        if (r->pp) {
            if (MHD_post_process(r->pp, upload, *upload_size) != MHD_YES)
                req_fail(r, MHD_HTTP_BAD_REQUEST, "malformed form data");
        } else {
            append(r, s, upload, *upload_size);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    return finish(c, s, r);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    request *r = *con_cls;
    if (!r)
        return;
    if (r->pp)
        MHD_destroy_post_processor(r->pp);
    free(r->body);
    free(r);
    *con_cls = NULL;
}

int mx_serve(const mx_serve_opts *o, mx_error *err)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)o->port);
    if (inet_pton(AF_INET, o->host, &addr.sin_addr) != 1)
        return mx_fail(err, MX_EINPUT, "bad host address '%s' (want an IPv4 address)", o->host);
    /* block the stop signals in every thread; the main thread waits for them */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    server s = {o, PTHREAD_MUTEX_INITIALIZER, NULL};
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, (uint16_t)o->port, NULL,
        NULL, on_request, &s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)60, MHD_OPTION_END);
    if (!d) {
        pthread_mutex_destroy(&s.lock);
        return mx_fail(err, MX_EINPUT, "cannot listen on %s:%u (port in use?)", o->host, o->port);
    }
    char spec[MX_SPEC_MAX];
    mx_pipeline_format(o->pipeline, spec, sizeof spec);
    fprintf(stderr, "mxbench: serving %s on http://%s:%u (Ctrl-C stops)\n", spec, o->host, o->port);
    int sig;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    while (s.idle) {
        ctx_pool *e = s.idle;
        s.idle = e->next;
        mx_ctx_free(e->ctx);
        free(e);
    }
    pthread_mutex_destroy(&s.lock);
    fprintf(stderr, "mxbench: stopped\n");
    return 0;
}
