/* sparse.h - the largest values of a bf16 stream, as positions and values.
 * Shared by topk (keeps only those) and outliers (keeps them exact and
 * passes the rest on). Internal to codecs/.
 *
 * Parts written: positions as LEB128 gaps between kept indices (8-bit,
 * 1 x bytes), then the kept values as two 8-bit planes (high bytes, then
 * low bytes: the sign+exponent plane codes well on its own). */
#ifndef MX_SPARSE_H
#define MX_SPARSE_H
#include "stage.h"

/* The fraction p in (0,1] of topk and outliers, their parameter, is kept
 * as a whole number of 1e-6 (digits 6). */
#define MX_FRACTION_SCALE 1000000.0
/* How many of n elements the fraction keeps (at least 1 when n > 0). */
size_t mx_fraction_count(const mx_params *p, size_t n);

/* Marks in keep[] (n bytes, zeroed by the caller) the k elements of the
 * 16-bit stream in with the largest magnitude (NaN above Inf above finite;
 * ties go to the earlier index). -1 only when out of memory. */
int mx_select_largest(const mx_stream *in, size_t k, uint8_t *keep, mx_error *err);
/* Appends the positions and value parts of the kept elements to out. */
int mx_sparse_write(const mx_stream *in, const uint8_t *keep, size_t k, mx_stream_set *out,
                    mx_error *err);
/* Puts the kept values of parts[0..1] back into out (shape set, zeroed);
 * *k says how many. Checks every position against the shape. */
int mx_sparse_read(const char *stage, const mx_stream *parts, mx_stream *out, size_t *k,
                   mx_error *err);
#endif
