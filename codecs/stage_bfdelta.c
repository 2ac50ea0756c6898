/* bfdelta - our bf16 coder: each value against the same column of a
 * reference row, as an arithmetic difference of magnitudes.
 *
 * Rows of activations resemble earlier rows (the same token, the same
 * channel scales). For each row the encoder picks a reference among the
 * rows before it: the 16 nearest, and for each of 16 groups of three
 * sampled columns the latest row whose sign+exponents equal there; the
 * candidate whose sign+exponents agree most on sampled columns wins, the
 * nearer on ties. A row that agrees on under a fifth of its columns codes
 * against zero instead. Its class says how much it agrees (in quarters).
 *
 * A value of magnitude k (15 bits) against a reference magnitude r is the
 * difference k - r in two symbols: dh = (k - r + 2^15) >> 4 (4096 symbols)
 * under the context (the reference's exponent in pairs around the most
 * common exponent, class), then sign flip << 4 | (k - r) & 15 under dh
 * (-8..7, clipped) or, with no reference, the value's exponent bucket. Both contexts depend
 * only on the reference row and the row's side information, so every value
 * of a row decodes independently: the symbols go to the lanes of wlanes.h,
 * a whole row (or K rows, for narrow matrices) per step, which a numpy
 * decoder advances with vector operations (the exported solution's twin
 * writes and reads these very bytes).
 *
 * Layout. n = rows x cols values; Lmax = clamp(n / 1024, 32, 1024). When
 * cols <= Lmax, K = min(rows, Lmax / cols) blocks of B = ceil(rows / K)
 * rows run side by side: step t holds row k B + t of each block k, lane
 * k cols + column; a row's reference must lie in its own block, at most t
 * rows back. Otherwise K = 1 and each row is cut into P = ceil(cols / Lmax)
 * chunks of ceil(cols / P) columns, a step each.
 *
 * Frame (after the mode byte): the most common non-zero exponent (u8) of
 * every eighth value; the tables (wlanes.h) of the contexts below; the
 * lanes, whose steps are: the row headers (all distance >> 5, then all
 * distance & 31, then all classes; L at a time), then per step of values
 * its dh symbols, then its flip+low symbols.
 *
 * Raw frame (see "raw frames" below for when): a zero byte, then the
 * exponent as above; RAW_BITS bit planes of the low bits of k - r; the
 * tables; the lanes, whose value steps hold one symbol a value,
 * (k - r + 2^15) >> 5 << 1 | flip, under the dh contexts. */
#include <stdlib.h>
#include <string.h>
#include "bf16.h"
#include "coded_frame.h"
#include "simd.h"
#include "rowref.h"
#include "wlanes.h"
#include "parallel.h"
#include "bfdelta.h"
#ifdef MX_SIMD_X86
#include <immintrin.h>
#endif

/* The mode byte of our frames (coded_frame.h): on disk, never renumbered. */
#define MX_FRAME_BFDELTA 6

#define NCLS MX_ROWREF_CLASSES /* 0: no reference; 1..4: agreement in quarters */
#define NREB 33                /* reference exponent buckets: 0 for a zero exponent */

enum {
    CTX_DH = 0,                       /* + bucket * NCLS + class */
    CTX_LO = CTX_DH + NREB * NCLS,    /* + dh near zero, or the value's exponent bucket */
    CTX_DHI = CTX_LO + 32,            /* distance >> 5 */
    CTX_DLO,                          /* distance & 31 */
    CTX_CLS,                          /* class */
    CTX_N
};

static int model_init(mx_wl_model *m, unsigned nthird, int encoder, mx_error *err)
{
    uint16_t alpha[CTX_N];
    for (unsigned c = 0; c < CTX_N; c++)
        alpha[c] = c < CTX_LO ? 4096 : c < CTX_DHI ? 32 : c == CTX_DHI ? 33 : c == CTX_DLO ? 32 : (uint16_t)nthird;
    return mx_wl_model_init(m, CTX_N, alpha, encoder, err);
}

/* The class of the contexts of a row of third header symbol t: 1..4 again
 * for each further four (bfdelta.h). */
static inline uint32_t ctx_class(unsigned t)
{
    return t ? (t - 1) % 4 + 1 : 0;
}

/* Row g's reference values: refs' row, or the row dist back, or zeros */
static inline const uint8_t *row_ref(const uint8_t *src, const uint8_t *refs, const uint8_t *zero,
                                     unsigned dist, uint64_t g, uint64_t C)
{
    return refs ? refs + 2 * g * C : dist ? src + 2 * (g - dist) * C : zero;
}

/* What a work (work.h) keeps of bfdelta between calls: both models and the
 * lane encoder, the bulk of a call's memory (the decoder's slots alone are
 * 5 MB, the encoder's counts and entries 8 MB, mostly untouched), and a
 * raw frame's low bits. */
typedef struct {
    mx_wl_model enc_model, dec_model;
    mx_wl_enc enc;
    uint8_t *low;
    size_t low_cap;
} kept;

static void kept_clear(void *state)
{
    kept *k = state;
    mx_wl_model_free(&k->enc_model);
    mx_wl_model_free(&k->dec_model);
    mx_wl_enc_free(&k->enc);
    free(k->low);
    k->low = NULL;
    k->low_cap = 0;
}

/* k's buffer of at least n bytes (its contents undefined); NULL when out
 * of memory */
static uint8_t *kept_low(kept *k, size_t n)
{
    if (k->low_cap < n) {
        free(k->low);
        k->low_cap = 0;
        if (!(k->low = malloc(n)))
            return NULL;
        k->low_cap = n;
    }
    return k->low;
}

static const mx_work_kind kept_kind = {"bfdelta", sizeof(kept), kept_clear};

/* --- contexts ---
 * The flat model index (wlanes.h) of each symbol, by arithmetic: every
 * context before CTX_LO has 4096 symbols, the CTX_LO ones 32. */

#define OFF_LO ((uint32_t)CTX_LO << 12)

/* sym1's context base (x 4096) for reference magnitude bits r >> 7, class cl */
static inline uint32_t base1_of(unsigned re, uint32_t cl, int med)
{
    int b = (int)re - med + 32;
    b = b < 0 ? 0 : b >> 1;
    b = b > 31 ? 31 : b;
    return (CTX_DH + (re ? 1 + (uint32_t)b : 0) * NCLS + cl) << 12;
}

/* sym2's context (minus CTX_LO) for dh symbol s1 against a reference
 * exponent re */
static inline uint32_t ctx2_of(unsigned re, unsigned s1, int med)
{
    int near = (int)s1 - 2048, eb = (int)(s1 >> 3) - 256 - med + 8;
    near = near < -8 ? -8 : near > 7 ? 7 : near;
    eb = eb < 0 ? 0 : eb > 15 ? 15 : eb;
    return (uint32_t)(re ? near + 8 : 16 + eb);
}

#ifdef MX_SIMD_X86
/* Eight lanes of base1_of / off2_of, from the reference values (32-bit lanes). */
__attribute__((target("avx2"))) static inline __m256i base1_avx2(__m256i r, __m256i cl, __m256i med)
{
    __m256i re = _mm256_and_si256(_mm256_srli_epi32(r, 7), _mm256_set1_epi32(255));
    __m256i b = _mm256_max_epi32(_mm256_sub_epi32(_mm256_add_epi32(re, _mm256_set1_epi32(32)), med),
                                 _mm256_setzero_si256());
    b = _mm256_min_epi32(_mm256_srli_epi32(b, 1), _mm256_set1_epi32(31));
    b = _mm256_mullo_epi32(_mm256_add_epi32(b, _mm256_set1_epi32(1)), _mm256_set1_epi32(NCLS));
    b = _mm256_andnot_si256(_mm256_cmpeq_epi32(re, _mm256_setzero_si256()), b);
    return _mm256_slli_epi32(_mm256_add_epi32(_mm256_add_epi32(b, cl), _mm256_set1_epi32(CTX_DH)), 12);
}

__attribute__((target("avx2"))) static inline __m256i ctx2_avx2(__m256i r, __m256i s1, __m256i med)
{
    __m256i re0 = _mm256_cmpeq_epi32(_mm256_and_si256(r, _mm256_set1_epi32(0x7f80)),
                                     _mm256_setzero_si256());
    __m256i near = _mm256_sub_epi32(s1, _mm256_set1_epi32(2048 - 8));
    near = _mm256_min_epi32(_mm256_max_epi32(near, _mm256_setzero_si256()), _mm256_set1_epi32(15));
    __m256i eb = _mm256_sub_epi32(_mm256_srli_epi32(s1, 3), _mm256_add_epi32(med, _mm256_set1_epi32(248)));
    eb = _mm256_min_epi32(_mm256_max_epi32(eb, _mm256_setzero_si256()), _mm256_set1_epi32(15));
    eb = _mm256_add_epi32(eb, _mm256_set1_epi32(16));
    return _mm256_blendv_epi8(near, eb, re0);
}

__attribute__((target("avx2"))) static inline __m256i load8(const uint8_t *p)
{
    return _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(const void *)p));
}
#endif

#ifdef MX_SIMD_X86
/* Sixteen lanes' dh bucket of the reference values r, less one (0..31),
 * and in *some whether the reference exponent is non-zero (bucket 0 when
 * not): what base1_512 and win_512 share */
__attribute__((target(MX_AVX512_TARGET))) static inline __m512i bucket_512(__m512i r, __m512i med,
                                                                          __mmask16 *some)
{
    __m512i re = _mm512_and_si512(_mm512_srli_epi32(r, 7), _mm512_set1_epi32(255));
    __m512i b = _mm512_max_epi32(_mm512_sub_epi32(_mm512_add_epi32(re, _mm512_set1_epi32(32)), med),
                                 _mm512_setzero_si512());
    *some = _mm512_test_epi32_mask(re, re);
    return _mm512_min_epi32(_mm512_srli_epi32(b, 1), _mm512_set1_epi32(31));
}

/* Sixteen lanes' exponent bucket of base1_of (0..32), from the reference
 * values */
__attribute__((target(MX_AVX512_TARGET))) static inline __m512i ctx_bucket_512(__m512i r, __m512i med)
{
    __mmask16 some;
    __m512i b = bucket_512(r, med, &some);
    return _mm512_maskz_add_epi32(some, b, _mm512_set1_epi32(1));
}

/* base1_of on sixteen lanes, from their ctx_bucket_512 */
__attribute__((target(MX_AVX512_TARGET))) static inline __m512i base1_of_bucket_512(__m512i b, __m512i cl)
{
    b = _mm512_mullo_epi32(b, _mm512_set1_epi32(NCLS));
    return _mm512_slli_epi32(_mm512_add_epi32(_mm512_add_epi32(b, cl), _mm512_set1_epi32(CTX_DH)), 12);
}

/* base1_avx2 and ctx2_avx2 on sixteen lanes */
__attribute__((target(MX_AVX512_TARGET))) static inline __m512i base1_512(__m512i r, __m512i cl,
                                                                         __m512i med)
{
    return base1_of_bucket_512(ctx_bucket_512(r, med), cl);
}

__attribute__((target(MX_AVX512_TARGET))) static inline __m512i ctx2_512(__m512i r, __m512i s1, __m512i med)
{
    __mmask16 re0 = _mm512_testn_epi32_mask(r, _mm512_set1_epi32(0x7f80));
    __m512i near = _mm512_sub_epi32(s1, _mm512_set1_epi32(2048 - 8));
    near = _mm512_min_epi32(_mm512_max_epi32(near, _mm512_setzero_si512()), _mm512_set1_epi32(15));
    __m512i eb = _mm512_sub_epi32(_mm512_srli_epi32(s1, 3), _mm512_add_epi32(med, _mm512_set1_epi32(248)));
    eb = _mm512_min_epi32(_mm512_max_epi32(eb, _mm512_setzero_si512()), _mm512_set1_epi32(15));
    return _mm512_mask_add_epi32(near, re0, eb, _mm512_set1_epi32(16));
}

/* Sixteen lanes' windows (wlanes.h) of their dh contexts, from the
 * reference values: wlo and whi hold class cl's of buckets 1..32, w0 that
 * of bucket 0 (no reference exponent) */
__attribute__((target(MX_AVX512_TARGET))) static inline __m512i win_512(__m512i r, __m512i med,
                                                                       __m512i wlo, __m512i whi,
                                                                       __m512i w0)
{
    __mmask16 some;
    __m512i b = bucket_512(r, med, &some);
    return _mm512_mask_mov_epi32(w0, some, _mm512_permutex2var_epi32(wlo, b, whi));
}

/* Sixteen values *xv of x and their references *rv of r; returns their
 * magnitudes' differences plus 32768. */
__attribute__((target(MX_AVX512_TARGET))) static inline __m512i delta_512(const uint8_t *x, const uint8_t *r,
                                                                          __m512i *xv, __m512i *rv)
{
    const __m512i m15 = _mm512_set1_epi32(0x7fff);
    *xv = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(const void *)x));
    *rv = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(const void *)r));
    return _mm512_add_epi32(_mm512_sub_epi32(_mm512_and_si512(*xv, m15), _mm512_and_si512(*rv, m15)),
                            _mm512_set1_epi32(32768));
}

/* value_indices_avx2 on sixteen lanes */
__attribute__((target(MX_AVX512_TARGET))) static size_t
value_indices_avx512(const uint8_t *x, const uint8_t *r, size_t w, uint32_t cl, int med, uint32_t *i1,
                     uint32_t *i2)
{
    const __m512i clv = _mm512_set1_epi32((int)cl), medv = _mm512_set1_epi32(med);
    size_t j = 0;
    for (; j + 16 <= w; j += 16) {
        __m512i xv, rv, dl = delta_512(x + 2 * j, r + 2 * j, &xv, &rv);
        __m512i s1 = _mm512_srli_epi32(dl, 4);
        __m512i s2 = _mm512_or_si512(_mm512_slli_epi32(_mm512_srli_epi32(_mm512_xor_si512(xv, rv), 15), 4),
                                     _mm512_and_si512(dl, _mm512_set1_epi32(15)));
        _mm512_storeu_si512((void *)(i1 + j), _mm512_add_epi32(base1_512(rv, clv, medv), s1));
        __m512i c2 = _mm512_slli_epi32(ctx2_512(rv, s1, medv), 5);
        _mm512_storeu_si512((void *)(i2 + j),
                            _mm512_add_epi32(_mm512_add_epi32(c2, _mm512_set1_epi32((int)OFF_LO)), s2));
    }
    return j;
}

/* delta_512 for eight values */
__attribute__((target("avx2"))) static inline __m256i delta_avx2(const uint8_t *x, const uint8_t *r, __m256i *xv,
                                                                 __m256i *rv)
{
    const __m256i m15 = _mm256_set1_epi32(0x7fff);
    *xv = load8(x);
    *rv = load8(r);
    return _mm256_add_epi32(_mm256_sub_epi32(_mm256_and_si256(*xv, m15), _mm256_and_si256(*rv, m15)),
                            _mm256_set1_epi32(32768));
}

__attribute__((target("avx2"))) static size_t value_indices_avx2(const uint8_t *x, const uint8_t *r,
                                                                  size_t w, uint32_t cl, int med,
                                                                  uint32_t *i1, uint32_t *i2)
{
    const __m256i clv = _mm256_set1_epi32((int)cl), medv = _mm256_set1_epi32(med);
    size_t j = 0;
    for (; j + 8 <= w; j += 8) {
        __m256i xv, rv, dl = delta_avx2(x + 2 * j, r + 2 * j, &xv, &rv);
        __m256i s1 = _mm256_srli_epi32(dl, 4);
        __m256i s2 = _mm256_or_si256(_mm256_slli_epi32(_mm256_srli_epi32(_mm256_xor_si256(xv, rv), 15), 4),
                                     _mm256_and_si256(dl, _mm256_set1_epi32(15)));
        _mm256_storeu_si256((__m256i *)(void *)(i1 + j), _mm256_add_epi32(base1_avx2(rv, clv, medv), s1));
        __m256i c2 = _mm256_slli_epi32(ctx2_avx2(rv, s1, medv), 5);
        _mm256_storeu_si256((__m256i *)(void *)(i2 + j),
                            _mm256_add_epi32(_mm256_add_epi32(c2, _mm256_set1_epi32((int)OFF_LO)), s2));
    }
    return j;
}
#endif

/* The flat indices of the two symbols of w values x against the reference
 * values r (zeros for none), class cl. */
static void value_indices(const uint8_t *x, const uint8_t *r, size_t w, uint32_t cl, int med,
                          int simd, uint32_t *i1, uint32_t *i2)
{
    size_t j = 0;
#ifdef MX_SIMD_X86
    if (simd == 2)
        j = value_indices_avx512(x, r, w, cl, med, i1, i2);
    if (simd)
        j += value_indices_avx2(x + 2 * j, r + 2 * j, w - j, cl, med, i1 + j, i2 + j);
#endif
    (void)simd;
    for (; j < w; j++) {
        uint16_t xv = mx_bf16_load(x, j), rv = mx_bf16_load(r, j);
        unsigned dl = (unsigned)((int)(xv & 0x7fff) - (int)(rv & 0x7fff) + 32768);
        unsigned s1 = dl >> 4, s2 = (unsigned)((xv ^ rv) >> 15) << 4 | (dl & 15);
        i1[j] = base1_of(rv >> 7 & 255, cl, med) + s1;
        i2[j] = OFF_LO + 32 * ctx2_of(rv >> 7 & 255, s1, med) + s2;
    }
}

/* --- raw frames: the low bits beside the lanes ---
 * A raw frame codes one symbol a value, (dl >> 5) << 1 | flip, under the
 * dh contexts, and the five low bits of dl as they are. Where values
 * rarely equal their reference (no repeated rows), those bits are nearly
 * uniform and the flip is better predicted by the dh context than by dh:
 * raw frames are smaller there, and a value costs one rANS symbol, not
 * two. Where values often equal their reference, the low bits of those
 * values are zeros that the second symbol codes almost free: they are
 * worth 5 bits each in a raw frame. So a frame is raw when fewer than 1 in
 * RAW_EQUAL of the values of every RAW_EVERY-th row (0, RAW_EVERY, ..)
 * equal their reference (those rows cost a raw frame about 5 / RAW_EQUAL
 * bits a value), and it has at least RAW_MIN values (below, both kinds
 * are fast, and the two-symbol kind is the smaller). */
#define RAW_BITS 5
#define RAW_EQUAL 50
#define RAW_EVERY 8
#define RAW_MIN 4096

#ifdef MX_SIMD_X86
/* Of n values at x, how many equal those at r, sixteen at a time; *done:
 * how many were looked at */
__attribute__((target("avx2,popcnt"))) static uint64_t equal_avx2(const uint8_t *x, const uint8_t *r, size_t n,
                                                                   size_t *done)
{
    uint64_t e = 0;
    size_t c = 0;
    for (; c + 16 <= n; c += 16) {
        __m256i eq = _mm256_cmpeq_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(x + 2 * c)),
                                        _mm256_loadu_si256((const __m256i *)(const void *)(r + 2 * c)));
        e += (unsigned)__builtin_popcount((unsigned)_mm256_movemask_epi8(eq)) / 2;
    }
    *done = c;
    return e;
}
#endif

static int raw_frame(const uint8_t *src, const uint8_t *refs, const uint8_t *zero, const uint16_t *dist,
                     uint64_t R, uint64_t C, int simd)
{
    if (R * C < RAW_MIN)
        return 0;
    uint64_t equal = 0, seen = 0;
    for (uint64_t g = 0; g < R; g += RAW_EVERY) {
        const uint8_t *x = src + 2 * g * C, *r = row_ref(src, refs, zero, dist[g], g, C);
        size_t c = 0;
#ifdef MX_SIMD_X86
        if (simd)
            equal += equal_avx2(x, r, (size_t)C, &c);
#endif
        for (; c < C; c++)
            equal += mx_bf16_load(x, c) == mx_bf16_load(r, c);
        seen += C;
    }
    (void)simd;
    return equal * RAW_EQUAL < seen;
}

/* The low bits of a raw frame's values go straight to their bit planes:
 * RAW_BITS planes of nb = ceil(n / 8) bytes, bit b of every value in turn,
 * value i at bit i % 8 of byte i / 8 (numpy's packbits(bitorder="little")
 * order). or_bits sets the bits of up to 16 values from value i on in
 * plane bytes that start zeroed (with 4 bytes to spare at the end). */
static inline void or_bits(uint8_t *plane, size_t i, uint32_t bits)
{
    uint32_t v;
    memcpy(&v, plane + i / 8, 4); /* LE host (configure checks) */
    v |= bits << (i % 8);
    memcpy(plane + i / 8, &v, 4);
}

/* or_bits for exactly 8 x nbytes values: on a byte boundary a plain store,
 * as or_bits' load of the bytes the last call stored (partly) would wait on
 * that store, every plane and every step */
static inline void put_bits(uint8_t *plane, size_t i, uint32_t bits, size_t nbytes)
{
    if (i % 8)
        or_bits(plane, i, bits);
    else
        memcpy(plane + i / 8, &bits, nbytes); /* LE host: the low bytes */
}

#ifdef MX_SIMD_X86
/* Sixteen values' raw-frame symbols (flat indices) to i1, with mark their
 * buckets met to *seen and *top (raw_indices_avx512); returns their
 * k - r + 2^15 */
__attribute__((target(MX_AVX512_TARGET))) static inline __m512i
raw16_512(const uint8_t *x, const uint8_t *r, __m512i clv, __m512i medv, uint32_t *i1, int mark,
          __m512i *seen, __mmask16 *top)
{
    __m512i xv, rv, dl = delta_512(x, r, &xv, &rv);
    __m512i sym = _mm512_or_si512(_mm512_slli_epi32(_mm512_srli_epi32(dl, RAW_BITS), 1),
                                  _mm512_srli_epi32(_mm512_xor_si512(xv, rv), 15));
    __m512i b = ctx_bucket_512(rv, medv);
    _mm512_storeu_si512((void *)i1, _mm512_add_epi32(base1_of_bucket_512(b, clv), sym));
    if (mark) {
        *seen = _mm512_or_si512(*seen, _mm512_sllv_epi32(_mm512_set1_epi32(1), b));
        *top |= _mm512_cmpeq_epi32_mask(b, _mm512_set1_epi32(32));
    }
    return dl;
}

/* raw_indices on sixteen lanes; with used, marks the contexts met once,
 * from a mask of the buckets met (a store a value costs more). Rows that
 * start on a plane byte go 64 values a step: their low bytes in one vector,
 * then a byte test and an 8-byte store per plane. */
__attribute__((target(MX_AVX512_TARGET))) static size_t
raw_indices_avx512(const uint8_t *x, const uint8_t *r, size_t w, uint32_t cl, int med, uint32_t *i1,
                   uint8_t *planes, size_t nb, size_t at, uint8_t *used)
{
    const __m512i clv = _mm512_set1_epi32((int)cl), medv = _mm512_set1_epi32(med);
    __m512i seen = _mm512_setzero_si512(); /* bit b: a reference of bucket b (0..31) */
    __mmask16 top = 0;                     /* bucket 32 */
    size_t j = 0;
    for (; planes && at % 8 == 0 && j + 64 <= w; j += 64) {
        __m128i lo[4];
        for (int k = 0; k < 4; k++)
            lo[k] = _mm512_cvtepi32_epi8(raw16_512(x + 2 * (j + 16 * (size_t)k), r + 2 * (j + 16 * (size_t)k),
                                                   clv, medv, i1 + j + 16 * (size_t)k, !!used, &seen, &top));
        __m512i v = _mm512_inserti32x4(_mm512_castsi128_si512(lo[0]), lo[1], 1);
        v = _mm512_inserti32x4(_mm512_inserti32x4(v, lo[2], 2), lo[3], 3);
        for (int bit = 0; bit < RAW_BITS; bit++) {
            uint64_t m = _mm512_test_epi8_mask(v, _mm512_set1_epi8((char)(1 << bit)));
            memcpy(planes + (size_t)bit * nb + (at + j) / 8, &m, 8);
        }
    }
    for (; j + 16 <= w; j += 16) {
        __m512i dl = raw16_512(x + 2 * j, r + 2 * j, clv, medv, i1 + j, !!used, &seen, &top);
        for (int bit = 0; planes && bit < RAW_BITS; bit++)
            put_bits(planes + (size_t)bit * nb, at + j, _mm512_test_epi32_mask(dl, _mm512_set1_epi32(1 << bit)), 2);
    }
    if (used) {
        uint64_t all = (uint64_t)(uint32_t)_mm512_reduce_or_epi32(seen) | (uint64_t)!!top << 32;
        for (; all; all &= all - 1)
            used[CTX_DH + (uint32_t)__builtin_ctzll(all) * NCLS + cl] = 1;
    }
    return j;
}

__attribute__((target("avx2"))) static size_t raw_indices_avx2(const uint8_t *x, const uint8_t *r, size_t w,
                                                                uint32_t cl, int med, uint32_t *i1,
                                                                uint8_t *planes, size_t nb, size_t at)
{
    const __m256i clv = _mm256_set1_epi32((int)cl), medv = _mm256_set1_epi32(med);
    size_t j = 0;
    for (; j + 8 <= w; j += 8) {
        __m256i xv, rv, dl = delta_avx2(x + 2 * j, r + 2 * j, &xv, &rv);
        __m256i sym = _mm256_or_si256(_mm256_slli_epi32(_mm256_srli_epi32(dl, RAW_BITS), 1),
                                      _mm256_srli_epi32(_mm256_xor_si256(xv, rv), 15));
        _mm256_storeu_si256((__m256i *)(void *)(i1 + j), _mm256_add_epi32(base1_avx2(rv, clv, medv), sym));
        for (int b = 0; planes && b < RAW_BITS; b++) /* bit b to the sign, then a byte of signs */
            put_bits(planes + (size_t)b * nb, at + j,
                     (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_slli_epi32(dl, 31 - b))), 1);
    }
    return j;
}
#endif

/* A raw frame's symbols (flat indices) of w values x against the
 * reference values r, class cl; with planes, their low bits to the planes
 * (or_bits) as values at .. at + w - 1, and their contexts marked in used. */
static void raw_indices(const uint8_t *x, const uint8_t *r, size_t w, uint32_t cl, int med, int simd,
                        uint32_t *i1, uint8_t *planes, size_t nb, size_t at, uint8_t *used)
{
    size_t j = 0;
#ifdef MX_SIMD_X86
    if (simd == 2)
        j = raw_indices_avx512(x, r, w, cl, med, i1, planes, nb, at, used);
#endif
    size_t marked = j; /* the AVX-512 loop marked its own */
#ifdef MX_SIMD_X86
    if (simd)
        j += raw_indices_avx2(x + 2 * j, r + 2 * j, w - j, cl, med, i1 + j, planes, nb, at + j);
#endif
    (void)simd;
    for (; j < w; j++) {
        uint16_t xv = mx_bf16_load(x, j), rv = mx_bf16_load(r, j);
        unsigned dl = (unsigned)((int)(xv & 0x7fff) - (int)(rv & 0x7fff) + 32768);
        i1[j] = base1_of(rv >> 7 & 255, cl, med) + ((dl >> RAW_BITS) << 1 | (unsigned)((xv ^ rv) >> 15));
        for (int b = 0; planes && b < RAW_BITS; b++)
            or_bits(planes + (size_t)b * nb, at + j, dl >> b & 1);
    }
    for (size_t i = marked; used && i < w; i++) /* the AVX2 and scalar ones */
        used[i1[i] >> 12] = 1;
}

/* The low bits of n values from their planes into low (room for n + 64) */
#ifdef MX_SIMD_X86
__attribute__((target(MX_AVX512_TARGET))) static size_t unpack_avx512(const uint8_t *planes, size_t nb, size_t n,
                                                                       uint8_t *low)
{
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m512i v = _mm512_setzero_si512();
        for (int b = 0; b < RAW_BITS; b++) {
            uint64_t bits;
            memcpy(&bits, planes + (size_t)b * nb + i / 8, 8);
            v = _mm512_mask_add_epi8(v, _cvtu64_mask64(bits), v, _mm512_set1_epi8((char)(1 << b)));
        }
        _mm512_storeu_si512((void *)(low + i), v);
    }
    return i;
}
#endif

static void unpack_planes(const uint8_t *planes, size_t n, int simd, uint8_t *low)
{
    size_t nb = (n + 7) / 8, i = 0;
#ifdef MX_SIMD_X86
    if (simd == 2)
        i = unpack_avx512(planes, nb, n, low);
#endif
    (void)simd;
    uint64_t spread[256]; /* a byte's bit j at bit 8 j */
    for (unsigned v = 0; v < 256; v++) {
        spread[v] = 0;
        for (unsigned j = 0; j < 8; j++)
            spread[v] |= (uint64_t)(v >> j & 1) << (8 * j);
    }
    for (; i < n; i += 8) {
        uint64_t q = 0;
        for (int b = 0; b < RAW_BITS; b++)
            q |= spread[planes[(size_t)b * nb + i / 8]] << b;
        memcpy(low + i, &q, 8);
    }
}

/* --- the coder --- */

/* Counts both symbols of w values and marks their dh contexts used (4096
 * symbols each). Local restrict pointers: through m, every increment
 * would reload m->count and m->used. */
static void count_pairs(uint32_t *restrict count, uint8_t *restrict used, const uint32_t *restrict i1,
                        const uint32_t *restrict i2, size_t w)
{
    for (size_t i = 0; i < w; i++) {
        count[i1[i]]++;
        count[i2[i]]++;
        used[i1[i] >> 12] = 1;
    }
}

/* count_pairs for a raw frame's one symbol a value, whose contexts
 * raw_indices marked */
static void count_ones(uint32_t *restrict count, const uint32_t *restrict i1, size_t w)
{
    for (size_t i = 0; i < w; i++)
        count[i1[i]]++;
}

/* The commonest non-zero exponent among every eighth value (0, 8, 16..):
 * the centre of the dh contexts' exponent buckets, which a sample finds as
 * well as the whole matrix (the decoder reads it from the frame). */
static int common_exponent(const uint8_t *src, size_t n)
{
    uint32_t hist[4][256] = {{0}};
    size_t i = 0;
    /* four histograms, as runs of one exponent would serialise on one */
    for (; i + 32 <= n; i += 32) {
        hist[0][mx_bf16_load(src, i) >> 7 & 255]++;
        hist[1][mx_bf16_load(src, i + 8) >> 7 & 255]++;
        hist[2][mx_bf16_load(src, i + 16) >> 7 & 255]++;
        hist[3][mx_bf16_load(src, i + 24) >> 7 & 255]++;
    }
    for (; i < n; i += 8)
        hist[0][mx_bf16_load(src, i) >> 7 & 255]++;
    int best = 1;
    uint32_t best_n = 0;
    for (int e = 1; e < 256; e++) {
        uint32_t c = hist[0][e] + hist[1][e] + hist[2][e] + hist[3][e];
        if (c > best_n) {
            best = e;
            best_n = c;
        }
    }
    return best;
}

/* Value step s: lanes [k Lc, k Lc + w) hold row k B + t from column p Lc
 * (rowref.h), a lanes in all. */
typedef struct {
    size_t t, p, a;
} step_pos;

static step_pos step_at(const mx_rowref_layout *l, uint64_t R, uint64_t C, size_t s)
{
    step_pos sp = {s / l->P, s % l->P, mx_rowref_active(l, R, C, s)};
    return sp;
}

int mx_bd_encode(mx_work *w, uint64_t R, uint64_t C, const uint8_t *src, const uint16_t *dist,
                 const uint8_t *third, unsigned nthird, const uint8_t *refs, mx_bytes *out,
                 mx_error *err)
{
    size_t n = (size_t)(R * C), nb = (n + 7) / 8;
    mx_rowref_layout l = mx_rowref_layout_of(R, C);
    size_t steps = l.B * l.P;
    kept *k = mx_work_state(w, &kept_kind), one = {0}; /* one: a call without a work to keep */
    mx_wl_model *m = k ? &k->enc_model : &one.enc_model;
    mx_wl_enc *e = k ? &k->enc : &one.enc;
    kept *kl = k ? k : &one;
    uint8_t *zero = calloc((size_t)C + 16, 2), *planes = NULL;
    uint32_t *i1 = malloc((2 * l.lanes + 16) * sizeof *i1), *i2 = i1 + l.lanes + 8;
    int rc = -1, simd = mx_simd_level(), raw = zero && raw_frame(src, refs, zero, dist, R, C, simd);
    /* the bit planes of the low bits, zeroed for or_bits */
    if (raw && (planes = kept_low(kl, RAW_BITS * nb + 4)))
        memset(planes, 0, RAW_BITS * nb + 4);
    if (!zero || !i1 || (raw && !planes)) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    if (model_init(m, nthird, 1, err))
        goto out;
    int med = common_exponent(src, n);
    /* counts, row by row (the order does not matter to them) */
    for (uint64_t g = 0; g < R; g++) {
        const uint8_t *x = src + 2 * g * C, *r = row_ref(src, refs, zero, dist[g], g, C);
        for (uint64_t c = 0; c < C; c += l.lanes) {
            size_t wd = C - c < l.lanes ? (size_t)(C - c) : l.lanes;
            if (raw) {
                raw_indices(x + 2 * c, r + 2 * c, wd, ctx_class(third[g]), med, simd, i1, planes, nb,
                            (size_t)(g * C + c), m->used);
                count_ones(m->count, i1, wd);
            } else {
                value_indices(x + 2 * c, r + 2 * c, wd, ctx_class(third[g]), med, simd, i1, i2);
                count_pairs(m->count, m->used, i1, i2, wd);
            }
        }
        m->count[mx_wl_index(m, CTX_DHI, dist[g] >> 5)]++;
        m->count[mx_wl_index(m, CTX_DLO, dist[g] & 31)]++;
        m->count[mx_wl_index(m, CTX_CLS, third[g])]++;
    }
    for (unsigned c = CTX_LO; c < CTX_N; c++) /* small: scanned whole */
        m->used[c] = 1;
    uint8_t head[2] = {0, (uint8_t)med}; /* a raw frame starts with a zero (med is not) */
    mx_bytes_put(out, head + !raw, raw ? 2 : 1);
    if (raw)
        mx_bytes_put(out, planes, RAW_BITS * nb);
    if (mx_wl_write_tables(m, out, err) || mx_wl_enc_init(e, l.lanes, n + 3 * (size_t)R, raw ? 0 : n, err))
        goto out;
    for (size_t s = steps; s-- > 0;) {
        step_pos sp = step_at(&l, R, C, s);
        for (size_t i = 0; i < sp.a; i += l.Lc) {
            uint64_t g = (uint64_t)(i / l.Lc) * l.B + sp.t, c0 = (uint64_t)sp.p * l.Lc;
            const uint8_t *x = src + 2 * (g * C + c0);
            const uint8_t *r = row_ref(src, refs, zero, dist[g], g, C) + 2 * c0;
            size_t wd = sp.a - i < l.Lc ? sp.a - i : l.Lc;
            if (raw) /* the low bits are in the planes already */
                raw_indices(x, r, wd, ctx_class(third[g]), med, simd, i1 + i, NULL, 0, 0, NULL);
            else
                value_indices(x, r, wd, ctx_class(third[g]), med, simd, i1 + i, i2 + i);
        }
        if (!raw)
            mx_wl_enc_step(e, m, i2, sp.a, 1);
        mx_wl_enc_step(e, m, i1, sp.a, 0);
    }
    size_t nh = 3 * (size_t)R;
    for (size_t lo = nh ? (nh - 1) / l.lanes * l.lanes : 0; nh; lo -= l.lanes) {
        size_t a = nh - lo < l.lanes ? nh - lo : l.lanes;
        for (size_t i = 0; i < a; i++) {
            size_t j = lo + i, g = j % (size_t)R, kind = j / (size_t)R;
            unsigned sym = kind == 0 ? dist[g] >> 5u : kind == 1 ? dist[g] & 31u : third[g];
            i1[i] = mx_wl_index(m, CTX_DHI + kind, sym);
        }
        mx_wl_enc_step(e, m, i1, a, 0);
        if (!lo)
            break;
    }
    rc = mx_wl_enc_finish(e, out, err);
out:
    kept_clear(&one);
    free(zero);
    free(i1);
    return rc;
}

static int encode16(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src,
                    mx_bytes *out, mx_error *err)
{
    (void)p;
    uint64_t R = d->rows, C = d->cols;
    mx_rowref_layout l = mx_rowref_layout_of(R, C);
    uint16_t *dist = malloc((size_t)R * sizeof *dist + 1);
    uint8_t *cls = malloc((size_t)R + 1);
    int rc = !dist || !cls || mx_rowref_search(src, R, C, l.B, dist, cls, w->threads)
                 ? mx_fail(err, MX_EFAIL, "out of memory")
                 : mx_bd_encode(w, R, C, src, dist, cls, NCLS, NULL, out, err);
    free(dist);
    free(cls);
    return rc;
}

/* The values of w lanes of one row (lanes lane0.., columns x..) against
 * their references r: each lane's dh symbol (stream 0), then its low
 * symbol (stream 1), then the value. *bad when a magnitude leaves 0..32767. */
static void decode_scalar(mx_wl_dec *d, const mx_wl_model *m, size_t lane0, const uint8_t *r,
                          uint8_t *x, size_t w, uint32_t cl, int med, int *bad)
{
    for (size_t j = 0; j < w; j++) {
        uint16_t rv = mx_bf16_load(r, j);
        unsigned re = rv >> 7 & 255;
        uint32_t s1 = mx_wl_get(d, m, lane0 + j, base1_of(re, cl, med), 0, 0);
        uint32_t s2 = mx_wl_get(d, m, lane0 + j, (CTX_LO + ctx2_of(re, s1, med)) << 12, 1, 1);
        int k = (int)(rv & 0x7fff) + ((int)s1 - 2048) * 16 + (int)(s2 & 15);
        *bad |= k < 0 || k > 0x7fff;
        uint16_t v = (uint16_t)((k & 0x7fff) | ((s2 >> 4 ^ rv >> 15) & 1) << 15);
        memcpy(x + 2 * j, &v, 2);
    }
}

#ifdef MX_SIMD_X86
/* Eight decoded values, magnitude kk and sign in bit 15 of sign, to x as
 * bf16; a magnitude outside 0..32767 sets bits of *out_of_range. */
__attribute__((target("avx2"))) static inline void put8_avx2(uint8_t *x, __m256i kk, __m256i sign,
                                                             __m256i *out_of_range)
{
    *out_of_range = _mm256_or_si256(*out_of_range, _mm256_andnot_si256(_mm256_set1_epi32(0x7fff), kk));
    __m256i v = _mm256_and_si256(_mm256_or_si256(kk, sign), _mm256_set1_epi32(0xffff));
    _mm_storeu_si128((__m128i *)(void *)x, _mm_packus_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1)));
}

/* put8_avx2 for sixteen values */
__attribute__((target(MX_AVX512_TARGET))) static inline void put16_avx512(uint8_t *x, __m512i kk, __m512i sign,
                                                                          __m512i *out_of_range)
{
    *out_of_range = _mm512_or_si512(*out_of_range, _mm512_andnot_si512(_mm512_set1_epi32(0x7fff), kk));
    __m512i v = _mm512_and_si512(_mm512_or_si512(kk, sign), _mm512_set1_epi32(0xffff));
    _mm256_storeu_si256((__m256i *)(void *)x, _mm512_cvtepi32_epi16(v));
}

/* A step's four vectors of eight lanes from x and r (their reference
 * values): the lanes' states, the references and the first symbols'
 * contexts. */
__attribute__((target("avx2"), always_inline)) static inline void
load_step_avx2(const uint32_t *x, const uint8_t *r, __m256i clv, __m256i medv, __m256i *xs, __m256i *rv, __m256i *b)
{
    MX_WL_UNROLL
    for (int k = 0; k < 4; k++) {
        xs[k] = _mm256_loadu_si256((const __m256i *)(const void *)(x + 8 * (size_t)k));
        rv[k] = load8(r + 16 * (size_t)k);
        b[k] = base1_avx2(rv[k], clv, medv);
    }
}

/* decode_scalar, 32 lanes at a time while 64 bytes remain in both streams
 * (so no load passes an end); returns where it stopped. */
__attribute__((target("avx2,popcnt"))) static size_t
decode_avx2(mx_wl_dec *d, const mx_wl_model *m, size_t lane0, const uint8_t *r, uint8_t *x,
            size_t w, uint32_t cl, int med, int *bad)
{
    const __m256i clv = _mm256_set1_epi32((int)cl), medv = _mm256_set1_epi32(med);
    const __m256i m15 = _mm256_set1_epi32(0x7fff);
    __m256i out_of_range = _mm256_setzero_si256();
    size_t j = 0;
    for (; w - j >= 32 && d->end[0] - d->p[0] >= 64 && d->end[1] - d->p[1] >= 64; j += 32) {
        __m256i xs[4], rv[4], b[4], s1[4], s2[4];
        load_step_avx2(d->x + lane0 + j, r + 2 * j, clv, medv, xs, rv, b);
        mx_wl_get32(d, m, xs, b, s1, 0, 0);
        MX_WL_UNROLL
        for (int k = 0; k < 4; k++)
            b[k] = _mm256_slli_epi32(_mm256_add_epi32(ctx2_avx2(rv[k], s1[k], medv),
                                                      _mm256_set1_epi32(CTX_LO)), 12);
        mx_wl_get32(d, m, xs, b, s2, 1, 1);
        MX_WL_UNROLL
        for (int k = 0; k < 4; k++) {
            _mm256_storeu_si256((__m256i *)(void *)(d->x + lane0 + j + 8 * (size_t)k), xs[k]);
            __m256i kk = _mm256_add_epi32(_mm256_and_si256(rv[k], m15),
                                          _mm256_add_epi32(_mm256_slli_epi32(s1[k], 4),
                                                           _mm256_and_si256(s2[k], _mm256_set1_epi32(15))));
            kk = _mm256_sub_epi32(kk, _mm256_set1_epi32(32768)); /* dh = s1 - 2048 */
            __m256i sign = _mm256_slli_epi32(_mm256_xor_si256(_mm256_srli_epi32(s2[k], 4),
                                                              _mm256_srli_epi32(rv[k], 15)), 15);
            put8_avx2(x + 2 * (j + 8 * (size_t)k), kk, sign, &out_of_range);
        }
    }
    *bad |= !_mm256_testz_si256(out_of_range, out_of_range);
    return j;
}

/* decode_avx2 with AVX-512: nv vectors of sixteen lanes a step (a constant) */
__attribute__((target(MX_AVX512_TARGET), always_inline)) static inline size_t
decode_512(mx_wl_dec *d, const mx_wl_model *m, size_t lane0, const uint8_t *r, uint8_t *x, size_t w,
           uint32_t cl, int med, const uint32_t *wt, __m512i *out_of_range, int nv)
{
    const __m512i clv = _mm512_set1_epi32((int)cl), medv = _mm512_set1_epi32(med);
    const __m512i wlo = _mm512_loadu_si512((const void *)wt), whi = _mm512_loadu_si512((const void *)(wt + 16));
    const __m512i w0 = _mm512_set1_epi32((int)wt[32]);
    const __m512i m15 = _mm512_set1_epi32(0x7fff);
    const size_t span = 16 * (size_t)nv;
    size_t j = 0;
    for (; w - j >= span && d->end[0] - d->p[0] >= 2 * (ptrdiff_t)span &&
           d->end[1] - d->p[1] >= 2 * (ptrdiff_t)span;
         j += span) {
        __m512i xs[8] = {0}, rv[8] = {0}, b[8] = {0}, wb[8] = {0}, s1[8] = {0}, s2[8] = {0}; /* as need[] */
        /* in place, not in a helper like load_step_avx2's: unrolling nv, a parameter of an
         * always_inline helper, took clang -O1 under the sanitizers minutes */
        MX_WL_UNROLL
        for (int k = 0; k < nv; k++) {
            xs[k] = _mm512_loadu_si512((const void *)(d->x + lane0 + j + 16 * (size_t)k));
            rv[k] = _mm512_cvtepu16_epi32(
                _mm256_loadu_si256((const __m256i *)(const void *)(r + 2 * (j + 16 * (size_t)k))));
            b[k] = base1_512(rv[k], clv, medv);
            wb[k] = win_512(rv[k], medv, wlo, whi, w0);
        }
        mx_wl_get_512(d, m, xs, b, wb, s1, nv, 0, 0);
        MX_WL_UNROLL
        for (int k = 0; k < nv; k++)
            b[k] = _mm512_slli_epi32(_mm512_add_epi32(ctx2_512(rv[k], s1[k], medv), _mm512_set1_epi32(CTX_LO)), 12);
        mx_wl_get_512(d, m, xs, b, NULL, s2, nv, 1, 1);
        MX_WL_UNROLL
        for (int k = 0; k < nv; k++) {
            _mm512_storeu_si512((void *)(d->x + lane0 + j + 16 * (size_t)k), xs[k]);
            __m512i kk = _mm512_add_epi32(_mm512_and_si512(rv[k], m15),
                                          _mm512_add_epi32(_mm512_slli_epi32(s1[k], 4),
                                                           _mm512_and_si512(s2[k], _mm512_set1_epi32(15))));
            kk = _mm512_sub_epi32(kk, _mm512_set1_epi32(32768)); /* dh = s1 - 2048 */
            __m512i sign = _mm512_slli_epi32(_mm512_xor_si512(_mm512_srli_epi32(s2[k], 4),
                                                              _mm512_srli_epi32(rv[k], 15)), 15);
            put16_avx512(x + 2 * (j + 16 * (size_t)k), kk, sign, out_of_range);
        }
    }
    return j;
}

/* 128 lanes at a time while they last, then 64, 32, 16 */
__attribute__((target(MX_AVX512_TARGET))) static size_t
decode_avx512(mx_wl_dec *d, const mx_wl_model *m, size_t lane0, const uint8_t *r, uint8_t *x,
              size_t w, uint32_t cl, int med, const uint32_t *wt, int *bad)
{
    __m512i out_of_range = _mm512_setzero_si512();
    size_t j = decode_512(d, m, lane0, r, x, w, cl, med, wt, &out_of_range, 8);
    j += decode_512(d, m, lane0 + j, r + 2 * j, x + 2 * j, w - j, cl, med, wt, &out_of_range, 4);
    j += decode_512(d, m, lane0 + j, r + 2 * j, x + 2 * j, w - j, cl, med, wt, &out_of_range, 2);
    j += decode_512(d, m, lane0 + j, r + 2 * j, x + 2 * j, w - j, cl, med, wt, &out_of_range, 1);
    *bad |= _mm512_test_epi32_mask(out_of_range, out_of_range) != 0;
    return j;
}
#endif

/* decode_scalar for a raw frame: one symbol a value, its low bits from low */
static void decode_raw_scalar(mx_wl_dec *d, const mx_wl_model *m, size_t lane0, const uint8_t *r,
                              uint8_t *x, size_t w, uint32_t cl, int med, const uint8_t *low, int *bad)
{
    for (size_t j = 0; j < w; j++) {
        uint16_t rv = mx_bf16_load(r, j);
        uint32_t s = mx_wl_get(d, m, lane0 + j, base1_of(rv >> 7 & 255, cl, med), 0, 0);
        int k = (int)(rv & 0x7fff) + (int)((s >> 1) << RAW_BITS | low[j]) - 32768;
        *bad |= k < 0 || k > 0x7fff;
        uint16_t v = (uint16_t)((k & 0x7fff) | ((s ^ rv >> 15) & 1) << 15);
        memcpy(x + 2 * j, &v, 2);
    }
}

#ifdef MX_SIMD_X86
/* A raw frame's values from their symbols s, low bits and reference values
 * (32-bit lanes): the magnitude, out of range where a bit above 14 is set */
#define RAW_MAGNITUDE(set1, add, sub, and, slli, srli, rv, s, lo)                                  \
    sub(add(add(and(rv, set1(0x7fff)), slli(srli(s, 1), RAW_BITS)), lo), set1(32768))
#define RAW_SIGN(set1, xor, and, slli, srli, rv, s) slli(and(xor(s, srli(rv, 15)), set1(1)), 15)

__attribute__((target("avx2,popcnt"))) static size_t
decode_raw_avx2(mx_wl_dec *d, const mx_wl_model *m, size_t lane0, const uint8_t *r, uint8_t *x, size_t w,
                uint32_t cl, int med, const uint8_t *low, int *bad)
{
    const __m256i clv = _mm256_set1_epi32((int)cl), medv = _mm256_set1_epi32(med);
    __m256i out_of_range = _mm256_setzero_si256();
    size_t j = 0;
    for (; w - j >= 32 && d->end[0] - d->p[0] >= 64; j += 32) {
        __m256i xs[4], rv[4], b[4], s[4];
        load_step_avx2(d->x + lane0 + j, r + 2 * j, clv, medv, xs, rv, b);
        mx_wl_get32(d, m, xs, b, s, 0, 0);
        MX_WL_UNROLL
        for (int k = 0; k < 4; k++) {
            _mm256_storeu_si256((__m256i *)(void *)(d->x + lane0 + j + 8 * (size_t)k), xs[k]);
            __m256i lo = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)(low + j + 8 * (size_t)k)));
            __m256i kk = RAW_MAGNITUDE(_mm256_set1_epi32, _mm256_add_epi32, _mm256_sub_epi32, _mm256_and_si256,
                                       _mm256_slli_epi32, _mm256_srli_epi32, rv[k], s[k], lo);
            __m256i sign = RAW_SIGN(_mm256_set1_epi32, _mm256_xor_si256, _mm256_and_si256, _mm256_slli_epi32,
                                    _mm256_srli_epi32, rv[k], s[k]);
            put8_avx2(x + 2 * (j + 8 * (size_t)k), kk, sign, &out_of_range);
        }
    }
    *bad |= !_mm256_testz_si256(out_of_range, out_of_range);
    return j;
}

__attribute__((target(MX_AVX512_TARGET), always_inline)) static inline size_t
decode_raw_512(mx_wl_dec *d, const mx_wl_model *m, size_t lane0, const uint8_t *r, uint8_t *x, size_t w,
               uint32_t cl, int med, const uint32_t *wt, const uint8_t *low, __m512i *out_of_range, int nv)
{
    const __m512i clv = _mm512_set1_epi32((int)cl), medv = _mm512_set1_epi32(med);
    const __m512i wlo = _mm512_loadu_si512((const void *)wt), whi = _mm512_loadu_si512((const void *)(wt + 16));
    const __m512i w0 = _mm512_set1_epi32((int)wt[32]);
    const size_t span = 16 * (size_t)nv;
    size_t j = 0;
    for (; w - j >= span && d->end[0] - d->p[0] >= 2 * (ptrdiff_t)span; j += span) {
        __m512i xs[8] = {0}, rv[8] = {0}, b[8] = {0}, wb[8] = {0}, s[8] = {0}; /* as need[] */
        MX_WL_UNROLL
        for (int k = 0; k < nv; k++) {
            xs[k] = _mm512_loadu_si512((const void *)(d->x + lane0 + j + 16 * (size_t)k));
            rv[k] = _mm512_cvtepu16_epi32(
                _mm256_loadu_si256((const __m256i *)(const void *)(r + 2 * (j + 16 * (size_t)k))));
            b[k] = base1_512(rv[k], clv, medv);
            wb[k] = win_512(rv[k], medv, wlo, whi, w0);
        }
        mx_wl_get_512(d, m, xs, b, wb, s, nv, 0, 0);
        MX_WL_UNROLL
        for (int k = 0; k < nv; k++) {
            _mm512_storeu_si512((void *)(d->x + lane0 + j + 16 * (size_t)k), xs[k]);
            __m512i lo = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(const void *)(low + j + 16 * (size_t)k)));
            __m512i kk = RAW_MAGNITUDE(_mm512_set1_epi32, _mm512_add_epi32, _mm512_sub_epi32, _mm512_and_si512,
                                       _mm512_slli_epi32, _mm512_srli_epi32, rv[k], s[k], lo);
            __m512i sign = RAW_SIGN(_mm512_set1_epi32, _mm512_xor_si512, _mm512_and_si512, _mm512_slli_epi32,
                                    _mm512_srli_epi32, rv[k], s[k]);
            put16_avx512(x + 2 * (j + 16 * (size_t)k), kk, sign, out_of_range);
        }
    }
    return j;
}

__attribute__((target(MX_AVX512_TARGET))) static size_t
decode_raw_avx512(mx_wl_dec *d, const mx_wl_model *m, size_t lane0, const uint8_t *r, uint8_t *x, size_t w,
                  uint32_t cl, int med, const uint32_t *wt, const uint8_t *low, int *bad)
{
    __m512i out_of_range = _mm512_setzero_si512();
    size_t j = decode_raw_512(d, m, lane0, r, x, w, cl, med, wt, low, &out_of_range, 8);
    j += decode_raw_512(d, m, lane0 + j, r + 2 * j, x + 2 * j, w - j, cl, med, wt, low + j, &out_of_range, 4);
    j += decode_raw_512(d, m, lane0 + j, r + 2 * j, x + 2 * j, w - j, cl, med, wt, low + j, &out_of_range, 2);
    j += decode_raw_512(d, m, lane0 + j, r + 2 * j, x + 2 * j, w - j, cl, med, wt, low + j, &out_of_range, 1);
    *bad |= _mm512_test_epi32_mask(out_of_range, out_of_range) != 0;
    return j;
}
#endif

/* wt: the windows of class cl's dh contexts (win_512) */
static void decode_row(mx_wl_dec *d, const mx_wl_model *m, size_t lane0, const uint8_t *r,
                       uint8_t *x, size_t w, uint32_t cl, int med, const uint32_t *wt, int *bad)
{
    size_t j = 0;
    (void)wt;
#ifdef MX_SIMD_X86
    if (d->simd == 2)
        j = decode_avx512(d, m, lane0, r, x, w, cl, med, wt, bad);
    else if (d->simd)
        j = decode_avx2(d, m, lane0, r, x, w, cl, med, bad);
#endif
    decode_scalar(d, m, lane0 + j, r + 2 * j, x + 2 * j, w - j, cl, med, bad);
}

/* decode_row for a raw frame; low: the values' low bits */
static void decode_row_raw(mx_wl_dec *d, const mx_wl_model *m, size_t lane0, const uint8_t *r, uint8_t *x,
                           size_t w, uint32_t cl, int med, const uint32_t *wt, const uint8_t *low, int *bad)
{
    size_t j = 0;
    (void)wt;
#ifdef MX_SIMD_X86
    if (d->simd == 2)
        j = decode_raw_avx512(d, m, lane0, r, x, w, cl, med, wt, low, bad);
    else if (d->simd)
        j = decode_raw_avx2(d, m, lane0, r, x, w, cl, med, low, bad);
#endif
    decode_raw_scalar(d, m, lane0 + j, r + 2 * j, x + 2 * j, w - j, cl, med, low + j, bad);
}

/* bfdelta's own rows: a class (0 for none, else 1..4) with each reference */
static int plain_valid(const void *ctx, unsigned third, unsigned dist)
{
    (void)ctx;
    return !dist == !third;
}

int mx_bd_decode(mx_work *w, uint64_t R, uint64_t C, const uint8_t *src, size_t n,
                 const mx_bd_refs *refs, uint8_t *dst, mx_error *err)
{
    mx_rowref_layout l = mx_rowref_layout_of(R, C);
    size_t steps = l.B * l.P, off = 1;
    kept *k = mx_work_state(w, &kept_kind), one = {0}; /* one: a call without a work to keep */
    mx_wl_model *m = k ? &k->dec_model : &one.dec_model;
    mx_wl_dec dec = {0};
    uint16_t *dist = malloc((size_t)R * sizeof *dist + 1);
    uint8_t *third = malloc((size_t)R + 1), *zero = calloc((size_t)C + 16, 2);
    uint8_t *scratch = refs->make ? malloc(2 * (l.lanes + 16)) : zero;
    uint32_t *base = malloc((l.lanes + 8) * sizeof *base);
    uint16_t *s1 = malloc((l.lanes + 16) * sizeof *s1);
    int rc = -1, bad = 0, raw = n > 0 && src[0] == 0;
    size_t nv = (size_t)(R * C), nb = (nv + 7) / 8;
    uint8_t *low = raw ? kept_low(k ? k : &one, nv + 64) : NULL;
    if (!dist || !third || !zero || !scratch || !base || !s1 || (raw && !low)) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    if (n < 1 || (raw && (n < 2 || (n - 2) / RAW_BITS < nb))) {
        mx_fail(err, MX_EINPUT, "corrupt data: truncated bfdelta stream");
        goto out;
    }
    int med = src[raw];
    if (raw) {
        unpack_planes(src + 2, nv, mx_simd_level(), low);
        off = 2 + RAW_BITS * nb;
    }
    if (model_init(m, refs->nthird, 0, err) || mx_wl_read_tables(m, src, n, &off, err) ||
        mx_wl_dec_init(&dec, l.lanes, src + off, n - off, err))
        goto out;
    uint32_t wt[NCLS][33]; /* decode_row's windows: buckets 1..32, then 0 */
    for (uint32_t cl = 0; cl < NCLS; cl++)
        for (uint32_t k = 0; k < 33; k++)
            wt[cl][k] = m->win[CTX_DH + (k < 32 ? k + 1 : 0) * NCLS + cl];
    size_t nh = 3 * (size_t)R;
    for (size_t lo = 0; lo < nh; lo += l.lanes) {
        size_t a = nh - lo < l.lanes ? nh - lo : l.lanes;
        for (size_t i = 0; i < a; i++)
            base[i] = m->base[CTX_DHI + (lo + i) / (size_t)R];
        mx_wl_dec_step(&dec, m, base, s1, a, 1, 0);
        for (size_t i = 0; i < a; i++) {
            size_t j = lo + i, g = j % (size_t)R, kind = j / (size_t)R;
            if (kind == 0)
                dist[g] = (uint16_t)(s1[i] << 5);
            else if (kind == 1)
                dist[g] = (uint16_t)(dist[g] | s1[i]);
            else
                third[g] = (uint8_t)s1[i];
        }
    }
    for (uint64_t g = 0; g < R; g++)
        if (third[g] >= refs->nthird || !refs->valid(refs->ctx, third[g], dist[g]) ||
            dist[g] > g % l.B || dist[g] > MX_ROWREF_WINDOW) {
            mx_fail(err, MX_EINPUT, "corrupt data: bfdelta row header out of range");
            goto out;
        }
    for (size_t s = 0; s < steps && !dec.bad && !bad; s++) {
        step_pos sp = step_at(&l, R, C, s);
        uint64_t c0 = (uint64_t)sp.p * l.Lc;
        for (size_t i = 0; i < sp.a; i += l.Lc) {
            uint64_t g = (uint64_t)(i / l.Lc) * l.B + sp.t;
            size_t wd = sp.a - i < l.Lc ? sp.a - i : l.Lc;
            uint8_t *x = dst + 2 * (g * C + c0);
            const uint8_t *r = dist[g] ? x - 2 * (size_t)dist[g] * C : zero;
            if (refs->make)
                r = refs->make(refs->ctx, g, third[g], dist[g], c0, wd, r, scratch);
            if (raw)
                decode_row_raw(&dec, m, i, r, x, wd, ctx_class(third[g]), med, wt[ctx_class(third[g])],
                               low + g * C + c0, &bad);
            else
                decode_row(&dec, m, i, r, x, wd, ctx_class(third[g]), med, wt[ctx_class(third[g])], &bad);
        }
    }
    rc = bad ? mx_fail(err, MX_EINPUT, "corrupt data: bfdelta value out of range")
             : mx_wl_dec_finish(&dec, err);
out:
    mx_wl_dec_free(&dec);
    kept_clear(&one);
    free(dist);
    free(third);
    if (scratch != zero)
        free(scratch);
    free(zero);
    free(base);
    free(s1);
    return rc;
}

static int decode16(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                    uint8_t *dst, mx_error *err)
{
    (void)p;
    static const mx_bd_refs plain = {NCLS, plain_valid, NULL, NULL};
    return mx_bd_decode(w, d->rows, d->cols, src, n, &plain, dst, err);
}

static int compress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                    uint8_t *dst, size_t cap, size_t *dst_len, mx_error *err)
{
    return mx_bf16_frame_compress(MX_FRAME_BFDELTA, encode16, p, w, d, src, n, dst, cap, dst_len, err);
}

static int decompress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                      uint8_t *dst, size_t expected, mx_error *err)
{
    return mx_bf16_frame_decompress("bfdelta", MX_FRAME_BFDELTA, decode16, p, w, d, src, n, dst,
                                    expected, err);
}

const mx_stage mx_stage_bfdelta = {
    .name = "bfdelta",
    .kind = MX_STAGE_ENTROPY,
    .codes_values = 1,
    .summary = "our bf16 coder: each value as a difference from a similar earlier row, "
               "rANS on wide lanes (what auto and the export use)",
    .twin = {.sections = {"wlanes", "bfdelta"}, .whole = 1},
    .bound = mx_frame_bound,
    .compress = compress,
    .decompress = decompress,
};
