/* shuffle: byte transpose (as in blosc): all first bytes of every element,
 * then all second bytes, ... in one stream, so an LZ coder sees long runs of
 * similar bytes while still coding a single stream. */
#include "stage.h"

static int encode(const mx_params *p, mx_work *work, const mx_stream *in, mx_stream_set *out,
                  mx_error *err)
{
    (void)work;
    (void)p;
    if (in->d.bits != 16 && in->d.bits != 32)
        return 0;
    size_t w = in->d.bits / 8;
    int o = mx_stream_set_add(out, 8, in->d.rows * w, in->d.cols, err);
    if (o < 0)
        return -1;
    size_t n = in->size / w;
    uint8_t *dst = out->s[o].data;
    for (size_t b = 0; b < w; b++)
        for (size_t i = 0; i < n; i++)
            dst[b * n + i] = in->data[i * w + b];
    return 1;
}

static int decode(const mx_params *p, mx_work *work, const mx_stream *parts, size_t nparts,
                  mx_stream *out, mx_error *err)
{
    (void)work;
    (void)p;
    if (nparts != 1 || (out->d.bits != 16 && out->d.bits != 32))
        return mx_fail(err, MX_EINPUT, "corrupt data: shuffle needs 1 part");
    size_t w = out->d.bits / 8;
    if (mx_stage_expect(&parts[0], 8, out->d.rows * w, out->d.cols, "shuffle", err))
        return -1;
    size_t n = out->size / w;
    for (size_t b = 0; b < w; b++)
        for (size_t i = 0; i < n; i++)
            out->data[i * w + b] = parts[0].data[b * n + i];
    return 0;
}

const mx_stage mx_stage_shuffle = {
    .name = "shuffle",
    .kind = MX_STAGE_TRANSFORM,
    .summary = "byte transpose of 16/32-bit values into one byte stream",
    .twin = {.sections = {"levels", "shuffle"}},
    .encode = encode,
    .decode = decode,
};
