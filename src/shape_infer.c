#include "shape_infer.h"
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Every constant and every step here has its twin in src/export/shape.py. */
#define WMIN 8            /* narrowest width considered */
#define LAGS 4            /* rows compared per candidate: lags d, 2d, 3d, 4d */
#define MAX_CANDIDATES 64 /* more divisors than this: keep the evenest */
#define BLOCKS 8          /* positions come in this many runs */
#define CLEAR_SHIFT 12    /* stage 1 decides when S >= 32 noise deviations */
#define SIGNIF_SHIFT 6    /* a width at all needs S >= 4 noise deviations */
#define MAX_VALUES ((uint64_t)1 << 24) /* the statistic reads at most these first values */
#define MAX_RUN 8192      /* longest run: the last stage's positions / BLOCKS */
static const uint64_t stages[] = {8192, 65536};
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

/* The divisors d of n with WMIN <= d <= nn / (2 LAGS), ascending, at most
 * MAX_CANDIDATES (the ones with the most factors of two). */
static int candidates(uint64_t n, uint64_t nn, uint64_t *c, size_t *nc, mx_error *err)
{
    uint64_t hi = nn / (2 * LAGS);
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

int mx_infer_cols(const uint16_t *v, uint64_t n, uint64_t *cols, mx_error *err)
{
    uint64_t cand[MAX_CANDIDATES], lags[LAGS * MAX_CANDIDATES];
    int64_t r[LAGS * MAX_CANDIDATES], score[MAX_CANDIDATES];
    size_t nc, nl = 0;
    uint64_t nn = n < MAX_VALUES ? n : MAX_VALUES; /* the values the statistic reads */
    *cols = n;
    if (candidates(n, nn, cand, &nc, err))
        return -1;
    if (nc == 0)
        return 0;
    for (size_t i = 0; i < nc; i++)
        for (uint64_t k = 1; k <= LAGS; k++)
            lags[nl++] = k * cand[i];
    qsort(lags, nl, sizeof *lags, cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < nl; i++)
        if (u == 0 || lags[i] != lags[u - 1])
            lags[u++] = lags[i];
    nl = u;

    uint64_t lmax = LAGS * cand[nc - 1];
    uint64_t region = nn - lmax - 1; /* positions lmax+1 .. nn-1: every lag stays inside */
    /* stage 1 works its few runs out as it goes; a later stage reads more
     * steps than there are values, so it works them all out once */
    int8_t *y = NULL, *runs = malloc(stages[N_STAGES - 1]), *buf = malloc(MAX_RUN);
    if (!runs || !buf) {
        free(runs);
        free(buf);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    size_t best = 0;
    int64_t s = 0;
    int rc = 0;
    for (size_t stage = 0; stage < N_STAGES; stage++) {
        uint64_t m = stages[stage] < pow2_floor(region) ? stages[stage] : pow2_floor(region);
        uint64_t nb = m < BLOCKS ? m : BLOCKS, len = m / nb;
        uint64_t gap = nb > 1 ? (region - len) / (nb - 1) : 0;
        if (stage > 0 && !y) {
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
            den += dot8(runs + b * len, runs + b * len, (size_t)len);
        }
        for (size_t i = 0; i < nl; i++) {
            r[i] = 0;
            for (uint64_t b = 0; b < nb; b++)
                r[i] += dot8(runs + b * len, window(v, y, lmax - lags[i] + b * gap, (size_t)len, buf),
                             (size_t)len);
        }
        best = 0;
        for (size_t i = 0; i < nc; i++) {
            score[i] = 0;
            for (uint64_t k = 1; k <= LAGS; k++)
                score[i] += r[lag_index(lags, nl, k * cand[i])];
            if (score[i] > score[best])
                best = i;
        }
        s = score[best];
        unsigned q = 0;
        while (((uint64_t)1 << q) < m)
            q++;
        /* s <= LAGS * m <= 2^18 and den <= m <= 2^16: no overflow below */
        uint64_t s2 = s > 0 ? (uint64_t)s * (uint64_t)s << q : 0, d2 = (uint64_t)den * (uint64_t)den;
        int last = stage == N_STAGES - 1 || m == pow2_floor(region);
        if (s > 0 && den > 0 && s2 >= d2 << CLEAR_SHIFT)
            break;
        if (last) {
            if (s <= 0 || den == 0 || s2 < d2 << SIGNIF_SHIFT)
                goto out; /* no width stands out: one row */
            break;
        }
    }
    *cols = cand[best];
    for (size_t i = 0; i < nc; i++)
        if (cand[best] % cand[i] == 0 && 5 * score[i] >= 3 * s &&
            12 * r[lag_index(lags, nl, cand[i])] >= s) {
            *cols = cand[i];
            break;
        }
out:
    free(y);
    free(runs);
    free(buf);
    return rc;
}
