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
#include <sys/socket.h>
#include <time.h>
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

/* What a connection waits for. Only a client that keeps moving may hold
 * one: libmicrohttpd's own timeout restarts on every byte, so a client that
 * trickles a byte every few seconds would keep its connection (and, were a
 * work slot taken before the upload is in, the slot) for ever. */
typedef enum {
    PH_HEAD,   /* a request's headers, due within timeout of the phase's start */
    PH_BODY,   /* its upload: MX_SERVE_MIN_RATE over each window of timeout */
    PH_WORK,   /* nothing: the request is being coded */
    PH_ANSWER, /* the client to take its answer, at the same rate */
} phase;

/* A connection, from libmicrohttpd's STARTED notice to its CLOSED one; all
 * but fd is read and written under server.lock. */
typedef struct conn {
    int fd;
    phase ph;
    int line;            /* PH_HEAD: the request line came (so a 408 may follow) */
    int dropped;         /* the watchdog shut the socket */
    double since;        /* when the phase began */
    uint64_t bytes;      /* bytes of the upload received, or of the answer sent */
    double mark;         /* the current rate window began at mark ... */
    uint64_t mark_bytes; /* ... with this many bytes */
    struct conn *prev, *next;
} conn;

typedef struct {
    const mx_serve_opts *o;
    atomic_uint busy;     /* requests being coded */
    pthread_mutex_t lock; /* guards idle, held, conns, stop */
    ctx_pool *idle;
    size_t held;          /* bytes of uploads in memory and of answers being sent */
    size_t budget;        /* past it no upload grows and no coding starts: 503 */
    conn *conns;
    int stop;
    pthread_cond_t wake;  /* the watchdog's sleep, cut short to stop it */
} server;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

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

/* ---- slow clients: the watchdog ---------------------------------------- */

static conn *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* Moves k to phase ph with its clock and count restarted: 0, or -1 when the
 * watchdog has shut the connection (the caller gives it up). */
static int enter(server *s, conn *k, phase ph)
{
    pthread_mutex_lock(&s->lock);
    int gone = k->dropped;
    k->ph = ph;
    k->line = 0;
    k->since = k->mark = now_s();
    k->bytes = k->mark_bytes = 0;
    pthread_mutex_unlock(&s->lock);
    return gone ? -1 : 0;
}

/* Counts n bytes moved for k's rate: 0, or -1 when it was shut. */
static int moved(server *s, conn *k, size_t n)
{
    pthread_mutex_lock(&s->lock);
    int gone = k->dropped;
    k->bytes += n;
    pthread_mutex_unlock(&s->lock);
    return gone ? -1 : 0;
}

/* Whether k moved MX_SERVE_MIN_RATE bytes a second since its window began.
 * A window is judged once it is `window` seconds long, and the next begins:
 * an average over the whole upload would let a client send fast, then
 * trickle for as long as it sent fast. */
static int kept_pace(conn *k, double now, double window)
{
    double dt = now - k->mark;
    if (dt < window)
        return 1;
    if ((double)(k->bytes - k->mark_bytes) < MX_SERVE_MIN_RATE * dt)
        return 0;
    k->mark = now;
    k->mark_bytes = k->bytes;
    return 1;
}

/* Whether k is past its deadline; why gets the 408's reason where one can
 * be sent, else "" (a kept-alive connection that sent nothing more, or
 * one part way through its answer). */
static int overdue(const server *s, conn *k, double now, char *why, size_t n)
{
    double t = s->o->timeout;
    why[0] = 0;
    switch (k->ph) {
    case PH_HEAD:
        if (now - k->since <= t)
            return 0;
        if (k->line)
            snprintf(why, n, "the request headers did not come within %g s", t);
        return 1;
    case PH_BODY:
        if (kept_pace(k, now, t))
            return 0;
        snprintf(why, n, "the upload came slower than %u bytes/s over %g s",
                 (unsigned)MX_SERVE_MIN_RATE, t);
        return 1;
    case PH_ANSWER:
        return !kept_pace(k, now, t);
    case PH_WORK:
        break;
    }
    return 0;
}

/* Shuts k's socket, after a 408 with why unless it is empty; libmicrohttpd
 * then reads the end of the stream and closes the connection. It writes
 * nothing while it waits for headers or an upload (but its own 400 for
 * malformed headers, and a 100 Continue sent as the upload starts), so the
 * 408 does not mix with its bytes; and it closes the descriptor only after
 * its CLOSED notice, which waits for the lock held here. A failed send
 * leaves the client without the reason, no worse. */
static void drop(conn *k, const char *why)
{
    if (*why) {
        char msg[320];
        int n = snprintf(msg, sizeof msg,
                         "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
                         "Content-Type: text/plain\r\nContent-Length: %zu\r\n\r\n%s\n",
                         strlen(why) + 1, why);
        if (n > 0 && (size_t)n < sizeof msg)
            (void)send(k->fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    shutdown(k->fd, SHUT_RDWR);
    k->dropped = 1;
}

/* Looks at every connection four times a timeout (but no more often than
 * every 50 ms, and at least once a second) and shuts those past their
 * deadlines. */
static void *watchdog(void *cls)
{
    server *s = cls;
    double tick = s->o->timeout / 4;
    tick = tick < 0.05 ? 0.05 : tick > 1 ? 1 : tick;
    long tick_ns = (long)(tick * 1e9);
    pthread_mutex_lock(&s->lock);
    while (!s->stop) {
        double now = now_s();
        char why[160];
        for (conn *k = s->conns; k; k = k->next)
            if (!k->dropped && overdue(s, k, now, why, sizeof why))
                drop(k, why);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += tick_ns;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&s->wake, &s->lock, &until);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* A connection opens (in libmicrohttpd's listening thread) or has closed. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    server *s = cls;
    conn *k = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        if (!k)
            return;
        pthread_mutex_lock(&s->lock);
        if (k->prev)
            k->prev->next = k->next;
        else
            s->conns = k->next;
        if (k->next)
            k->next->prev = k->prev;
        pthread_mutex_unlock(&s->lock);
        free(k);
        *socket_context = NULL;
        return;
    }
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci)
        return; /* no socket to watch: its first request is refused (conn_of) */
    k = calloc(1, sizeof *k);
    if (!k) { /* the watchdog could not see it, so it would have no deadline */
        shutdown(ci->connect_fd, SHUT_RDWR);
        return;
    }
    k->fd = ci->connect_fd;
    k->ph = PH_HEAD;
    k->since = k->mark = now_s();
    pthread_mutex_lock(&s->lock);
    k->next = s->conns;
    if (s->conns)
        s->conns->prev = k;
    s->conns = k;
    pthread_mutex_unlock(&s->lock);
    *socket_context = k;
}

/* A request line came: past the header deadline, its client gets a 408. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)uri;
    server *s = cls;
    conn *k = conn_of(c);
    if (k) {
        pthread_mutex_lock(&s->lock);
        k->line = 1;
        pthread_mutex_unlock(&s->lock);
    }
    return NULL; /* the access handler's first call still sees NULL */
}

/* ---- requests ---------------------------------------------------------- */

/* One request being received. */
typedef struct {
    conn *k;
    int too_large;
    int refused; /* the budget is spent: the rest is read and dropped, then 503 */
    uint8_t *body;
    size_t len, cap;
    char *content_type;
} request;

/* An answer being sent, handed to libmicrohttpd a block at a time so that
 * the watchdog sees how fast the client takes it. */
typedef struct {
    server *s;
    conn *k;
    uint8_t *body;
    size_t len;
} outgoing;

static ssize_t send_block(void *cls, uint64_t pos, char *buf, size_t max)
{
    outgoing *g = cls;
    size_t n = g->len - (size_t)pos < max ? g->len - (size_t)pos : max;
    memcpy(buf, g->body + pos, n);
    if (moved(g->s, g->k, n))
        return MHD_CONTENT_READER_END_WITH_ERROR;
    return (ssize_t)n;
}

/* Called when the response is destroyed, which can be after the connection
 * (and k) is gone: it must not touch k. */
static void sent(void *cls)
{
    outgoing *g = cls;
    budget_give(g->s, g->len);
    free(g->body);
    free(g);
}

static enum MHD_Result queue(server *s, struct MHD_Connection *c, conn *k, mx_http_response *a)
{
    outgoing *g = malloc(sizeof *g);
    if (!g) {
        free(a->body);
        return MHD_NO;
    }
    *g = (outgoing){s, k, a->body, a->len};
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
    enum MHD_Result ret = enter(s, k, PH_ANSWER)
                              ? MHD_NO
                              : MHD_queue_response(c, (unsigned)a->status, resp);
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
 * would hold that much of the budget until the watchdog dropped it. */
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
static enum MHD_Result start(server *s, struct MHD_Connection *c, conn *k, const char *url,
                             const char *method, request **out)
{
    mx_http_response a;
    *out = NULL;
    if (strcmp(method, "POST") || (strcmp(url, "/compress") && strcmp(url, "/decompress"))) {
        /* /health, and the 404s and 405s: answered at once, no body read */
        mx_serve_handle(s->o, NULL, method, url, NULL, NULL, 0, &a);
        return queue(s, c, k, &a);
    }
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    unsigned long long n = cl ? strtoull(cl, NULL, 10) : 0;
    if (n > s->o->max_upload) {
        say(&a, MHD_HTTP_CONTENT_TOO_LARGE, "upload larger than the server's limit");
        return queue(s, c, k, &a);
    }
    /* refused before its body is read when it could not be coded now */
    int why = atomic_load(&s->busy) >= s->o->max_connections ? NO_SLOT
              : !budget_room(s, (size_t)n)                    ? NO_MEMORY
                                                              : 0;
    if (why) {
        busy(s, why, &a);
        return queue(s, c, k, &a);
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
    r->k = k;
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
    if (enter(s, r->k, PH_WORK))
        return MHD_NO;
    if (r->too_large)
        say(&a, MHD_HTTP_CONTENT_TOO_LARGE, "upload larger than the server's limit");
    else
        code(s, r, url, method, &a);
    free_upload(s, r); /* the upload is done with: free it before the answer goes */
    return queue(s, c, r->k, &a);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    server *s = cls;
    request *r = *con_cls;
    if (!r) {
        conn *k = conn_of(c);
        if (!k || enter(s, k, PH_BODY))
            return MHD_NO;
        enum MHD_Result ret = start(s, c, k, url, method, &r);
        *con_cls = r;
        return ret;
    }
    if (*upload_size) {
        append(r, s, upload, *upload_size);
        if (moved(s, r->k, *upload_size))
            return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    return finish(s, c, r, url, method);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    server *s = cls;
    conn *k = conn_of(c);
    if (k) /* kept alive: the next request's headers are due */
        enter(s, k, PH_HEAD);
    request *r = *con_cls;
    if (!r)
        return;
    free_upload(s, r);
    free(r->content_type);
    free(r);
    *con_cls = NULL;
}

/* Starts the watchdog on a clock that does not jump: 0, or -1. */
static int watchdog_start(server *s, pthread_t *t)
{
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca))
        return -1;
    int rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) || pthread_cond_init(&s->wake, &ca);
    pthread_condattr_destroy(&ca);
    if (rc)
        return -1;
    if (pthread_create(t, NULL, watchdog, s)) {
        pthread_cond_destroy(&s->wake);
        return -1;
    }
    return 0;
}

static void watchdog_stop(server *s, pthread_t t)
{
    pthread_mutex_lock(&s->lock);
    s->stop = 1;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(t, NULL);
    pthread_cond_destroy(&s->wake);
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
    if (!o->max_per_address)
        return mx_fail(err, MX_EINPUT, "max connections per address must be at least 1");
    if (!(o->timeout > 0))
        return mx_fail(err, MX_EINPUT, "the timeout must be positive");
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
    pthread_t dog;
    if (watchdog_start(&s, &dog)) {
        pthread_mutex_destroy(&s.lock);
        return mx_fail(err, MX_EFAIL, "cannot start the server's watchdog thread");
    }
    /* A thread per connection, which codes its request itself. Connections
     * waiting on their clients cost a thread and a socket but no slot, and
     * the watchdog ends the slow ones, so there can be many: poll(), not
     * select(), handles descriptors past FD_SETSIZE. libmicrohttpd's own
     * idle timeout is a backstop only: the watchdog's deadlines are shorter. */
    unsigned limit = o->max_connections + MX_SERVE_OPEN_CONNECTIONS;
    unsigned idle = 60 + 2 * (unsigned)o->timeout;
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_THREAD_PER_CONNECTION, (uint16_t)o->port, NULL,
        NULL, on_request, &s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_NOTIFY_COMPLETED, on_done, &s, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
        &s, MHD_OPTION_URI_LOG_CALLBACK, on_uri, &s, MHD_OPTION_CONNECTION_TIMEOUT, idle,
        MHD_OPTION_CONNECTION_LIMIT, limit, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        o->max_per_address, MHD_OPTION_END);
    if (!d) {
        watchdog_stop(&s, dog);
        pthread_mutex_destroy(&s.lock);
        return mx_fail(err, MX_EINPUT, "cannot listen on %s:%u (port in use?)", o->host, o->port);
    }
    char spec[MX_SPEC_MAX];
    mx_pipeline_format(o->pipeline, spec, sizeof spec);
    fprintf(stderr, "mxbench: serving %s on http://%s:%u (Ctrl-C stops)\n", spec, o->host, o->port);
    int sig;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    watchdog_stop(&s, dog);
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
