/* bench_bounds.h - the reference lines of `make bench`: the ratio simple
 * models of a bf16 matrix would reach, from empirical entropies (static
 * tables whose own cost is not counted, as usual for such bounds).
 *
 *   order-0, 16-bit symbols   16 / H(value)
 *   order-0, byte planes      16 / (H(high byte) + H(low byte))
 *   row/column scale model    each value is sign s, exponent field e (8
 *       bits) and mantissa m (7 bits). The side information is the median
 *       e of every row (r_i) and of every column (c_j), 8 bits each, and
 *       the matrix's median e (M); the prediction is
 *       p = clamp(r_i + c_j - M, 0, 255), and a value costs
 *       H(s,e | p) + H(m | e) bits (lower medians; zeros count as e = 0).
 *       What a coder that knows only each row's and each column's scale
 *       would reach: no neighbours, no repeated rows. */
#ifndef BENCH_BOUNDS_H
#define BENCH_BOUNDS_H
#include "../src/matrix.h"
#include "../codecs/mxerr.h"

typedef struct {
    double r16, rplanes, rscale; /* ratios (INFINITY for a constant matrix) */
    double h_se;                 /* bits per value: H(s,e), order 0 */
    double h_se_scale;           /* H(s,e | p) */
    double h_m;                  /* H(m | e) */
    double side_bits;            /* the medians, per value */
} bench_bounds;

int bench_bounds_of(const mx_matrix *m, bench_bounds *b, mx_error *err);
#endif
