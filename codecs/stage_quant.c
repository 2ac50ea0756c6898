/* quant:sim=T - lossy, with a similarity target, and its own entropy coder.
 * quant:rowsim=T and quant:blocksim=T give each row, or each block of 64
 * values of a row, its own step instead (a common multiple of the group's
 * RMS, stored as bf16): equal relative error per group, for users who need
 * it; for the matrix-wide similarity one step is better.
 *
 * Rows of activations repeat: most rows are close to a scaled copy of an
 * earlier row. So each row is predicted as alpha * (an earlier decoded row),
 * chosen among the previous WINDOW rows for the largest least-squares gain,
 * and only the residual is quantised, with ONE step for the whole matrix.
 * One step is what minimises the total squared error for a given rate, and
 * the similarity, cos * (1 - |a-b|/|a|), is a function of that total error;
 * the step is found by bisection so the similarity lands just above T, in
 * float64 and in float32 as torch computes it (metrics.h: the competition's
 * check uses float32, which strays up to ~1e-3 from float64 on a million
 * values; both are computed exactly, so no margin is added).
 * Quantisation is closed-loop (the prediction uses decoded rows), so the
 * encoder measures the exact similarity the decoder will give.
 *
 * Codes are rANS-coded (rans.h) under a per-row context: the row's code
 * magnitude bucket, sent first, picks the table, because well and badly
 * predicted rows have very different code distributions. Large codes escape
 * into three raw bytes. Non-finite values are coded as 0, as in q8/q4.
 *
 * Frame (after the mode byte MX_FRAME_QUANT): step as float32 LE, the rANS
 * tables, then per row: reference distance (0: none), alpha as bf16 when
 * there is a reference, the bucket, and the codes. quant:rowsim and
 * quant:blocksim write it; quant:sim did before the lanes format below.
 *
 * quant:sim=T (MX_FRAME_QUANT_LANES): codes q = rint(x / step) for the
 * whole matrix, open loop, with the largest step (64 + j) 2^(e - 6) whose
 * decoded values keep the similarity above T both in double and as
 * baseline.py's float32 torch computes it (simcheck.h). Each code is coded
 * as its difference from the same column of the row's reference (rowref.h)
 * on wlanes.h's lanes, one symbol a value: dq + 2048 (0 and 4095 escape to
 * the exact difference, a zigzag varint) under (row bucket, reference code
 * bucket), where the row bucket is the bit length of 16 sum|dq| / cols (at
 * most 15) and the reference bucket the bit length of |q_ref| (at most 7).
 * Decoded values are bf16(float(q) * step), infinities clamped to the
 * largest finite value; non-finite inputs are coded as 0. The numpy twin is
 * src/export/quant.py.
 *   frame: step (float32 LE), escapes (varint count, then zigzag varints in
 *   decoding order), the tables, the lanes: row headers (all distance >> 5,
 *   all distance & 31, all row buckets), then a step of codes per row step. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bf16.h"
#include "metrics.h"
#include "parallel.h"
#include "coded_frame.h"
#include "rowref.h"
#include "simcheck.h"
#include "wlanes.h"
#include "qlanes.h"
#include "qlowrank.h"

/* The mode bytes of our frames (coded_frame.h): on disk, never renumbered. */
#define MX_FRAME_QUANT 3       /* quant:rowsim, quant:blocksim */
#define MX_FRAME_QUANT_LANES 7 /* quant:sim */

#define WINDOW 256         /* rows searched for a reference */
#define N_BUCKETS 32
#define ESCAPE 255         /* code symbol: |zigzag| >= ESCAPE, 3 raw bytes follow */
#define MAX_ZIGZAG 0xFFFFFF /* codes are clamped to what the escape holds */
#define SIM_SCALE 100000.0  /* T is kept as an integer number of 1e-5 */
#define BLOCK 64            /* values per block of quant:blocksim */

/* Where a step applies: the parameter given (sim, rowsim or blocksim,
 * alternatives: params.which), whose value is the target. */
enum { STEP_MATRIX, STEP_ROW, STEP_BLOCK };

enum {
    CTX_DIST_HI, CTX_DIST_LO, CTX_ALPHA_HI, CTX_ALPHA_LO, CTX_BUCKET, CTX_ESC,
    CTX_UNIT_HI, CTX_UNIT_LO, CTX_CODE, CTX_N = CTX_CODE + N_BUCKETS
};

static int model_init(mx_rans_model *m, mx_error *err)
{
    uint16_t alpha[CTX_N];
    for (unsigned i = 0; i < CTX_N; i++)
        alpha[i] = i == CTX_DIST_HI ? (WINDOW >> 8) + 1 : i == CTX_BUCKET ? N_BUCKETS : 256;
    /* the unit tables are declared in every mode: unused ones cost a marker */
    return mx_rans_model_init(m, CTX_N, alpha, err);
}

/* --- reference search (open loop, on the original values) --- */

typedef struct {
    const float *x;
    const double *norm2;
    uint64_t rows, cols;
    uint16_t *dist;
    uint16_t *alpha;
} ref_search;

static void search_row(void *ctx, size_t r)
{
    ref_search *s = ctx;
    const float *xr = s->x + r * s->cols;
    double best = 0, best_dot = 0;
    size_t best_d = 0;
    for (size_t d = 1; d <= WINDOW && d <= r; d++) {
        if (s->norm2[r - d] <= 0)
            continue;
        const float *xk = s->x + (r - d) * s->cols;
        float dot = 0;
        for (uint64_t c = 0; c < s->cols; c++)
            dot += xr[c] * xk[c];
        double gain = (double)dot * dot / s->norm2[r - d];
        if (gain > best) {
            best = gain;
            best_dot = dot;
            best_d = d;
        }
    }
    /* a reference must remove a tenth of the row's energy to pay for itself */
    if (best_d && best > 0.1 * s->norm2[r]) {
        s->dist[r] = (uint16_t)best_d;
        s->alpha[r] = mx_float_to_bf16((float)(best_dot / s->norm2[r - best_d]));
    } else {
        s->dist[r] = 0;
        s->alpha[r] = 0;
    }
}

/* --- closed-loop quantisation: the decoder's arithmetic, exactly --- */

static inline float predict(const uint16_t *y, uint64_t r, uint64_t c, uint64_t C,
                            const uint16_t *dist, const uint16_t *alpha)
{
    if (!dist[r])
        return 0.0f;
    return mx_bf16_to_float(alpha[r]) * mx_bf16_to_float(y[(r - dist[r]) * C + c]);
}

static inline int32_t clamp_code(float v)
{
    const float lim = (float)(MAX_ZIGZAG / 2);
    if (!(v == v))
        return 0;
    v = v > lim ? lim : v < -lim ? -lim : v;
    return (int32_t)lrintf(v);
}

static inline uint16_t reconstruct(float p, int32_t q, float step)
{
    return mx_float_to_bf16(p + (float)q * step);
}

/* Where the steps apply: one for the matrix (per_row 0), or k times a bf16
 * unit per row (per_row 1) or per block of a row (per_row = blocks). */
typedef struct {
    uint64_t per_row;
    uint16_t *unit; /* R * per_row */
} step_layout;

static inline float step_at(const step_layout *s, float k, uint64_t r, uint64_t c)
{
    if (!s->per_row)
        return k;
    return k * mx_bf16_to_float(s->unit[r * s->per_row + (s->per_row == 1 ? 0 : c / BLOCK)]);
}

/* Quantises all of x with steps k (times the units) into y (and q when given). */
static void quantise(const float *x, uint64_t R, uint64_t C, const uint16_t *dist,
                     const uint16_t *alpha, const step_layout *sl, float k, uint16_t *y,
                     int32_t *q)
{
    for (uint64_t r = 0; r < R; r++)
        for (uint64_t c = 0; c < C; c++) {
            size_t i = (size_t)(r * C + c);
            float p = predict(y, r, c, C, dist, alpha), step = step_at(sl, k, r, c);
            int32_t code = clamp_code((x[i] - p) / step);
            y[i] = reconstruct(p, code, step);
            if (q)
                q[i] = code;
        }
}

static unsigned zigzag(int32_t q)
{
    return q >= 0 ? 2u * (unsigned)q : 2u * (unsigned)(-(int64_t)q) - 1u;
}

static int32_t unzigzag(unsigned z)
{
    return (z & 1) ? -(int32_t)((z + 1) / 2) : (int32_t)(z / 2);
}

static unsigned bucket_of(const int32_t *q, uint64_t C)
{
    uint64_t sum = 0;
    for (uint64_t c = 0; c < C; c++)
        sum += zigzag(q[c]);
    if (!sum)
        return 0;
    double b = 1.0 + floor(2.0 * log2(1.0 + 4.0 * (double)sum / (double)C));
    return b > N_BUCKETS - 1 ? N_BUCKETS - 1 : (unsigned)b;
}

/* Feeds one row's symbols to fn in coding order. */
typedef void (*sym_fn)(void *ctx, unsigned table, unsigned sym);

static void row_symbols(uint16_t dist, uint16_t alpha, const uint16_t *units, uint64_t n_units,
                        unsigned bucket, const int32_t *q, uint64_t C, sym_fn fn, void *ctx)
{
    fn(ctx, CTX_DIST_HI, dist >> 8);
    fn(ctx, CTX_DIST_LO, dist & 255);
    if (dist) {
        fn(ctx, CTX_ALPHA_HI, alpha >> 8);
        fn(ctx, CTX_ALPHA_LO, alpha & 255);
    }
    for (uint64_t u = 0; u < n_units; u++) {
        fn(ctx, CTX_UNIT_HI, units[u] >> 8);
        fn(ctx, CTX_UNIT_LO, units[u] & 255);
    }
    fn(ctx, CTX_BUCKET, bucket);
    for (uint64_t c = 0; c < C; c++) {
        unsigned z = zigzag(q[c]);
        if (z < ESCAPE) {
            fn(ctx, CTX_CODE + bucket, z);
        } else {
            fn(ctx, CTX_CODE + bucket, ESCAPE);
            z -= ESCAPE;
            fn(ctx, CTX_ESC, z >> 16);
            fn(ctx, CTX_ESC, (z >> 8) & 255);
            fn(ctx, CTX_ESC, z & 255);
        }
    }
}

static void count_sym(void *ctx, unsigned table, unsigned sym)
{
    ((mx_rans_model *)ctx)->t[table].count[sym]++;
}

/* The rANS encoder takes symbols in reverse: a row's symbols are gathered
 * forward into a small buffer, then put back to front. */
typedef struct {
    uint16_t *table;
    uint8_t *sym;
    size_t n;
} sym_buf;

static void buffer_sym(void *ctx, unsigned table, unsigned sym)
{
    sym_buf *b = ctx;
    b->table[b->n] = (uint16_t)table;
    b->sym[b->n++] = (uint8_t)sym;
}

static int encode16(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src,
                    mx_bytes *out, mx_error *err)
{
    uint64_t R = d->rows, C = d->cols;
    size_t n = (size_t)(R * C), cap = 2 * n + 64;
    double target = p->v[p->which] / SIM_SCALE;
    float *x = malloc(n * sizeof *x + 4);
    double *norm2 = calloc((size_t)R + 1, sizeof *norm2);
    uint16_t *dist = calloc((size_t)R + 1, sizeof *dist), *alpha = calloc((size_t)R + 1, 2);
    uint16_t *y = malloc(n * 2 + 2), *orig = malloc(n * 2 + 2);
    int32_t *q = malloc(n * sizeof *q + 4);
    uint8_t *scratch = malloc(cap), *buckets = malloc((size_t)R + 1);
    step_layout sl = {p->which == STEP_MATRIX ? 0 : p->which == STEP_ROW ? 1 : (C + BLOCK - 1) / BLOCK,
                      NULL};
    sl.unit = malloc((size_t)(R * sl.per_row) * 2 + 2);
    size_t row_syms = (size_t)C * 4 + (size_t)sl.per_row * 2 + 8;
    sym_buf row = {malloc(row_syms * 2), malloc(row_syms), 0};
    mx_rans_model m = {0};
    int rc = -1;
    if (!x || !norm2 || !dist || !alpha || !y || !orig || !q || !scratch || !buckets ||
        !row.table || !row.sym || !sl.unit) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    double energy = 0;
    for (size_t i = 0; i < n; i++) {
        orig[i] = (uint16_t)(src[2 * i] | src[2 * i + 1] << 8);
        x[i] = mx_bf16_is_finite(orig[i]) ? mx_bf16_to_float(orig[i]) : 0.0f;
        norm2[i / C] += (double)x[i] * x[i];
    }
    for (uint64_t r = 0; r < R; r++)
        energy += norm2[r];
    for (uint64_t g = 0; g < R * sl.per_row; g++) { /* units: the group's RMS */
        uint64_t r = g / sl.per_row, c0 = sl.per_row == 1 ? 0 : (g % sl.per_row) * BLOCK;
        uint64_t c1 = sl.per_row == 1 || c0 + BLOCK > C ? C : c0 + BLOCK;
        double e = 0;
        for (uint64_t c = c0; c < c1; c++)
            e += (double)x[r * C + c] * x[r * C + c];
        float rms = (float)sqrt(e / (double)(c1 - c0));
        sl.unit[g] = rms > 0 && isfinite(rms) ? mx_float_to_bf16(rms) : 0x3f80; /* 0: 1.0 */
        if (!mx_bf16_is_finite(sl.unit[g]) || !(sl.unit[g] & 0x7fff))
            sl.unit[g] = 0x3f80;
    }
    ref_search rs = {x, norm2, R, C, dist, alpha};
    mx_parallel_for((size_t)R, w->threads, search_row, &rs);

    /* bisection on the step: the largest that meets the target both ways.
     * First by float64 alone (cheap); the float32 similarity (as torch sums
     * it, metrics.h) usually lies a little lower, so when it misses at that
     * step, bisect again between half the step and the step, by both. */
    float good = 0.0f;
    if (energy > 0) {
        double rms = sl.per_row ? 1.0 : sqrt(energy / (double)n), lo = rms * 1e-6, hi = rms * 4.0;
        for (int both = 0; both < 2; both++) {
            for (int it = 0; it < 40 && hi / lo > 1.0001; it++) {
                double mid = sqrt(lo * hi);
                quantise(x, R, C, dist, alpha, &sl, (float)mid, y, NULL);
                int ok = mx_similarity_bf16(orig, y, n).similarity > target;
                if (ok && both)
                    ok = mx_similarity_lower(orig, y, n) > target;
                if (ok) {
                    lo = mid;
                    good = (float)mid;
                } else {
                    hi = mid;
                }
            }
            if (good == 0.0f || both)
                break;
            quantise(x, R, C, dist, alpha, &sl, good, y, NULL);
            if (mx_similarity_lower(orig, y, n) > target)
                break; /* float32 agrees */
            hi = good;
            lo = good * 0.5;
            good = 0.0f;
            quantise(x, R, C, dist, alpha, &sl, (float)lo, y, NULL);
            if (mx_similarity_lower(orig, y, n) > target)
                good = (float)lo;
            else
                lo = rms * 1e-6;
        }
        if (good == 0.0f)
            good = (float)(rms * 1e-6); /* finest step: as close as codes get */
    } else {
        good = 1.0f; /* all zero (or non-finite): every code is 0 */
    }
    quantise(x, R, C, dist, alpha, &sl, good, y, q);

    if (model_init(&m, err))
        goto out;
    for (uint64_t r = 0; r < R; r++) {
        buckets[r] = (uint8_t)bucket_of(q + r * C, C);
        row_symbols(dist[r], alpha[r], sl.unit + r * sl.per_row, sl.per_row, buckets[r],
                    q + r * C, C, count_sym, &m);
    }
    mx_rans_normalize(&m);
    uint32_t bits;
    memcpy(&bits, &good, 4);
    mx_bytes_le(out, bits, 4);
    if (mx_rans_write_tables(&m, out)) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    mx_rans_enc enc;
    mx_rans_enc_init(&enc, scratch, cap);
    for (uint64_t r = R; r-- > 0 && !enc.overflow;) {
        row.n = 0;
        row_symbols(dist[r], alpha[r], sl.unit + r * sl.per_row, sl.per_row, buckets[r],
                    q + r * C, C, buffer_sym, &row);
        while (row.n--)
            mx_rans_enc_put(&enc, &m.t[row.table[row.n]], row.sym[row.n]);
    }
    rc = mx_rans_enc_finish(&enc, out) ? 1 : 0;
out:
    mx_rans_model_free(&m);
    free(x);
    free(norm2);
    free(dist);
    free(alpha);
    free(y);
    free(orig);
    free(q);
    free(scratch);
    free(buckets);
    free(row.table);
    free(row.sym);
    free(sl.unit);
    return rc;
}

static int decode16(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                    uint8_t *dst, mx_error *err)
{
    (void)w;
    uint64_t R = d->rows, C = d->cols;
    if (n < 4)
        return mx_fail(err, MX_EINPUT, "corrupt data: quant frame too short");
    uint32_t bits = (uint32_t)src[0] | (uint32_t)src[1] << 8 | (uint32_t)src[2] << 16 |
                    (uint32_t)src[3] << 24;
    float step;
    memcpy(&step, &bits, 4);
    if (!(step > 0.0f) || isinf(step))
        return mx_fail(err, MX_EINPUT, "corrupt data: quant step is not a positive number");
    mx_rans_model m = {0};
    mx_rans_dec dec;
    size_t off = 4;
    int rc = -1;
    uint16_t *y = malloc((size_t)(R * C) * 2 + 2), *dist = calloc((size_t)R + 1, 2),
             *alpha = calloc((size_t)R + 1, 2);
    step_layout sl = {p->which == STEP_MATRIX ? 0 : p->which == STEP_ROW ? 1 : (C + BLOCK - 1) / BLOCK,
                      NULL};
    sl.unit = calloc((size_t)(R * sl.per_row) + 1, 2);
    if (!y || !dist || !alpha || !sl.unit) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    if (model_init(&m, err) || mx_rans_read_tables(&m, src, n, &off, err) ||
        mx_rans_dec_init(&dec, src + off, n - off, err))
        goto out;
    for (uint64_t r = 0; r < R && !dec.bad; r++) {
        unsigned dd = mx_rans_dec_get(&dec, &m.t[CTX_DIST_HI]) << 8;
        dd |= mx_rans_dec_get(&dec, &m.t[CTX_DIST_LO]);
        if (dd > r || dd > WINDOW) {
            mx_fail(err, MX_EINPUT, "corrupt data: quant reference row out of range");
            goto out;
        }
        dist[r] = (uint16_t)dd;
        if (dd) {
            unsigned a = mx_rans_dec_get(&dec, &m.t[CTX_ALPHA_HI]) << 8;
            alpha[r] = (uint16_t)(a | mx_rans_dec_get(&dec, &m.t[CTX_ALPHA_LO]));
        }
        for (uint64_t u = 0; u < sl.per_row; u++) {
            unsigned hi = mx_rans_dec_get(&dec, &m.t[CTX_UNIT_HI]) << 8;
            sl.unit[r * sl.per_row + u] = (uint16_t)(hi | mx_rans_dec_get(&dec, &m.t[CTX_UNIT_LO]));
        }
        unsigned b = mx_rans_dec_get(&dec, &m.t[CTX_BUCKET]);
        if (b >= N_BUCKETS) {
            mx_fail(err, MX_EINPUT, "corrupt data: quant bucket out of range");
            goto out;
        }
        for (uint64_t c = 0; c < C; c++) {
            unsigned z = mx_rans_dec_get(&dec, &m.t[CTX_CODE + b]);
            if (z == ESCAPE) {
                unsigned e = mx_rans_dec_get(&dec, &m.t[CTX_ESC]) << 16;
                e |= mx_rans_dec_get(&dec, &m.t[CTX_ESC]) << 8;
                e |= mx_rans_dec_get(&dec, &m.t[CTX_ESC]);
                z = ESCAPE + e;
            }
            size_t i = (size_t)(r * C + c);
            y[i] = reconstruct(predict(y, r, c, C, dist, alpha), unzigzag(z),
                               step_at(&sl, step, r, c));
            dst[2 * i] = (uint8_t)y[i];
            dst[2 * i + 1] = (uint8_t)(y[i] >> 8);
        }
    }
    rc = mx_rans_dec_finish(&dec, err);
out:
    mx_rans_model_free(&m);
    free(y);
    free(dist);
    free(alpha);
    free(sl.unit);
    return rc;
}

/* --- quant:sim on lanes (MX_FRAME_QUANT_LANES) --- */

#define QL_RB 16          /* row buckets */
#define QL_QB 8           /* reference code buckets */
#define QL_V (QL_RB * QL_QB)
#define QL_N (QL_V + 3)   /* + distance >> 5, distance & 31, row bucket */
#define QL_MAXQ (1 << 24) /* codes are clamped to +-2^24: exact in a float */

static void ql_model_alpha(uint16_t *alpha)
{
    for (unsigned c = 0; c < QL_N; c++)
        alpha[c] = c < QL_V ? 4096 : c == QL_V ? 33 : c == QL_V + 1 ? 32 : QL_RB;
}

/* Step number k: (64 + k mod 64) 2^(floor(k / 64) - 6), exact in a float. */
static float ql_step(int k)
{
    int e = k >= 0 ? k / 64 : -((-k + 63) / 64);
    return ldexpf((float)(64 + (k - 64 * e)), e - 6);
}

static float ql_code(float x, float step)
{
    float q = rintf(x / step);
    return q > QL_MAXQ ? QL_MAXQ : q < -QL_MAXQ ? -QL_MAXQ : q;
}

/* bf16 of q * step, infinities clamped to the largest finite value. */
static uint16_t ql_value(float q, float step)
{
    uint16_t h = mx_float_to_bf16(q * step);
    return (h & 0x7fff) == 0x7f80 ? (uint16_t)(h - 1) : h;
}

/* Whether step k keeps both similarities above the target; y gets the
 * decoded values. */
static int ql_passes(const float *x, size_t n, int k, double target, float *y)
{
    float step = ql_step(k);
    if (!(step > 0.0f) || isinf(step))
        return 0;
    for (size_t i = 0; i < n; i++)
        y[i] = mx_bf16_to_float(ql_value(ql_code(x[i], step), step));
    mx_sims s = mx_sims_of(x, y, n);
    return s.f64 > target && s.torch32 > target;
}

/* The largest step that passes, from a first guess by the error of uniform
 * codes (step^2 / 12 a value). INT_MIN when none does. */
static int ql_search(const float *x, size_t n, double target, float *y)
{
    double e2 = 0;
    for (size_t i = 0; i < n; i++)
        e2 += (double)x[i] * x[i];
    double d0 = (1 - target) * sqrt(e2 * 12 / (double)(n ? n : 1));
    int ex;
    double m = frexp(d0 > 1e-30 ? d0 : 1e-30, &ex);
    int lo = (ex - 1) * 64 + (int)((m * 2 - 1) * 64), hi = lo + 1, floor_k = -150 * 64;
    while (!ql_passes(x, n, lo, target, y)) {
        hi = lo;
        lo -= 64;
        if (lo < floor_k)
            return INT32_MIN;
    }
    while (hi < 128 * 64 && ql_passes(x, n, hi, target, y)) {
        lo = hi;
        hi += 64;
    }
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        if (ql_passes(x, n, mid, target, y))
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static unsigned bitlen(uint64_t v)
{
    return v ? 64u - (unsigned)__builtin_clzll(v) : 0u;
}

static unsigned ql_row_bucket(const int32_t *dq, uint64_t C)
{
    uint64_t s = 0;
    for (uint64_t c = 0; c < C; c++)
        s += (uint64_t)(dq[c] < 0 ? -(int64_t)dq[c] : dq[c]);
    unsigned b = bitlen(16 * s / (C ? C : 1));
    return b < QL_RB - 1 ? b : QL_RB - 1;
}

static inline unsigned ql_ref_bucket(int32_t qr)
{
    unsigned b = bitlen((uint64_t)(qr < 0 ? -(int64_t)qr : qr));
    return b < QL_QB - 1 ? b : QL_QB - 1;
}

/* Escapes, tables and lanes of the codes q (R x C) against the rows dist
 * names: everything of a lanes frame after its header. */
static int ql_body(const int32_t *q, uint64_t R, uint64_t C, const uint16_t *dist, mx_bytes *out,
                   mx_error *err)
{
    size_t n = (size_t)(R * C);
    mx_rowref_layout l = mx_rowref_layout_of(R, C);
    size_t steps = l.B * l.P;
    uint16_t alpha[QL_N];
    mx_wl_model m = {0};
    mx_wl_enc e = {0};
    mx_bytes esc = {0};
    int32_t *dq = malloc(n * sizeof *dq + 4);
    uint8_t *rb = malloc((size_t)R + 1);
    uint32_t *idx = malloc((l.lanes + 8) * sizeof *idx);
    int rc = -1;
    if (!dq || !rb || !idx) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    ql_model_alpha(alpha);
    if (mx_wl_model_init(&m, QL_N, alpha, 1, err))
        goto out;
    for (uint64_t g = 0; g < R; g++) {
        const int32_t *qg = q + g * C, *qr = dist[g] ? qg - dist[g] * C : NULL;
        int32_t *dg = dq + g * C;
        for (uint64_t c = 0; c < C; c++)
            dg[c] = qg[c] - (qr ? qr[c] : 0);
        rb[g] = (uint8_t)ql_row_bucket(dg, C);
        for (uint64_t c = 0; c < C; c++) {
            int64_t s = (int64_t)dg[c] + 2048;
            unsigned ctx = rb[g] * QL_QB + ql_ref_bucket(qr ? qr[c] : 0);
            m.count[mx_wl_index(&m, ctx, s < 1 ? 0 : s > 4094 ? 4095 : (unsigned)s)]++;
            m.used[ctx] = 1;
        }
        m.count[mx_wl_index(&m, QL_V, dist[g] >> 5)]++;
        m.count[mx_wl_index(&m, QL_V + 1, dist[g] & 31)]++;
        m.count[mx_wl_index(&m, QL_V + 2, rb[g])]++;
    }
    for (unsigned c = QL_V; c < QL_N; c++)
        m.used[c] = 1;
    /* escapes, in decoding order */
    size_t n_esc = 0;
    for (size_t s = 0; s < steps; s++) {
        size_t a = mx_rowref_active(&l, R, C, s), t = s / l.P, pc = s % l.P;
        for (size_t i = 0; i < a; i++) {
            uint64_t g = (uint64_t)(i / l.Lc) * l.B + t, c = (uint64_t)pc * l.Lc + i % l.Lc;
            int32_t v = dq[g * C + c];
            if (v < -2047 || v > 2046) {
                mx_bytes_var(&esc, mx_zigzag(v));
                n_esc++;
            }
        }
    }
    mx_bytes_var(out, n_esc);
    mx_bytes_put(out, esc.p, esc.len);
    if (mx_wl_write_tables(&m, out, err) || mx_wl_enc_init(&e, l.lanes, n + 3 * (size_t)R, 0, err))
        goto out;
    for (size_t s = steps; s-- > 0;) {
        size_t a = mx_rowref_active(&l, R, C, s), t = s / l.P, pc = s % l.P;
        for (size_t i = 0; i < a; i++) {
            uint64_t g = (uint64_t)(i / l.Lc) * l.B + t, c = (uint64_t)pc * l.Lc + i % l.Lc;
            int64_t v = (int64_t)dq[g * C + c] + 2048;
            int32_t qr = dist[g] ? q[(g - dist[g]) * C + c] : 0;
            idx[i] = mx_wl_index(&m, rb[g] * QL_QB + ql_ref_bucket(qr),
                                 v < 1 ? 0 : v > 4094 ? 4095 : (unsigned)v);
        }
        mx_wl_enc_step(&e, &m, idx, a, 0);
    }
    size_t nh = 3 * (size_t)R;
    for (size_t lo = nh ? (nh - 1) / l.lanes * l.lanes : 0; nh; lo -= l.lanes) {
        size_t a = nh - lo < l.lanes ? nh - lo : l.lanes;
        for (size_t i = 0; i < a; i++) {
            size_t j = lo + i, g = j % (size_t)R, kind = j / (size_t)R;
            unsigned sym = kind == 0 ? dist[g] >> 5u : kind == 1 ? dist[g] & 31u : rb[g];
            idx[i] = mx_wl_index(&m, QL_V + kind, sym);
        }
        mx_wl_enc_step(&e, &m, idx, a, 0);
        if (!lo)
            break;
    }
    rc = esc.oom ? mx_fail(err, MX_EFAIL, "out of memory") : mx_wl_enc_finish(&e, out, err);
out:
    mx_wl_enc_free(&e);
    mx_wl_model_free(&m);
    free(esc.p);
    free(dq);
    free(rb);
    free(idx);
    return rc;
}

/* The codes of a matrix at the largest step that passes (ql_search), and
 * each row's reference (rowref.h): what both lanes frames code. 1 when no
 * step passes (the stream is then stored). */
typedef struct {
    float step;
    int32_t *q;
    uint16_t *dist;
} ql_codes;

static void ql_codes_free(ql_codes *c)
{
    free(c->q);
    free(c->dist);
}

static int ql_codes_of(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src,
                       ql_codes *out, mx_error *err)
{
    uint64_t R = d->rows, C = d->cols;
    size_t n = (size_t)(R * C);
    double target = p->v[p->which] / SIM_SCALE;
    mx_rowref_layout l = mx_rowref_layout_of(R, C);
    float *x = malloc(n * sizeof *x + 4), *y = malloc(n * sizeof *y + 4);
    uint8_t *cls = malloc((size_t)R + 1);
    out->q = malloc(n * sizeof *out->q + 4);
    out->dist = malloc((size_t)R * sizeof *out->dist + 1);
    int rc = -1;
    if (!x || !y || !cls || !out->q || !out->dist ||
        mx_rowref_search(src, R, C, l.B, out->dist, cls, w->threads)) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        uint16_t h = (uint16_t)(src[2 * i] | src[2 * i + 1] << 8);
        x[i] = mx_bf16_is_finite(h) ? mx_bf16_to_float(h) : 0.0f;
    }
    int k = ql_search(x, n, target, y);
    if (k == INT32_MIN) { /* no step gets there: store */
        rc = 1;
        goto out;
    }
    out->step = ql_step(k);
    for (size_t i = 0; i < n; i++)
        out->q[i] = (int32_t)ql_code(x[i], out->step);
    rc = 0;
out:
    free(x);
    free(y);
    free(cls);
    return rc;
}

static void ql_put_step(mx_bytes *out, float step)
{
    uint32_t bits;
    memcpy(&bits, &step, 4);
    mx_bytes_le(out, bits, 4);
}

/* The candidate ranks of quantlr's prediction (0: none), smallest first. */
static const size_t qlr_ranks[] = {0, 4, 8, 16, 32, 64};

/* Group g's components [*j0, *j1) of k (qlowrank.h: MX_QLR_GROUPS); 0 when
 * it has none. */
static int qlr_group(size_t g, size_t k, size_t *j0, size_t *j1)
{
    *j0 = g ? (size_t)1 << (g - 1) : 0;
    *j1 = g + 1 < MX_QLR_GROUPS ? (size_t)1 << g : k;
    *j1 = *j1 < k ? *j1 : k;
    return *j0 < k;
}

/* q - (the rank-k prediction) into out. */
static int qlr_residual(const int32_t *q, const mx_qlr *f, size_t k, uint64_t R, uint64_t C, int32_t *out)
{
    memcpy(out, q, (size_t)(R * C) * sizeof *out);
    return mx_qlr_add(f, k, R, C, -1, 0, out);
}

/* A reference row pays less often once the prediction has taken the part
 * rows share: a row keeps its reference only where its residuals differ
 * less from the reference's than from zero (an encoder's choice: the
 * distances are in the frame). */
static void qlr_drop_refs(const int32_t *res, uint64_t R, uint64_t C, uint16_t *dist)
{
    for (uint64_t g = 0; g < R; g++)
        if (dist[g]) {
            uint64_t dr = 0, d0 = 0;
            const int32_t *x = res + g * C, *y = x - dist[g] * C;
            for (uint64_t c = 0; c < C; c++) {
                dr += (uint64_t)llabs((int64_t)x[c] - y[c]);
                d0 += (uint64_t)llabs((int64_t)x[c]);
            }
            if (d0 <= dr)
                dist[g] = 0;
        }
}

int mx_ql_encode(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src,
                 mx_bytes *out, int lowrank, mx_error *err)
{
    uint64_t R = d->rows, C = d->cols;
    ql_codes c = {0};
    mx_qlr f = {0};
    mx_bytes trial = {0};
    int32_t *res = NULL;
    uint16_t *dist = NULL;
    int rc = ql_codes_of(p, w, d, src, &c, err);
    if (rc || !lowrank) {
        if (rc == 0) {
            ql_put_step(out, c.step);
            rc = ql_body(c.q, R, C, c.dist, out, err);
        }
        ql_codes_free(&c);
        return rc;
    }
    /* quantlr: the rank of the smallest frame, each rank tried in full */
    uint64_t mn = R < C ? R : C;
    size_t kmax = 0;
    for (size_t i = 0; i < sizeof qlr_ranks / sizeof *qlr_ranks; i++)
        if (qlr_ranks[i] <= mn / 4)
            kmax = qlr_ranks[i];
    res = malloc((size_t)(R * C) * sizeof *res + 4);
    dist = malloc((size_t)R * sizeof *dist + 2);
    if (!res || !dist || mx_qlr_fit(c.q, R, C, kmax, &f)) {
        rc = mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    size_t best = SIZE_MAX, start = out->len; /* out may hold the mode byte */
    for (size_t i = 0; i < sizeof qlr_ranks / sizeof *qlr_ranks && qlr_ranks[i] <= f.fitted; i++) {
        size_t k = qlr_ranks[i];
        trial.len = 0;
        ql_put_step(&trial, c.step);
        mx_qlr_round(&f, k, R, C);
        if ((rc = mx_qlr_write(&f, R, C, &trial, err)) != 0)
            goto out;
        if (qlr_residual(c.q, &f, k, R, C, res)) {
            rc = mx_fail(err, MX_EFAIL, "out of memory");
            goto out;
        }
        memcpy(dist, c.dist, (size_t)R * sizeof *dist);
        if (k)
            qlr_drop_refs(res, R, C, dist);
        if ((rc = ql_body(res, R, C, dist, &trial, err)) != 0)
            goto out;
        if (trial.oom) {
            rc = mx_fail(err, MX_EFAIL, "out of memory");
            goto out;
        }
        if (trial.len < best) {
            best = trial.len;
            out->len = start;
            mx_bytes_put(out, trial.p, trial.len);
        }
    }
out:
    ql_codes_free(&c);
    mx_qlr_free(&f);
    free(trial.p);
    free(res);
    free(dist);
    return rc;
}

static int ql_encode16(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src,
                       mx_bytes *out, mx_error *err)
{
    return mx_ql_encode(p, w, d, src, out, 0, err);
}

/* The factors of quantlr's first frames (mode 8, read only): k; for k > 0
 * the exponents (int8); per group, v (int8) as an order-0 block; per group,
 * u (zigzag varints) as the varint count of bytes it decodes to and an
 * order-0 block. A block is its varint length, then its bytes. */
static int qlr_read_order0(const uint8_t *src, size_t n, size_t *off, uint64_t R, uint64_t C, mx_qlr *f,
                    mx_error *err)
{
    if (*off >= n)
        return mx_fail(err, MX_EINPUT, "corrupt data: quantlr frame too short");
    size_t k = src[(*off)++];
    uint64_t mn = R < C ? R : C;
    if (k > MX_QLR_MAX_RANK || k > mn)
        return mx_fail(err, MX_EINPUT, "corrupt data: quantlr rank %zu", k);
    if (k == 0)
        return 0;
    if (n - *off < k)
        return mx_fail(err, MX_EINPUT, "corrupt data: quantlr factors truncated");
    for (size_t j = 0; j < k; j++) {
        int e = (int8_t)src[(*off)++];
        if (e < MX_QLR_EMIN || e > MX_QLR_EMAX)
            return mx_fail(err, MX_EINPUT, "corrupt data: quantlr exponent %d", e);
        f->e[j] = (int8_t)e;
    }
    f->v = malloc((size_t)(k * C) + 1);
    f->u = malloc((size_t)(k * R) * sizeof *f->u + 2);
    if (!f->u || !f->v)
        return mx_fail(err, MX_EFAIL, "out of memory");
    uint64_t vlen, ulen, ubytes;
    size_t j0, j1;
    for (size_t g = 0; qlr_group(g, k, &j0, &j1); g++) {
        if (mx_read_var(src, n, off, &vlen) || vlen > n - *off)
            return mx_fail(err, MX_EINPUT, "corrupt data: quantlr factors truncated");
        if (mx_order0_decode(src + *off, (size_t)vlen, (uint8_t *)f->v + j0 * C, (size_t)((j1 - j0) * C), err))
            return -1;
        *off += (size_t)vlen;
    }
    for (size_t i = 0; i < (size_t)(k * C); i++)
        if (f->v[i] == -128)
            return mx_fail(err, MX_EINPUT, "corrupt data: quantlr factor out of range");
    int rc = 0;
    for (size_t g = 0; !rc && qlr_group(g, k, &j0, &j1); g++) {
        size_t nv = (j1 - j0) * (size_t)R;
        /* a u value is at most 3 varint bytes */
        if (mx_read_var(src, n, off, &ulen) || mx_read_var(src, n, off, &ubytes) || ulen > n - *off ||
            ubytes > 3 * (uint64_t)nv || ubytes < (uint64_t)nv)
            return mx_fail(err, MX_EINPUT, "corrupt data: quantlr factors truncated");
        uint8_t *ub = malloc((size_t)ubytes + 1);
        if (!ub)
            return mx_fail(err, MX_EFAIL, "out of memory");
        rc = mx_order0_decode(src + *off, (size_t)ulen, ub, (size_t)ubytes, err);
        *off += (size_t)ulen;
        size_t at = 0;
        for (size_t i = j0 * (size_t)R; !rc && i < j1 * (size_t)R; i++) {
            uint64_t z;
            if (mx_read_var(ub, (size_t)ubytes, &at, &z) || z > 2 * (uint64_t)MX_QLR_UMAX)
                rc = mx_fail(err, MX_EINPUT, "corrupt data: quantlr factor out of range");
            else
                f->u[i] = (int16_t)mx_unzigzag(z);
        }
        if (!rc && at != ubytes)
            rc = mx_fail(err, MX_EINPUT, "corrupt data: quantlr factors left over");
        free(ub);
    }
    if (!rc)
        f->k = k;
    return rc;
}

int mx_ql_decode(const mx_stream_desc *d, const uint8_t *src, size_t n, uint8_t *dst, int lowrank,
                 mx_error *err)
{
    uint64_t R = d->rows, C = d->cols;
    /* with a prediction the codes coded are residuals: up to 2^25 further out */
    int64_t qmax = lowrank ? (int64_t)QL_MAXQ + MX_QLR_PMAX : QL_MAXQ;
    mx_qlr f = {0};
    mx_rowref_layout l = mx_rowref_layout_of(R, C);
    size_t steps = l.B * l.P, off = 4;
    uint16_t alpha[QL_N];
    mx_wl_model m = {0};
    mx_wl_dec dec = {0};
    int32_t *q = malloc((size_t)(R * C) * sizeof *q + 4);
    uint16_t *dist = malloc((size_t)R * sizeof *dist + 1), *sym = malloc((l.lanes + 16) * 2);
    uint8_t *rb = malloc((size_t)R + 1);
    uint32_t *base = malloc((l.lanes + 8) * sizeof *base);
    uint64_t n_esc = 0;
    int rc = -1;
    if (!q || !dist || !sym || !rb || !base) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    float step;
    if (n < 4) {
        mx_fail(err, MX_EINPUT, "corrupt data: quant frame too short");
        goto out;
    }
    uint32_t bits = (uint32_t)src[0] | (uint32_t)src[1] << 8 | (uint32_t)src[2] << 16 |
                    (uint32_t)src[3] << 24;
    memcpy(&step, &bits, 4);
    if (!(step > 0.0f) || isinf(step)) {
        mx_fail(err, MX_EINPUT, "corrupt data: bad quant step or escapes");
        goto out;
    }
    if (lowrank == MX_QL_ORDER0_FACTORS ? qlr_read_order0(src, n, &off, R, C, &f, err)
                                        : lowrank == MX_QL_LANES_FACTORS && mx_qlr_read(src, n, &off, R, C, &f, err))
        goto out;
    if (mx_read_var(src, n, &off, &n_esc) || n_esc > n) {
        mx_fail(err, MX_EINPUT, "corrupt data: bad quant step or escapes");
        goto out;
    }
    size_t esc_at = off;
    for (uint64_t i = 0; i < n_esc; i++) {
        uint64_t z;
        if (mx_read_var(src, n, &off, &z)) {
            mx_fail(err, MX_EINPUT, "corrupt data: truncated quant escapes");
            goto out;
        }
    }
    size_t esc_end = off;
    ql_model_alpha(alpha);
    if (mx_wl_model_init(&m, QL_N, alpha, 0, err) || mx_wl_read_tables(&m, src, n, &off, err) ||
        mx_wl_dec_init(&dec, l.lanes, src + off, n - off, err))
        goto out;
    size_t nh = 3 * (size_t)R;
    for (size_t lo = 0; lo < nh; lo += l.lanes) {
        size_t a = nh - lo < l.lanes ? nh - lo : l.lanes;
        for (size_t i = 0; i < a; i++)
            base[i] = m.base[QL_V + (lo + i) / (size_t)R];
        mx_wl_dec_step(&dec, &m, base, sym, a, 1, 0);
        for (size_t i = 0; i < a; i++) {
            size_t j = lo + i, g = j % (size_t)R, kind = j / (size_t)R;
            if (kind == 0)
                dist[g] = (uint16_t)(sym[i] << 5);
            else if (kind == 1)
                dist[g] = (uint16_t)(dist[g] | sym[i]);
            else
                rb[g] = (uint8_t)sym[i];
        }
    }
    for (uint64_t g = 0; g < R; g++)
        if (dist[g] > g % l.B || dist[g] > MX_ROWREF_WINDOW || rb[g] >= QL_RB) {
            mx_fail(err, MX_EINPUT, "corrupt data: quant row header out of range");
            goto out;
        }
    for (size_t s = 0; s < steps && !dec.bad; s++) {
        size_t a = mx_rowref_active(&l, R, C, s), t = s / l.P, pc = s % l.P;
        for (size_t i = 0; i < a; i++) {
            uint64_t g = (uint64_t)(i / l.Lc) * l.B + t, c = (uint64_t)pc * l.Lc + i % l.Lc;
            int32_t qr = dist[g] ? q[(g - dist[g]) * C + c] : 0;
            base[i] = m.base[rb[g] * QL_QB + ql_ref_bucket(qr)];
        }
        mx_wl_dec_step(&dec, &m, base, sym, a, 0, 0);
        for (size_t i = 0; i < a; i++) {
            uint64_t g = (uint64_t)(i / l.Lc) * l.B + t, c = (uint64_t)pc * l.Lc + i % l.Lc;
            int64_t v = (int64_t)sym[i] - 2048;
            if (sym[i] == 0 || sym[i] == 4095) {
                uint64_t z;
                if (esc_at == esc_end || mx_read_var(src, esc_end, &esc_at, &z)) {
                    mx_fail(err, MX_EINPUT, "corrupt data: quant escapes run out");
                    goto out;
                }
                v = mx_unzigzag(z);
                if (sym[i] == 0 ? v >= -2047 : v <= 2046) {
                    mx_fail(err, MX_EINPUT, "corrupt data: quant escape out of range");
                    goto out;
                }
            }
            int64_t qv = (dist[g] ? q[(g - dist[g]) * C + c] : 0) + v;
            if (qv < -qmax || qv > qmax) {
                mx_fail(err, MX_EINPUT, "corrupt data: quant code out of range");
                goto out;
            }
            q[g * C + c] = (int32_t)qv;
        }
    }
    if (mx_wl_dec_finish(&dec, err))
        goto out;
    if (esc_at != esc_end) {
        mx_fail(err, MX_EINPUT, "corrupt data: quant escapes left over");
        goto out;
    }
    int added = f.k ? mx_qlr_add(&f, f.k, R, C, +1, QL_MAXQ, q) : 0;
    if (added) {
        mx_fail(err, added < 0 ? MX_EFAIL : MX_EINPUT,
                added < 0 ? "out of memory" : "corrupt data: quant code out of range");
        goto out;
    }
    for (size_t i = 0; i < (size_t)(R * C); i++) {
        uint16_t h = ql_value((float)q[i], step);
        dst[2 * i] = (uint8_t)h;
        dst[2 * i + 1] = (uint8_t)(h >> 8);
    }
    rc = 0;
out:
    mx_qlr_free(&f);
    mx_wl_dec_free(&dec);
    mx_wl_model_free(&m);
    free(q);
    free(dist);
    free(sym);
    free(rb);
    free(base);
    return rc;
}

static int ql_decode16(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                       uint8_t *dst, mx_error *err)
{
    (void)p;
    (void)w;
    return mx_ql_decode(d, src, n, dst, 0, err);
}

static int compress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                    uint8_t *dst, size_t cap, size_t *dst_len, mx_error *err)
{
    if (p->which == STEP_MATRIX)
        return mx_bf16_frame_compress(MX_FRAME_QUANT_LANES, ql_encode16, p, w, d, src, n, dst, cap,
                                      dst_len, err);
    return mx_bf16_frame_compress(MX_FRAME_QUANT, encode16, p, w, d, src, n, dst, cap, dst_len, err);
}

static int decompress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                      uint8_t *dst, size_t expected, mx_error *err)
{
    if (n >= 1 && src[0] == MX_FRAME_QUANT_LANES)
        return mx_bf16_frame_decompress("quant", MX_FRAME_QUANT_LANES, ql_decode16, p, w, d, src, n,
                                        dst, expected, err);
    return mx_bf16_frame_decompress("quant", MX_FRAME_QUANT, decode16, p, w, d, src, n, dst, expected, err);
}

const mx_stage mx_stage_quant = {
    .name = "quant",
    .kind = MX_STAGE_ENTROPY,
    .lossy = 1,
    .summary = "lossy: one step for the matrix, the largest that keeps the similarity above "
               "the target (in double and in baseline.py's float32); codes coded against "
               "a similar earlier row on bfdelta's lanes",
    .params = {{"sim", MX_PARAM_DECIMAL, .min = 0, .max = 100000, .def = 99000, .digits = 5, .open_min = 1,
                 .open_max = 1, .note = "one step for the matrix"},
                {"rowsim", MX_PARAM_DECIMAL, .min = 0, .max = 100000, .def = 99000, .digits = 5,
                 .open_min = 1, .open_max = 1, .note = "a step per row"},
                {"blocksim", MX_PARAM_DECIMAL, .min = 0, .max = 100000, .def = 99000, .digits = 5,
                 .open_min = 1, .open_max = 1, .note = "a step per 64 values of a row"}},
    .alternatives = 1,
    .twin = {.sections = {"wlanes", "quant"}, .whole = 1, .only = "quant:sim="},
    .bound = mx_frame_bound,
    .compress = compress,
    .decompress = decompress,
};
