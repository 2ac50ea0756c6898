/* rsvd.c - the truncated SVD by the randomised range finder (rsvd.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "rsvd.h"

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

void mx_rsvd_mul(const double *a, const double *m, double *out, size_t R, size_t C, size_t k)
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

int mx_rsvd(const double *a, size_t R, size_t C, size_t r, double *v, double *sigma)
{
    size_t mn = R < C ? R : C;
    if (r > mn || r > MX_RSVD_MAX_RANK)
        return -1;
    size_t k = r + OVERSAMPLE < mn ? r + OVERSAMPLE : mn;
    double *w = malloc(C * k * sizeof *w), *y = malloc(R * k * sizeof *y), *b = malloc(C * k * sizeof *b);
    double *g = malloc(k * k * sizeof *g), *ev = malloc(k * k * sizeof *ev);
    int rc = -1;
    if (!w || !y || !b || !g || !ev)
        goto out;
    uint64_t seed = 0x9E3779B97F4A7C15ull; /* fixed: the same input gives the same factors */
    for (size_t i = 0; i < C * k; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        w[i] = (double)(int64_t)(seed >> 11) / 4503599627370496.0 - 1.0;
    }
    mx_rsvd_mul(a, w, y, R, C, k);
    orthonormalise(y, R, k);
    for (int it = 0; it < 2; it++) {
        mul_t(a, y, b, R, C, k);
        orthonormalise(b, C, k);
        mx_rsvd_mul(a, b, y, R, C, k);
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
    size_t order[MX_RSVD_MAX_RANK + OVERSAMPLE];
    for (size_t i = 0; i < k; i++)
        order[i] = i;
    for (size_t i = 0; i < k; i++)
        for (size_t j = i + 1; j < k; j++)
            if (g[order[j] * k + order[j]] > g[order[i] * k + order[i]]) {
                size_t t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
    /* V = B^T W / sigma */
    for (size_t j = 0; j < r; j++) {
        size_t e = order[j];
        double s = sqrt(g[e * k + e] > 0 ? g[e * k + e] : 0);
        sigma[j] = s;
        for (size_t c = 0; c < C; c++) {
            double d = 0;
            for (size_t i = 0; i < k; i++)
                d += b[c * k + i] * ev[i * k + e];
            v[c * r + j] = s > 0 ? d / s : 0.0;
        }
    }
    rc = 0;
out:
    free(w);
    free(y);
    free(b);
    free(g);
    free(ev);
    return rc;
}
