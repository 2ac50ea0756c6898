/* lowrank:r - lossy: the rank-r truncated SVD of the matrix, A ~ (U S) V^T,
 * with both factors stored as bf16 (parts: U S, R x r; V, C x r). Gradients
 * of a linear layer over a batch are often close to low rank, and then r*(R+C)
 * values replace R*C. The decoder multiplies the factors back, in float in a
 * fixed order, so every machine decodes the same bits.
 *
 * The SVD is the randomised range finder with two power iterations (Halko,
 * Martinsson, Tropp 2011): Q = orth((A A^T)^2 A W) for a random W with a few
 * extra columns, then the exact SVD of the small Q^T A through the Jacobi
 * eigen-decomposition of (Q^T A)(Q^T A)^T. Written out here because it is a
 * few dozen lines and keeps the project free of a LAPACK dependency. The
 * U S factor is recomputed from the rounded V (A V), so the rounding of V is
 * partly absorbed. Non-finite values are taken as 0, as in q8/q4. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "bf16.h"
#include "stage.h"

#define MAX_RANK 256
#define OVERSAMPLE 8

/* Orthonormalises the k columns of the n x k row-major m (modified
 * Gram-Schmidt, twice for stability); a dependent column becomes 0. */
static void orthonormalise(double *m, size_t n, size_t k)
{
    for (int pass = 0; pass < 2; pass++)
        for (size_t j = 0; j < k; j++) {
            for (size_t i = 0; i < j; i++) {
                double d = 0;
                for (size_t r = 0; r < n; r++)
                    d += m[r * k + i] * m[r * k + j];
                for (size_t r = 0; r < n; r++)
                    m[r * k + j] -= d * m[r * k + i];
            }
            double nn = 0;
            for (size_t r = 0; r < n; r++)
                nn += m[r * k + j] * m[r * k + j];
            nn = nn > 1e-300 ? 1.0 / sqrt(nn) : 0.0;
            for (size_t r = 0; r < n; r++)
                m[r * k + j] *= nn;
        }
}

/* out (R x k) = A (R x C) * m (C x k) */
static void mul(const double *a, const double *m, double *out, size_t R, size_t C, size_t k)
{
    memset(out, 0, R * k * sizeof *out);
    for (size_t r = 0; r < R; r++)
        for (size_t c = 0; c < C; c++) {
            double x = a[r * C + c];
            if (x != 0)
                for (size_t j = 0; j < k; j++)
                    out[r * k + j] += x * m[c * k + j];
        }
}

/* out (C x k) = A^T (C x R) * m (R x k) */
static void mul_t(const double *a, const double *m, double *out, size_t R, size_t C, size_t k)
{
    memset(out, 0, C * k * sizeof *out);
    for (size_t r = 0; r < R; r++)
        for (size_t c = 0; c < C; c++) {
            double x = a[r * C + c];
            if (x != 0)
                for (size_t j = 0; j < k; j++)
                    out[c * k + j] += x * m[r * k + j];
        }
}

/* Cyclic Jacobi on the symmetric k x k g: eigenvalues into g's diagonal,
 * eigenvectors into the columns of v. */
static void jacobi(double *g, double *v, size_t k)
{
    for (size_t i = 0; i < k * k; i++)
        v[i] = (i / k == i % k);
    for (int sweep = 0; sweep < 60; sweep++) {
        double off = 0, diag = 0;
        for (size_t i = 0; i < k; i++)
            for (size_t j = 0; j < k; j++)
                *(i == j ? &diag : &off) += g[i * k + j] * g[i * k + j];
        if (off <= 1e-30 * diag || off == 0)
            break;
        for (size_t p = 0; p < k; p++)
            for (size_t q = p + 1; q < k; q++) {
                double apq = g[p * k + q];
                if (fabs(apq) < 1e-300)
                    continue;
                double theta = (g[q * k + q] - g[p * k + p]) / (2 * apq);
                double t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                for (size_t i = 0; i < k; i++) { /* columns p, q */
                    double gp = g[i * k + p], gq = g[i * k + q];
                    g[i * k + p] = c * gp - s * gq;
                    g[i * k + q] = s * gp + c * gq;
                }
                for (size_t i = 0; i < k; i++) { /* rows p, q */
                    double gp = g[p * k + i], gq = g[q * k + i];
                    g[p * k + i] = c * gp - s * gq;
                    g[q * k + i] = s * gp + c * gq;
                }
                for (size_t i = 0; i < k; i++) {
                    double vp = v[i * k + p], vq = v[i * k + q];
                    v[i * k + p] = c * vp - s * vq;
                    v[i * k + q] = s * vp + c * vq;
                }
            }
    }
}

static int encode(const mx_params *p, mx_work *work, const mx_stream *in, mx_stream_set *out, mx_error *err)
{
    (void)work;
    size_t R = (size_t)in->d.rows, C = (size_t)in->d.cols;
    if (in->d.bits != 16 || R == 0 || C == 0)
        return 0;
    size_t mn = R < C ? R : C, r = (size_t)p->v[0] < mn ? (size_t)p->v[0] : mn;
    size_t k = r + OVERSAMPLE < mn ? r + OVERSAMPLE : mn;
    double *a = malloc(R * C * sizeof *a), *w = malloc(C * k * sizeof *w);
    double *y = malloc(R * k * sizeof *y), *b = malloc(C * k * sizeof *b);
    double *g = malloc(k * k * sizeof *g), *ev = malloc(k * k * sizeof *ev);
    double *v = calloc(C * r, sizeof *v), *us = malloc(R * r * sizeof *us);
    int rc = -1;
    if (!a || !w || !y || !b || !g || !ev || !v || !us) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < R * C; i++) {
        uint16_t h = (uint16_t)mx_stream_get(in, i);
        a[i] = mx_bf16_is_finite(h) ? mx_bf16_to_float(h) : 0.0;
    }
    uint64_t seed = 0x9E3779B97F4A7C15ull; /* fixed: the same input gives the same file */
    for (size_t i = 0; i < C * k; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        w[i] = (double)(int64_t)(seed >> 11) / 4503599627370496.0 - 1.0;
    }
    mul(a, w, y, R, C, k);
    orthonormalise(y, R, k);
    for (int it = 0; it < 2; it++) {
        mul_t(a, y, b, R, C, k);
        orthonormalise(b, C, k);
        mul(a, b, y, R, C, k);
        orthonormalise(y, R, k);
    }
    /* B^T = A^T Q (C x k); its Gram matrix B B^T = (A^T Q)^T (A^T Q) */
    mul_t(a, y, b, R, C, k);
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            double d = 0;
            for (size_t c = 0; c < C; c++)
                d += b[c * k + i] * b[c * k + j];
            g[i * k + j] = d;
        }
    jacobi(g, ev, k);
    /* the r largest eigenvalues, in order */
    size_t order[MAX_RANK + OVERSAMPLE];
    for (size_t i = 0; i < k; i++)
        order[i] = i;
    for (size_t i = 0; i < k; i++)
        for (size_t j = i + 1; j < k; j++)
            if (g[order[j] * k + order[j]] > g[order[i] * k + order[i]]) {
                size_t t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
    /* V = B^T W / sigma, rounded to bf16 */
    int ui = mx_stream_set_add(out, 16, R, r, err);
    int vi = ui < 0 ? -1 : mx_stream_set_add(out, 16, C, r, err);
    if (vi < 0)
        goto out;
    for (size_t j = 0; j < r; j++) {
        size_t e = order[j];
        double sigma = sqrt(g[e * k + e] > 0 ? g[e * k + e] : 0);
        for (size_t c = 0; c < C; c++) {
            double d = 0;
            for (size_t i = 0; i < k; i++)
                d += b[c * k + i] * ev[i * k + e];
            uint16_t h = mx_float_to_bf16(sigma > 0 ? (float)(d / sigma) : 0.0f);
            v[c * r + j] = mx_bf16_to_float(h);
            mx_stream_put(&out->s[vi], c * r + j, h);
        }
    }
    mul(a, v, us, R, C, r); /* U S = A V, from the rounded V */
    for (size_t i = 0; i < R * r; i++)
        mx_stream_put(&out->s[ui], i, mx_float_to_bf16((float)us[i]));
    rc = 2;
out:
    free(a);
    free(w);
    free(y);
    free(b);
    free(g);
    free(ev);
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
