/* q8 - lossy: per-row (q8:rows, default) or per-column (q8:cols) absmax
 * scaling to int8 codes with one bf16 scale per group; see quant.h. */
#include "quant.h"

static int encode(const mx_params *p, mx_work *w, const mx_stream *in, mx_stream_set *out,
                  mx_error *err)
{
    (void)w;
    return mx_quant_encode("q8", 8, p, in, out, err);
}

static int decode(const mx_params *p, mx_work *w, const mx_stream *parts, size_t nparts,
                  mx_stream *out, mx_error *err)
{
    (void)w;
    return mx_quant_decode("q8", 8, p, parts, nparts, out, err);
}

const mx_stage mx_stage_q8 = {
    .name = "q8",
    .kind = MX_STAGE_TRANSFORM,
    .lossy = 1,
    .summary = "lossy: absmax scaling to int8 codes + bf16 scale per row/column",
    .params = {{"axis", MX_PARAM_CHOICE, .choices = mx_axis_names, .note = "a scale per row or per column"}},
    .twin = {.sections = {"levels", "absmax", "q8"}},
    .encode = encode,
    .decode = decode,
};
