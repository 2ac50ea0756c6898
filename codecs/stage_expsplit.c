/* expsplit: bf16 -> sign bits, 8-bit exponents, 7-bit mantissas as three
 * streams. Exponents of activations cluster tightly (low entropy); the sign
 * and mantissa are close to random and are best kept out of their way. */
#include "stage.h"

static int encode(const mx_params *p, mx_work *w, const mx_stream *in, mx_stream_set *out,
                  mx_error *err)
{
    (void)w;
    (void)p;
    if (in->d.bits != 16)
        return 0;
    int si = mx_stream_set_add(out, 1, in->d.rows, in->d.cols, err);
    int ei = si < 0 ? -1 : mx_stream_set_add(out, 8, in->d.rows, in->d.cols, err);
    int mi = ei < 0 ? -1 : mx_stream_set_add(out, 8, in->d.rows, in->d.cols, err);
    if (mi < 0)
        return -1;
    mx_stream *s = &out->s[si], *e = &out->s[ei], *m = &out->s[mi];
    size_t n = in->size / 2;
    for (size_t i = 0; i < n; i++) {
        uint32_t v = mx_stream_get(in, i);
        mx_stream_put(s, i, v >> 15);
        e->data[i] = (uint8_t)(v >> 7);
        m->data[i] = (uint8_t)(v & 0x7f);
    }
    return 3;
}

static int decode(const mx_params *p, mx_work *w, const mx_stream *parts, size_t nparts,
                  mx_stream *out, mx_error *err)
{
    (void)w;
    (void)p;
    if (nparts != 3 || out->d.bits != 16)
        return mx_fail(err, MX_EINPUT, "corrupt data: expsplit needs 3 parts");
    uint64_t r = out->d.rows, c = out->d.cols;
    if (mx_stage_expect(&parts[0], 1, r, c, "expsplit", err) ||
        mx_stage_expect(&parts[1], 8, r, c, "expsplit", err) ||
        mx_stage_expect(&parts[2], 8, r, c, "expsplit", err))
        return -1;
    size_t n = out->size / 2;
    for (size_t i = 0; i < n; i++) {
        uint32_t v = mx_stream_get(&parts[0], i) << 15 |
                     (uint32_t)parts[1].data[i] << 7 | (parts[2].data[i] & 0x7fu);
        mx_stream_put(out, i, v);
    }
    return 0;
}

const mx_stage mx_stage_expsplit = {
    .name = "expsplit",
    .kind = MX_STAGE_TRANSFORM,
    .summary = "bf16 -> sign bits + 8-bit exponents + 7-bit mantissas",
    .twin = {.sections = {"levels", "expsplit"}},
    .encode = encode,
    .decode = decode,
};
