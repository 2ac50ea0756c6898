/* qlowrank.h - an integer low-rank prediction of a matrix of integer codes
 * (quant's), exact on every machine:
 *
 *   P[r][c] = clamp(round(sum_j u_j[r] v_j[c] 2^e_j), +-MX_QLR_PMAX)
 *
 * with v_j (C values) int8 in [-127, 127], u_j (R values) int16 in
 * [-MX_QLR_UMAX, MX_QLR_UMAX] and e_j in [MX_QLR_EMIN, MX_QLR_EMAX], summed
 * in 64-bit integers in units of 2^-MX_QLR_F and rounded half up; so a
 * decoder in any language gets the same P from the same factors.
 *
 * The encoder's fit is exact too, so that the exported numpy twin
 * (src/export/qlowrank.py) writes the same bytes: every matrix product is
 * of integers whose sums stay below 2^53 (exact in doubles in any order,
 * with or without FMA), and the other operations are single correctly
 * rounded ones (division, sqrt, rint, ldexp, frexp). Component by
 * component, on the codes times 2^8 less the components before
 * (deflation):
 *   - power iterations from the row of largest sum |E|, four of E^T E,
 *     the vectors rescaled to b bits by powers of two (b <= 15, so that
 *     |E| 2^b max(R, C) < 2^53; the fit stops where b would be below 8);
 *   - v_j: the vector rounded to 127 at its largest entry; its
 *     coefficients c_j = E v_j / (|v_j|^2 2^8), kept for rounding;
 *   - E less rint(outer(E v / |v|^2, v)) with the b-bit v.
 * A prefix of k components is a rank-k prediction, so one fit serves
 * every candidate rank. Internal to codecs/. */
#ifndef MX_QLOWRANK_H
#define MX_QLOWRANK_H
#include <stddef.h>
#include <stdint.h>
#include "bytes.h"
#include "mxerr.h"

#define MX_QLR_MAX_RANK 64
#define MX_QLR_F 24
#define MX_QLR_EMIN (-24)
#define MX_QLR_EMAX 8
#define MX_QLR_UMAX 32767
#define MX_QLR_PMAX (1 << 25)
#define MX_QLR_GROUPS 7 /* factor groups: components 0, 1, 2-3, 4-7, ..., 32-63 */

typedef struct {
    size_t k;                  /* components */
    int8_t e[MX_QLR_MAX_RANK]; /* their exponents */
    int16_t *u;                /* k x R, component by component */
    int8_t *v;                 /* k x C */
    /* the encoder's, from mx_qlr_fit: components fitted, their
     * coefficients (fitted x R), |v_j|^2, and sum |codes - fit| after j
     * components (j = 0..fitted) */
    size_t fitted;
    double *coef, n8[MX_QLR_MAX_RANK];
    uint64_t resid[MX_QLR_MAX_RANK + 1];
} mx_qlr;

/* Fits up to kmax <= MX_QLR_MAX_RANK components to the R x C codes q
 * (|q| <= 2^24); f->fitted says how many (fewer where the residual is 0 or
 * too large for exact sums). v is set; u (room for kmax) and e are left
 * for mx_qlr_round.
 * 0, or -1 when out of memory (f is then empty). */
int mx_qlr_fit(const int32_t *q, uint64_t R, uint64_t C, size_t kmax, mx_qlr *f);

/* Rounds the coefficients of the first k <= fitted components into u and
 * e, and sets f->k = k. A coefficient's rounding step s adds about
 * k s^2 / (12 C) to each code's squared error and saves log2 s bits for
 * each of u's R k values; the two balance near s = sigma sqrt(12 / (1 -
 * k / C)), taken with sigma = 0.8 mean |residual| (measured: 0.7 to 1.0
 * within 0.5%) to the nearest power of two, or coarser where u would not
 * fit. */
void mx_qlr_round(mx_qlr *f, size_t k, uint64_t R, uint64_t C);

/* Adds sign (+1 or -1) times the prediction by f's first k components to
 * the R x C values q: q less it is the residual a coder codes, q plus it
 * the codes decoded, zeros plus it the prediction. 0; 1 where a sum is
 * beyond +-limit (limit > 0; q is then partly updated); -1 when out of
 * memory. */
int mx_qlr_add(const mx_qlr *f, size_t k, uint64_t R, uint64_t C, int sign, int64_t limit, int32_t *q);

/* The group of component j (0 to MX_QLR_GROUPS - 1). */
size_t mx_qlr_group(size_t j);

/* The factors as quantlr's frames (since mode 9) carry them: k (a byte);
 * for k > 0, the exponents (int8 each), the escapes (a varint count, then
 * varints), and the varint length of a wlanes block (wlanes.h) laid out as
 * one row of k (C + R) symbols: v (int8 as a byte), component by
 * component, in context g of its group g (256 symbols); then u, zigzagged,
 * in context 7 + g (4096 symbols), as itself below 4095, else as 4095 with
 * the next escape holding the excess. */
int mx_qlr_write(const mx_qlr *f, uint64_t R, uint64_t C, mx_bytes *out, mx_error *err);

/* Reads mx_qlr_write's factors at *off (advanced) into f, each field
 * checked; "corrupt data: ..." when they are not whole or out of range. */
int mx_qlr_read(const uint8_t *src, size_t n, size_t *off, uint64_t R, uint64_t C, mx_qlr *f,
                mx_error *err);

void mx_qlr_free(mx_qlr *f);

#endif
