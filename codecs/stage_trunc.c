/* trunc:K - lossy: round bf16 values to 7-K mantissa bits, nearest even,
 * leaving the K low bits zero for the entropy stage to squeeze out.
 * A rounding that would overflow to Inf truncates instead (finite values
 * stay finite); NaN and Inf are kept unchanged. Relative error <= 2^(K-8). */
#include "stage.h"
#include "bf16.h"

static uint16_t round_bits(uint16_t v, unsigned k)
{
    if (!mx_bf16_is_finite(v))
        return v;
    uint16_t low = (uint16_t)((1u << k) - 1u);
    uint32_t half = 1u << (k - 1);
    uint32_t r = v + (half - 1u) + ((v >> k) & 1u);
    uint16_t out = (uint16_t)(r & ~(uint32_t)low);
    if ((out & 0x7f80u) == 0x7f80u || (out ^ v) & 0x8000u)
        out = (uint16_t)(v & ~low); /* would become Inf: truncate instead */
    return out;
}

static int encode(const mx_params *p, mx_work *w, const mx_stream *in, mx_stream_set *out,
                  mx_error *err)
{
    (void)w;
    if (in->d.bits != 16)
        return 0;
    int o = mx_stream_set_add(out, 16, in->d.rows, in->d.cols, err);
    if (o < 0)
        return -1;
    size_t n = in->size / 2;
    for (size_t i = 0; i < n; i++)
        mx_stream_put(&out->s[o], i, round_bits((uint16_t)mx_stream_get(in, i),
                                                (unsigned)p->v[0]));
    return 1;
}

static int decode(const mx_params *p, mx_work *w, const mx_stream *parts, size_t nparts,
                  mx_stream *out, mx_error *err)
{
    (void)w;
    (void)p;
    if (nparts != 1 || out->d.bits != 16)
        return mx_fail(err, MX_EINPUT, "corrupt data: trunc needs 1 part");
    if (mx_stage_expect(&parts[0], 16, out->d.rows, out->d.cols, "trunc", err))
        return -1;
    for (size_t i = 0; i < out->size; i++)
        out->data[i] = parts[0].data[i];
    return 0;
}

const mx_stage mx_stage_trunc = {
    .name = "trunc",
    .kind = MX_STAGE_TRANSFORM,
    .lossy = 1,
    .summary = "lossy: round away low mantissa bits (nearest even)",
    .params = {{"bits", MX_PARAM_INT, .min = 1, .max = 7, .def = 3, .note = "mantissa bits rounded away"}},
    .twin = {.sections = {"levels", "trunc"}},
    .encode = encode,
    .decode = decode,
};
