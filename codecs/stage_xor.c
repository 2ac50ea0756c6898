/* xor: each element XOR its neighbour in the previous row (xor:rows, the
 * default) or column (xor:cols); equal high bits of neighbours become 0s. */
#include "neighbor.h"

static uint32_t op(uint32_t x, uint32_t prev, uint32_t m) { return (x ^ prev) & m; }

static int encode(const mx_params *p, mx_work *w, const mx_stream *in, mx_stream_set *out,
                  mx_error *err)
{
    (void)w;
    return mx_neighbor_encode("xor", op, p, in, out, err);
}

static int decode(const mx_params *p, mx_work *w, const mx_stream *parts, size_t nparts,
                  mx_stream *out, mx_error *err)
{
    (void)w;
    return mx_neighbor_decode("xor", op, p, parts, nparts, out, err);
}

const mx_stage mx_stage_xor = {
    .name = "xor",
    .kind = MX_STAGE_TRANSFORM,
    .summary = "bitwise XOR with the previous row or column",
    .params = {{"axis", MX_PARAM_CHOICE, .choices = mx_axis_names, .note = "against the previous row or column"}},
    .twin = {.sections = {"levels", "xor"}},
    .encode = encode,
    .decode = decode,
};
