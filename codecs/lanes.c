#include "lanes.h"
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define LANES_X86 1
#include <immintrin.h>
#endif

void mx_lanes_enc_init(mx_lanes_enc *e, uint8_t *buf, size_t cap)
{
    for (unsigned k = 0; k < MX_LANES; k++)
        e->x[k] = MX_LANES_L;
    e->buf = buf;
    e->p = buf + cap;
}

uint8_t *mx_lanes_enc_finish(mx_lanes_enc *e)
{
    e->p -= 4 * MX_LANES; /* the bound left room for them */
    for (unsigned k = 0; k < MX_LANES; k++)
        for (unsigned b = 0; b < 4; b++)
            e->p[4 * k + b] = (uint8_t)(e->x[k] >> (8 * b));
    return e->p;
}

int mx_lanes_simd(void)
{
#ifdef LANES_X86
    const char *env = getenv("MXBENCH_SIMD");
    if (env && strcmp(env, "0") == 0)
        return 0;
    return __builtin_cpu_supports("avx2") ? 1 : 0;
#else
    return 0;
#endif
}

int mx_lanes_dec_init(mx_lanes_dec *d, const uint8_t *src, size_t n, mx_error *err)
{
    if (n < 4 * MX_LANES)
        return mx_fail(err, MX_EINPUT, "corrupt data: truncated rANS lanes");
    for (unsigned k = 0; k < MX_LANES; k++) {
        const uint8_t *q = src + 4 * k;
        d->x[k] = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
        if (d->x[k] < MX_LANES_L || d->x[k] >= 1u << 31)
            return mx_fail(err, MX_EINPUT, "corrupt data: bad rANS lane state");
    }
    d->p = src + 4 * MX_LANES;
    d->end = src + n;
    d->bad = 0;
    d->simd = mx_lanes_simd();
    for (unsigned m = 0; m < 256; m++) {
        uint8_t k = 0;
        for (unsigned lane = 0; lane < 8; lane++)
            d->expand[m][lane] = (m >> lane & 1) ? k++ : 0;
    }
    return 0;
}

void mx_lanes_pack(const mx_rans_table *t, uint32_t *packed)
{
    for (unsigned s = 0; s < t->alphabet; s++)
        for (uint32_t k = 0; k < t->freq[s]; k++) /* slot start + k */
            packed[t->start[s] + k] = s | (uint32_t)(t->freq[s] - 1u) << 8 | k << 20;
}

/* One symbol on one lane: the reference the vector decoder must match. */
static inline uint8_t get_one(mx_lanes_dec *d, unsigned lane, const uint32_t *table)
{
    uint32_t x = d->x[lane], e = table[x & (MX_LANES_TABLE - 1)];
    /* < 2^31 for any packed table: bias < freq, so x < freq * (q + 1) */
    x = ((e >> 8 & 0xfffu) + 1) * (x >> MX_RANS_SCALE_BITS) + (e >> 20);
    if (x < MX_LANES_L) {
        if (d->end - d->p < 2) {
            d->bad = 1;
        } else {
            x = x << 16 | d->p[0] | (uint32_t)d->p[1] << 8;
            d->p += 2;
        }
    }
    d->x[lane] = x;
    return (uint8_t)e;
}

static void decode_scalar(mx_lanes_dec *d, size_t j, const uint32_t *tables, size_t base,
                          const uint8_t *sel, uint8_t *out, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        size_t off = base + (sel && !sel[i] ? MX_LANES_TABLE : 0);
        out[i] = get_one(d, (unsigned)((j + i) % MX_LANES), tables + off);
    }
}

#ifdef LANES_X86
/* Eight lanes: look up, advance, and refill the lanes that fell below L
 * from consecutive words (expand says which word each lane takes). */
__attribute__((target("avx2,popcnt"))) static inline __m256i
step8(__m256i *x, __m256i e, const uint8_t **p, const uint8_t (*expand)[8])
{
    const __m256i mask12 = _mm256_set1_epi32(0xfff);
    __m256i sym = _mm256_and_si256(e, _mm256_set1_epi32(0xff));
    __m256i f = _mm256_add_epi32(_mm256_and_si256(_mm256_srli_epi32(e, 8), mask12),
                                 _mm256_set1_epi32(1));
    __m256i v = _mm256_add_epi32(_mm256_mullo_epi32(f, _mm256_srli_epi32(*x, MX_RANS_SCALE_BITS)),
                                 _mm256_srli_epi32(e, 20));
    __m256i need = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)MX_LANES_L), v);
    unsigned m = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(need));
    __m256i words = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(const void *)*p));
    __m256i idx = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)expand[m]));
    words = _mm256_permutevar8x32_epi32(words, idx);
    *x = _mm256_blendv_epi8(v, _mm256_or_si256(_mm256_slli_epi32(v, 16), words), need);
    *p += 2 * (unsigned)__builtin_popcount(m);
    return sym;
}

/* Whole groups of 16 (the first at a multiple of 16) while 32 bytes of
 * words remain, so no load can pass the end. Returns where it stopped. */
__attribute__((target("avx2,popcnt"))) static size_t
decode_avx2(mx_lanes_dec *d, const uint32_t *tables, size_t base, const uint8_t *sel,
            uint8_t *out, size_t i, size_t count)
{
    const int *tab = (const int *)(const void *)tables;
    __m256i x0 = _mm256_loadu_si256((const __m256i *)(const void *)d->x);
    __m256i x1 = _mm256_loadu_si256((const __m256i *)(const void *)(d->x + 8));
    const __m256i basev = _mm256_set1_epi32((int)base), alt = _mm256_set1_epi32(MX_LANES_TABLE);
    const __m256i mask12 = _mm256_set1_epi32(MX_LANES_TABLE - 1), zero = _mm256_setzero_si256();
    const uint8_t *p = d->p;
    for (; count - i >= MX_LANES && d->end - p >= 2 * MX_LANES; i += MX_LANES) {
        __m256i o0 = basev, o1 = basev;
        if (sel) {
            __m256i s0 = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)(sel + i)));
            __m256i s1 = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)(sel + i + 8)));
            o0 = _mm256_add_epi32(o0, _mm256_and_si256(_mm256_cmpeq_epi32(s0, zero), alt));
            o1 = _mm256_add_epi32(o1, _mm256_and_si256(_mm256_cmpeq_epi32(s1, zero), alt));
        }
        __m256i e0 = _mm256_i32gather_epi32(tab, _mm256_add_epi32(_mm256_and_si256(x0, mask12), o0), 4);
        __m256i e1 = _mm256_i32gather_epi32(tab, _mm256_add_epi32(_mm256_and_si256(x1, mask12), o1), 4);
        __m256i y0 = step8(&x0, e0, &p, d->expand);
        __m256i y1 = step8(&x1, e1, &p, d->expand);
        /* 16 symbols (< 256) to 16 bytes, in lane order */
        __m256i s = _mm256_permute4x64_epi64(_mm256_packus_epi32(y0, y1), 0xD8);
        __m128i b = _mm_packus_epi16(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
        _mm_storeu_si128((__m128i *)(void *)(out + i), b);
    }
    _mm256_storeu_si256((__m256i *)(void *)d->x, x0);
    _mm256_storeu_si256((__m256i *)(void *)(d->x + 8), x1);
    d->p = p;
    return i;
}
#endif

void mx_lanes_decode(mx_lanes_dec *d, size_t j, const uint32_t *tables, size_t base,
                     const uint8_t *sel, uint8_t *out, size_t count)
{
    size_t head = (MX_LANES - j % MX_LANES) % MX_LANES, i = head < count ? head : count;
    decode_scalar(d, j, tables, base, sel, out, 0, i);
#ifdef LANES_X86
    if (d->simd)
        i = decode_avx2(d, tables, base, sel, out, i, count);
#endif
    decode_scalar(d, j, tables, base, sel, out, i, count);
}

int mx_lanes_dec_finish(const mx_lanes_dec *d, mx_error *err)
{
    int bad = d->bad || d->p != d->end;
    for (unsigned k = 0; k < MX_LANES; k++)
        bad |= d->x[k] != MX_LANES_L;
    return bad ? mx_fail(err, MX_EINPUT, "corrupt data: rANS lanes do not decode") : 0;
}
