/* q4 - lossy: per-row (q4:rows, default) or per-column (q4:cols) absmax
 * scaling to int4 codes with one bf16 scale per group; see quant.h. */
#include "quant.h"

static int encode(const mx_params *p, mx_work *w, const mx_stream *in, mx_stream_set *out,
                  mx_error *err)
{
    (void)w;
    return mx_quant_encode("q4", 4, p, in, out, err);
}

static int decode(const mx_params *p, mx_work *w, const mx_stream *parts, size_t nparts,
                  mx_stream *out, mx_error *err)
{
    (void)w;
    return mx_quant_decode("q4", 4, p, parts, nparts, out, err);
}

const mx_stage mx_stage_q4 = {
    .name = "q4",
    .kind = MX_STAGE_TRANSFORM,
    .lossy = 1,
    .summary = "lossy: absmax scaling to int4 codes + bf16 scale per row/column",
    .params = {{"axis", MX_PARAM_CHOICE, .choices = mx_axis_names, .note = "a scale per row or per column"}},
    .twin = {.sections = {"levels", "absmax", "q4"}},
    .encode = encode,
    .decode = decode,
};
