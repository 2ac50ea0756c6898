/* serve.h - mxbench as an HTTP compression service (libmicrohttpd), with the
 * endpoints of the competition's miner interface:
 *   GET  /health      -> {"status":"ok","pipeline":SPEC}
 *   POST /compress    multipart field "file" (raw little-endian bf16), optional
 *                     fields "rows" and "cols" -> application/octet-stream .mxb
 *   POST /decompress  multipart field "file" (.mxb) -> raw bf16 bytes
 * A body sent as anything but a form (application/octet-stream, say) is
 * taken as the file itself.
 *
 * Bad requests get a 4xx with a one-line reason and the server keeps
 * serving: 400 for a malformed form or file (wrong boundary, a part with no
 * name, garbage, an empty body), 422 with FastAPI's JSON for a form without
 * a "file" field, 413 past max_upload or max_output, 404 and 405 for other
 * paths and methods, 503 when max_connections requests are already being
 * coded. A request takes a work slot only once its upload is all in, and
 * gives it back once its answer is made: no client holds one while it
 * sends or reads slowly. The uploads in memory and the answers being sent
 * share a budget of max_connections x max_upload bytes: past it uploads
 * get 503, so memory is bounded by max_connections (and a request coded
 * holds a copy of its upload and the coders' buffers too); decoded sizes
 * are checked against max_output (from the container header) before
 * anything is allocated.
 *
 * Slow clients are dropped: a request's headers must be in within timeout
 * seconds of the connection (or of the previous answer on a kept-alive
 * one), and an upload or an answer must move MX_SERVE_MIN_RATE bytes a
 * second over each window of timeout seconds. A client past its deadline
 * gets 408 where no answer has started, and its connection is closed.
 * Connections waiting on clients take no slot, and there may be
 * MX_SERVE_OPEN_CONNECTIONS of them besides max_connections, at most
 * max_per_address from one address (more are closed unanswered). */
#ifndef MX_SERVE_H
#define MX_SERVE_H
#include <stddef.h>
#include <stdint.h>
#include "context.h"
#include "../codecs/mxerr.h"
#include "pipeline.h"

typedef struct {
    const char *host;  /* address to bind, e.g. "127.0.0.1" */
    unsigned port;
    size_t max_upload; /* bytes; larger uploads get 413 */
    size_t max_output; /* bytes a response may hold; more gets 413 */
    unsigned max_connections; /* requests coded at once; more get 503 */
    unsigned max_per_address; /* connections open at once from one address;
                               * more are closed unanswered */
    const mx_pipeline *pipeline;
    int threads;       /* per request, compressing and decompressing alike */
    double timeout;    /* seconds for a request's headers, and the rate window */
} mx_serve_opts;

/* Defaults of the serve command (man mxbench). */
#define MX_SERVE_MAX_UPLOAD ((size_t)1 << 30)
#define MX_SERVE_MAX_OUTPUT ((size_t)1 << 30)
#define MX_SERVE_MAX_CONNECTIONS 4
/* One client can hold at most this many of the open connections, so
 * that one address cannot take them all: a client that codes with
 * max_connections at once needs far fewer. */
#define MX_SERVE_MAX_PER_ADDRESS 64
#define MX_SERVE_TIMEOUT 10
/* The slowest upload or answer kept, in bytes a second over each timeout:
 * 512 kbit/s, which a client on a slow line still beats, while a client
 * that holds a connection must send or read at least this much. */
#define MX_SERVE_MIN_RATE 65536
/* Connections open at once besides max_connections: waiting on their
 * clients (each a thread and a socket), or told 503. */
#define MX_SERVE_OPEN_CONNECTIONS 512

/* One answer: status, a static content type and a malloc'd body. */
typedef struct {
    int status;
    const char *content_type;
    uint8_t *body;
    size_t len;
} mx_http_response;

/* Handles one complete request without a socket (what the server does once
 * a body is in: the fuzz target drives it directly), coding with ctx (which
 * only POST /compress and /decompress use; NULL there answers 500).
 * content_type may be NULL; body holds len bytes (NULL when 0). Always
 * fills *resp; the caller frees resp->body. Never answers 5xx but for
 * running out of memory. */
void mx_serve_handle(const mx_serve_opts *o, mx_ctx *ctx, const char *method, const char *url,
                     const char *content_type, const uint8_t *body, size_t len,
                     mx_http_response *resp);

/* Serves until SIGINT or SIGTERM; 0 on a clean stop. */
int mx_serve(const mx_serve_opts *o, mx_error *err);
#endif
