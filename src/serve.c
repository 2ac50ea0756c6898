#include "serve.h"
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "container.h"
#include "engine.h"

/* ---- answers ---------------------------------------------------------- */

static void answer(mx_http_response *r, int status, const char *type, uint8_t *body, size_t len)
{
    r->status = status;
    r->content_type = type;
    r->body = body;
    r->len = len;
}

/* A one-line text/plain answer (the newline is added). */
__attribute__((format(printf, 3, 4))) static void say(mx_http_response *r, int status,
                                                      const char *fmt, ...)
{
    char line[640];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof line - 2 ? (size_t)n : sizeof line - 2;
    line[len++] = '\n';
    uint8_t *b = malloc(len);
    if (!b) {
        answer(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain", NULL, 0);
        return;
    }
    memcpy(b, line, len);
    answer(r, status, "text/plain", b, len);
}

static void say_json(mx_http_response *r, int status, const char *json)
{
    size_t len = strlen(json);
    uint8_t *b = malloc(len);
    if (!b) {
        answer(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain", NULL, 0);
        return;
    }
    memcpy(b, json, len);
    answer(r, status, "application/json", b, len);
}

/* What FastAPI answers for a missing required form field. */
static void missing_file(mx_http_response *r)
{
    say_json(r, MHD_HTTP_UNPROCESSABLE_CONTENT,
             "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\",\"file\"],"
             "\"msg\":\"Field required\",\"input\":null}]}");
}

/* ---- multipart/form-data (RFC 7578), parsed whole and strictly -------- */

typedef struct {
    const uint8_t *file; /* points into the body */
    size_t file_len;
    int have_file;
    char rows[32], cols[32];
} form;

/* The boundary parameter of a multipart Content-Type (1..70 bytes). */
static int get_boundary(const char *ct, char *b, size_t n)
{
    for (const char *p = ct; (p = strchr(p, ';')); ) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "boundary=", 9))
            continue;
        p += 9;
        size_t k = 0;
        if (*p == '"') {
            for (p++; *p && *p != '"' && k + 1 < n; p++)
                b[k++] = *p;
            if (*p != '"')
                return -1;
        } else {
            for (; *p && *p != ';' && *p != ' ' && *p != '\t' && k + 1 < n; p++)
                b[k++] = *p;
            if (*p && *p != ';' && *p != ' ' && *p != '\t')
                return -1;
        }
        b[k] = 0;
        return k >= 1 && k <= 70 ? 0 : -1;
    }
    return -1;
}

/* The name="..." parameter of a Content-Disposition value, into name: 0,
 * -1 when there is none, -2 when it does not fit (no field we know). */
static int disposition_name(const char *v, char *name, size_t n)
{
    for (const char *p = v; (p = strchr(p, ';')); ) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "name=", 5))
            continue;
        p += 5;
        size_t k = 0;
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1])
                    p++;
                if (k + 1 >= n)
                    return -2;
                name[k++] = *p;
            }
            if (*p != '"')
                return -1;
        } else {
            for (; *p && *p != ';' && *p != ' ' && *p != '\t'; p++) {
                if (k + 1 >= n)
                    return -2;
                name[k++] = *p;
            }
        }
        name[k] = 0;
        return k ? 0 : -1;
    }
    return -1;
}

#define MAX_PART_HEADERS 16384
#define MAX_HEADER_LINE 1024

/* Parses a whole multipart body into f: 0, or the status (400 or 422) with
 * a one-line reason in why. */
static int parse_form(const char *ct, const uint8_t *body, size_t len, form *f, char *why,
                      size_t why_n)
{
    char b[72], delim[80];
    if (get_boundary(ct, b, sizeof b)) {
        snprintf(why, why_n, "multipart/form-data without a valid boundary parameter");
        return MHD_HTTP_BAD_REQUEST;
    }
    /* a delimiter is CRLF "--" boundary, except at the very start */
    int dl = snprintf(delim, sizeof delim, "\r\n--%s", b);
    size_t d = (size_t)dl - 2;
    const uint8_t *end = body + len, *p;
    if (len >= d && !memcmp(body, delim + 2, d)) {
        p = body + d;
    } else {
        const uint8_t *q = memmem(body, len, delim, (size_t)dl);
        if (!q) {
            snprintf(why, why_n, "malformed form: the body does not hold its boundary '%s'", b);
            return MHD_HTTP_BAD_REQUEST;
        }
        p = q + dl;
    }
    size_t parts = 0;
    for (;;) {
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            break; /* the close delimiter; what follows is ignored */
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n') {
            snprintf(why, why_n, "malformed form: a boundary line runs on or the body is cut short");
            return MHD_HTTP_BAD_REQUEST;
        }
        p += 2;
        char name[64];
        int named = 0;
        size_t hbytes = 0;
        for (;;) { /* the part's header lines, up to an empty one */
            const uint8_t *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
            if (!eol) {
                snprintf(why, why_n, "malformed form: a part's headers are cut short");
                return MHD_HTTP_BAD_REQUEST;
            }
            size_t ll = (size_t)(eol - p);
            hbytes += ll + 2;
            if (ll >= MAX_HEADER_LINE || hbytes > MAX_PART_HEADERS) {
                snprintf(why, why_n, "malformed form: a part's headers are too long");
                return MHD_HTTP_BAD_REQUEST;
            }
            if (ll == 0) {
                p = eol + 2;
                break;
            }
            char line[MAX_HEADER_LINE];
            memcpy(line, p, ll);
            line[ll] = 0;
            char *colon = memchr(line, ':', ll);
            if (!colon || memchr(line, 0, ll)) {
                snprintf(why, why_n, "malformed form: a part header is not 'Name: value'");
                return MHD_HTTP_BAD_REQUEST;
            }
            *colon = 0;
            if (!strcasecmp(line, "Content-Disposition")) {
                int rc = disposition_name(colon + 1, name, sizeof name);
                named = rc == 0 ? 1 : rc == -2 ? 2 : 0; /* 2: a long name, no field of ours */
            }
            p = eol + 2;
        }
        const uint8_t *q = memmem(p, (size_t)(end - p), delim, (size_t)dl);
        if (!q) {
            snprintf(why, why_n, "malformed form: a part is not closed by the boundary");
            return MHD_HTTP_BAD_REQUEST;
        }
        size_t clen = (size_t)(q - p);
        if (!named) {
            snprintf(why, why_n, "malformed form: a part has no Content-Disposition name");
            return MHD_HTTP_BAD_REQUEST;
        }
        parts++;
        if (named == 1 && !strcmp(name, "file")) {
            if (f->have_file) {
                snprintf(why, why_n, "the form has more than one 'file' field");
                return MHD_HTTP_BAD_REQUEST;
            }
            f->file = p;
            f->file_len = clen;
            f->have_file = 1;
        } else if (named == 1 && (!strcmp(name, "rows") || !strcmp(name, "cols"))) {
            char *dst = name[0] == 'r' ? f->rows : f->cols;
            if (clen >= sizeof f->rows || memchr(p, 0, clen)) {
                snprintf(why, why_n, "the %s field is not a number", name);
                return MHD_HTTP_BAD_REQUEST;
            }
            memcpy(dst, p, clen);
            dst[clen] = 0;
        }
        p = q + dl;
    }
    if (!parts) {
        snprintf(why, why_n, "empty form: it has no parts");
        return MHD_HTTP_BAD_REQUEST;
    }
    return f->have_file ? 0 : MHD_HTTP_UNPROCESSABLE_CONTENT;
}

/* ---- the endpoints ---------------------------------------------------- */

/* A decimal count, or 0 for an empty field. */
static int parse_dim(const char *s, uint64_t *v)
{
    *v = 0;
    if (!*s)
        return 0;
    if (strlen(s) > 20 || strspn(s, "0123456789") != strlen(s))
        return -1;
    errno = 0;
    unsigned long long x = strtoull(s, NULL, 10);
    if (errno)
        return -1;
    *v = x;
    return 0;
}

static void engine_error(mx_http_response *r, const mx_error *err)
{
    say(r, err->code == MX_EFAIL ? MHD_HTTP_INTERNAL_SERVER_ERROR : MHD_HTTP_BAD_REQUEST, "%s",
        err->msg);
}

static void do_decompress(const mx_serve_opts *o, mx_ctx *ctx, const form *f,
                          mx_http_response *r)
{
    mx_error err = {0};
    mx_container hdr;
    uint64_t flen;
    /* the header says how big the matrix is: refuse before allocating it */
    if (mx_container_frame_len(f->file, f->file_len, &flen, &hdr, &err) == 0 && hdr.cols &&
        hdr.total_rows > o->max_output / 2 / hdr.cols) {
        say(r, MHD_HTTP_CONTENT_TOO_LARGE,
            "the decoded matrix (%llux%llu bf16) is larger than the server's output limit of %zu "
            "bytes", (unsigned long long)hdr.total_rows, (unsigned long long)hdr.cols,
            o->max_output);
        return;
    }
    mx_matrix m;
    if (mx_decompress(ctx, f->file, f->file_len, &m, &err)) {
        engine_error(r, &err);
        return;
    }
    free(m.origin_blob);
    /* the values are the answer: little-endian bf16, as this host holds them */
    answer(r, MHD_HTTP_OK, "application/octet-stream", (uint8_t *)m.data, mx_matrix_count(&m) * 2);
}

static void do_compress(const mx_serve_opts *o, mx_ctx *ctx, const form *f, mx_http_response *r)
{
    uint64_t rows, cols;
    if (parse_dim(f->rows, &rows) || parse_dim(f->cols, &cols)) {
        say(r, MHD_HTTP_BAD_REQUEST, "rows and cols must be non-negative integers");
        return;
    }
    if (f->file_len % 2) {
        say(r, MHD_HTTP_BAD_REQUEST, "odd number of bytes: not bf16 values");
        return;
    }
    size_t n = f->file_len / 2;
    if (!n) {
        say(r, MHD_HTTP_BAD_REQUEST, "the file holds no values");
        return;
    }
    if (!rows != !cols) { /* half a shape is a mistake, not a request to infer */
        say(r, MHD_HTTP_BAD_REQUEST, "give both rows and cols, or neither");
        return;
    }
    int unshaped = !rows; /* as the competition sends it: the engine finds the width */
    if (unshaped) {
        rows = 1;
        cols = n;
    }
    if (rows > SIZE_MAX / 2 / cols || rows * cols != n) {
        say(r, MHD_HTTP_BAD_REQUEST, "rows x cols does not match the upload");
        return;
    }
    mx_matrix m;
    if (mx_matrix_alloc(&m, rows, cols)) {
        say(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++)
        m.data[i] = (uint16_t)(f->file[2 * i] | f->file[2 * i + 1] << 8);
    m.origin = MX_ORIGIN_RAW;
    uint8_t *out;
    size_t len;
    mx_error err = {0};
    int rc = unshaped ? mx_compress_unshaped(ctx, o->pipeline, &m, &out, &len, &err)
                      : mx_compress(ctx, o->pipeline, &m, &out, &len, &err);
    mx_matrix_free(&m);
    if (rc) {
        engine_error(r, &err);
        return;
    }
    if (len > o->max_output) {
        free(out);
        say(r, MHD_HTTP_CONTENT_TOO_LARGE, "the compressed file (%zu bytes) is larger than the "
            "server's output limit of %zu bytes", len, o->max_output);
        return;
    }
    answer(r, MHD_HTTP_OK, "application/octet-stream", out, len);
}

static int media_is(const char *ct, const char *type)
{
    size_t n = strlen(type);
    return ct && !strncasecmp(ct, type, n) && (!ct[n] || ct[n] == ';' || ct[n] == ' ');
}

void mx_serve_handle(const mx_serve_opts *o, mx_ctx *ctx, const char *method, const char *url,
                     const char *content_type, const uint8_t *body, size_t len,
                     mx_http_response *r)
{
    memset(r, 0, sizeof *r);
    if (!strcmp(url, "/health")) {
        if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
            say(r, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
            return;
        }
        char json[MX_SPEC_MAX + 64], spec[MX_SPEC_MAX];
        mx_pipeline_format(o->pipeline, spec, sizeof spec);
        snprintf(json, sizeof json, "{\"status\":\"ok\",\"pipeline\":\"%s\"}", spec);
        say_json(r, MHD_HTTP_OK, json);
        return;
    }
    int is_c = !strcmp(url, "/compress"), is_d = !strcmp(url, "/decompress");
    if (!is_c && !is_d) {
        say(r, MHD_HTTP_NOT_FOUND, "no such endpoint (/health, /compress, /decompress)");
        return;
    }
    if (strcmp(method, "POST")) {
        say(r, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
        return;
    }
    if (len > o->max_upload) {
        say(r, MHD_HTTP_CONTENT_TOO_LARGE, "upload larger than the server's limit");
        return;
    }
    if (!len) {
        say(r, MHD_HTTP_BAD_REQUEST, "empty body: send the file as form field 'file' or as the body");
        return;
    }
    form f;
    memset(&f, 0, sizeof f);
    if (media_is(content_type, "multipart/form-data")) {
        char why[256];
        int status = parse_form(content_type, body, len, &f, why, sizeof why);
        if (status == MHD_HTTP_UNPROCESSABLE_CONTENT) {
            missing_file(r);
            return;
        }
        if (status) {
            say(r, status, "%s", why);
            return;
        }
    } else if (media_is(content_type, "application/x-www-form-urlencoded")) {
        say(r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
            "send the file as multipart/form-data or as an application/octet-stream body");
        return;
    } else {
        f.file = body; /* not a form: the body is the file */
        f.file_len = len;
    }
    if (!ctx)
        say(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    else if (is_d)
        do_decompress(o, ctx, &f, r);
    else
        do_compress(o, ctx, &f, r);
}

/* ---- the server: libmicrohttpd glue ------------------------------------ */

/* Contexts of requests done, for the next ones: a request takes one (or
 * makes one), uses it alone, and gives it back, so the decoder tables and
 * lane buffers of earlier requests serve the next at steady-state speed.
 * There are at most max_connections: no more requests are coded at once. */
typedef struct ctx_pool {
    mx_ctx *ctx;
    struct ctx_pool *next;
} ctx_pool;

typedef struct {
    const mx_serve_opts *o;
    atomic_uint busy;     /* requests being coded */
    pthread_mutex_t lock; /* guards idle and held */
    ctx_pool *idle;
    size_t held;          /* bytes of uploads in memory and of answers being sent */
    size_t budget;        /* past it no upload grows and no coding starts: 503 */
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
    ctx_pool *e = ctx ? malloc(sizeof *e) : NULL;
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

/* ---- the memory budget and the work slots ------------------------------ */

/* Whether n more bytes fit the budget. */
static int budget_room(server *s, size_t n)
{
    pthread_mutex_lock(&s->lock);
    int ok = n <= s->budget && s->held <= s->budget - n;
    pthread_mutex_unlock(&s->lock);
    return ok;
}

/* Takes n bytes of the budget: 0, or -1 (nothing taken) when they do not
 * fit; with force, they are taken anyway (an answer already made). */
static int budget_take(server *s, size_t n, int force)
{
    pthread_mutex_lock(&s->lock);
    int ok = force || (n <= s->budget && s->held <= s->budget - n);
    if (ok)
        s->held += n;
    pthread_mutex_unlock(&s->lock);
    return ok ? 0 : -1;
}

static void budget_give(server *s, size_t n)
{
    pthread_mutex_lock(&s->lock);
    s->held -= n;
    pthread_mutex_unlock(&s->lock);
}

#define NO_SLOT (-1)
#define NO_MEMORY (-2)

/* A work slot, taken once a request's upload is all in, so that no client
 * holds one while it sends: 0, NO_SLOT when all are coding, or NO_MEMORY
 * when the uploads and answers in memory have spent the budget (a request
 * coded now may add an answer of max_output past it: at most
 * max_connections of them). */
static int slot_take(server *s)
{
    if (!budget_room(s, 0))
        return NO_MEMORY;
    if (atomic_fetch_add(&s->busy, 1) >= s->o->max_connections) {
        atomic_fetch_sub(&s->busy, 1);
        return NO_SLOT;
    }
    return 0;
}

static void slot_give(server *s)
{
    atomic_fetch_sub(&s->busy, 1);
}

/* The 503 for what slot_take found. */
static void busy(const server *s, int why, mx_http_response *a)
{
    if (why == NO_MEMORY)
        say(a, MHD_HTTP_SERVICE_UNAVAILABLE, "server busy: uploads and answers in progress "
            "hold its memory budget (%zu bytes); retry later", s->budget);
    else
        say(a, MHD_HTTP_SERVICE_UNAVAILABLE, "server busy: %u requests being coded; retry later",
            s->o->max_connections);
}

/* ---- requests ---------------------------------------------------------- */

/* One request being received. */
typedef struct {
    int too_large;
    int refused; /* the budget is spent: the rest is read and dropped, then 503 */
    uint8_t *body;
    size_t len, cap;
    char *content_type;
} request;

/* An answer being sent, handed to libmicrohttpd a block at a time; its
 * bytes count in the budget until it is sent. */
typedef struct {
    server *s;
    uint8_t *body;
    size_t len;
} outgoing;

static ssize_t send_block(void *cls, uint64_t pos, char *buf, size_t max)
{
    outgoing *g = cls;
    size_t n = g->len - (size_t)pos < max ? g->len - (size_t)pos : max;
    memcpy(buf, g->body + pos, n);
    return (ssize_t)n;
}

/* Called when the response is destroyed. */
static void sent(void *cls)
{
    outgoing *g = cls;
    budget_give(g->s, g->len);
    free(g->body);
    free(g);
}

static enum MHD_Result queue(server *s, struct MHD_Connection *c, mx_http_response *a)
{
    outgoing *g = malloc(sizeof *g);
    if (!g) {
        free(a->body);
        return MHD_NO;
    }
    *g = (outgoing){s, a->body, a->len};
    budget_take(s, a->len, 1);
    struct MHD_Response *resp =
        MHD_create_response_from_callback(a->len, 65536, send_block, g, sent);
    if (!resp) {
        sent(g);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a->content_type);
    if (a->status == MHD_HTTP_SERVICE_UNAVAILABLE)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)a->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void free_upload(server *s, request *r)
{
    free(r->body);
    budget_give(s, r->cap);
    r->body = NULL;
    r->len = r->cap = 0;
}

/* Keeps an upload chunk, or notes that the upload is past the limit or the
 * budget (the rest is read and dropped, then 413 or 503 answered). The
 * buffer, and its share of the budget, grow with the bytes that came, not
 * with the Content-Length: a client that declared 1 GiB and then trickled
 * would hold that much of the budget for as long as it trickled. */
static void append(request *r, server *s, const char *data, size_t size)
{
    if (r->too_large || r->refused)
        return;
    if (size > s->o->max_upload - r->len) {
        r->too_large = 1;
        free_upload(s, r);
        return;
    }
    if (r->len + size > r->cap) {
        size_t cap = r->cap ? r->cap : 65536;
        while (cap < r->len + size)
            cap *= 2;
        if (cap > s->o->max_upload)
            cap = s->o->max_upload;
        if (budget_take(s, cap - r->cap, 0)) {
            r->refused = 1;
            free_upload(s, r);
            return;
        }
        uint8_t *q = realloc(r->body, cap);
        if (!q) {
            budget_give(s, cap - r->cap);
            r->too_large = 1; /* answered as 413: this server cannot take it */
            free_upload(s, r);
            return;
        }
        r->body = q;
        r->cap = cap;
    }
    memcpy(r->body + r->len, data, size);
    r->len += size;
}

/* The first call, on the headers: answers what needs no body at once, and
 * otherwise makes the request (NULL after queueing or refusing). */
static enum MHD_Result start(server *s, struct MHD_Connection *c, const char *url,
                             const char *method, request **out)
{
    mx_http_response a;
    *out = NULL;
    if (strcmp(method, "POST") || (strcmp(url, "/compress") && strcmp(url, "/decompress"))) {
        /* /health, and the 404s and 405s: answered at once, no body read */
        mx_serve_handle(s->o, NULL, method, url, NULL, NULL, 0, &a);
        return queue(s, c, &a);
    }
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    unsigned long long n = cl ? strtoull(cl, NULL, 10) : 0;
    if (n > s->o->max_upload) {
        say(&a, MHD_HTTP_CONTENT_TOO_LARGE, "upload larger than the server's limit");
        return queue(s, c, &a);
    }
    /* refused before its body is read when it could not be coded now */
    int why = atomic_load(&s->busy) >= s->o->max_connections ? NO_SLOT
              : !budget_room(s, (size_t)n)                    ? NO_MEMORY
                                                              : 0;
    if (why) {
        busy(s, why, &a);
        return queue(s, c, &a);
    }
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_TYPE);
    request *r = calloc(1, sizeof *r);
    if (r && ct && !(r->content_type = strdup(ct))) {
        free(r);
        r = NULL;
    }
    if (!r)
        return MHD_NO;
    *out = r;
    return MHD_YES;
}

/* Codes a whole upload in a work slot, or says 503. */
static void code(server *s, const request *r, const char *url, const char *method,
                 mx_http_response *a)
{
    int why = r->refused ? NO_MEMORY : slot_take(s);
    if (why) {
        busy(s, why, a);
        return;
    }
    mx_ctx *ctx = ctx_take(s);
    mx_serve_handle(s->o, ctx, method, url, r->content_type, r->body, r->len, a);
    ctx_give(s, ctx);
    slot_give(s); /* the answer is made: its sending holds memory, not a slot */
}

/* The last call, the upload all in: codes it and answers. */
static enum MHD_Result finish(server *s, struct MHD_Connection *c, request *r,
                              const char *url, const char *method)
{
    mx_http_response a;
    if (r->too_large)
        say(&a, MHD_HTTP_CONTENT_TOO_LARGE, "upload larger than the server's limit");
    else
        code(s, r, url, method, &a);
    free_upload(s, r); /* the upload is done with: free it before the answer goes */
    return queue(s, c, &a);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    server *s = cls;
    request *r = *con_cls;
    if (!r) {
        enum MHD_Result ret = start(s, c, url, method, &r);
        *con_cls = r;
        return ret;
    }
    if (*upload_size) {
        append(r, s, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    return finish(s, c, r, url, method);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)c, (void)toe;
    server *s = cls;
    request *r = *con_cls;
    if (!r)
        return;
    free_upload(s, r);
    free(r->content_type);
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
    if (!o->max_connections)
        return mx_fail(err, MX_EINPUT, "max connections must be at least 1");
    /* block the stop signals in every thread; the main thread waits for them */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    server s;
    memset(&s, 0, sizeof s);
    s.o = o;
    atomic_init(&s.busy, 0);
    pthread_mutex_init(&s.lock, NULL);
    /* what max_connections requests holding their uploads took before */
    s.budget = o->max_upload > SIZE_MAX / o->max_connections ? SIZE_MAX
                                                              : o->max_upload * o->max_connections;
    /* a thread per connection, at most max_connections coding plus a few
     * receiving uploads, being told 503 (or asking /health); past that,
     * connections are closed */
    unsigned limit = o->max_connections + 16;
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, (uint16_t)o->port, NULL,
        NULL, on_request, &s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_NOTIFY_COMPLETED, on_done, &s, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)60, MHD_OPTION_CONNECTION_LIMIT, limit, MHD_OPTION_END);
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
