/* qsim_core.h - similarity-targeted per-row absmax quantisation, shared by
 * qsim (on the values) and qrot (on the values rotated by a Walsh-Hadamard
 * transform). Internal to codecs/.
 *
 * Each row gets a bf16 scale (its absmax over qmax, rounded up) and integer
 * codes; qmax is the smallest that keeps the similarity of the decoded
 * matrix, measured against the original values, at or above the target.
 * With a rotation block B > 1, every B consecutive values of a row are
 * rotated by the orthonormal Walsh-Hadamard matrix before quantising and
 * rotated back after: the rotation spreads a few large values over their
 * block, so the absmax scale no longer wastes codes on them. Parts: codes
 * (8-bit when qmax <= 127, else 16-bit), then the row scales (16-bit). */
#ifndef MX_QSIM_CORE_H
#define MX_QSIM_CORE_H
#include "stage.h"

#define MX_QSIM_SCALE 100000.0 /* the target is kept as a whole number of 1e-5 (digits 5) */
/* The rotation block qrot uses for rows of `cols` values: the largest power
 * of two dividing cols, at most 256 (1: no rotation). */
uint64_t mx_qsim_block(uint64_t cols);
int mx_qsim_encode(uint64_t block, const mx_params *p, const mx_stream *in, mx_stream_set *out,
                   mx_error *err);
int mx_qsim_decode(const char *stage, uint64_t block, const mx_stream *parts, size_t nparts,
                   mx_stream *out, mx_error *err);
#endif
