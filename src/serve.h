/* serve.h - mxbench as an HTTP compression service (libmicrohttpd), with the
 * endpoints of the competition's miner interface:
 *   GET  /health      -> {"status":"ok","pipeline":SPEC}
 *   POST /compress    multipart field "file" (raw little-endian bf16), optional
 *                     fields "rows" and "cols" -> application/octet-stream .mxb
 *   POST /decompress  multipart field "file" (.mxb) -> raw bf16 bytes
 * A body sent as application/octet-stream is taken as the file itself.
 * Bad requests get a 4xx with a one-line reason; the server keeps serving. */
#ifndef MX_SERVE_H
#define MX_SERVE_H
#include <stddef.h>
#include "mxerr.h"
#include "pipeline.h"

typedef struct {
    const char *host;  /* address to bind, e.g. "127.0.0.1" */
    unsigned port;
    size_t max_upload; /* bytes; larger uploads get 413 */
    const mx_pipeline *pipeline;
    int threads;       /* per request, compressing and decompressing alike */
} mx_serve_opts;

/* Serves until SIGINT or SIGTERM; 0 on a clean stop. */
int mx_serve(const mx_serve_opts *o, mx_error *err);
#endif
