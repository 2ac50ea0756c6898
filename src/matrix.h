/* matrix.h - a bf16 matrix in memory, and where it came from.
 *
 * Values are always held in C (row-major) order as the raw 16 bits of each
 * bfloat16. The origin fields remember enough about the source file for
 * `decompress` to write the very same bytes back (an .npy comes back as the
 * same .npy, Fortran order and header padding included). */
#ifndef MX_MATRIX_H
#define MX_MATRIX_H
#include <stddef.h>
#include <stdint.h>
#include "../codecs/mxerr.h"
#include "mxbench.h" /* mx_matrix and mx_origin are public */

/* A matrix without values (rows or cols 0) takes no bytes, but stages still
 * walk its other dimension (per-row scales, say), so a 128-byte file saying
 * 100000000 x 0 would cost seconds and megabytes. An empty matrix may have
 * at most this many rows and columns. */
#define MX_EMPTY_DIM_MAX ((uint64_t)1 << 20)

/* 0 when rows x cols is a shape mxbench takes: its values, at 4 bytes each
 * (as <f4 is read), fit in size_t, and an empty one keeps within
 * MX_EMPTY_DIM_MAX. Else -1 with a one-line MX_EINPUT error. Every reader,
 * the encoder and the decoder check it, so none divides by a zero or
 * multiplies past 64 bits. */
int mx_shape_check(uint64_t rows, uint64_t cols, mx_error *err);
/* The same, naming the shape in its message as `as` says: a reader passes
 * the file's own text ("(9223372036854775807,)"), as rows x cols would be
 * reshaped (1-D as 1 x n, N-D folded) or saturated, not what the file says. */
int mx_shape_check_as(uint64_t rows, uint64_t cols, const char *as, mx_error *err);

/* mx_matrix_alloc and mx_matrix_free: mxbench.h. */
/* mx_matrix_alloc without zeroing the values, for a decoder that writes
 * every one (zeroing 1.5 MB was a tenth of bfdelta's decode time). */
int mx_matrix_alloc_unset(mx_matrix *m, uint64_t rows, uint64_t cols);
/* rows*cols (the shape checked, mx_shape_check). */
size_t mx_matrix_count(const mx_matrix *m);
/* Transposes a column-major buffer of rows x cols into row-major dst. */
void mx_transpose_u16(const uint16_t *src, uint16_t *dst, uint64_t rows,
                      uint64_t cols);
#endif
