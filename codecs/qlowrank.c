/* qlowrank.c - the integer low-rank prediction of quant's codes (qlowrank.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "qlowrank.h"
#include "simd.h"
#include "rowref.h"
#include "wlanes.h"

#define GUARD 8 /* the fit's residual is kept in units of 2^-GUARD codes */
#define ITERATIONS 4
#define HALF_OCTAVE 0.7071067811865476 /* the double nearest sqrt(1/2) */

void mx_qlr_free(mx_qlr *f)
{
    free(f->u);
    free(f->v);
    free(f->coef);
    memset(f, 0, sizeof *f);
}

static int bits_of(double m) /* bit length of the integer m > 0 */
{
    int e;
    frexp(m, &e);
    return e;
}

static double max_abs(const double *x, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double a = fabs(x[i]); /* not fmax: a libm call, a tenth of the fit */
        m = a > m ? a : m;
    }
    return m;
}

/* x to b bits at its largest entry, by a power of two */
static void rescale(double *x, size_t n, int b)
{
    double m = max_abs(x, n);
    if (m > 0) {
        int s = b - bits_of(m);
        for (size_t i = 0; i < n; i++)
            x[i] = rint(ldexp(x[i], s));
    }
}

#ifdef MX_SIMD_X86
__attribute__((target("avx2"))) static double hsum_avx2(__m256d a)
{
    __m128d h = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
    return _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
}

__attribute__((target("avx2"))) static void mul_avx2(const double *E, const double *x, double *out, size_t R,
                                                     size_t C)
{
    for (size_t r = 0; r < R; r++) {
        const double *e = E + r * C;
        __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
        size_t c = 0;
        for (; c + 8 <= C; c += 8) {
            s0 = _mm256_add_pd(s0, _mm256_mul_pd(_mm256_loadu_pd(e + c), _mm256_loadu_pd(x + c)));
            s1 = _mm256_add_pd(s1, _mm256_mul_pd(_mm256_loadu_pd(e + c + 4), _mm256_loadu_pd(x + c + 4)));
        }
        double t = hsum_avx2(_mm256_add_pd(s0, s1));
        for (; c < C; c++)
            t += e[c] * x[c];
        out[r] = t;
    }
}
#endif

/* out (R) = E (R x C) x (C); exact: integers, sums below 2^53 (so in any
 * order: AVX2 sums eight columns at once) */
static void mul(const double *E, const double *x, double *out, size_t R, size_t C)
{
#ifdef MX_SIMD_X86
    if (mx_simd_avx2()) {
        mul_avx2(E, x, out, R, C);
        return;
    }
#endif
    for (size_t r = 0; r < R; r++) {
        const double *e = E + r * C;
        double s[4] = {0, 0, 0, 0};
        size_t c = 0;
        for (; c + 4 <= C; c += 4)
            for (int i = 0; i < 4; i++)
                s[i] += e[c + i] * x[c + i];
        for (; c < C; c++)
            s[0] += e[c] * x[c];
        out[r] = (s[0] + s[1]) + (s[2] + s[3]);
    }
}

#ifdef MX_SIMD_X86
/* mul_t's rows in fours (R - R % 4 of them) */
__attribute__((target("avx2"))) static void mul_t4_avx2(const double *E, const double *y, double *out,
                                                        size_t R, size_t C)
{
    for (size_t r = 0; r + 4 <= R; r += 4) {
        const double *e0 = E + r * C, *e1 = e0 + C, *e2 = e1 + C, *e3 = e2 + C;
        __m256d a0 = _mm256_set1_pd(y[r]), a1 = _mm256_set1_pd(y[r + 1]);
        __m256d a2 = _mm256_set1_pd(y[r + 2]), a3 = _mm256_set1_pd(y[r + 3]);
        size_t c = 0;
        for (; c + 4 <= C; c += 4) {
            __m256d s = _mm256_add_pd(_mm256_mul_pd(a0, _mm256_loadu_pd(e0 + c)),
                                      _mm256_mul_pd(a1, _mm256_loadu_pd(e1 + c)));
            s = _mm256_add_pd(s, _mm256_add_pd(_mm256_mul_pd(a2, _mm256_loadu_pd(e2 + c)),
                                               _mm256_mul_pd(a3, _mm256_loadu_pd(e3 + c))));
            _mm256_storeu_pd(out + c, _mm256_add_pd(_mm256_loadu_pd(out + c), s));
        }
        for (; c < C; c++)
            out[c] += (y[r] * e0[c] + y[r + 1] * e1[c]) + (y[r + 2] * e2[c] + y[r + 3] * e3[c]);
    }
}
#endif

/* out (C) = E^T y (R); exact too, so four rows go at once (and AVX2 takes
 * four columns at once) with the same result */
static void mul_t(const double *E, const double *y, double *out, size_t R, size_t C)
{
    memset(out, 0, C * sizeof *out);
    size_t r = 0;
#ifdef MX_SIMD_X86
    if (mx_simd_avx2()) {
        mul_t4_avx2(E, y, out, R, C);
        r = R - R % 4;
    }
#endif
    for (; r < R; r++) {
        const double *e = E + r * C;
        double a = y[r];
        if (a != 0)
            for (size_t c = 0; c < C; c++)
                out[c] += a * e[c];
    }
}

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* What the fit needs of its residual E, gathered in one pass: the
 * largest |E|, each row's sum |E| and the whole sum (in codes). */
typedef struct {
    double max, *row;
    uint64_t sum;
} resid_stats;

static void stats_row(resid_stats *st, const double *e, size_t C, size_t r)
{
    double s = 0;
    uint64_t t = 0;
    for (size_t c = 0; c < C; c++) {
        double a = fabs(e[c]);
        st->max = a > st->max ? a : st->max;
        s += a;
        t += (uint64_t)a;
    }
    st->row[r] = s;
    st->sum += t;
}

#ifdef MX_SIMD_X86
/* e less rint(cb v), then stats_row's of it; rint is roundpd's nearest,
 * and the sums of |e| are of integers, exact in any order */
__attribute__((target("avx2"))) static void deflate_row_avx2(resid_stats *st, double *e, double cb,
                                                             const double *v, size_t C, size_t r)
{
    const __m256d b = _mm256_set1_pd(cb), sign = _mm256_set1_pd(-0.0);
    __m256d mx = _mm256_setzero_pd(), sum = _mm256_setzero_pd();
    size_t c = 0;
    for (; c + 4 <= C; c += 4) {
        __m256d p = _mm256_round_pd(_mm256_mul_pd(b, _mm256_loadu_pd(v + c)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        __m256d x = _mm256_sub_pd(_mm256_loadu_pd(e + c), p);
        _mm256_storeu_pd(e + c, x);
        __m256d a = _mm256_andnot_pd(sign, x);
        mx = _mm256_max_pd(mx, a);
        sum = _mm256_add_pd(sum, a);
    }
    double m[4], s = hsum_avx2(sum);
    _mm256_storeu_pd(m, mx);
    for (int i = 0; i < 4; i++)
        st->max = m[i] > st->max ? m[i] : st->max;
    for (; c < C; c++) {
        e[c] -= rint(cb * v[c]);
        double a = fabs(e[c]);
        st->max = a > st->max ? a : st->max;
        s += a;
    }
    st->row[r] = s;
    st->sum += (uint64_t)s;
}
#endif

/* One component of the residual E (st its statistics, updated): 0, or 1
 * when there is none to fit. */
static int fit_one(double *E, size_t R, size_t C, int nb, resid_stats *st, double *v, double *u, double *w,
                   double *v8, int8_t *vout, double *coef, double *n8)
{
    int b = 52 - (st->max > 0 ? bits_of(st->max) : 0) - nb;
    b = b < 15 ? b : 15;
    if (st->max == 0 || b < 8)
        return 1;
    size_t top = 0;
    for (size_t r = 1; r < R; r++)
        top = st->row[r] > st->row[top] ? r : top;
    memcpy(v, E + top * C, C * sizeof *v);
    for (int it = 0; it < ITERATIONS; it++) {
        rescale(v, C, b);
        mul(E, v, u, R, C);
        rescale(u, R, b);
        mul_t(E, u, v, R, C);
        rescale(v, C, b);
    }
    double vm = max_abs(v, C);
    if (vm == 0)
        return 1;
    for (size_t c = 0; c < C; c++) {
        v8[c] = rint(v[c] * 127 / vm);
        vout[c] = (int8_t)v8[c];
    }
    *n8 = dot(v8, v8, C);
    mul(E, v8, coef, R, C);
    mul(E, v, w, R, C);
    double vv = dot(v, v, C);
    st->max = 0;
    st->sum = 0;
#ifdef MX_SIMD_X86
    int simd = mx_simd_avx2();
#endif
    for (size_t r = 0; r < R; r++) {
        coef[r] /= *n8 * (1 << GUARD);
        double cb = w[r] / vv;
        double *e = E + r * C;
#ifdef MX_SIMD_X86
        if (simd) {
            deflate_row_avx2(st, e, cb, v, C, r);
            continue;
        }
#endif
        for (size_t c = 0; c < C; c++)
            e[c] -= rint(cb * v[c]);
        stats_row(st, e, C, r);
    }
    st->sum >>= GUARD;
    return 0;
}

int mx_qlr_fit(const int32_t *q, uint64_t R, uint64_t C, size_t kmax, mx_qlr *f)
{
    memset(f, 0, sizeof *f);
    size_t n = (size_t)(R * C);
    double *E = malloc(n * sizeof *E + 8), *v = malloc((size_t)C * sizeof *v + 8);
    double *v8 = malloc((size_t)C * sizeof *v8 + 8), *u = malloc((size_t)R * sizeof *u + 8);
    double *w = malloc((size_t)R * sizeof *w + 8);
    resid_stats st = {0, malloc((size_t)R * sizeof *st.row + 8), 0};
    f->coef = malloc((size_t)R * kmax * sizeof *f->coef + 8);
    f->v = malloc((size_t)C * kmax + 1);
    f->u = malloc((size_t)R * kmax * sizeof *f->u + 2);
    int rc = -1;
    if (!E || !v || !v8 || !u || !w || !st.row || !f->coef || !f->v || !f->u)
        goto out;
    for (size_t i = 0; i < n; i++)
        E[i] = ldexp(q[i], GUARD);
    for (size_t r = 0; r < (size_t)R; r++)
        stats_row(&st, E + r * (size_t)C, (size_t)C, r);
    f->resid[0] = st.sum >> GUARD;
    int nb = bits_of((double)(R > C ? R : C));
    size_t j = 0;
    for (; j < kmax; j++) {
        if (fit_one(E, (size_t)R, (size_t)C, nb, &st, v, u, w, v8, f->v + j * C, f->coef + j * R, &f->n8[j]))
            break;
        f->resid[j + 1] = st.sum;
    }
    f->fitted = j;
    rc = 0;
out:
    free(E);
    free(v);
    free(v8);
    free(u);
    free(w);
    free(st.row);
    if (rc)
        mx_qlr_free(f);
    return rc;
}

void mx_qlr_round(mx_qlr *f, size_t k, uint64_t R, uint64_t C)
{
    double share = 1 - (double)k / (double)C;
    double step = 0.8 * ((double)f->resid[k] / (double)(R * C)) * sqrt(12 / (share > 0.25 ? share : 0.25));
    for (size_t j = 0; j < k; j++) {
        const double *c = f->coef + j * R;
        int e;
        double m = frexp(step / sqrt(f->n8[j]), &e);
        e = step > 0 ? e - (m < HALF_OCTAVE) : MX_QLR_EMIN;
        e = e < MX_QLR_EMIN ? MX_QLR_EMIN : e > MX_QLR_EMAX ? MX_QLR_EMAX : e;
        double cm = max_abs(c, (size_t)R);
        while (e < MX_QLR_EMAX && cm > MX_QLR_UMAX * ldexp(1, e))
            e++;
        f->e[j] = (int8_t)e;
        for (uint64_t r = 0; r < R; r++) {
            double t = rint(ldexp(c[r], -e));
            f->u[j * R + r] = (int16_t)(t > MX_QLR_UMAX ? MX_QLR_UMAX : t < -MX_QLR_UMAX ? -MX_QLR_UMAX : t);
        }
    }
    f->k = k;
}

/* part[c] = sum_i us[i] vs[i][c] for c < w (int32: within 2^28, below) */
static void part_sums(const int8_t *const *vs, const int32_t *us, size_t n, size_t w, int32_t *part)
{
    for (size_t c = 0; c < w; c++) {
        int32_t s = 0;
        for (size_t i = 0; i < n; i++)
            s += us[i] * vs[i][c];
        part[c] = s;
    }
}

#ifdef MX_SIMD_X86
__attribute__((target("avx2"))) static void part_sums_avx2(const int8_t *const *vs, const int32_t *us,
                                                           size_t n, size_t w, int32_t *part)
{
    size_t c = 0;
    for (; c + 32 <= w; c += 32) {
        __m256i a[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
                        _mm256_setzero_si256()};
        for (size_t i = 0; i < n; i++) {
            __m256i u = _mm256_set1_epi32(us[i]);
            for (int q = 0; q < 4; q++) {
                __m128i b = _mm_loadl_epi64((const __m128i *)(const void *)(vs[i] + c + 8 * q));
                a[q] = _mm256_add_epi32(a[q], _mm256_mullo_epi32(_mm256_cvtepi8_epi32(b), u));
            }
        }
        for (int q = 0; q < 4; q++)
            _mm256_storeu_si256((__m256i *)(void *)(part + c + 8 * q), a[q]);
    }
    if (c < w) {
        const int8_t *rest[MX_QLR_MAX_RANK];
        for (size_t i = 0; i < n; i++)
            rest[i] = vs[i] + c;
        part_sums(rest, us, n, w - c, part + c);
    }
}
#endif

/* Row r of the prediction into p (C values); acc is room for C 64-bit sums. */
static void predict_row(const mx_qlr *f, size_t k, uint64_t R, uint64_t C, uint64_t r, int64_t *acc, int32_t *p)
{
    /* The components of one exponent e summed in 32 bits first (|u v| <=
     * 2^22, at most 64 of them: within 2^28), then scaled into the 64-bit
     * sums (2^(e + F) <= 2^32: within 2^60); integers all, so the order
     * does not matter, and the 32-bit products vectorise. */
    enum { CHUNK = 256 };
    int32_t part[CHUNK], us[MX_QLR_MAX_RANK];
    const int8_t *vs[MX_QLR_MAX_RANK];
#ifdef MX_SIMD_X86
    int simd = mx_simd_avx2();
#endif
    memset(acc, 0, (size_t)C * sizeof *acc);
    for (int e = MX_QLR_EMIN; e <= MX_QLR_EMAX; e++) {
        size_t n = 0;
        for (size_t j = 0; j < k; j++)
            if (f->e[j] == e && f->u[j * R + r] != 0)
                us[n++] = f->u[j * R + r];
        if (!n)
            continue;
        const int64_t scale = (int64_t)1 << (e + MX_QLR_F);
        for (uint64_t c0 = 0; c0 < C; c0 += CHUNK) {
            size_t w = C - c0 < CHUNK ? (size_t)(C - c0) : CHUNK;
            for (size_t j = 0, i = 0; j < k; j++)
                if (f->e[j] == e && f->u[j * R + r] != 0)
                    vs[i++] = f->v + j * C + c0;
#ifdef MX_SIMD_X86
            if (simd)
                part_sums_avx2(vs, us, n, w, part);
            else
#endif
                part_sums(vs, us, n, w, part);
            for (size_t c = 0; c < w; c++)
                acc[c0 + c] += part[c] * scale;
        }
    }
    /* round half up: shift a non-negative number (offset by 2^62), not a
     * negative one, whose shift C leaves to the implementation */
    const int64_t off = (int64_t)1 << 62;
    for (uint64_t c = 0; c < C; c++) {
        int64_t t = ((acc[c] + off + ((int64_t)1 << (MX_QLR_F - 1))) >> MX_QLR_F) - (off >> MX_QLR_F);
        p[c] = (int32_t)(t > MX_QLR_PMAX ? MX_QLR_PMAX : t < -MX_QLR_PMAX ? -MX_QLR_PMAX : t);
    }
}

int mx_qlr_add(const mx_qlr *f, size_t k, uint64_t R, uint64_t C, int sign, int64_t limit, int32_t *q)
{
    int64_t *acc = malloc((size_t)C * sizeof *acc + 8);
    int32_t *p = malloc((size_t)C * sizeof *p + 4);
    int rc = acc && p ? 0 : -1;
    for (uint64_t r = 0; r < R && !rc; r++) {
        predict_row(f, k, R, C, r, acc, p);
        int32_t *row = q + r * C;
        for (uint64_t c = 0; c < C; c++) {
            int64_t v = (int64_t)row[c] + sign * (int64_t)p[c];
            if (limit > 0 && (v < -limit || v > limit))
                rc = 1;
            row[c] = (int32_t)v;
        }
    }
    free(acc);
    free(p);
    return rc;
}

size_t mx_qlr_group(size_t j)
{
    size_t g = 0;
    while (j) {
        g++;
        j >>= 1;
    }
    return g < MX_QLR_GROUPS ? g : MX_QLR_GROUPS - 1;
}

/* The factors' symbols (v as bytes, then u as zigzag values below
 * QLR_ESCAPE, or QLR_ESCAPE) and each one's context. */
#define QLR_ESCAPE 4095
typedef struct {
    uint16_t *sym;
    uint8_t *ctx;
    size_t n;
} qlr_seq;

static void seq_free(qlr_seq *s)
{
    free(s->sym);
    free(s->ctx);
}

static int seq_layout(qlr_seq *s, size_t k, uint64_t R, uint64_t C)
{
    s->n = (size_t)(k * (R + C));
    s->sym = malloc(s->n * sizeof *s->sym + 2);
    s->ctx = malloc(s->n + 1);
    if (!s->sym || !s->ctx)
        return -1;
    size_t at = 0;
    for (size_t j = 0; j < k; j++)
        for (uint64_t c = 0; c < C; c++)
            s->ctx[at++] = (uint8_t)mx_qlr_group(j);
    for (size_t j = 0; j < k; j++)
        for (uint64_t r = 0; r < R; r++)
            s->ctx[at++] = (uint8_t)(MX_QLR_GROUPS + mx_qlr_group(j));
    return 0;
}

static void seq_alphabets(uint16_t *alpha)
{
    for (size_t c = 0; c < 2 * MX_QLR_GROUPS; c++)
        alpha[c] = c < MX_QLR_GROUPS ? 256 : QLR_ESCAPE + 1;
}

/* The step s's lane i takes symbol pos(s, i) of the one row. */
static size_t seq_pos(const mx_rowref_layout *l, size_t s, size_t i)
{
    return (i / l->Lc) * l->B + s / l->P + (s % l->P) * l->Lc + i % l->Lc;
}

int mx_qlr_write(const mx_qlr *f, uint64_t R, uint64_t C, mx_bytes *out, mx_error *err)
{
    size_t k = f->k;
    mx_bytes_le(out, k, 1);
    if (!k)
        return 0;
    for (size_t j = 0; j < k; j++)
        mx_bytes_le(out, (uint8_t)f->e[j], 1);
    qlr_seq s = {0};
    mx_wl_model m = {0};
    mx_wl_enc e = {0};
    mx_bytes lanes = {0}, esc = {0};
    uint32_t *idx = NULL;
    uint16_t alpha[2 * MX_QLR_GROUPS];
    size_t n_esc = 0;
    int rc = -1;
    if (seq_layout(&s, k, R, C)) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < (size_t)(k * C); i++)
        s.sym[i] = (uint8_t)f->v[i];
    for (size_t i = 0; i < (size_t)(k * R); i++) {
        uint64_t z = mx_zigzag(f->u[i]);
        s.sym[k * C + i] = (uint16_t)(z < QLR_ESCAPE ? z : QLR_ESCAPE);
        if (z >= QLR_ESCAPE) {
            mx_bytes_var(&esc, z - QLR_ESCAPE);
            n_esc++;
        }
    }
    seq_alphabets(alpha);
    mx_rowref_layout l = mx_rowref_layout_of(1, s.n);
    idx = malloc((l.lanes + 8) * sizeof *idx);
    if (!idx) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    if (mx_wl_model_init(&m, 2 * MX_QLR_GROUPS, alpha, 1, err))
        goto out;
    for (size_t i = 0; i < s.n; i++) {
        m.count[mx_wl_index(&m, s.ctx[i], s.sym[i])]++;
        m.used[s.ctx[i]] = 1;
    }
    if (mx_wl_write_tables(&m, &lanes, err) || mx_wl_enc_init(&e, l.lanes, s.n, 0, err))
        goto out;
    for (size_t st = l.B * l.P; st-- > 0;) {
        size_t a = mx_rowref_active(&l, 1, s.n, st);
        for (size_t i = 0; i < a; i++) {
            size_t p = seq_pos(&l, st, i);
            idx[i] = mx_wl_index(&m, s.ctx[p], s.sym[p]);
        }
        mx_wl_enc_step(&e, &m, idx, a, 0);
    }
    if (mx_wl_enc_finish(&e, &lanes, err))
        goto out;
    if (lanes.oom || esc.oom) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    mx_bytes_var(out, n_esc);
    mx_bytes_put(out, esc.p, esc.len);
    mx_bytes_var(out, lanes.len);
    mx_bytes_put(out, lanes.p, lanes.len);
    rc = 0;
out:
    seq_free(&s);
    mx_wl_model_free(&m);
    mx_wl_enc_free(&e);
    free(lanes.p);
    free(esc.p);
    free(idx);
    return rc;
}

static int corrupt(mx_error *err, const char *what)
{
    return mx_fail(err, MX_EINPUT, "corrupt data: low-rank factors: %s", what);
}

int mx_qlr_read(const uint8_t *src, size_t n, size_t *off, uint64_t R, uint64_t C, mx_qlr *f,
                mx_error *err)
{
    if (*off >= n)
        return corrupt(err, "frame too short");
    size_t k = src[(*off)++];
    if (k > MX_QLR_MAX_RANK || k > R || k > C)
        return mx_fail(err, MX_EINPUT, "corrupt data: low-rank factors: rank %zu", k);
    if (k == 0)
        return 0;
    if (n - *off < k)
        return corrupt(err, "factors truncated");
    for (size_t j = 0; j < k; j++) {
        int e = (int8_t)src[(*off)++];
        if (e < MX_QLR_EMIN || e > MX_QLR_EMAX)
            return mx_fail(err, MX_EINPUT, "corrupt data: low-rank factors: exponent %d", e);
        f->e[j] = (int8_t)e;
    }
    uint64_t n_esc, len, z;
    if (mx_read_var(src, n, off, &n_esc) || n_esc > (uint64_t)(k * R))
        return corrupt(err, "factors truncated");
    size_t esc_at = *off;
    for (uint64_t i = 0; i < n_esc; i++)
        if (mx_read_var(src, n, off, &z))
            return corrupt(err, "factors truncated");
    if (mx_read_var(src, n, off, &len) || len > n - *off)
        return corrupt(err, "factors truncated");
    const uint8_t *lp = src + *off;
    *off += (size_t)len;
    qlr_seq s = {0};
    uint16_t alpha[2 * MX_QLR_GROUPS];
    mx_wl_model m = {0};
    mx_wl_dec d = {0};
    size_t lo = 0;
    int rc = -1;
    f->v = malloc((size_t)(k * C) + 1);
    f->u = malloc((size_t)(k * R) * sizeof *f->u + 2);
    if (!f->u || !f->v || seq_layout(&s, k, R, C)) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    seq_alphabets(alpha);
    mx_rowref_layout l = mx_rowref_layout_of(1, s.n);
    if (mx_wl_model_init(&m, 2 * MX_QLR_GROUPS, alpha, 0, err) ||
        mx_wl_read_tables(&m, lp, (size_t)len, &lo, err) || mx_wl_dec_init(&d, l.lanes, lp + lo, (size_t)len - lo, err))
        goto out;
    for (size_t st = 0; st < l.B * l.P && !d.bad; st++) {
        size_t a = mx_rowref_active(&l, 1, s.n, st);
        for (size_t i = 0; i < a; i++) {
            size_t p = seq_pos(&l, st, i);
            s.sym[p] = mx_wl_get(&d, &m, i, m.base[s.ctx[p]], 0, 0);
        }
    }
    if (mx_wl_dec_finish(&d, err))
        goto out;
    for (size_t i = 0; i < (size_t)(k * C); i++) {
        if (s.sym[i] == 128) { /* -128 */
            corrupt(err, "factor out of range");
            goto out;
        }
        f->v[i] = (int8_t)(s.sym[i] < 128 ? s.sym[i] : (int)s.sym[i] - 256);
    }
    uint64_t used = 0;
    for (size_t i = 0; i < (size_t)(k * R); i++) {
        z = s.sym[k * C + i];
        if (z == QLR_ESCAPE) {
            uint64_t x;
            if (used++ == n_esc || mx_read_var(src, n, &esc_at, &x) || x > 2 * (uint64_t)MX_QLR_UMAX - QLR_ESCAPE) {
                corrupt(err, "factor out of range");
                goto out;
            }
            z += x;
        }
        f->u[i] = (int16_t)mx_unzigzag(z);
    }
    if (used != n_esc) {
        corrupt(err, "factors left over");
        goto out;
    }
    f->k = k;
    rc = 0;
out:
    seq_free(&s);
    mx_wl_model_free(&m);
    mx_wl_dec_free(&d);
    return rc;
}
