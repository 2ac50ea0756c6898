/* bf16.h - bfloat16 helpers (the 16 high bits of an IEEE float32). */
#ifndef MX_BF16_H
#define MX_BF16_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline float mx_bf16_to_float(uint16_t h)
{
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Round-to-nearest-even float32 -> bf16, as torch does; NaNs stay NaN
 * (quieted) instead of rounding into Inf. */
static inline uint16_t mx_float_to_bf16(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u)
        return (uint16_t)((u >> 16) | 0x0040u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

/* Value i of bf16 bytes in the container's order (little-endian: the host's,
 * which configure checks), and its store. */
static inline uint16_t mx_bf16_load(const uint8_t *p, size_t i)
{
    uint16_t v;
    memcpy(&v, p + 2 * i, 2);
    return v;
}

static inline void mx_bf16_store(uint8_t *p, size_t i, uint16_t v)
{
    memcpy(p + 2 * i, &v, 2);
}

static inline int mx_bf16_is_nan(uint16_t h)
{
    return (h & 0x7fffu) > 0x7f80u;
}

static inline int mx_bf16_is_finite(uint16_t h)
{
    return (h & 0x7f80u) != 0x7f80u;
}
#endif
