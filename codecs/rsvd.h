/* rsvd.h - the truncated SVD of a dense matrix, by the randomised range
 * finder with two power iterations (Halko, Martinsson, Tropp 2011):
 * Q = orth((A A^T)^2 A W) for a random W with a few extra columns, then the
 * exact SVD of the small Q^T A through the Jacobi eigen-decomposition of
 * (Q^T A)(Q^T A)^T. Written out because it is a few dozen lines and keeps
 * the project free of a LAPACK dependency. Deterministic: the same matrix
 * gives the same factors on every run (a fixed seed, one thread). Internal
 * to codecs/ (lowrank, quant's low-rank prediction). */
#ifndef MX_RSVD_H
#define MX_RSVD_H
#include <stddef.h>
#include <stdint.h>

#define MX_RSVD_MAX_RANK 256

/* The r largest singular values of the R x C row-major a into sigma (r),
 * largest first, and their right singular vectors into the columns of v
 * (C x r, row-major). 0, or -1 when r > min(R, C) or r > MX_RSVD_MAX_RANK,
 * or out of memory. */
int mx_rsvd(const double *a, size_t R, size_t C, size_t r, double *v, double *sigma);

/* out (R x k) = a (R x C) m (C x k), all row-major. */
void mx_rsvd_mul(const double *a, const double *m, double *out, size_t R, size_t C, size_t k);

#endif
