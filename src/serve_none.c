/* serve_none.c - what stands in for serve.c in a build without
 * libmicrohttpd (./configure --without-serve): the command says so, and
 * the request handler answers 501 to everything. */
#include <stdlib.h>
#include <string.h>
#include "serve.h"

#define WITHOUT "built without serve (./configure --without-serve)"

void mx_serve_handle(const mx_serve_opts *o, mx_ctx *ctx, const char *method, const char *url,
                     const char *content_type, const uint8_t *body, size_t len,
                     mx_http_response *resp)
{
    (void)o, (void)ctx, (void)method, (void)url, (void)content_type, (void)body, (void)len;
    static const char line[] = WITHOUT "\n";
    resp->status = 501;
    resp->content_type = "text/plain";
    resp->len = 0;
    resp->body = malloc(sizeof line - 1);
    if (resp->body) {
        memcpy(resp->body, line, sizeof line - 1);
        resp->len = sizeof line - 1;
    }
}

int mx_serve(const mx_serve_opts *o, mx_error *err)
{
    (void)o;
    return mx_fail(err, MX_EINPUT, WITHOUT);
}
