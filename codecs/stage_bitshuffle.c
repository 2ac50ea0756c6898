/* bitshuffle: bit-plane transpose. Plane b holds bit b of every element, so
 * the near-constant sign/exponent bits become long runs of equal bits. */
#include "stage.h"

static int encode(const mx_params *p, mx_work *work, const mx_stream *in, mx_stream_set *out,
                  mx_error *err)
{
    (void)work;
    (void)p;
    unsigned w = in->d.bits;
    if (w != 8 && w != 16 && w != 32)
        return 0;
    int o = mx_stream_set_add(out, 1, in->d.rows * w, in->d.cols, err);
    if (o < 0)
        return -1;
    size_t n = (size_t)(in->d.rows * in->d.cols);
    uint8_t *dst = out->s[o].data;
    for (unsigned b = 0; b < w; b++) {
        size_t base = (size_t)b * n;
        for (size_t i = 0; i < n; i++) {
            uint32_t bit = (mx_stream_get(in, i) >> b) & 1u;
            size_t j = base + i;
            dst[j >> 3] |= (uint8_t)(bit << (j & 7));
        }
    }
    return 1;
}

static int decode(const mx_params *p, mx_work *work, const mx_stream *parts, size_t nparts,
                  mx_stream *out, mx_error *err)
{
    (void)work;
    (void)p;
    unsigned w = out->d.bits;
    if (nparts != 1 || (w != 8 && w != 16 && w != 32))
        return mx_fail(err, MX_EINPUT, "corrupt data: bitshuffle needs 1 part");
    if (mx_stage_expect(&parts[0], 1, out->d.rows * w, out->d.cols, "bitshuffle", err))
        return -1;
    size_t n = (size_t)(out->d.rows * out->d.cols);
    const uint8_t *src = parts[0].data;
    for (size_t i = 0; i < n; i++) {
        uint32_t v = 0;
        for (unsigned b = 0; b < w; b++) {
            size_t j = (size_t)b * n + i;
            v |= (uint32_t)((src[j >> 3] >> (j & 7)) & 1u) << b;
        }
        mx_stream_put(out, i, v);
    }
    return 0;
}

const mx_stage mx_stage_bitshuffle = {
    .name = "bitshuffle",
    .kind = MX_STAGE_TRANSFORM,
    .summary = "bit-plane transpose of 8/16/32-bit values into one bit stream",
    .twin = {.sections = {"levels", "bitshuffle"}},
    .encode = encode,
    .decode = decode,
};
