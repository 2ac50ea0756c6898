/* The serve request handler (multipart parser, routing, both endpoints) on
 * whole requests, without a socket. The first byte picks the endpoint, the
 * body's kind and the pipeline; for a form, the first line is the boundary
 * (or, for kind 3, the whole Content-Type, with other methods and paths).
 * Checks: no 5xx; a raw body that compresses losslessly decompresses back
 * to the same bytes through the handler. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../src/serve.h"
#include "fuzz.h"

static int allowed(int status)
{
    static const int ok[] = {200, 400, 404, 405, 413, 415, 422};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (status == ok[i])
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const specs[] = {"auto", "bytesplit|zstd:1", "q8:rows|lz4"};
    static mx_pipeline pipes[3];
    static mx_ctx *ctx; /* as a server keeps one from request to request */
    static int ready;
    if (!ready) {
        mx_error err = {0};
        for (size_t i = 0; i < 3; i++)
            if (mx_pipeline_parse(specs[i], &pipes[i], &err))
                abort();
        if (!(ctx = mx_ctx_create()))
            abort();
        ready = 1;
    }
    if (size < 1)
        return 0;
    unsigned sel = data[0];
    int decompress = sel & 1, kind = (sel >> 1) & 3;
    size_t p = (sel >> 3) % 3;
    mx_serve_opts o = {"127.0.0.1", 0, 1 << 20, 4 << 20, 4, MX_SERVE_MAX_PER_ADDRESS, &pipes[p], 1,
                       MX_SERVE_TIMEOUT};
    const uint8_t *body = data + 1;
    size_t len = size - 1;
    char line[256] = "", ct[300];
    const char *method = "POST", *url = decompress ? "/decompress" : "/compress", *type = NULL;
    if (kind == 0 || kind == 3) { /* the first line: boundary, or content type */
        const uint8_t *nl = memchr(body, '\n', len < 255 ? len : 255);
        size_t ll = nl ? (size_t)(nl - body) : 0;
        memcpy(line, body, ll);
        line[ll] = 0;
        body += nl ? ll + 1 : 0;
        len -= nl ? ll + 1 : 0;
    }
    if (kind == 0) {
        snprintf(ct, sizeof ct, "multipart/form-data; boundary=%s", line);
        type = ct;
    } else if (kind == 1) {
        type = "application/octet-stream";
    } else if (kind == 3) {
        type = line;
        if (sel & 0x40) { /* routing: other methods and paths */
            method = sel & 0x80 ? "GET" : "PUT";
            url = sel & 0x20 ? "/health" : line;
        }
    }
    mx_http_response r;
    mx_serve_handle(&o, ctx, method, url, type, len ? body : NULL, len, &r);
    if (!allowed(r.status))
        abort();
    if (r.status == 200 && !decompress && (kind == 1 || kind == 2) && p != 2) {
        mx_http_response back;
        mx_serve_handle(&o, ctx, "POST", "/decompress", "application/octet-stream", r.body, r.len,
                        &back);
        if (back.status != 200 || back.len != len || memcmp(back.body, body, len))
            abort();
        free(back.body);
    }
    free(r.body);
    return 0;
}
