/* shape_infer.h - the row length of bf16 values that arrive without a shape.
 *
 * The competition sends a matrix as raw little-endian bf16 bytes and never
 * its shape, while our context coders (bfctx, bfxor) predict each value from
 * the row above. Activations are (tokens x channels) or (pixels x
 * channels): a channel's magnitude recurs every row, so the exponents are
 * periodic with the row length, and that period can be measured.
 *
 * The statistic, integer only (src/export/shape.py is its numpy twin and
 * gives the same answer for the same values; tests/shape.sh checks):
 *   y[j] = sign(exponent(v[j+1]) - exponent(v[j]))   (-1, 0 or 1; blind to a
 *          row's scale, so gradients with one scale per token work too)
 *   r(l) = sum of y[j] * y[j-l] over sampled positions j
 *   S(d) = r(d) + r(2d) + ... + r(K d), K = min(64, n / 2d) rows, for each
 *          divisor d of n with 8 <= d <= n/8 (at least 8 rows), at most 64
 *   z(d) = S(d) / sqrt(K), in noise deviations r(0) / sqrt(positions)
 * Many rows a candidate, because a short matrix gives each lag only a few
 * noise deviations, and rows far apart may correlate more than near ones
 * (4 rows found the width of 75% of 128- and 256-row slices of ../shared,
 * 64 rows 98%). Positions are 8 runs spread over the second half of the
 * matrix: 8192 of them, and 32768 when the best z is not 32 noise
 * deviations. The best d then gives way to its smallest divisor that keeps
 * 9/10 of its z and whose own first lag holds a third of the best's mean
 * lag (a multiple of the width scores about as high as the width; half the
 * width keeps a fraction of it and has no first lag). When even the best z
 * is under 4 noise deviations, there is no width: one row. At most the
 * first 2^24 values are read.
 *
 * It finds the width of every bundled matrix and of all 70 of ../shared
 * (widths 256, 384, 1024), flattened. Cost on 2^20 values: about 0.2 ms
 * when the first 8192 positions decide (activations), 0.6 ms when it reads
 * 32768 (gradients, noise); coding the same values takes 4 ms (bfxor) to
 * 60 ms (bfctx). */
#ifndef MX_SHAPE_INFER_H
#define MX_SHAPE_INFER_H
#include <stdint.h>
#include "../codecs/mxerr.h"

/* The row length of the n values v (C order): a divisor of n, or n when no
 * width stands out (one row); 0 when n is 0. Fails only for lack of
 * memory. */
int mx_infer_cols(const uint16_t *v, uint64_t n, uint64_t *cols, mx_error *err);
#endif
