/* delta: each element minus its neighbour in the previous row (delta:rows,
 * the default) or previous column (delta:cols), modulo 2^bits, so it is
 * exact for any bit pattern. */
#include "neighbor.h"

static uint32_t fwd(uint32_t x, uint32_t prev, uint32_t m) { return (x - prev) & m; }
static uint32_t inv(uint32_t d, uint32_t prev, uint32_t m) { return (d + prev) & m; }

static int encode(const mx_params *p, mx_work *w, const mx_stream *in, mx_stream_set *out,
                  mx_error *err)
{
    (void)w;
    return mx_neighbor_encode("delta", fwd, p, in, out, err);
}

static int decode(const mx_params *p, mx_work *w, const mx_stream *parts, size_t nparts,
                  mx_stream *out, mx_error *err)
{
    (void)w;
    return mx_neighbor_decode("delta", inv, p, parts, nparts, out, err);
}

const mx_stage mx_stage_delta = {
    .name = "delta",
    .kind = MX_STAGE_TRANSFORM,
    .summary = "integer difference with the previous row or column (wraps)",
    .params = {{"axis", MX_PARAM_CHOICE, .choices = mx_axis_names, .note = "against the previous row or column"}},
    .twin = {.sections = {"levels", "delta"}},
    .encode = encode,
    .decode = decode,
};
