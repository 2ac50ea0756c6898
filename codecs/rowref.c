#include "rowref.h"
#include "bf16.h"
#include <stdlib.h>
#include <string.h>
#include "simd.h"
#include "parallel.h"
#ifdef MX_SIMD_X86
#include <immintrin.h>
#endif

#define NSHORT 16 /* nearest rows, always candidates */
#define NGROUP 16 /* groups of three sampled columns, hashed */
#define NKEY 64   /* sampled columns scored (at most) */
#define SCAN_CHUNK 256 /* rows hashed before the tables are probed */
#define LANES_MAX 1024

mx_rowref_layout mx_rowref_layout_of(uint64_t R, uint64_t C)
{
    uint64_t n = R * C, lmax = n >> 10;
    lmax = lmax < 32 ? 32 : lmax > LANES_MAX ? LANES_MAX : lmax;
    mx_rowref_layout l;
    if (C <= lmax) {
        uint64_t K = lmax / C;
        K = K > R ? R : K;
        K = K ? K : 1; /* at least one block, even of no rows */
        l.K = (size_t)K;
        l.B = (size_t)((R + K - 1) / K);
        l.P = 1;
        l.Lc = (size_t)C;
        l.lanes = l.K * l.Lc;
    } else {
        l.K = 1;
        l.B = (size_t)R;
        l.P = (size_t)((C + lmax - 1) / lmax);
        l.Lc = (size_t)((C + l.P - 1) / l.P);
        l.lanes = l.Lc;
    }
    return l;
}

size_t mx_rowref_active(const mx_rowref_layout *l, uint64_t R, uint64_t C, size_t s)
{
    size_t t = s / l->P, p = s % l->P;
    if (l->P == 1) {
        size_t k = (size_t)((R - t + l->B - 1) / l->B); /* blocks that still have row t */
        return (k < l->K ? k : l->K) * (size_t)C;
    }
    size_t w = (size_t)C - p * l->Lc;
    return w < l->Lc ? w : l->Lc;
}


typedef struct {
    const uint8_t *src;
    uint64_t R, C;
    size_t B;
    const uint16_t *keys;   /* NKEY sampled sign+exponents per row (zero padded) */
    const uint32_t *group;  /* NGROUP candidates per row (0: none) */
    uint16_t *dist;
    uint8_t *cls;
    int simd; /* mx_simd_level() */
} ref_search;

#ifdef MX_SIMD_X86
__attribute__((target("avx2,popcnt"))) static inline unsigned score_avx2(const uint16_t *a, const uint16_t *b)
{
    unsigned s = 0;
    for (int k = 0; k < NKEY; k += 16) {
        __m256i eq = _mm256_cmpeq_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(a + k)),
                                        _mm256_loadu_si256((const __m256i *)(const void *)(b + k)));
        s += (unsigned)__builtin_popcount((unsigned)_mm256_movemask_epi8(eq));
    }
    return s / 2;
}

/* Columns whose sign+exponent equal the reference's; where it stopped. */
__attribute__((target("avx2,popcnt"))) static size_t agree_avx2(const uint8_t *x, const uint8_t *r,
                                                                 size_t C, uint64_t *agree)
{
    size_t c = 0;
    uint64_t a = 0;
    for (; c + 16 <= C; c += 16) {
        __m256i u = _mm256_srli_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(x + 2 * c)), 7);
        __m256i v = _mm256_srli_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(r + 2 * c)), 7);
        a += (unsigned)__builtin_popcount((unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi16(u, v)));
    }
    *agree += a / 2;
    return c;
}
#endif

#ifdef MX_SIMD_X86
/* score_avx2 and agree_avx2 on 32 keys or columns a vector */
__attribute__((target(MX_AVX512_TARGET))) static inline unsigned score_avx512(const uint16_t *a, const uint16_t *b)
{
    _Static_assert(NKEY == 64, "two vectors of keys");
    __mmask32 e0 = _mm512_cmpeq_epi16_mask(_mm512_loadu_si512((const void *)a), _mm512_loadu_si512((const void *)b));
    __mmask32 e1 = _mm512_cmpeq_epi16_mask(_mm512_loadu_si512((const void *)(a + 32)),
                                           _mm512_loadu_si512((const void *)(b + 32)));
    return (unsigned)(__builtin_popcount(e0) + __builtin_popcount(e1));
}

__attribute__((target(MX_AVX512_TARGET))) static size_t agree_avx512(const uint8_t *x, const uint8_t *r,
                                                                      size_t C, uint64_t *agree)
{
    size_t c = 0;
    uint64_t a = 0;
    for (; c + 32 <= C; c += 32) {
        __m512i u = _mm512_srli_epi16(_mm512_loadu_si512((const void *)(x + 2 * c)), 7);
        __m512i v = _mm512_srli_epi16(_mm512_loadu_si512((const void *)(r + 2 * c)), 7);
        a += (unsigned)__builtin_popcount(_mm512_cmpeq_epi16_mask(u, v));
    }
    *agree += a;
    return c;
}
#endif

/* Row g's best candidate (0: none), t = g % B. Each candidate as (score +
 * 1) << 11 | (2047 - distance), the largest winning: the higher score, the
 * nearer on ties, without a branch the data decides (a distance met again
 * scores the same, and so changes nothing: cheaper to score it again than
 * to look for it among those before). A function of each instruction set,
 * so that its scores are inlined. */
_Static_assert(MX_ROWREF_WINDOW < 2048, "a distance in 11 bits");
#define PICK(score)                                                                                 \
    const uint16_t *kg = rs->keys + g * NKEY;                                                      \
    uint32_t best = 0;                                                                             \
    for (size_t i = 0; i < NSHORT && i < t; i++) {                                                 \
        uint32_t key = (score(kg, rs->keys + (g - i - 1) * NKEY) + 1) << 11 | (uint32_t)(2046 - i); \
        best = key > best ? key : best;                                                            \
    }                                                                                              \
    /* a group without a candidate scores row g - 1 again, which changes   \
     * nothing: no branch on what the data decides */                      \
    for (size_t i = 0; t && i < NGROUP; i++) {                                                     \
        unsigned d = rs->group[g * NGROUP + i];                                                    \
        d = d ? d : 1; /* the scan gave d <= t */                                                  \
        uint32_t key = (score(kg, rs->keys + (g - d) * NKEY) + 1) << 11 | (2047 - d);              \
        best = key > best ? key : best;                                                            \
    }                                                                                              \
    return best ? 2047 - (best & 2047) : 0

static unsigned score_scalar(const uint16_t *a, const uint16_t *b)
{
    unsigned s = 0;
    for (size_t k = 0; k < NKEY; k++)
        s += a[k] == b[k];
    return s;
}

static unsigned pick(const ref_search *rs, size_t g, size_t t)
{
    PICK(score_scalar);
}

#ifdef MX_SIMD_X86
__attribute__((target(MX_AVX512_TARGET))) static unsigned pick_avx512(const ref_search *rs, size_t g, size_t t)
{
    PICK(score_avx512);
}

__attribute__((target("avx2,popcnt"))) static unsigned pick_avx2(const ref_search *rs, size_t g, size_t t)
{
    PICK(score_avx2);
}
#endif

static void choose_one(void *ctx, size_t g)
{
    const ref_search *rs = ctx;
    size_t t = g % rs->B;
    unsigned best;
#ifdef MX_SIMD_X86
    if (rs->simd == 2)
        best = pick_avx512(rs, g, t);
    else if (rs->simd)
        best = pick_avx2(rs, g, t);
    else
#endif
        best = pick(rs, g, t);
    unsigned cl = 0;
    if (best) {
        const uint8_t *row = rs->src + 2 * g * rs->C, *ref = row - 2 * (size_t)best * rs->C;
        uint64_t agree = 0;
        size_t c = 0;
#ifdef MX_SIMD_X86
        if (rs->simd == 2)
            c = agree_avx512(row, ref, (size_t)rs->C, &agree);
        if (rs->simd)
            c += agree_avx2(row + 2 * c, ref + 2 * c, (size_t)rs->C - c, &agree);
#endif
        for (; c < rs->C; c++)
            agree += (mx_bf16_load(row, c) >> 7) == (mx_bf16_load(ref, c) >> 7);
        if (agree * 5 >= rs->C) {
            uint64_t q = agree * 4 / rs->C;
            cl = 1 + (unsigned)(q > 3 ? 3 : q);
        }
    }
    rs->dist[g] = (uint16_t)(cl ? best : 0);
    rs->cls[g] = (uint8_t)cl;
}

/* Each row's nk sampled keys, and for each of the NGROUP groups the latest
 * earlier row whose three keys are equal, within the window and the row's
 * block (else 0). Row by row, with a hash table per group, so that a row
 * is read once for all groups; the tables of one pass hold 2^19 slots at
 * most, so tall matrices take the groups a few at a time (one at least). */
static int scan_rows(const uint8_t *src, uint64_t R, uint64_t C, size_t B, size_t nk,
                     uint16_t *keys, uint32_t *group)
{
    size_t cap = 64;
    unsigned bits = 6;
    for (; cap < 2 * R; bits++)
        cap *= 2;
    size_t batch = ((size_t)1 << 19) / cap;
    batch = batch < 1 ? 1 : batch > NGROUP ? NGROUP : batch;
    /* a slot: the row << 32 | its key; all ones when empty. Row and key
     * side by side, so that a probe reads one cache line */
    uint64_t *slots = malloc(batch * cap * sizeof *slots);
    if (!slots)
        return -1;
    size_t col[3 * NGROUP], kcol[NKEY]; /* divided once, not in every row */
    for (size_t k = 0; k < 3 * NGROUP; k++)
        col[k] = (size_t)(k * C / (3 * NGROUP));
    for (size_t k = 0; k < nk; k++)
        kcol[k] = (size_t)(k * C / nk);
    /* rows a chunk at a time: first every group's key of each row, then
     * each group's probes, so that one table at a time is in use */
    uint32_t hk[NGROUP][SCAN_CHUNK];
    uint16_t lim[SCAN_CHUNK];
    for (size_t j0 = 0; j0 < NGROUP; j0 += batch) {
        size_t j1 = j0 + batch < NGROUP ? j0 + batch : NGROUP;
        memset(slots, 0xff, batch * cap * sizeof *slots);
        for (uint64_t g0 = 0, t = 0; g0 < R; g0 += SCAN_CHUNK) {
            size_t n = R - g0 < SCAN_CHUNK ? (size_t)(R - g0) : SCAN_CHUNK;
            for (size_t i = 0; i < n; i++, t = t + 1 == B ? 0 : t + 1) { /* t = g % B */
                uint64_t g = g0 + i;
                const uint8_t *row = src + 2 * g * C;
                if (!j0)
                    for (size_t k = 0; k < nk; k++)
                        keys[g * NKEY + k] = mx_bf16_load(row, kcol[k]) >> 7;
                lim[i] = (uint16_t)(t < MX_ROWREF_WINDOW ? t : MX_ROWREF_WINDOW);
                for (size_t j = j0; j < j1; j++)
                    hk[j][i] = (uint32_t)(mx_bf16_load(row, col[3 * j]) >> 7) |
                               (uint32_t)(mx_bf16_load(row, col[3 * j + 1]) >> 7) << 9 |
                               (uint32_t)(mx_bf16_load(row, col[3 * j + 2]) >> 7) << 18;
            }
            for (size_t j = j0; j < j1; j++) {
                uint64_t *table = slots + (j - j0) * cap;
                for (size_t i = 0; i < n; i++) {
                    uint64_t g = g0 + i;
                    uint32_t h = hk[j][i];
                    /* the top bits of the product: its low bits would
                     * come from the first column's alone, and crowd */
                    size_t sl = (size_t)((h * 0x9e3779b97f4a7c15u) >> (64 - bits));
                    uint64_t e = table[sl];
                    /* whether the first slot is empty (key 2^32 - 1) or
                     * holds the key is the data's to say: no branch on it
                     * (a mispredicted one costs more than the probe; the
                     * product, which is 0 when either is, keeps the
                     * compiler from making two); past it, seldom */
                    uint32_t k = (uint32_t)e;
                    if ((uint64_t)(k ^ h) * (uint32_t)(k + 1) != 0) {
                        do {
                            sl = (sl + 1) & (cap - 1);
                            e = table[sl];
                        } while (e != UINT64_MAX && (uint32_t)e != h);
                    }
                    /* an empty slot's row reads 2^32 - 1, past every row
                     * (a frame has fewer), so d wraps past lim as well */
                    uint64_t d = g - (e >> 32);
                    group[g * NGROUP + j] = d - 1 < lim[i] ? (uint32_t)d : 0;
                    table[sl] = g << 32 | h;
                }
            }
        }
    }
    free(slots);
    return 0;
}

/* Each row's reference distance (0: none) and class. Rows are searched
 * independently, so threads do not change the result. */
int mx_rowref_search(const uint8_t *src, uint64_t R, uint64_t C, size_t B, uint16_t *dist,
                     uint8_t *cls, int threads)
{
    size_t nk = (size_t)(C / 4 < 8 ? 8 : C / 4 > NKEY ? NKEY : C / 4);
    uint16_t *keys = calloc((size_t)R * NKEY + 16, sizeof *keys);
    uint32_t *group = malloc((size_t)R * NGROUP * sizeof *group + 1);
    int rc = -1;
    /* nk sampled columns; the zero padding is equal in every row, so it
     * adds the same to every score */
    if (keys && group && !scan_rows(src, R, C, B, nk, keys, group)) {
        ref_search rs = {src, R, C, B, keys, group, dist, cls, mx_simd_level()};
        mx_parallel_for((size_t)R, threads, choose_one, &rs);
        rc = 0;
    }
    free(keys);
    free(group);
    return rc;
}

