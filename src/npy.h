/* npy.h - numpy .npy files of bf16 values (format versions 1, 2 and 3).
 *
 * Accepted dtypes: 2-byte little-endian '<u2', '<i2', '|V2', '<V2' and
 * ml_dtypes' 'bfloat16' (all read as raw bf16 bits), and '<f4', converted to
 * bf16 with round-to-nearest-even (the matrix's origin says so). Shapes:
 * () is 1x1, (n,) is 1xn, (a,b,...,z) is (a*b*...)xz. Fortran order is
 * accepted for up to 2 dimensions and converted to C order. Big-endian
 * dtypes, other dtypes, and data shorter or longer than the shape are
 * errors. The header dict must be one numpy reads: exactly the keys descr,
 * fortran_order and shape, each once (numpy refuses others, and keeps the
 * last of a repeated key), so no file means one thing here and another to
 * numpy. A refused shape is named in messages as the header writes it. */
#ifndef MX_NPY_H
#define MX_NPY_H
#include <stddef.h>
#include <stdint.h>
#include "matrix.h"
#include "../codecs/mxerr.h"

/* 1 if buf starts with the npy magic. */
int mx_npy_sniff(const uint8_t *buf, size_t len);

/* What an .npy header says, for readers that take the data in pieces. */
typedef struct {
    uint64_t rows, cols;
    int width;          /* bytes per stored value: 2 (bf16 bits) or 4 (<f4) */
    int fortran;
    size_t data_offset; /* the header's size: where the data starts */
    int keep_header;    /* the header is not the one mxbench writes: keep it */
    size_t ndim;        /* dimensions of the shape, which is rows x cols only when 2 */
    char shape[80];     /* the shape as the header writes it, e.g. "(2, 3, 16)" */
} mx_npy_info;

/* The header's size from its first 12 bytes (fewer when len is short). */
int mx_npy_header_size(const uint8_t *buf, size_t len, size_t *size, mx_error *err);
/* Parses the header; buf needs only its first data_offset bytes. */
int mx_npy_read_header(const uint8_t *buf, size_t len, mx_npy_info *info, mx_error *err);
/* 0 when hdr (len bytes) is a whole .npy header, nothing after it, that
 * mx_npy_serialize may put before rows x cols bf16 values: a 2-byte dtype
 * the reader accepts, the order fortran says, and a shape the reader takes
 * as exactly rows x cols. Else -1 saying what is wrong. A stored header is
 * checked with it, so a file that reads back is one numpy reads too. */
int mx_npy_header_fits(const uint8_t *hdr, size_t len, uint64_t rows, uint64_t cols,
                       int fortran, mx_error *err);
/* Most dimensions a shape may have, as numpy 1.x. */
#define MX_NPY_MAX_DIMS 32
/* Room for the header of any shape of at most MX_NPY_MAX_DIMS dimensions. */
#define MX_NPY_TENSOR_MAX 1024
/* Writes into hdr (MX_NPY_TENSOR_MAX bytes) the version-1 C-order '<u2'
 * header numpy writes for an array of shape dims[0..ndim), ndim at most
 * MX_NPY_MAX_DIMS; returns its length. For 2 dimensions it is the fresh
 * header mx_npy_serialize writes. A .safetensors tensor's matrix keeps
 * it as its origin header when the tensor is not 2-D, so decompress
 * gives back the tensor's shape. */
size_t mx_npy_tensor_header(const uint64_t *dims, size_t ndim, uint8_t *hdr);
/* 0 when hdr (len bytes) is what a .safetensors tensor's matrix keeps:
 * mx_npy_header_fits in C order, and byte for byte the
 * mx_npy_tensor_header of its own shape, which is not 2-D. Else -1
 * saying why. */
int mx_npy_tensor_header_fits(const uint8_t *hdr, size_t len, uint64_t rows, uint64_t cols,
                              mx_error *err);
/* Stored values (little-endian, width 2 or 4) to bf16 bits. */
void mx_npy_decode_values(const uint8_t *src, int width, size_t count, uint16_t *dst);
/* The header serialisation writes before m's values (which have `rows`
 * rows in all): m's origin header, or a fresh one built in fresh. */
#define MX_NPY_FRESH_MAX 256
size_t mx_npy_header_for(const mx_matrix *m, uint64_t rows, uint8_t *fresh, const uint8_t **head);
int mx_npy_parse(const uint8_t *buf, size_t len, mx_matrix *m, mx_error *err);
/* The file bytes for m: its original header (origin blob) when it has one,
 * else a fresh version-1 '<u2' header; Fortran order is restored. */
int mx_npy_serialize(const mx_matrix *m, uint8_t **out, size_t *out_len,
                     mx_error *err);
#endif
