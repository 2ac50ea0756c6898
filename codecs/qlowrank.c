/* qlowrank.c - the integer low-rank prediction of quant's codes (qlowrank.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "qlowrank.h"
#include "rsvd.h"

void mx_qlr_free(mx_qlr *f)
{
    free(f->u);
    free(f->v);
    free(f->w);
    free(f->a);
    free(f->vf);
    free(f->uf);
    free(f->vq);
    memset(f, 0, sizeof *f);
}

int mx_qlr_fit(const int32_t *q, uint64_t R, uint64_t C, size_t k, mx_qlr *f)
{
    memset(f, 0, sizeof *f);
    size_t n = (size_t)(R * C);
    f->a = malloc(n * sizeof *f->a + 8);
    f->vf = malloc((size_t)C * k * sizeof *f->vf + 8);
    f->uf = malloc((size_t)R * k * sizeof *f->uf + 8);
    f->vq = malloc((size_t)C * k * sizeof *f->vq + 8);
    f->w = malloc((size_t)R * k * sizeof *f->w + 8);
    f->u = malloc((size_t)R * k * sizeof *f->u + 2);
    f->v = malloc((size_t)C * k + 1);
    int rc = -1;
    if (!f->a || !f->vf || !f->uf || !f->vq || !f->w || !f->u || !f->v)
        goto out;
    for (size_t i = 0; i < n; i++)
        f->a[i] = q[i];
    if (mx_rsvd(f->a, (size_t)R, (size_t)C, k, f->vf, f->norm))
        goto out;
    mx_rsvd_mul(f->a, f->vf, f->uf, (size_t)R, (size_t)C, k);
    f->k = k;
    rc = 0;
out:
    if (rc)
        mx_qlr_free(f);
    return rc;
}

double mx_qlr_residual_rms(const int32_t *q, const mx_qlr *f, size_t k, uint64_t R, uint64_t C)
{
    double s = 0;
    size_t K = f->k;
    for (uint64_t r = 0; r < R; r++)
        for (uint64_t c = 0; c < C; c++) {
            double p = 0;
            for (size_t j = 0; j < k; j++)
                p += f->uf[r * K + j] * f->vf[c * K + j];
            double d = q[r * C + c] - p;
            s += d * d;
        }
    return R && C ? sqrt(s / (double)(R * C)) : 0;
}

void mx_qlr_round(mx_qlr *f, size_t k, uint64_t R, uint64_t C, double sigma)
{
    size_t K = f->k;
    double share = 1 - (double)k / (double)C;
    /* half the balance point of the Gaussian model: residuals are
     * heavy-tailed, so their entropy follows a typical size below their
     * RMS; 0.5 coded smallest on both data sets (0.4 to 0.55 within 0.1%,
     * 1 costs 1.5%) */
    double step = 0.5 * sigma * sqrt(12 / (share > 0.25 ? share : 0.25));
    /* v_j: a unit vector, its step step / |component j| (the error it
     * leaves is scaled by the component's size), at most 127 steps */
    double sv[MX_QLR_MAX_RANK];
    for (size_t j = 0; j < k; j++) {
        double m = 0;
        for (uint64_t c = 0; c < C; c++)
            m = fmax(m, fabs(f->vf[c * K + j]));
        sv[j] = fmax(m / 127, f->norm[j] > 0 ? step / f->norm[j] : 0);
        for (uint64_t c = 0; c < C; c++) {
            double t = sv[j] > 0 ? rint(f->vf[c * K + j] / sv[j]) : 0;
            t = t > 127 ? 127 : t < -127 ? -127 : t;
            f->v[j * C + c] = (int8_t)t;
            f->vq[c * k + j] = t * sv[j];
        }
    }
    /* u_j: the coefficients A v_j from the rounded v, which absorbs part of
     * the rounding, in units of 2^e_j / sv_j */
    mx_rsvd_mul(f->a, f->vq, f->w, (size_t)R, (size_t)C, k);
    for (size_t j = 0; j < k; j++) {
        double m = 0;
        for (uint64_t r = 0; r < R; r++)
            m = fmax(m, fabs(f->w[r * k + j] * sv[j]));
        double s = step * sv[j];
        int e = s > 0 ? (int)lrint(log2(s)) : MX_QLR_EMIN;
        e = e < MX_QLR_EMIN ? MX_QLR_EMIN : e;
        while (e < MX_QLR_EMAX && m > MX_QLR_UMAX * ldexp(1, e))
            e++;
        f->e[j] = (int8_t)e;
        for (uint64_t r = 0; r < R; r++) {
            double t = rint(ldexp(f->w[r * k + j] * sv[j], -e));
            f->u[j * R + r] = (int16_t)(t > MX_QLR_UMAX ? MX_QLR_UMAX : t < -MX_QLR_UMAX ? -MX_QLR_UMAX : t);
        }
    }
}

void mx_qlr_predict_row(const mx_qlr *f, size_t k, uint64_t R, uint64_t C, uint64_t r, int64_t *acc,
                        int32_t *p)
{
    memset(acc, 0, (size_t)C * sizeof *acc);
    for (size_t j = 0; j < k; j++) {
        /* |u| <= 2^15, |v| <= 2^7, 2^(e + F) <= 2^32, k <= 64: within 2^60 */
        int64_t coef = (int64_t)f->u[j * R + r] * ((int64_t)1 << (f->e[j] + MX_QLR_F));
        if (coef == 0)
            continue;
        const int8_t *vj = f->v + j * C;
        for (uint64_t c = 0; c < C; c++)
            acc[c] += coef * vj[c];
    }
    /* round half up: shift a non-negative number (offset by 2^62), not a
     * negative one, whose shift C leaves to the implementation */
    const int64_t off = (int64_t)1 << 62;
    for (uint64_t c = 0; c < C; c++) {
        int64_t t = ((acc[c] + off + ((int64_t)1 << (MX_QLR_F - 1))) >> MX_QLR_F) - (off >> MX_QLR_F);
        p[c] = (int32_t)(t > MX_QLR_PMAX ? MX_QLR_PMAX : t < -MX_QLR_PMAX ? -MX_QLR_PMAX : t);
    }
}
