/* lowrank:r - lossy: the rank-r truncated SVD of the matrix, A ~ (U S) V^T,
 * with both factors stored as bf16 (parts: U S, R x r; V, C x r). Gradients
 * of a linear layer over a batch are often close to low rank, and then r*(R+C)
 * values replace R*C. The decoder multiplies the factors back, in float in a
 * fixed order, so every machine decodes the same bits.
 *
 * The SVD is rsvd.h's (a randomised range finder, no LAPACK). The
 * U S factor is recomputed from the rounded V (A V), so the rounding of V is
 * partly absorbed. Non-finite values are taken as 0, as in q8/q4. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "bf16.h"
#include "rsvd.h"
#include "stage.h"

#define MAX_RANK MX_RSVD_MAX_RANK

static int encode(const mx_params *p, mx_work *work, const mx_stream *in, mx_stream_set *out, mx_error *err)
{
    (void)work;
    size_t R = (size_t)in->d.rows, C = (size_t)in->d.cols;
    if (in->d.bits != 16 || R == 0 || C == 0)
        return 0;
    size_t mn = R < C ? R : C, r = (size_t)p->v[0] < mn ? (size_t)p->v[0] : mn;
    double *a = malloc(R * C * sizeof *a), *vd = malloc(C * r * sizeof *vd);
    double *sigma = malloc(r * sizeof *sigma);
    double *v = calloc(C * r, sizeof *v), *us = malloc(R * r * sizeof *us);
    int rc = -1;
    if (!a || !vd || !sigma || !v || !us) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < R * C; i++) {
        uint16_t h = (uint16_t)mx_stream_get(in, i);
        a[i] = mx_bf16_is_finite(h) ? mx_bf16_to_float(h) : 0.0;
    }
    if (mx_rsvd(a, R, C, r, vd, sigma)) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    /* V rounded to bf16 */
    int ui = mx_stream_set_add(out, 16, R, r, err);
    int vi = ui < 0 ? -1 : mx_stream_set_add(out, 16, C, r, err);
    if (vi < 0)
        goto out;
    for (size_t i = 0; i < C * r; i++) {
        uint16_t h = mx_float_to_bf16((float)vd[i]);
        v[i] = mx_bf16_to_float(h);
        mx_stream_put(&out->s[vi], i, h);
    }
    mx_rsvd_mul(a, v, us, R, C, r); /* U S = A V, from the rounded V */
    for (size_t i = 0; i < R * r; i++)
        mx_stream_put(&out->s[ui], i, mx_float_to_bf16((float)us[i]));
    rc = 2;
out:
    free(a);
    free(vd);
    free(sigma);
    free(v);
    free(us);
    return rc;
}

static int decode(const mx_params *p, mx_work *work, const mx_stream *parts, size_t nparts, mx_stream *out,
                  mx_error *err)
{
    (void)work;
    (void)p;
    uint64_t R = out->d.rows, C = out->d.cols;
    if (nparts != 2 || out->d.bits != 16)
        return mx_fail(err, MX_EINPUT, "corrupt data: lowrank needs 2 parts");
    uint64_t r = parts[0].d.cols;
    if (r == 0 || r > MAX_RANK || mx_stage_expect(&parts[0], 16, R, r, "lowrank", err) ||
        mx_stage_expect(&parts[1], 16, C, r, "lowrank", err))
        return r == 0 || r > MAX_RANK ? mx_fail(err, MX_EINPUT, "corrupt data: lowrank rank") : -1;
    float *v = malloc((size_t)(C * r) * sizeof *v + 4);
    if (!v)
        return mx_fail(err, MX_EFAIL, "out of memory");
    for (size_t i = 0; i < (size_t)(C * r); i++)
        v[i] = mx_bf16_to_float((uint16_t)mx_stream_get(&parts[1], i));
    float us[MAX_RANK];
    for (uint64_t i = 0; i < R; i++) {
        for (uint64_t t = 0; t < r; t++)
            us[t] = mx_bf16_to_float((uint16_t)mx_stream_get(&parts[0], (size_t)(i * r + t)));
        for (uint64_t j = 0; j < C; j++) {
            float d = 0;
            for (uint64_t t = 0; t < r; t++)
                d += us[t] * v[j * r + t];
            mx_stream_put(out, (size_t)(i * C + j), mx_float_to_bf16(d));
        }
    }
    free(v);
    return 0;
}

const mx_stage mx_stage_lowrank = {
    .name = "lowrank",
    .kind = MX_STAGE_TRANSFORM,
    .lossy = 1,
    .summary = "lossy: truncated SVD of the rank given, both factors in bf16",
    .params = {{"rank", MX_PARAM_INT, .min = 1, .max = MAX_RANK, .def = 8}},
    .encode = encode,
    .decode = decode,
};
