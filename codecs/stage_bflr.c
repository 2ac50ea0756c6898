/* bflr - lossless: bfdelta's coder (bfdelta.h) against references that a
 * low-rank model makes. Rows of a model's activations rarely repeat, but
 * they share a few directions (a residual stream's, an attention's); an
 * exact integer low-rank prediction P of the values (qlowrank.h) turns
 * those into references bfdelta codes small differences from.
 *
 * The prediction is of q = rint(x 2^s), the matrix on a grid: x the values
 * (non-finite ones as 0), s = G - e with 2^(e-1) <= max |x| < 2^e and
 * G = min(23, 35 - bits(max(R, C))), the largest grid qlowrank's exact fit
 * takes. A reference made from P is bf16(float(y + dP 2^-s)) for y the
 * value of a reference row (or 0) and dP the prediction's change from that
 * row (a non-finite y is kept): every step a single rounding, so the numpy
 * twin (src/export/bflr.py) makes the same bytes.
 *
 * Each row takes the cheapest of (sum over its columns of the bits of its
 * magnitude's difference from the reference's, plus one for a sign that
 * differs; the first on ties):
 *   - bfdelta's own reference (the row dist back, or zeros), its class;
 *   - P alone (y = 0, dist 0);
 *   - the row bfdelta found (dist > 0) moved by the prediction's change;
 *   - the row just before moved the same way (dist 1).
 * The third header symbol says which (bfdelta.h): 0..4 bfdelta's classes;
 * 4 + c for P alone and 8 + c for a moved row, c = 1 + min(3, 4 agree /
 * cols) from the columns whose sign and exponent agree with the reference.
 * The rank is the smallest frame's of 0, 8, 16, 32 and 64 (at most a
 * quarter of the smaller side), each tried in full: compression costs
 * several bfdelta runs, decoding one integer matrix product more.
 *
 * Frame (mode 10): s (int16 LE), the factors (mx_qlr_write), then
 * bfdelta's body. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "bf16.h"
#include "bfdelta.h"
#include "coded_frame.h"
#include "qlowrank.h"
#include "rowref.h"

#define MX_FRAME_BFLR 10

/* The third header symbols (above). */
enum { BL_PLAIN_MAX = 4, BL_ALONE = 4, BL_MOVED = 8, BL_NTHIRD = 13 };

/* The grid exponent s is checked against this when read; the encoder's are
 * within about 160 of 0. */
#define BL_MAX_SHIFT 300

static const size_t bl_ranks[] = {0, 8, 16, 32, 64};

/* y moved by dp grid steps of size scale (a power of two: dp * scale is
 * exact, so a fused multiply-add gives the same) */
static inline uint16_t moved(uint16_t y, int64_t dp, double scale)
{
    if (!mx_bf16_is_finite(y))
        return y;
    return mx_float_to_bf16((float)((double)mx_bf16_to_float(y) + (double)dp * scale));
}

/* Row g's reference values at columns c0 .. c0 + w - 1 into out: y (the
 * row dist back, or zeros) moved by P's change from that row (P NULL: 0). */
static void make_ref(const int32_t *P, uint64_t C, double scale, uint64_t g, unsigned dist, uint64_t c0,
                     size_t w, const uint8_t *y, uint8_t *out)
{
    const int32_t *pg = P ? P + g * C + c0 : NULL, *pr = P && dist ? P + (g - dist) * C + c0 : NULL;
    for (size_t i = 0; i < w; i++) {
        int64_t dp = pg ? (int64_t)pg[i] - (pr ? pr[i] : 0) : 0;
        mx_bf16_store(out, i, moved(mx_bf16_load(y, i), dp, scale));
    }
}

/* The decoder's side (bfdelta.h: mx_bd_refs) */
typedef struct {
    const int32_t *P;
    uint64_t C;
    double scale;
} bl_ctx;

static int bl_valid(const void *ctx, unsigned third, unsigned dist)
{
    (void)ctx;
    return third <= BL_PLAIN_MAX ? !dist == !third : third <= BL_MOVED ? dist == 0 : dist > 0;
}

static const uint8_t *bl_make(const void *ctx, uint64_t g, unsigned third, unsigned dist, uint64_t c0,
                              size_t w, const uint8_t *x, uint8_t *scratch)
{
    const bl_ctx *b = ctx;
    if (third <= BL_PLAIN_MAX)
        return x;
    make_ref(b->P, b->C, b->scale, g, dist, c0, w, x, scratch);
    return scratch;
}

/* What a row costs against reference r (above), and how many of its
 * columns agree with r in sign and exponent. */
static uint64_t row_cost(const uint8_t *x, const uint8_t *r, uint64_t C, uint64_t *agree)
{
    uint64_t cost = 0, same = 0;
    for (uint64_t c = 0; c < C; c++) {
        uint16_t a = mx_bf16_load(x, c), b = mx_bf16_load(r, c);
        int32_t d = (int32_t)(a & 0x7fff) - (int32_t)(b & 0x7fff);
        uint32_t m = (uint32_t)(d < 0 ? -d : d);
        cost += (m ? 32u - (uint64_t)__builtin_clz(m) : 0) + ((a ^ b) >> 15);
        same += (a >> 7) == (b >> 7);
    }
    *agree = same;
    return cost;
}

/* The grid: s and q (above); q all 0 and s 0 for a matrix of zeros. */
static int16_t grid(const uint8_t *src, uint64_t R, uint64_t C, int32_t *q)
{
    size_t n = (size_t)(R * C);
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        uint16_t h = mx_bf16_load(src, i);
        double a = mx_bf16_is_finite(h) ? fabs((double)mx_bf16_to_float(h)) : 0;
        m = a > m ? a : m;
    }
    int e = 0, bits = 0;
    if (m == 0) {
        memset(q, 0, n * sizeof *q);
        return 0;
    }
    frexp(m, &e);
    for (uint64_t big = R > C ? R : C; big; big >>= 1)
        bits++;
    int s = (35 - bits < 23 ? 35 - bits : 23) - e;
    for (size_t i = 0; i < n; i++) {
        uint16_t h = mx_bf16_load(src, i);
        q[i] = mx_bf16_is_finite(h) ? (int32_t)rint(ldexp((double)mx_bf16_to_float(h), s)) : 0;
    }
    return (int16_t)s;
}

/* P from the first f->k components (R x C) */
static int predict(const mx_qlr *f, uint64_t R, uint64_t C, int32_t *P)
{
    memset(P, 0, (size_t)(R * C) * sizeof *P);
    return mx_qlr_add(f, f->k, R, C, +1, 0, P);
}

/* Each row's cost against bfdelta's own reference (dist0), the same at
 * every rank */
static void own_costs(const uint8_t *src, uint64_t R, uint64_t C, const uint16_t *dist0, const uint8_t *zero,
                      uint64_t *cost0)
{
    uint64_t agree;
    for (uint64_t g = 0; g < R; g++) {
        const uint8_t *x = src + 2 * g * C;
        cost0[g] = row_cost(x, dist0[g] ? x - 2 * (size_t)dist0[g] * C : zero, C, &agree);
    }
}

/* Each row's reference (refs), distance and third symbol (above), given
 * bfdelta's own (dist0, cls0, cost0) and P (NULL: 0). */
static void choose_refs(const uint8_t *src, uint64_t R, uint64_t C, size_t B, const uint16_t *dist0,
                        const uint8_t *cls0, const uint64_t *cost0, const int32_t *P, double scale,
                        const uint8_t *zero, uint8_t *cand, uint8_t *refs, uint16_t *dist, uint8_t *third)
{
    for (uint64_t g = 0; g < R; g++) {
        const uint8_t *x = src + 2 * g * C;
        uint8_t *best = refs + 2 * g * C;
        uint64_t agree, cost, low = cost0[g];
        /* bfdelta's own */
        memcpy(best, dist0[g] ? x - 2 * (size_t)dist0[g] * C : zero, 2 * (size_t)C);
        dist[g] = dist0[g];
        third[g] = cls0[g];
        /* then P alone, the row found moved, the row before moved */
        unsigned ds[3] = {0, dist0[g], g % B >= 1 ? 1u : 0u};
        for (int k = 0; k < 3; k++) {
            if (k && !ds[k])
                continue;
            make_ref(P, C, scale, g, ds[k], 0, (size_t)C, ds[k] ? x - 2 * (size_t)ds[k] * C : zero, cand);
            if ((cost = row_cost(x, cand, C, &agree)) < low) {
                uint64_t c = 4 * agree / C;
                low = cost;
                memcpy(best, cand, 2 * (size_t)C);
                dist[g] = (uint16_t)ds[k];
                third[g] = (uint8_t)((k ? BL_MOVED : BL_ALONE) + 1 + (c < 3 ? c : 3));
            }
        }
    }
}

static int encode16(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src,
                    mx_bytes *out, mx_error *err)
{
    (void)p;
    uint64_t R = d->rows, C = d->cols, small = R < C ? R : C;
    size_t n = (size_t)(R * C);
    mx_rowref_layout l = mx_rowref_layout_of(R, C);
    mx_qlr f = {0};
    mx_bytes trial = {0};
    int32_t *q = malloc(n * sizeof *q + 4), *P = malloc(n * sizeof *P + 4);
    uint8_t *refs = malloc(2 * n + 2), *zero = calloc((size_t)C + 1, 2), *cand = malloc(2 * (size_t)C + 2);
    uint16_t *dist0 = malloc((size_t)R * sizeof *dist0 + 2), *dist = malloc((size_t)R * sizeof *dist + 2);
    uint8_t *cls0 = malloc((size_t)R + 1), *third = malloc((size_t)R + 1);
    uint64_t *cost0 = malloc((size_t)R * sizeof *cost0 + 8);
    int rc = -1;
    if (!q || !P || !refs || !zero || !cand || !dist0 || !dist || !cls0 || !third || !cost0 ||
        mx_rowref_search(src, R, C, l.B, dist0, cls0, w->threads)) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    own_costs(src, R, C, dist0, zero, cost0);
    int16_t s = grid(src, R, C, q);
    double scale = ldexp(1.0, -s);
    size_t kmax = 0;
    for (size_t i = 0; i < sizeof bl_ranks / sizeof *bl_ranks; i++)
        if (bl_ranks[i] <= small / 4)
            kmax = bl_ranks[i];
    if (kmax && mx_qlr_fit(q, R, C, kmax, &f)) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    size_t best = SIZE_MAX, start = out->len; /* out may hold the mode byte */
    for (size_t i = 0; i < sizeof bl_ranks / sizeof *bl_ranks && bl_ranks[i] <= (kmax ? f.fitted : 0); i++) {
        size_t k = bl_ranks[i];
        trial.len = 0;
        mx_bytes_le(&trial, (uint16_t)s, 2);
        mx_qlr_round(&f, k, R, C);
        if (mx_qlr_write(&f, R, C, &trial, err) || (k && predict(&f, R, C, P)))
            goto fail;
        choose_refs(src, R, C, l.B, dist0, cls0, cost0, k ? P : NULL, scale, zero, cand, refs, dist, third);
        if (mx_bd_encode(w, R, C, src, dist, third, BL_NTHIRD, refs, &trial, err))
            goto fail;
        if (trial.oom)
            goto fail;
        if (trial.len < best) {
            best = trial.len;
            out->len = start;
            mx_bytes_put(out, trial.p, trial.len);
        }
    }
    rc = 0;
    goto out;
fail:
    if (!err->code)
        mx_fail(err, MX_EFAIL, "out of memory");
out:
    mx_qlr_free(&f);
    free(trial.p);
    free(q);
    free(P);
    free(refs);
    free(zero);
    free(cand);
    free(dist0);
    free(dist);
    free(cls0);
    free(third);
    free(cost0);
    return rc;
}

static int decode16(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                    uint8_t *dst, mx_error *err)
{
    (void)p;
    uint64_t R = d->rows, C = d->cols;
    mx_qlr f = {0};
    int32_t *P = NULL;
    size_t off = 2;
    int rc = -1;
    if (n < 2) {
        mx_fail(err, MX_EINPUT, "corrupt data: bflr frame too short");
        goto out;
    }
    int16_t s = (int16_t)(src[0] | src[1] << 8);
    if (s < -BL_MAX_SHIFT || s > BL_MAX_SHIFT) {
        mx_fail(err, MX_EINPUT, "corrupt data: bflr grid out of range");
        goto out;
    }
    if (mx_qlr_read(src, n, &off, R, C, &f, err))
        goto out;
    if (f.k && (!(P = malloc((size_t)(R * C) * sizeof *P + 4)) || predict(&f, R, C, P))) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    bl_ctx ctx = {P, C, ldexp(1.0, -s)};
    mx_bd_refs refs = {BL_NTHIRD, bl_valid, bl_make, &ctx};
    rc = mx_bd_decode(w, R, C, src + off, n - off, &refs, dst, err);
out:
    mx_qlr_free(&f);
    free(P);
    return rc;
}

static int compress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                    uint8_t *dst, size_t cap, size_t *dst_len, mx_error *err)
{
    return mx_bf16_frame_compress(MX_FRAME_BFLR, encode16, p, w, d, src, n, dst, cap, dst_len, err);
}

static int decompress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                      uint8_t *dst, size_t expected, mx_error *err)
{
    return mx_bf16_frame_decompress("bflr", MX_FRAME_BFLR, decode16, p, w, d, src, n, dst, expected, err);
}

const mx_stage mx_stage_bflr = {
    .name = "bflr",
    .kind = MX_STAGE_ENTROPY,
    .codes_values = 1,
    .summary = "bfdelta against rows a low-rank model predicts (rank 0 to 64, whichever codes "
               "smallest); what auto:max adds, slower to compress",
    .twin = {.sections = {"wlanes", "bfdelta", "qlowrank", "bflr"}, .whole = 1},
    .bound = mx_frame_bound,
    .compress = compress,
    .decompress = decompress,
};
