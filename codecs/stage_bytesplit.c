/* bytesplit: a 16-bit stream -> its high-byte plane and low-byte plane.
 * The high bytes (sign + exponent + 1 mantissa bit of bf16) are highly
 * repetitive, the low bytes nearly random; coding them apart helps. */
#include "stage.h"

static int encode(const mx_params *p, mx_work *w, const mx_stream *in, mx_stream_set *out,
                  mx_error *err)
{
    (void)w;
    (void)p;
    if (in->d.bits != 16)
        return 0;
    int hi = mx_stream_set_add(out, 8, in->d.rows, in->d.cols, err);
    if (hi < 0)
        return -1;
    int lo = mx_stream_set_add(out, 8, in->d.rows, in->d.cols, err);
    if (lo < 0)
        return -1;
    size_t n = in->size / 2;
    uint8_t *h = out->s[hi].data, *l = out->s[lo].data;
    for (size_t i = 0; i < n; i++) {
        l[i] = in->data[2 * i];
        h[i] = in->data[2 * i + 1];
    }
    return 2;
}

static int decode(const mx_params *p, mx_work *w, const mx_stream *parts, size_t nparts,
                  mx_stream *out, mx_error *err)
{
    (void)w;
    (void)p;
    if (nparts != 2 || out->d.bits != 16)
        return mx_fail(err, MX_EINPUT, "corrupt data: bytesplit needs 2 parts");
    for (size_t k = 0; k < 2; k++)
        if (mx_stage_expect(&parts[k], 8, out->d.rows, out->d.cols, "bytesplit", err))
            return -1;
    size_t n = out->size / 2;
    for (size_t i = 0; i < n; i++) {
        out->data[2 * i] = parts[1].data[i];
        out->data[2 * i + 1] = parts[0].data[i];
    }
    return 0;
}

const mx_stage mx_stage_bytesplit = {
    .name = "bytesplit",
    .kind = MX_STAGE_TRANSFORM,
    .summary = "16-bit values -> high-byte plane + low-byte plane",
    .twin = {.sections = {"levels", "bytesplit"}},
    .encode = encode,
    .decode = decode,
};
