/* bench_bounds.c - the reference lines of `make bench` (bench_bounds.h). */
#include "bench_bounds.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXP(v) (((v) >> 7) & 0xffu)
#define SIGN_EXP(v) ((v) >> 7) /* 9 bits: sign, then exponent */
#define MANT(v) ((v)&0x7fu)

/* sum over the cells of c log2(total / c), in bits: the cost of n symbols
 * under their own empirical frequencies */
static double bits_of(const uint32_t *cnt, size_t n)
{
    double total = 0, h = 0;
    for (size_t i = 0; i < n; i++)
        total += cnt[i];
    for (size_t i = 0; i < n; i++)
        if (cnt[i])
            h += cnt[i] * log2(total / cnt[i]);
    return h;
}

/* the same for a table of contexts x symbols: the sum of each context's cost */
static double cond_bits_of(const uint32_t *cnt, size_t contexts, size_t symbols)
{
    double h = 0;
    for (size_t c = 0; c < contexts; c++)
        h += bits_of(cnt + c * symbols, symbols);
    return h;
}

/* the lower median of n values counted in hist[256] */
static unsigned median256(const uint32_t *hist, size_t n)
{
    size_t want = (n + 1) / 2, seen = 0;
    for (unsigned e = 0; e < 256; e++)
        if ((seen += hist[e]) >= want)
            return e;
    return 255;
}

/* the three bounds' symbol counts */
typedef struct {
    uint32_t v16[65536], hi[256], lo[256];
    uint32_t se_given_p[256 * 512], m_given_e[256 * 128], se[512];
} counts;

/* r: median exponent of each row; c: of each column; *mid: of the matrix */
static int scale_medians(const mx_matrix *m, uint8_t *r, uint8_t *c, unsigned *mid)
{
    size_t rows = (size_t)m->rows, cols = (size_t)m->cols;
    uint32_t *colh = calloc(cols * 256, sizeof *colh);
    uint32_t rowh[256], all[256] = {0};
    if (!colh)
        return -1;
    for (size_t i = 0; i < rows; i++) {
        memset(rowh, 0, sizeof rowh);
        for (size_t j = 0; j < cols; j++) {
            unsigned e = EXP(m->data[i * cols + j]);
            rowh[e]++;
            colh[j * 256 + e]++;
            all[e]++;
        }
        r[i] = (uint8_t)median256(rowh, cols);
    }
    for (size_t j = 0; j < cols; j++)
        c[j] = (uint8_t)median256(colh + j * 256, rows);
    *mid = median256(all, rows * cols);
    free(colh);
    return 0;
}

static void count_all(const mx_matrix *m, const uint8_t *r, const uint8_t *c, unsigned mid,
                      counts *k)
{
    size_t rows = (size_t)m->rows, cols = (size_t)m->cols;
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++) {
            uint16_t v = m->data[i * cols + j];
            int p = (int)r[i] + (int)c[j] - (int)mid;
            p = p < 0 ? 0 : p > 255 ? 255 : p;
            k->v16[v]++;
            k->hi[v >> 8]++;
            k->lo[v & 0xff]++;
            k->se[SIGN_EXP(v)]++;
            k->se_given_p[(size_t)p * 512 + SIGN_EXP(v)]++;
            k->m_given_e[EXP(v) * 128 + MANT(v)]++;
        }
}

int bench_bounds_of(const mx_matrix *m, bench_bounds *b, mx_error *err)
{
    size_t n = mx_matrix_count(m), rows = (size_t)m->rows, cols = (size_t)m->cols;
    memset(b, 0, sizeof *b);
    if (!n)
        return mx_fail(err, MX_EINPUT, "an empty matrix has no bounds");
    counts *k = calloc(1, sizeof *k);
    uint8_t *r = malloc(rows), *c = malloc(cols);
    unsigned mid = 0;
    if (!k || !r || !c || scale_medians(m, r, c, &mid)) {
        free(k);
        free(r);
        free(c);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    count_all(m, r, c, mid, k);
    double dn = (double)n;
    double h16 = bits_of(k->v16, 65536) / dn;
    double hp = (bits_of(k->hi, 256) + bits_of(k->lo, 256)) / dn;
    b->h_se = bits_of(k->se, 512) / dn;
    b->h_se_scale = cond_bits_of(k->se_given_p, 256, 512) / dn;
    b->h_m = cond_bits_of(k->m_given_e, 256, 128) / dn;
    b->side_bits = 8.0 * (double)(rows + cols + 1) / dn;
    double hs = b->h_se_scale + b->h_m + b->side_bits;
    b->r16 = h16 > 0 ? 16.0 / h16 : INFINITY;
    b->rplanes = hp > 0 ? 16.0 / hp : INFINITY;
    b->rscale = hs > 0 ? 16.0 / hs : INFINITY;
    free(k);
    free(r);
    free(c);
    return 0;
}
