/* rans - our order-0 entropy coder: one static frequency table per stream,
 * byte-wise rANS. With bytesplit/expsplit it is the ZipNN / DFloat11 family
 * (byte planes or exponents, each entropy coded on its own). */
#include "coded_frame.h"
#include <stdlib.h>
#include <string.h>

static int compress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                    uint8_t *dst, size_t cap, size_t *dst_len, mx_error *err)
{
    (void)p;
    (void)d;
    mx_bytes local = {0}, *f = mx_frame_scratch(w, &local);
    uint8_t mode = MX_FRAME_ORDER0;
    mx_bytes_put(f, &mode, 1);
    int rc = mx_order0_encode(src, n, f, err) ? -1
                                              : mx_frame_finish(f, src, n, dst, cap, dst_len, err);
    free(local.p); /* NULL unless the work had no room for the scratch */
    return rc;
}

static int decompress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                      uint8_t *dst, size_t expected, mx_error *err)
{
    (void)w;
    (void)p;
    (void)d;
    return mx_frame_decode("rans", src, n, dst, expected, err);
}

const mx_stage mx_stage_rans = {
    .name = "rans",
    .kind = MX_STAGE_ENTROPY,
    .summary = "our order-0 rANS coder (static table per stream)",
    .bound = mx_frame_bound,
    .compress = compress,
    .decompress = decompress,
};
