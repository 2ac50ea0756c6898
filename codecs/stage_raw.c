/* raw: stores each stream as is. The reference point for every other coder. */
#include "stage.h"
#include <string.h>

static size_t bound(const mx_params *p, size_t n)
{
    (void)p;
    return n;
}

static int compress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n, uint8_t *dst,
                    size_t cap, size_t *dst_len, mx_error *err)
{
    (void)w;
    (void)d;
    (void)p;
    if (cap < n)
        return mx_fail(err, MX_EFAIL, "raw: output buffer too small");
    if (n)
        memcpy(dst, src, n);
    *dst_len = n;
    return 0;
}

static int decompress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n, uint8_t *dst,
                      size_t expected, mx_error *err)
{
    (void)w;
    (void)d;
    (void)p;
    if (n != expected)
        return mx_fail(err, MX_EINPUT, "corrupt data: raw stream is %zu bytes, expected %zu",
                       n, expected);
    if (n)
        memcpy(dst, src, n);
    return 0;
}

const mx_stage mx_stage_raw = {
    .name = "raw",
    .kind = MX_STAGE_ENTROPY,
    .summary = "no entropy coding: streams stored as they are",
    .twin = {.sections = {"raw"}},
    .bound = bound,
    .compress = compress,
    .decompress = decompress,
};
