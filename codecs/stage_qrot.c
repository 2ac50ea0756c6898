/* qrot:T - qsim on rotated rows: every block of B values of a row (B the
 * largest power of two dividing the row length, at most 256) is multiplied
 * by the orthonormal Walsh-Hadamard matrix before the per-row absmax
 * quantisation and rotated back after decoding. The rotation spreads a few
 * large values over their block, so the row's scale is set by its energy
 * rather than by its largest value. The similarity target is checked on the
 * values after the inverse rotation. See qsim_core.h. */
#include "qsim_core.h"

static int encode(const mx_params *p, mx_work *w, const mx_stream *in, mx_stream_set *out, mx_error *err)
{
    (void)w;
    return mx_qsim_encode(mx_qsim_block(in->d.cols), p, in, out, err);
}

static int decode(const mx_params *p, mx_work *w, const mx_stream *parts, size_t nparts, mx_stream *out,
                  mx_error *err)
{
    (void)w;
    (void)p;
    return mx_qsim_decode("qrot", mx_qsim_block(out->d.cols), parts, nparts, out, err);
}

const mx_stage mx_stage_qrot = {
    .name = "qrot",
    .kind = MX_STAGE_TRANSFORM,
    .lossy = 1,
    .summary = "lossy: qsim after a Walsh-Hadamard rotation of blocks of each row",
    .params = {{"target", MX_PARAM_DECIMAL, .min = 0, .max = 100000, .def = 99000, .digits = 5,
                .open_min = 1, .open_max = 1, .note = "the similarity to keep"}},
    .encode = encode,
    .decode = decode,
};
