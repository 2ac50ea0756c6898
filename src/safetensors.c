#include "safetensors.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "npy.h"

int mx_safetensors_sniff(const uint8_t *buf, size_t len)
{
    if (len < 9)
        return 0;
    uint64_t n = 0;
    for (int i = 0; i < 8; i++)
        n |= (uint64_t)buf[i] << (8 * i);
    return n >= 2 && n <= len - 8 && buf[8] == '{';
}

void mx_named_matrices_free(mx_named_matrix *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        mx_matrix_free(&v[i].m);
    free(v);
}

/* The shape as the header writes it, for messages (a long one cut): rows x
 * cols would show [n] as 1xn and fold N-D shapes. */
static void shape_text(json_t *shape, char *out, size_t n)
{
    size_t k = 0, nd = json_array_size(shape), i;
    for (i = 0; i < nd && k + 24 < n; i++) /* room for ", ", 19 digits, "..." and the NUL */
        k += (size_t)snprintf(out + k, n - k, "%s%lld", i ? ", " : "[",
                              (long long)json_integer_value(json_array_get(shape, i)));
    snprintf(out + k, n - k, "%s", nd == 0 ? "[]" : i < nd ? "..." : "]");
}

/* The shape into dims[0..*nd) and as a matrix; 0, or -1 (with err only
 * when the shape is well-formed but refused) */
static int tensor_shape(json_t *shape, uint64_t *dims, size_t *ndim, uint64_t *rows,
                        uint64_t *cols, mx_error *err)
{
    if (!json_is_array(shape))
        return -1;
    size_t nd = json_array_size(shape);
    *rows = 1;
    *cols = 1;
    char text[96];
    if (nd > MX_NPY_MAX_DIMS) { /* decompress could write no .npy of it */
        shape_text(shape, text, sizeof text);
        return mx_fail(err, MX_EINPUT, "shape %s has %zu dimensions; at most %d are supported",
                       text, nd, MX_NPY_MAX_DIMS);
    }
    *ndim = nd;
    for (size_t i = 0; i < nd; i++) {
        json_t *d = json_array_get(shape, i);
        if (!json_is_integer(d) || json_integer_value(d) < 0)
            return -1;
        uint64_t v = (uint64_t)json_integer_value(d);
        dims[i] = v;
        if (i + 1 == nd) {
            *cols = v;
        } else {
            if (v && *rows > UINT64_MAX / v)
                return -1;
            *rows *= v;
        }
    }
    shape_text(shape, text, sizeof text);
    return mx_shape_check_as(*rows, *cols, text, err);
}

/* A tensor that is not 2-D keeps its shape as the .npy header decompress
 * writes (the container's origin header): rows x cols alone would give
 * back (6, 16) for (2, 3, 16). A 2-D one needs none, so its file is the
 * same as before tensors kept their shape. */
static int keep_shape(mx_matrix *m, const uint64_t *dims, size_t ndim, mx_error *err)
{
    if (ndim == 2)
        return 0;
    uint8_t hdr[MX_NPY_TENSOR_MAX];
    size_t n = mx_npy_tensor_header(dims, ndim, hdr);
    if (!(m->origin_blob = malloc(n)))
        return mx_fail(err, MX_EFAIL, "out of memory");
    memcpy(m->origin_blob, hdr, n);
    m->origin_blob_len = n;
    return 0;
}

int mx_safetensors_parse(const uint8_t *buf, size_t len, mx_named_matrix **out,
                         size_t *n, mx_error *err)
{
    *out = NULL;
    *n = 0;
    if (len < 8)
        return mx_fail(err, MX_EINPUT, "truncated .safetensors header");
    uint64_t hlen = 0;
    for (int i = 0; i < 8; i++)
        hlen |= (uint64_t)buf[i] << (8 * i);
    if (hlen > len - 8)
        return mx_fail(err, MX_EINPUT, "truncated .safetensors header");
    json_error_t jerr;
    json_t *root = json_loadb((const char *)buf + 8, (size_t)hlen, 0, &jerr);
    if (!root)
        return mx_fail(err, MX_EINPUT, "bad .safetensors JSON header: %s", jerr.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return mx_fail(err, MX_EINPUT, "bad .safetensors header: not a JSON object");
    }
    const uint8_t *data = buf + 8 + hlen;
    size_t data_len = len - 8 - (size_t)hlen;
    mx_named_matrix *v = calloc(json_object_size(root) + 1, sizeof *v);
    if (!v) {
        json_decref(root);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    size_t k = 0;
    const char *key;
    json_t *t;
    json_object_foreach(root, key, t) {
        if (strcmp(key, "__metadata__") == 0)
            continue;
        json_t *dtype = json_object_get(t, "dtype");
        if (!json_is_string(dtype)) {
            mx_fail(err, MX_EINPUT, "tensor '%s' has no dtype", key);
            goto fail;
        }
        if (strcmp(json_string_value(dtype), "BF16") != 0)
            continue;
        uint64_t rows, cols, dims[MX_NPY_MAX_DIMS];
        size_t ndim = 0;
        json_t *offs = json_object_get(t, "data_offsets");
        mx_error serr = {0};
        int bad_shape =
            tensor_shape(json_object_get(t, "shape"), dims, &ndim, &rows, &cols, &serr);
        if (bad_shape && serr.code) {
            mx_fail(err, MX_EINPUT, "tensor '%s': %s", key, serr.msg);
            goto fail;
        }
        if (bad_shape ||
            !json_is_array(offs) || json_array_size(offs) != 2 ||
            !json_is_integer(json_array_get(offs, 0)) ||
            !json_is_integer(json_array_get(offs, 1))) {
            mx_fail(err, MX_EINPUT, "tensor '%s' has a bad shape or data_offsets", key);
            goto fail;
        }
        json_int_t b = json_integer_value(json_array_get(offs, 0));
        json_int_t e = json_integer_value(json_array_get(offs, 1));
        size_t count = (size_t)(rows * cols);
        if (b < 0 || e < b || (uint64_t)e > data_len || (uint64_t)(e - b) != count * 2) {
            mx_fail(err, MX_EINPUT, "tensor '%s': data_offsets do not match its shape or the file",
                    key);
            goto fail;
        }
        if (mx_matrix_alloc(&v[k].m, rows, cols)) {
            mx_fail(err, MX_EFAIL, "out of memory");
            goto fail;
        }
        const uint8_t *src = data + b;
        for (size_t i = 0; i < count; i++)
            v[k].m.data[i] = (uint16_t)(src[2 * i] | src[2 * i + 1] << 8);
        v[k].m.origin = MX_ORIGIN_SAFETENSORS;
        if (keep_shape(&v[k].m, dims, ndim, err))
            goto fail;
        snprintf(v[k].name, sizeof v[k].name, "%s", key);
        k++;
    }
    json_decref(root);
    if (k == 0) {
        mx_named_matrices_free(v, k);
        return mx_fail(err, MX_EINPUT, "no BF16 tensor in the .safetensors file");
    }
    *out = v;
    *n = k;
    return 0;
fail:
    json_decref(root);
    mx_named_matrices_free(v, k + 1);
    return -1;
}
