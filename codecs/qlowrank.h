/* qlowrank.h - an integer low-rank prediction of a matrix of integer codes
 * (quant's), exact on every machine:
 *
 *   P[r][c] = clamp(round(sum_j u_j[r] v_j[c] 2^e_j), +-MX_QLR_PMAX)
 *
 * with v_j (C values) int8 in [-127, 127], u_j (R values) int16 in
 * [-MX_QLR_UMAX, MX_QLR_UMAX] and e_j in [MX_QLR_EMIN, MX_QLR_EMAX], summed
 * in 64-bit integers in units of 2^-MX_QLR_F and rounded half up; so a
 * decoder in any language gets the same P from the same factors. The
 * factors are the codes' leading singular vectors (rsvd.h): v_j rounded to
 * int8 at its own scale, u_j to a step that balances the bits it costs
 * against the error it leaves (see mx_qlr_round). A prefix of k components
 * is a rank-k prediction, so one fit serves every rank up to the one
 * fitted. Internal to codecs/. */
#ifndef MX_QLOWRANK_H
#define MX_QLOWRANK_H
#include <stddef.h>
#include <stdint.h>

#define MX_QLR_MAX_RANK 64
#define MX_QLR_F 24
#define MX_QLR_EMIN (-24)
#define MX_QLR_EMAX 8
#define MX_QLR_UMAX 32767
#define MX_QLR_PMAX (1 << 25)

typedef struct {
    size_t k;                  /* components */
    int8_t e[MX_QLR_MAX_RANK]; /* their exponents */
    int16_t *u;                /* k x R, component by component */
    int8_t *v;                 /* k x C */
    /* the encoder's, from mx_qlr_fit: the codes (R x C), the components'
     * unit vectors (C x k), coefficients (R x k) and norms; and
     * mx_qlr_round's scratch */
    double *a, *vf, *uf, norm[MX_QLR_MAX_RANK];
    double *vq, *w;
} mx_qlr;

/* Fits k <= MX_QLR_MAX_RANK, k <= min(R, C) components to the R x C codes q;
 * u, v and e are left for mx_qlr_round. 0, or -1 when out of memory (f is
 * then empty). */
int mx_qlr_fit(const int32_t *q, uint64_t R, uint64_t C, size_t k, mx_qlr *f);

/* The root mean square of q less the unrounded rank-k prediction. */
double mx_qlr_residual_rms(const int32_t *q, const mx_qlr *f, size_t k, uint64_t R, uint64_t C);

/* Rounds the first k components (u, v, e) for residual codes of RMS sigma.
 * A coefficient's rounding step s adds about k s^2 / (12 C) to each code's
 * squared error and saves log2 s bits for each of u's R k values; the two
 * balance near s = sigma sqrt(12 / (1 - k / C)) (times a measured 0.5),
 * taken to the nearest power of two (e_j), or coarser where u would not
 * fit; v_j's step is s over the component's norm. */
void mx_qlr_round(mx_qlr *f, size_t k, uint64_t R, uint64_t C, double sigma);

/* Row r of the prediction by f's first k components into p (C values);
 * acc is room for C 64-bit sums. */
void mx_qlr_predict_row(const mx_qlr *f, size_t k, uint64_t R, uint64_t C, uint64_t r, int64_t *acc,
                        int32_t *p);

void mx_qlr_free(mx_qlr *f);

#endif
