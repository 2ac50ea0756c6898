#include "lanes.h"
#include <stdlib.h>
#include <string.h>
#include "simd.h"
#ifdef MX_SIMD_X86
#include <immintrin.h>
#endif

void mx_lanes_enc_init(mx_lanes_enc *e, uint8_t *buf, size_t cap)
{
    for (unsigned k = 0; k < MX_LANES; k++)
        e->x[k] = MX_LANES_L;
    e->buf = buf;
    e->w = (uint16_t *)(void *)(buf + cap);
    e->simd = mx_simd_avx2();
    /* the emitting lanes' words, in lane order, at the top of 8 words */
    for (unsigned m = 0; m < 256; m++) {
        unsigned cnt = (unsigned)__builtin_popcount(m), k = 8 - cnt;
        memset(e->pack[m], 0x80, 16);
        for (unsigned lane = 0; lane < 8; lane++)
            if (m >> lane & 1) {
                e->pack[m][2 * k] = (uint8_t)(2 * lane);
                e->pack[m][2 * k + 1] = (uint8_t)(2 * lane + 1);
                k++;
            }
    }
}

void mx_lanes_enc_pack(const mx_rans_table *t, uint64_t *table)
{
    for (unsigned s = 0; s < MX_LANES_ENC_TABLE; s++) {
        int used = s < t->alphabet && t->freq[s];
        uint32_t info = t->freq[s] | (uint32_t)t->start[s] << 13 | (uint32_t)t->rcp_shift[s] << 25;
        table[s] = used ? info | (uint64_t)t->rcp_freq[s] << 32 : 0;
    }
}

/* One symbol on one lane: the reference the vector encoder must match.
 * From info: x_max = freq << 19 (rans.h's bound for this L), and for
 * freq 1 the reciprocal is ~0 (q = x - 1), made up in the bias. */
static inline void put_one(mx_lanes_enc *e, unsigned lane, uint32_t info, uint32_t rcp)
{
    uint32_t x = e->x[lane], freq = info & 0x1fff, start = info >> 13 & 0xfff;
    uint32_t emit = x >= freq << 19; /* x < 2^31 and x_max >= 2^19: one word is enough */
    e->w[-1] = (uint16_t)x;           /* written either way, kept when emitted */
    e->w -= emit;
    x >>= 16 * emit;
    uint32_t q = (uint32_t)(((uint64_t)x * rcp) >> 32) >> (info >> 25);
    e->x[lane] = x + start + (freq == 1 ? MX_RANS_SCALE - 1 : 0) + q * (MX_RANS_SCALE - freq);
}

uint8_t *mx_lanes_enc_finish(mx_lanes_enc *e)
{
    uint8_t *p = (uint8_t *)e->w - 4 * MX_LANES; /* the bound left room for them */
    for (unsigned k = 0; k < MX_LANES; k++)
        for (unsigned b = 0; b < 4; b++)
            p[4 * k + b] = (uint8_t)(e->x[k] >> (8 * b));
    return p;
}

static void encode_scalar(mx_lanes_enc *e, size_t j, const uint64_t *tables, size_t base,
                          const uint8_t *sel, const uint8_t *sym, size_t from, size_t to)
{
    for (size_t i = to; i-- > from;) {
        uint64_t t = tables[base + (sel && !sel[i] ? MX_LANES_ENC_TABLE : 0) + sym[i]];
        put_one(e, (unsigned)((j + i) % MX_LANES), (uint32_t)t, (uint32_t)(t >> 32));
    }
}

int mx_simd_avx2(void)
{
#ifdef MX_SIMD_X86
    const char *env = getenv("MXBENCH_SIMD");
    if (env && strcmp(env, "0") == 0)
        return 0;
    return __builtin_cpu_supports("avx2") ? 1 : 0;
#else
    return 0;
#endif
}

int mx_simd_avx512(void)
{
#ifdef MX_SIMD_X86
    const char *env = getenv("MXBENCH_SIMD");
    if (!mx_simd_avx2() || (env && strcmp(env, "avx2") == 0))
        return 0;
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vbmi2");
#else
    return 0;
#endif
}

int mx_simd_level(void)
{
    return mx_simd_avx512() ? 2 : mx_simd_avx2();
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
    d->simd = mx_simd_avx2();
    for (unsigned m = 0; m < 256; m++) {
        uint8_t k = 0;
        for (unsigned lane = 0; lane < 8; lane++)
            d->expand[m][lane] = (m >> lane & 1) ? k++ : 0;
    }
    return 0;
}

#ifdef MX_SIMD_X86
/* The run of one symbol, 8 slots at a time; returns how far it got. */
__attribute__((target("avx2"))) static uint32_t fill_avx2(uint32_t *q, uint32_t v, uint32_t f)
{
    __m256i val = _mm256_add_epi32(_mm256_set1_epi32((int)v),
                                   _mm256_setr_epi32(0, 1 << 20, 2 << 20, 3 << 20, 4 << 20,
                                                     5 << 20, 6 << 20, 7 << 20));
    uint32_t k = 0;
    for (; k + 8 <= f; k += 8) {
        _mm256_storeu_si256((__m256i *)(void *)(q + k), val);
        val = _mm256_add_epi32(val, _mm256_set1_epi32(8 << 20));
    }
    return k;
}
#endif

void mx_lanes_pack(const mx_rans_table *t, uint32_t *packed)
{
    int simd = mx_simd_avx2();
    (void)simd;
    for (unsigned s = 0; s < t->alphabet; s++) {
        uint32_t f = t->freq[s], v = s | (f - 1u) << 8, k = 0, *q = packed + t->start[s];
        if (!f)
            continue;
#ifdef MX_SIMD_X86
        if (simd)
            k = fill_avx2(q, v, f);
#endif
        for (; k < f; k++) /* slot start + k */
            q[k] = v | k << 20;
    }
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

#ifdef MX_SIMD_X86
#define VECS (MX_LANES / 8) /* AVX2 vectors of lane states */
/* The loops over the vectors must unroll, or the states live on the stack. */
#if defined(__clang__)
#define UNROLL _Pragma("clang loop unroll(full)")
#else
#define UNROLL _Pragma("GCC unroll 4")
#endif

/* Eight lanes' tables offsets: base, or the next table where sel is 0. */
__attribute__((target("avx2"))) static inline __m256i table_offsets(const uint8_t *sel, size_t i,
                                                                     __m256i base, int alt)
{
    if (!sel)
        return base;
    __m256i s = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)(sel + i)));
    return _mm256_add_epi32(base, _mm256_and_si256(_mm256_cmpeq_epi32(s, _mm256_setzero_si256()),
                                                   _mm256_set1_epi32(alt)));
}

/* Whole groups of 32 (the first at a multiple of 32) while 64 bytes of
 * words remain, so no load can pass the end. Each group: four vectors of
 * eight lanes look up and advance independently (four lookups in flight,
 * which is what hides their latency); then the lanes that fell below L
 * refill from consecutive words, vector k starting after the words of
 * vectors 0..k-1 (prefix counts of one 32-bit mask, not a chain).
 * Returns where it stopped. */
__attribute__((target("avx2,popcnt"))) static size_t
decode_avx2(mx_lanes_dec *d, const uint32_t *tables, size_t base, const uint8_t *sel,
            uint8_t *out, size_t i, size_t count)
{
    const __m256i basev = _mm256_set1_epi32((int)base);
    const __m256i mask12 = _mm256_set1_epi32(MX_LANES_TABLE - 1), mask8 = _mm256_set1_epi32(0xff);
    const __m256i one = _mm256_set1_epi32(1), lim = _mm256_set1_epi32((int)MX_LANES_L);
    __m256i x[VECS];
    for (int k = 0; k < VECS; k++)
        x[k] = _mm256_loadu_si256((const __m256i *)(const void *)(d->x + 8 * k));
    const uint8_t *p = d->p;
    for (; count - i >= MX_LANES && d->end - p >= 2 * MX_LANES; i += MX_LANES) {
        __m256i y[VECS], need[VECS];
        uint32_t mask = 0;
        UNROLL
        for (int k = 0; k < VECS; k++) {
            __m256i off = table_offsets(sel, i + 8 * (size_t)k, basev, MX_LANES_TABLE);
            __m256i e = mx_load8x32(tables, _mm256_add_epi32(_mm256_and_si256(x[k], mask12), off), 4);
            y[k] = _mm256_and_si256(e, mask8);
            __m256i f = _mm256_add_epi32(_mm256_and_si256(_mm256_srli_epi32(e, 8), mask12), one);
            x[k] = _mm256_add_epi32(_mm256_mullo_epi32(f, _mm256_srli_epi32(x[k], MX_RANS_SCALE_BITS)),
                                    _mm256_srli_epi32(e, 20));
            need[k] = _mm256_cmpgt_epi32(lim, x[k]);
            mask |= (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(need[k])) << (8 * k);
        }
        UNROLL
        for (int k = 0; k < VECS; k++) {
            unsigned m = mask >> (8 * k) & 0xff;
            const uint8_t *q = p + 2 * __builtin_popcount(mask & ((1u << (8 * k)) - 1));
            __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(const void *)q));
            __m256i idx = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)d->expand[m]));
            w = _mm256_permutevar8x32_epi32(w, idx);
            x[k] = _mm256_blendv_epi8(x[k], _mm256_or_si256(_mm256_slli_epi32(x[k], 16), w), need[k]);
        }
        p += 2 * __builtin_popcount(mask);
        /* 32 symbols (< 256) to 32 bytes, in lane order */
        UNROLL
        for (int k = 0; k < VECS; k += 2) {
            __m256i s16 = _mm256_permute4x64_epi64(_mm256_packus_epi32(y[k], y[k + 1]), 0xD8);
            __m128i b = _mm_packus_epi16(_mm256_castsi256_si128(s16), _mm256_extracti128_si256(s16, 1));
            _mm_storeu_si128((__m128i *)(void *)(out + i + 8 * (size_t)k), b);
        }
    }
    for (int k = 0; k < VECS; k++)
        _mm256_storeu_si256((__m256i *)(void *)(d->x + 8 * k), x[k]);
    d->p = p;
    return i;
}
#endif

#ifdef MX_SIMD_X86
/* Eight lanes (symbols y with tables off): the words they emit (packed to
 * the top of 8 words by the mask's shuffle, in *words and *mask), and
 * their states after coding. */
__attribute__((target("avx2,popcnt"))) static inline __m256i
code8(__m256i x, __m256i y, __m256i off, const uint64_t *tables, const uint8_t (*pack)[16],
      __m128i *words, unsigned *mask)
{
    __m256i in, rc;
    mx_load8x64(tables, _mm256_add_epi32(y, off), &in, &rc);
    __m256i freq = _mm256_and_si256(in, _mm256_set1_epi32(0x1fff));
    __m256i start = _mm256_and_si256(_mm256_srli_epi32(in, 13), _mm256_set1_epi32(0xfff));
    __m256i shift = _mm256_srli_epi32(in, 25);
    /* x >= freq << 19, signed: both sides are below 2^31 */
    __m256i emit = _mm256_cmpgt_epi32(x, _mm256_sub_epi32(_mm256_slli_epi32(freq, 19),
                                                           _mm256_set1_epi32(1)));
    unsigned m = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(emit));
    __m256i lo16 = _mm256_and_si256(x, _mm256_set1_epi32(0xffff));
    __m128i wd = _mm256_castsi256_si128(_mm256_permute4x64_epi64(_mm256_packus_epi32(lo16, lo16), 0x08));
    *words = _mm_shuffle_epi8(wd, _mm_loadu_si128((const __m128i *)(const void *)pack[m]));
    *mask = m;
    x = _mm256_blendv_epi8(x, _mm256_srli_epi32(x, 16), emit);
    /* q = x / freq: the high half of x * rcp, then the shift */
    __m256i even = _mm256_srli_epi64(_mm256_mul_epu32(x, rc), 32);
    __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(rc, 32));
    __m256i q = _mm256_srlv_epi32(_mm256_blend_epi32(even, odd, 0xAA), shift);
    __m256i one = _mm256_set1_epi32(1), scale = _mm256_set1_epi32(MX_RANS_SCALE);
    __m256i bias = _mm256_add_epi32(start, _mm256_and_si256(_mm256_cmpeq_epi32(freq, one),
                                                            _mm256_set1_epi32(MX_RANS_SCALE - 1)));
    return _mm256_add_epi32(_mm256_add_epi32(x, bias),
                            _mm256_mullo_epi32(q, _mm256_sub_epi32(scale, freq)));
}

/* Whole groups of 32, downwards from `to` (a multiple of 32 in symbol
 * numbers). The four vectors code independently; then their words are
 * stored from the top: lanes 24-31's, then 16-23's, 8-15's, 0-7's, each
 * store's spare low words overwritten by the next. */
__attribute__((target("avx2,popcnt"))) static size_t
encode_avx2(mx_lanes_enc *e, const uint64_t *tables, size_t base, const uint8_t *sel,
            const uint8_t *sym, size_t from, size_t to)
{
    const __m256i basev = _mm256_set1_epi32((int)base);
    __m256i x[VECS];
    for (int k = 0; k < VECS; k++)
        x[k] = _mm256_loadu_si256((const __m256i *)(const void *)(e->x + 8 * k));
    uint16_t *w = e->w;
    for (; to - from >= MX_LANES; to -= MX_LANES) {
        size_t i = to - MX_LANES;
        __m128i words[VECS];
        unsigned m[VECS];
        UNROLL
        for (int k = 0; k < VECS; k++) {
            size_t at = i + 8 * (size_t)k;
            __m256i y = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)(sym + at)));
            x[k] = code8(x[k], y, table_offsets(sel, at, basev, MX_LANES_ENC_TABLE), tables, e->pack,
                         &words[k], &m[k]);
        }
        UNROLL
        for (int k = VECS; k-- > 0;) { /* the bound leaves room below */
            _mm_storeu_si128((__m128i *)(void *)(w - 8), words[k]);
            w -= __builtin_popcount(m[k]);
        }
    }
    for (int k = 0; k < VECS; k++)
        _mm256_storeu_si256((__m256i *)(void *)(e->x + 8 * k), x[k]);
    e->w = w;
    return to;
}
#endif

void mx_lanes_encode(mx_lanes_enc *e, size_t j, const uint64_t *tables, size_t base,
                     const uint8_t *sel, const uint8_t *sym, size_t count)
{
    /* the partial group at the end, whole groups, the partial group first */
    size_t tail = (j + count) % MX_LANES, to = tail < count ? count - tail : 0;
    encode_scalar(e, j, tables, base, sel, sym, to, count);
#ifdef MX_SIMD_X86
    if (e->simd) /* j + to is a multiple of 32 */
        to = encode_avx2(e, tables, base, sel, sym, 0, to);
#endif
    encode_scalar(e, j, tables, base, sel, sym, 0, to);
}

void mx_lanes_decode(mx_lanes_dec *d, size_t j, const uint32_t *tables, size_t base,
                     const uint8_t *sel, uint8_t *out, size_t count)
{
    size_t head = (MX_LANES - j % MX_LANES) % MX_LANES, i = head < count ? head : count;
    decode_scalar(d, j, tables, base, sel, out, 0, i);
#ifdef MX_SIMD_X86
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
