#include "shape_infer.h"
#include <stdlib.h>
#include <string.h>
#include "../codecs/simd.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Every constant and every step here has its twin in src/export/shape.py. */
#define WMIN 8            /* narrowest width considered */
#define LAGS 64           /* rows compared per candidate, at most: lags d, 2d, .., 64d */
#define MIN_LAGS 4        /* and at least */
#define MAX_CANDIDATES 64 /* more divisors than this: keep the evenest */
#define BLOCKS 8          /* positions come in this many runs */
#define CLEAR 32          /* stage 1 decides when z >= 32 noise deviations */
#define SIGNIF 4          /* a width at all needs z >= 4 noise deviations */
#define MAX_VALUES ((uint64_t)1 << 24) /* the statistic reads at most these first values */
#define MAX_RUN 8192      /* longest run: the last stage's positions / BLOCKS */
static const uint64_t stages[] = {8192, 32768};
#define N_STAGES (sizeof stages / sizeof stages[0])

/* y[j] = sign of the step from the exponent of v[j] to that of v[j+1], for
 * j < len. The exponent bits compare as they lie, masked in place. */
static void steps(const uint16_t *v, size_t len, int8_t *y)
{
    size_t j = 0;
#if defined(__SSE2__)
    const __m128i mask = _mm_set1_epi16(0x7F80);
    for (; j + 16 <= len; j += 16) { /* masked values are < 0x8000: signed compares do */
        __m128i a0 = _mm_and_si128(_mm_loadu_si128((const __m128i *)(v + j)), mask);
        __m128i a1 = _mm_and_si128(_mm_loadu_si128((const __m128i *)(v + j + 8)), mask);
        __m128i b0 = _mm_and_si128(_mm_loadu_si128((const __m128i *)(v + j + 1)), mask);
        __m128i b1 = _mm_and_si128(_mm_loadu_si128((const __m128i *)(v + j + 9)), mask);
        /* (b > a) - (b < a): compares give -1 for true */
        __m128i s0 = _mm_sub_epi16(_mm_cmplt_epi16(b0, a0), _mm_cmpgt_epi16(b0, a0));
        __m128i s1 = _mm_sub_epi16(_mm_cmplt_epi16(b1, a1), _mm_cmpgt_epi16(b1, a1));
        _mm_storeu_si128((__m128i *)(y + j), _mm_packs_epi16(s0, s1));
    }
#endif
    for (; j < len; j++) {
        unsigned a = v[j] & 0x7F80u, b = v[j + 1] & 0x7F80u;
        y[j] = (int8_t)((b > a) - (b < a));
    }
}

/* y[j0 .. j0+len): from y when it holds them all, else worked out into buf. */
static const int8_t *window(const uint16_t *v, const int8_t *y, uint64_t j0, size_t len,
                            int8_t *buf)
{
    if (y)
        return y + j0;
    steps(v + j0, len, buf);
    return buf;
}

/* Sum of a[t] * b[t]; the values are -1, 0 or 1. */
static int64_t dot8(const int8_t *a, const int8_t *b, size_t len)
{
    int64_t s = 0;
    size_t t = 0;
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();
    while (t + 16 <= len) { /* int32 lanes: at most 2 * 16384 per lane per chunk */
        __m128i acc = zero;
        size_t end = len - t > 16384 ? t + 16384 : len;
        for (; t + 16 <= end; t += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(a + t));
            __m128i y = _mm_loadu_si128((const __m128i *)(b + t));
            __m128i sx = _mm_cmpgt_epi8(zero, x), sy = _mm_cmpgt_epi8(zero, y);
            acc = _mm_add_epi32(acc, _mm_madd_epi16(_mm_unpacklo_epi8(x, sx), _mm_unpacklo_epi8(y, sy)));
            acc = _mm_add_epi32(acc, _mm_madd_epi16(_mm_unpackhi_epi8(x, sx), _mm_unpackhi_epi8(y, sy)));
        }
        int32_t lane[4];
        _mm_storeu_si128((__m128i *)lane, acc);
        s += (int64_t)lane[0] + lane[1] + lane[2] + lane[3];
    }
#endif
    for (; t < len; t++)
        s += a[t] * b[t];
    return s;
}

#ifdef MX_SIMD_X86
/* dot8 with AVX2: a * sign(b) is a * b for b in -1, 0, 1; each int32 lane
 * gains at most 4 per 32 values. */
__attribute__((target("avx2"))) static int64_t dot8_avx2(const int8_t *a, const int8_t *b,
                                                         size_t len)
{
    const __m256i ones8 = _mm256_set1_epi8(1), ones16 = _mm256_set1_epi16(1);
    __m256i acc = _mm256_setzero_si256();
    size_t t = 0;
    for (; t + 32 <= len; t += 32) {
        __m256i p = _mm256_sign_epi8(_mm256_loadu_si256((const __m256i *)(const void *)(a + t)),
                                     _mm256_loadu_si256((const __m256i *)(const void *)(b + t)));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(ones8, p), ones16));
    }
    int32_t lane[8];
    _mm256_storeu_si256((__m256i *)(void *)lane, acc);
    int64_t s = 0;
    for (int k = 0; k < 8; k++)
        s += lane[k];
    for (; t < len; t++)
        s += a[t] * b[t];
    return s;
}
#endif

typedef int64_t (*dot8_fn)(const int8_t *, const int8_t *, size_t);

/* Lowest set bit: the power of two in d. */
static uint64_t low_bit(uint64_t d)
{
    return d & (~d + 1);
}

static int cmp_evenest(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    uint64_t la = low_bit(a), lb = low_bit(b);
    if (la != lb)
        return la > lb ? -1 : 1;
    return (a > b) - (a < b);
}

static int cmp_u64(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return (a > b) - (a < b);
}

/* The divisors d of n with WMIN <= d <= nn / (2 MIN_LAGS), ascending, at most
 * MAX_CANDIDATES (the ones with the most factors of two). */
static int candidates(uint64_t n, uint64_t nn, uint64_t *c, size_t *nc, mx_error *err)
{
    uint64_t hi = nn / (2 * MIN_LAGS);
    size_t k = 0, cap = 0;
    uint64_t *all = NULL;
    *nc = 0;
    if (hi < WMIN)
        return 0;
    for (uint64_t d = 1; d <= n / d; d++) {
        if (n % d)
            continue;
        uint64_t pair[2] = {d, n / d};
        for (int i = 0; i < (d == n / d ? 1 : 2); i++) {
            if (pair[i] < WMIN || pair[i] > hi)
                continue;
            if (k == cap) {
                cap = cap ? 2 * cap : 64;
                uint64_t *q = realloc(all, cap * sizeof *q);
                if (!q) {
                    free(all);
                    return mx_fail(err, MX_EFAIL, "out of memory");
                }
                all = q;
            }
            all[k++] = pair[i];
        }
    }
    if (k > MAX_CANDIDATES) {
        qsort(all, k, sizeof *all, cmp_evenest);
        k = MAX_CANDIDATES;
    }
    if (k) {
        qsort(all, k, sizeof *all, cmp_u64);
        memcpy(c, all, k * sizeof *c);
    }
    *nc = k;
    free(all);
    return 0;
}

static uint64_t pow2_floor(uint64_t x)
{
    uint64_t p = 1;
    while (p <= x / 2)
        p *= 2;
    return p;
}

/* Index of l in the sorted lags (it is there). */
static size_t lag_index(const uint64_t *lags, size_t n, uint64_t l)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (lags[mid] <= l)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Whether z(a) = sa / sqrt(ka) beats z(b): sa > 0, and b is none (kb 0)
 * or sa^2 kb > sb^2 ka (sa, sb <= 2^22 and ka, kb <= 64: no overflow). */
static int beats(int64_t sa, uint64_t ka, int64_t sb, uint64_t kb)
{
    return sa > 0 && (!kb || (uint64_t)sa * (uint64_t)sa * kb > (uint64_t)sb * (uint64_t)sb * ka);
}

/* Whether s, over k lags, is at least t noise deviations (den / sqrt(m)
 * each): s^2 m >= den^2 k t^2, with s <= k m <= 2^22, m <= 2^16. */
static int deviations(int64_t s, int64_t den, uint64_t m, uint64_t k, uint64_t t)
{
    return s > 0 && den > 0 &&
           (uint64_t)s * (uint64_t)s * m >= (uint64_t)den * (uint64_t)den * k * t * t;
}

int mx_infer_cols(const uint16_t *v, uint64_t n, uint64_t *cols, mx_error *err)
{
    uint64_t cand[MAX_CANDIDATES], nlag[MAX_CANDIDATES];
    int64_t score[MAX_CANDIDATES];
    size_t nc, nl = 0;
    uint64_t nn = n < MAX_VALUES ? n : MAX_VALUES; /* the values the statistic reads */
    *cols = n;
    if (candidates(n, nn, cand, &nc, err))
        return -1;
    if (nc == 0)
        return 0;
    uint64_t *lags = malloc(LAGS * MAX_CANDIDATES * sizeof *lags);
    int64_t *r = malloc(LAGS * MAX_CANDIDATES * sizeof *r);
    if (!lags || !r) {
        free(lags);
        free(r);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    uint64_t lmax = 0;
    for (size_t i = 0; i < nc; i++) {
        nlag[i] = nn / (2 * cand[i]) < LAGS ? nn / (2 * cand[i]) : LAGS;
        for (uint64_t k = 1; k <= nlag[i]; k++)
            lags[nl++] = k * cand[i];
        if (nlag[i] * cand[i] > lmax)
            lmax = nlag[i] * cand[i];
    }
    qsort(lags, nl, sizeof *lags, cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < nl; i++)
        if (u == 0 || lags[i] != lags[u - 1])
            lags[u++] = lags[i];
    nl = u;

    uint64_t region = nn - lmax - 1; /* positions lmax+1 .. nn-1: every lag stays inside */
    /* stage 1 works its few runs out as it goes, unless its windows would
     * read more steps than there are values: then, as a later stage, it
     * works them all out once */
    int8_t *y = NULL, *runs = malloc(stages[N_STAGES - 1]), *buf = malloc(MAX_RUN);
    size_t best = nc; /* none */
    int rc = 0;
    dot8_fn dot = dot8;
#ifdef MX_SIMD_X86
    if (mx_simd_avx2())
        dot = dot8_avx2;
#endif
    if (!runs || !buf) {
        rc = mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    for (size_t stage = 0; stage < N_STAGES; stage++) {
        uint64_t m = stages[stage] < pow2_floor(region) ? stages[stage] : pow2_floor(region);
        uint64_t nb = m < BLOCKS ? m : BLOCKS, len = m / nb;
        uint64_t gap = nb > 1 ? (region - len) / (nb - 1) : 0;
        if ((stage > 0 || nl * m > nn) && !y) { /* cheaper than a window per lag */
            if (!(y = malloc((size_t)nn - 1))) {
                rc = mx_fail(err, MX_EFAIL, "out of memory");
                goto out;
            }
            steps(v, (size_t)nn - 1, y);
        }
        /* run b is y[lmax + b gap ...), len long: positions lmax + 1 + b gap ... */
        int64_t den = 0;
        for (uint64_t b = 0; b < nb; b++) {
            memcpy(runs + b * len, window(v, y, lmax + b * gap, (size_t)len, buf), (size_t)len);
            den += dot(runs + b * len, runs + b * len, (size_t)len);
        }
        for (size_t i = 0; i < nl; i++) {
            r[i] = 0;
            for (uint64_t b = 0; b < nb; b++)
                r[i] += dot(runs + b * len, window(v, y, lmax - lags[i] + b * gap, (size_t)len, buf),
                             (size_t)len);
        }
        best = nc;
        for (size_t i = 0; i < nc; i++) {
            score[i] = 0;
            for (uint64_t k = 1; k <= nlag[i]; k++)
                score[i] += r[lag_index(lags, nl, k * cand[i])];
            if (beats(score[i], nlag[i], best < nc ? score[best] : 0, best < nc ? nlag[best] : 0))
                best = i;
        }
        /* no positive S (best none) is no deviation at all */
        int64_t s = best < nc ? score[best] : 0;
        uint64_t k = best < nc ? nlag[best] : 1;
        if (deviations(s, den, m, k, CLEAR))
            break;
        if (stage == N_STAGES - 1 || m == pow2_floor(region)) {
            if (!deviations(s, den, m, k, SIGNIF))
                goto out; /* no width stands out: one row */
            break;
        }
    }
    *cols = cand[best];
    /* the smallest divisor of the best with 9/10 of its z and a first lag
     * of a third of its mean lag: 100 S^2 K_best >= 81 S_best^2 K (< 2^57) */
    int64_t s = score[best];
    for (size_t i = 0; i < nc; i++)
        if (cand[best] % cand[i] == 0 && score[i] > 0 &&
            100 * (uint64_t)score[i] * (uint64_t)score[i] * nlag[best] >=
                81 * (uint64_t)s * (uint64_t)s * nlag[i] &&
            3 * r[lag_index(lags, nl, cand[i])] * (int64_t)nlag[best] >= s) {
            *cols = cand[i];
            break;
        }
out:
    free(y);
    free(runs);
    free(buf);
    free(lags);
    free(r);
    return rc;
}
