/* qsim:T - lossy, with a similarity target: per-row absmax quantisation
 * whose code range (qmax) is the smallest that keeps the competition's
 * similarity, cos(a,b) * (1 - |a-b|/|a|), at or above T for this matrix,
 * in float64 and in float32 as the competition's check sums it (metrics.h).
 * Fewer code values mean fewer bits for the entropy stage, so this is the
 * most compression the target allows for the scheme. Codes are 8-bit when
 * qmax <= 127, else 16-bit; scales are bf16, rounded up (see quant.h).
 * Non-finite values become 0, as in q8/q4. See qsim_core.h. */
#include "qsim_core.h"

static int encode(const mx_params *p, mx_work *w, const mx_stream *in, mx_stream_set *out, mx_error *err)
{
    (void)w;
    return mx_qsim_encode(1, p, in, out, err);
}

static int decode(const mx_params *p, mx_work *w, const mx_stream *parts, size_t nparts, mx_stream *out,
                  mx_error *err)
{
    (void)w;
    (void)p;
    return mx_qsim_decode("qsim", 1, parts, nparts, out, err);
}

const mx_stage mx_stage_qsim = {
    .name = "qsim",
    .kind = MX_STAGE_TRANSFORM,
    .lossy = 1,
    .summary = "lossy: per-row absmax codes, as few as keep the similarity >= the target",
    .params = {{"target", MX_PARAM_DECIMAL, .min = 0, .max = 100000, .def = 99000, .digits = 5,
                .open_min = 1, .open_max = 1, .note = "the similarity to keep"}},
    .encode = encode,
    .decode = decode,
};
