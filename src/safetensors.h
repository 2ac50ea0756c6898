/* safetensors.h - read every BF16 tensor of a .safetensors file.
 *
 * The JSON header is parsed with jansson. Shapes map to matrices as for
 * .npy ([] -> 1x1, [n] -> 1xn, ND -> product of leading dims x last dim,
 * at most MX_NPY_MAX_DIMS dims); a shape that is not 2-D is also kept as
 * the matrix's origin header, the .npy header of that shape
 * (mx_npy_tensor_header), so decompress gives the tensor back with its
 * own shape. Tensors of other dtypes are skipped; a file with no BF16
 * tensor is an error. */
#ifndef MX_SAFETENSORS_H
#define MX_SAFETENSORS_H
#include <stddef.h>
#include <stdint.h>
#include "matrix.h"
#include "../codecs/mxerr.h"

typedef struct {
    char name[256]; /* tensor name */
    mx_matrix m;
} mx_named_matrix;

/* Heuristic sniff: 8-byte length followed by '{'. */
int mx_safetensors_sniff(const uint8_t *buf, size_t len);
int mx_safetensors_parse(const uint8_t *buf, size_t len, mx_named_matrix **out,
                         size_t *n, mx_error *err);
void mx_named_matrices_free(mx_named_matrix *v, size_t n);
#endif
