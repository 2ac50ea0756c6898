/* npy.h - numpy .npy files of bf16 values (format versions 1, 2 and 3).
 *
 * Accepted dtypes: 2-byte little-endian '<u2', '<i2', '|V2', '<V2' and
 * ml_dtypes' 'bfloat16' (all read as raw bf16 bits), and '<f4', converted to
 * bf16 with round-to-nearest-even (the matrix's origin says so). Shapes:
 * () is 1x1, (n,) is 1xn, (a,b,...,z) is (a*b*...)xz. Fortran order is
 * accepted for up to 2 dimensions and converted to C order. Big-endian
 * dtypes, other dtypes, and data shorter or longer than the shape are
 * errors. */
#ifndef MX_NPY_H
#define MX_NPY_H
#include <stddef.h>
#include <stdint.h>
#include "matrix.h"
#include "mxerr.h"

/* 1 if buf starts with the npy magic. */
int mx_npy_sniff(const uint8_t *buf, size_t len);
int mx_npy_parse(const uint8_t *buf, size_t len, mx_matrix *m, mx_error *err);
/* The file bytes for m: its original header (origin blob) when it has one,
 * else a fresh version-1 '<u2' header; Fortran order is restored. */
int mx_npy_serialize(const mx_matrix *m, uint8_t **out, size_t *out_len,
                     mx_error *err);
#endif
