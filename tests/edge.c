#include "edge.h"
#include <stdlib.h>
#include <string.h>
#include "../codecs/bf16.h"

/* small LCG so the "noise" cases are identical everywhere */
static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static uint16_t gauss_like(uint32_t *s, float scale)
{
    float u = 0;
    for (int k = 0; k < 4; k++)
        u += (float)(lcg(s) & 0xffff) / 65536.0f - 0.5f;
    return mx_float_to_bf16(u * scale);
}

typedef struct {
    const char *name;
    uint64_t rows, cols;
    int kind;
} edge_spec;

enum { ZEROS, CONSTANT, SPECIALS, NOISE, SPARSE };

static const edge_spec specs[] = {
    {"zeros_16x16", 16, 16, ZEROS},       {"constant_7x9", 7, 9, CONSTANT},
    {"specials_8x8", 8, 8, SPECIALS},     {"one_1x1", 1, 1, NOISE},
    {"odd_13x37", 13, 37, NOISE},         {"row_1x257", 1, 257, NOISE},
    {"col_129x1", 129, 1, NOISE},         {"sparse_31x64", 31, 64, SPARSE},
    {"empty_0x8", 0, 8, NOISE},
};

/* Every special bit pattern bf16 has, cycled through the matrix. */
static const uint16_t specials[] = {
    0x7fc0, 0xffc0, 0x7f81, 0xff81, 0x7fff, 0x7fa5, /* NaNs, quiet/signalling, payloads */
    0x7f80, 0xff80,                                 /* +-Inf */
    0x0000, 0x8000,                                 /* +-0 */
    0x0001, 0x8001, 0x007f, 0x807f, 0x0040,         /* subnormals */
    0x0080, 0x8080,                                 /* smallest normals */
    0x7f7f, 0xff7f,                                 /* largest finite */
    0x3f80, 0xbf80, 0x3f81, 0x4049,                 /* ordinary values */
};

int mx_edge_cases(mx_named_matrix **out, size_t *n)
{
    size_t count = sizeof specs / sizeof specs[0];
    mx_named_matrix *v = calloc(count, sizeof *v);
    if (!v)
        return -1;
    uint32_t seed = 12345;
    for (size_t i = 0; i < count; i++) {
        const edge_spec *e = &specs[i];
        if (mx_matrix_alloc(&v[i].m, e->rows, e->cols)) {
            mx_named_matrices_free(v, count);
            return -1;
        }
        strcpy(v[i].name, e->name);
        size_t cnt = (size_t)(e->rows * e->cols);
        for (size_t k = 0; k < cnt; k++) {
            uint16_t x = 0;
            switch (e->kind) {
            case ZEROS: x = 0; break;
            case CONSTANT: x = 0x3fc0; break; /* 1.5 */
            case SPECIALS: x = specials[k % (sizeof specials / sizeof specials[0])]; break;
            case NOISE: x = gauss_like(&seed, 2.0f); break;
            case SPARSE: x = (lcg(&seed) % 5) ? 0 : gauss_like(&seed, 0.5f); break;
            }
            v[i].m.data[k] = x;
        }
    }
    *out = v;
    *n = count;
    return 0;
}
