/* qsim:T - lossy, with a similarity target: per-row absmax quantisation
 * whose code range (qmax) is the smallest that keeps the competition's
 * similarity, cos(a,b) * (1 - |a-b|/|a|), at or above T for this matrix.
 * Fewer code values mean fewer bits for the entropy stage, so this is the
 * most compression the target allows for the scheme. Codes are 8-bit when
 * qmax <= 127, else 16-bit; scales are bf16, rounded up (see quant.h).
 * Non-finite values become 0, as in q8/q4. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../src/bf16.h"
#include "../src/metrics.h"
#include "quant.h"

#define QMAX_LIMIT 32767
#define SIM_SCALE 100000.0 /* T is kept as an integer number of 1e-5 */

static int parse(const char *arg, mx_params *p, mx_error *err)
{
    double t = 0.99;
    if (arg) {
        char *end;
        t = strtod(arg, &end);
        if (!*arg || *end || !(t > 0.0 && t < 1.0))
            return mx_fail(err, MX_EINPUT, "stage 'qsim': target similarity must be in (0,1), got '%s'",
                           arg);
    }
    p->level = (int)lround(t * SIM_SCALE);
    if (p->level < 1 || p->level >= (int)SIM_SCALE)
        return mx_fail(err, MX_EINPUT, "stage 'qsim': target '%s' out of range", arg ? arg : "");
    return 0;
}

static void format(const mx_params *p, char *buf, size_t n)
{
    snprintf(buf, n, "qsim:%.5g", p->level / SIM_SCALE);
}

/* Quantise with this qmax into codes/scales (when given) and return the
 * similarity of the result. */
static double trial(const mx_stream *in, const float *amax, int qmax, uint16_t *decoded,
                    int32_t *codes, uint16_t *scales)
{
    uint64_t R = in->d.rows, C = in->d.cols;
    for (uint64_t r = 0; r < R; r++) {
        uint16_t sc = amax[r] > 0 ? mx_quant_scale(amax[r], qmax) : 0;
        float s = mx_bf16_to_float(sc);
        if (scales)
            scales[r] = sc;
        for (uint64_t c = 0; c < C; c++) {
            size_t i = (size_t)(r * C + c);
            uint16_t v = (uint16_t)mx_stream_get(in, i);
            long q = 0;
            if (mx_bf16_is_finite(v) && s > 0.0f) {
                q = lrintf(mx_bf16_to_float(v) / s);
                q = q > qmax ? qmax : q < -qmax ? -qmax : q;
            }
            if (codes)
                codes[i] = (int32_t)q;
            decoded[i] = mx_float_to_bf16((float)q * s);
        }
    }
    const uint16_t *orig = (const uint16_t *)(const void *)in->data; /* LE host */
    return mx_similarity_bf16(orig, decoded, (size_t)(R * C)).similarity;
}

static int encode(const mx_params *p, const mx_stream *in, mx_stream_set *out, mx_error *err)
{
    if (in->d.bits != 16)
        return 0;
    uint64_t R = in->d.rows, C = in->d.cols;
    size_t n = (size_t)(R * C);
    double target = p->level / SIM_SCALE;
    float *amax = calloc((size_t)R + 1, sizeof *amax);
    uint16_t *dec = malloc(n * 2 + 2);
    int32_t *codes = malloc(n * 4 + 4);
    uint16_t *scales = malloc((size_t)R * 2 + 2);
    int rc = -1;
    if (!amax || !dec || !codes || !scales) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        uint16_t v = (uint16_t)mx_stream_get(in, i);
        float a = fabsf(mx_bf16_to_float(v));
        if (mx_bf16_is_finite(v) && a > amax[i / C])
            amax[i / C] = a;
    }
    /* the smallest qmax meeting the target (similarity grows with qmax) */
    int lo = 1, hi = QMAX_LIMIT;
    if (!(trial(in, amax, hi, dec, NULL, NULL) >= target))
        lo = hi; /* unreachable (NaN/Inf, or too demanding): finest codes */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (trial(in, amax, mid, dec, NULL, NULL) >= target)
            hi = mid;
        else
            lo = mid + 1;
    }
    trial(in, amax, lo, dec, codes, scales);
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
    free(amax);
    free(dec);
    free(codes);
    free(scales);
    return rc;
}

static int decode(const mx_params *p, const mx_stream *parts, size_t nparts, mx_stream *out,
                  mx_error *err)
{
    (void)p;
    if (nparts != 2 || out->d.bits != 16)
        return mx_fail(err, MX_EINPUT, "corrupt data: qsim needs 2 parts");
    uint64_t R = out->d.rows, C = out->d.cols;
    unsigned bits = parts[0].d.bits;
    if ((bits != 8 && bits != 16) || mx_stage_expect(&parts[0], bits, R, C, "qsim", err) ||
        mx_stage_expect(&parts[1], 16, R, 1, "qsim", err))
        return -1;
    for (uint64_t r = 0; r < R; r++) {
        float s = mx_bf16_to_float((uint16_t)mx_stream_get(&parts[1], (size_t)r));
        for (uint64_t c = 0; c < C; c++) {
            size_t i = (size_t)(r * C + c);
            uint32_t u = mx_stream_get(&parts[0], i);
            int32_t q = bits == 8 ? (int32_t)(int8_t)u : (int32_t)(int16_t)u;
            mx_stream_put(out, i, mx_float_to_bf16((float)q * s));
        }
    }
    return 0;
}

const mx_stage mx_stage_qsim = {
    .name = "qsim",
    .kind = MX_STAGE_TRANSFORM,
    .lossy = 1,
    .summary = "lossy: per-row absmax codes, as few as keep similarity >= T",
    .params_help = "T = target similarity in (0,1) (default 0.99)",
    .parse = parse,
    .format = format,
    .encode = encode,
    .decode = decode,
};
