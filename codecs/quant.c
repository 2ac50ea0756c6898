#include "quant.h"
#include <math.h>
#include <string.h>
#include "bf16.h"

uint16_t mx_quant_scale(float absmax, int qmax)
{
    float s = absmax / (float)qmax;
    uint32_t u;
    memcpy(&u, &s, sizeof u);
    uint16_t h = (uint16_t)(u >> 16);
    if (u & 0xffffu)
        h++; /* round up: positive, so the next bf16 is larger */
    if (h >= 0x7f80u)
        h = 0x7f7fu; /* largest finite */
    /* the bf16 scale must not make |x|/scale exceed qmax after rounding */
    while (h < 0x7f7fu && absmax / mx_bf16_to_float(h) > (float)qmax)
        h++;
    return h;
}

static size_t group_of(size_t i, uint64_t cols, int axis)
{
    return axis == MX_AXIS_ROWS ? i / cols : i % cols;
}

int mx_quant_encode(const char *name, unsigned code_bits, const mx_params *p,
                    const mx_stream *in, mx_stream_set *out, mx_error *err)
{
    int axis = (int)p->v[0]; /* MX_AXIS_ROWS or MX_AXIS_COLS */
    (void)name;
    if (in->d.bits != 16)
        return 0;
    int qmax = code_bits == 8 ? 127 : 7;
    uint64_t R = in->d.rows, C = in->d.cols;
    int ci = mx_stream_set_add(out, (uint8_t)code_bits, R, C, err);
    int si = ci < 0 ? -1
             : axis == MX_AXIS_ROWS ? mx_stream_set_add(out, 16, R, 1, err)
                                       : mx_stream_set_add(out, 16, 1, C, err);
    if (si < 0)
        return -1;
    mx_stream *codes = &out->s[ci], *scales = &out->s[si];
    size_t n = (size_t)(R * C), ng = axis == MX_AXIS_ROWS ? (size_t)R : (size_t)C;
    /* pass 1: absmax per group, kept in the scale stream as float bits */
    for (size_t i = 0; i < n; i++) {
        uint16_t v = (uint16_t)mx_stream_get(in, i);
        if (!mx_bf16_is_finite(v))
            continue;
        size_t g = group_of(i, C, axis);
        uint16_t cur = (uint16_t)mx_stream_get(scales, g);
        if ((v & 0x7fffu) > cur)
            mx_stream_put(scales, g, v & 0x7fffu);
    }
    for (size_t g = 0; g < ng; g++) {
        uint16_t amax = (uint16_t)mx_stream_get(scales, g);
        mx_stream_put(scales, g, amax ? mx_quant_scale(mx_bf16_to_float(amax), qmax) : 0);
    }
    for (size_t i = 0; i < n; i++) {
        uint16_t v = (uint16_t)mx_stream_get(in, i);
        float s = mx_bf16_to_float((uint16_t)mx_stream_get(scales, group_of(i, C, axis)));
        long q = 0;
        if (mx_bf16_is_finite(v) && s > 0.0f) {
            q = lrintf(mx_bf16_to_float(v) / s);
            if (q > qmax) q = qmax;
            if (q < -qmax) q = -qmax;
        }
        mx_stream_put(codes, i, (uint32_t)q & ((1u << code_bits) - 1u));
    }
    return 2;
}

int mx_quant_decode(const char *name, unsigned code_bits, const mx_params *p,
                    const mx_stream *parts, size_t nparts, mx_stream *out,
                    mx_error *err)
{
    int axis = (int)p->v[0];
    if (nparts != 2 || out->d.bits != 16)
        return mx_fail(err, MX_EINPUT, "corrupt data: %s needs 2 parts", name);
    uint64_t R = out->d.rows, C = out->d.cols;
    if (mx_stage_expect(&parts[0], code_bits, R, C, name, err))
        return -1;
    if (axis == MX_AXIS_ROWS ? mx_stage_expect(&parts[1], 16, R, 1, name, err)
                                : mx_stage_expect(&parts[1], 16, 1, C, name, err))
        return -1;
    size_t n = (size_t)(R * C);
    uint32_t sign = 1u << (code_bits - 1);
    for (size_t i = 0; i < n; i++) {
        uint32_t c = mx_stream_get(&parts[0], i);
        int q = (c & sign) ? (int)c - (int)(1u << code_bits) : (int)c;
        float s = mx_bf16_to_float((uint16_t)mx_stream_get(&parts[1], group_of(i, C, axis)));
        mx_stream_put(out, i, mx_float_to_bf16((float)q * s));
    }
    return 0;
}
