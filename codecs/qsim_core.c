#include "qsim_core.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bf16.h"
#include "metrics.h"
#include "quant.h"

#define QMAX_LIMIT 32767

uint64_t mx_qsim_block(uint64_t cols)
{
    uint64_t b = 1;
    while (b < 256 && cols % (b * 2) == 0 && cols)
        b *= 2;
    return b;
}

/* In-place orthonormal Walsh-Hadamard transform of each block of a row; its
 * own inverse. */
static void wht_row(float *v, uint64_t cols, uint64_t block)
{
    if (block < 2)
        return;
    float norm = 1.0f / sqrtf((float)block);
    for (uint64_t b = 0; b < cols; b += block) {
        float *x = v + b;
        for (uint64_t h = 1; h < block; h *= 2)
            for (uint64_t i = 0; i < block; i += 2 * h)
                for (uint64_t j = i; j < i + h; j++) {
                    float a = x[j], c = x[j + h];
                    x[j] = a + c;
                    x[j + h] = a - c;
                }
        for (uint64_t i = 0; i < block; i++)
            x[i] *= norm;
    }
}

/* Decodes one row from its codes and scale into bf16 values. */
static void decode_row(const int32_t *q, float s, uint64_t cols, uint64_t block, float *tmp,
                       uint16_t *dst)
{
    for (uint64_t c = 0; c < cols; c++)
        tmp[c] = (float)q[c] * s;
    wht_row(tmp, cols, block);
    for (uint64_t c = 0; c < cols; c++)
        dst[c] = mx_float_to_bf16(tmp[c]);
}

typedef struct {
    uint64_t rows, cols, block;
    const float *z;       /* the (rotated) values to quantise */
    const float *amax;    /* per row, of z */
    const uint16_t *orig; /* the original values, for the similarity */
    int32_t *codes;
    uint16_t *scales, *decoded;
    float *tmp;
} qsim_job;

/* Quantises every row with this qmax and returns the similarity. */
static double trial(qsim_job *j, int qmax)
{
    for (uint64_t r = 0; r < j->rows; r++) {
        uint16_t sc = j->amax[r] > 0 ? mx_quant_scale(j->amax[r], qmax) : 0;
        float s = mx_bf16_to_float(sc);
        j->scales[r] = sc;
        int32_t *q = j->codes + r * j->cols;
        for (uint64_t c = 0; c < j->cols; c++) {
            long k = s > 0.0f ? lrintf(j->z[r * j->cols + c] / s) : 0;
            q[c] = (int32_t)(k > qmax ? qmax : k < -qmax ? -qmax : k);
        }
        decode_row(q, s, j->cols, j->block, j->tmp, j->decoded + r * j->cols);
    }
    /* the lower of float64 and float32 (torch's sums, metrics.h): T must
     * hold both ways, and both are computed exactly, so no margin */
    return mx_similarity_lower(j->orig, j->decoded, (size_t)(j->rows * j->cols));
}

int mx_qsim_encode(uint64_t block, const mx_params *p, const mx_stream *in, mx_stream_set *out,
                   mx_error *err)
{
    if (in->d.bits != 16)
        return 0;
    uint64_t R = in->d.rows, C = in->d.cols;
    size_t n = (size_t)(R * C);
    double target = p->v[0] / MX_QSIM_SCALE;
    float *z = malloc(n * sizeof *z + 4), *amax = calloc((size_t)R + 1, sizeof *amax);
    float *tmp = malloc((size_t)C * sizeof *tmp + 4);
    uint16_t *orig = malloc(n * 2 + 2), *dec = malloc(n * 2 + 2);
    int32_t *codes = malloc(n * 4 + 4);
    uint16_t *scales = malloc((size_t)R * 2 + 2);
    int rc = -1;
    if (!z || !amax || !tmp || !orig || !dec || !codes || !scales) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    for (uint64_t r = 0; r < R; r++) {
        for (uint64_t c = 0; c < C; c++) {
            size_t i = (size_t)(r * C + c);
            orig[i] = (uint16_t)mx_stream_get(in, i);
            /* non-finite values are coded as 0 (documented in q8/q4 too) */
            z[i] = mx_bf16_is_finite(orig[i]) ? mx_bf16_to_float(orig[i]) : 0.0f;
        }
        wht_row(z + r * C, C, block);
        for (uint64_t c = 0; c < C; c++)
            if (fabsf(z[r * C + c]) > amax[r])
                amax[r] = fabsf(z[r * C + c]);
    }
    qsim_job j = {R, C, block, z, amax, orig, codes, scales, dec, tmp};
    /* the smallest qmax meeting the target (similarity grows with qmax) */
    int lo = 1, hi = QMAX_LIMIT;
    if (!(trial(&j, hi) >= target))
        lo = hi; /* unreachable (NaN/Inf, or too demanding): finest codes */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (trial(&j, mid) >= target)
            hi = mid;
        else
            lo = mid + 1;
    }
    trial(&j, lo);
    unsigned bits = lo <= 127 ? 8 : 16;
    int ci = mx_stream_set_add(out, (uint8_t)bits, R, C, err);
    int si = ci < 0 ? -1 : mx_stream_set_add(out, 16, R, 1, err);
    if (si < 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        mx_stream_put(&out->s[ci], i, (uint32_t)codes[i] & (bits == 8 ? 0xffu : 0xffffu));
    for (uint64_t r = 0; r < R; r++)
        mx_stream_put(&out->s[si], (size_t)r, scales[r]);
    rc = 2;
out:
    free(z);
    free(amax);
    free(tmp);
    free(orig);
    free(dec);
    free(codes);
    free(scales);
    return rc;
}

int mx_qsim_decode(const char *stage, uint64_t block, const mx_stream *parts, size_t nparts,
                   mx_stream *out, mx_error *err)
{
    if (nparts != 2 || out->d.bits != 16)
        return mx_fail(err, MX_EINPUT, "corrupt data: %s needs 2 parts", stage);
    uint64_t R = out->d.rows, C = out->d.cols;
    unsigned bits = parts[0].d.bits;
    if ((bits != 8 && bits != 16) || mx_stage_expect(&parts[0], bits, R, C, stage, err) ||
        mx_stage_expect(&parts[1], 16, R, 1, stage, err))
        return -1;
    float *tmp = malloc((size_t)C * sizeof *tmp + 4);
    int32_t *q = malloc((size_t)C * sizeof *q + 4);
    uint16_t *row = malloc((size_t)C * 2 + 2);
    if (!tmp || !q || !row) {
        free(tmp), free(q), free(row);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    for (uint64_t r = 0; r < R; r++) {
        float s = mx_bf16_to_float((uint16_t)mx_stream_get(&parts[1], (size_t)r));
        for (uint64_t c = 0; c < C; c++) {
            uint32_t u = mx_stream_get(&parts[0], (size_t)(r * C + c));
            q[c] = bits == 8 ? (int32_t)(int8_t)u : (int32_t)(int16_t)u;
        }
        decode_row(q, s, C, block, tmp, row);
        for (uint64_t c = 0; c < C; c++)
            mx_stream_put(out, (size_t)(r * C + c), row[c]);
    }
    free(tmp);
    free(q);
    free(row);
    return 0;
}
