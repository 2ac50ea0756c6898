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
 * Frame (after the mode byte): the most common non-zero exponent (u8);
 * the tables (wlanes.h) of the contexts below; the lanes, whose steps
 * are: the row headers (all distance >> 5, then all distance & 31, then all
 * classes; L at a time), then per step of values its dh symbols, then its
 * flip+low symbols. */
#include <stdlib.h>
#include <string.h>
#include "coded_frame.h"
#include "wlanes.h"
#include "../src/parallel.h"

#define WINDOW 1024 /* farthest reference */
#define NSHORT 16   /* nearest rows, always candidates */
#define NGROUP 16   /* groups of three sampled columns, hashed */
#define NKEY 64     /* sampled columns scored (at most) */
#define NCLS 5      /* 0: no reference; 1..4: agreement in quarters */
#define NREB 33     /* reference exponent buckets: 0 for a zero exponent */
#define LANES_MAX 1024

enum {
    CTX_DH = 0,                       /* + bucket * NCLS + class */
    CTX_LO = CTX_DH + NREB * NCLS,    /* + dh near zero, or the value's exponent bucket */
    CTX_DHI = CTX_LO + 32,            /* distance >> 5 */
    CTX_DLO,                          /* distance & 31 */
    CTX_CLS,                          /* class */
    CTX_N
};

MX_PLAIN_PARAMS("bfdelta")

static int model_init(mx_wl_model *m, uint16_t *alpha, mx_error *err)
{
    for (unsigned c = 0; c < CTX_N; c++)
        alpha[c] = c < CTX_LO ? 4096 : c < CTX_DHI ? 32 : c == CTX_DHI ? 33 : c == CTX_DLO ? 32 : NCLS;
    return mx_wl_model_init(m, CTX_N, alpha, err);
}

static inline uint16_t load16(const uint8_t *p, size_t i)
{
    uint16_t v;
    memcpy(&v, p + 2 * i, 2); /* LE host (configure checks) */
    return v;
}

/* --- layout --- */

typedef struct {
    size_t lanes, K, B, P, Lc;
} layout;

static layout get_layout(uint64_t R, uint64_t C)
{
    uint64_t n = R * C, lmax = n >> 10;
    lmax = lmax < 32 ? 32 : lmax > LANES_MAX ? LANES_MAX : lmax;
    layout l;
    if (C <= lmax) {
        uint64_t K = lmax / C;
        K = K > R ? R : K ? K : 1;
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

/* Lanes of value step s (t = s / P, p = s % P): a prefix. */
static size_t step_active(const layout *l, uint64_t R, uint64_t C, size_t s)
{
    size_t t = s / l->P, p = s % l->P;
    if (l->P == 1) {
        size_t k = (size_t)((R - t + l->B - 1) / l->B); /* blocks that still have row t */
        return (k < l->K ? k : l->K) * (size_t)C;
    }
    size_t w = (size_t)C - p * l->Lc;
    return w < l->Lc ? w : l->Lc;
}

/* --- contexts --- */

typedef struct {
    uint32_t dh[256];       /* by reference exponent: CTX_DH + bucket * NCLS */
    uint32_t lo[2 * 4096];  /* by (no reference exponent, dh): CTX_LO + bucket * NCLS */
} ctx_tables;

static void make_ctx_tables(unsigned med, ctx_tables *t)
{
    for (int e = 0; e < 256; e++) {
        int b = (e - (int)med + 32) >> 1; /* floor: negative is clipped anyway */
        b = e - (int)med + 32 < 0 ? 0 : b > 31 ? 31 : b;
        t->dh[e] = CTX_DH + (e ? 1 + (uint32_t)b : 0) * NCLS;
    }
    for (int s = 0; s < 4096; s++) {
        int dh = s - 2048, near = dh < -8 ? -8 : dh > 7 ? 7 : dh;
        int eb = (s >> 3) - 256 - (int)med + 8;
        eb = eb < 0 ? 0 : eb > 15 ? 15 : eb;
        t->lo[s] = CTX_LO + (uint32_t)(near + 8);
        t->lo[4096 + s] = CTX_LO + (uint32_t)(16 + eb);
    }
}

/* The two symbols of value x against reference r. */
static inline void value_syms(uint16_t x, uint16_t r, unsigned *s1, unsigned *s2)
{
    int dl = (int)(x & 0x7fff) - (int)(r & 0x7fff);
    *s1 = (unsigned)(dl + 32768) >> 4;
    *s2 = (unsigned)((x ^ r) >> 15) << 4 | ((unsigned)(dl + 32768) & 15);
}

/* --- reference search --- */

typedef struct {
    const uint8_t *src;
    uint64_t R, C;
    size_t B, nk;
    const uint16_t *keys;   /* nk sampled sign+exponents per row */
    const uint32_t *group;  /* NGROUP candidates per row (0: none) */
    uint16_t *dist;
    uint8_t *cls;
} ref_search;

static unsigned score(const uint16_t *a, const uint16_t *b, size_t nk)
{
    unsigned s = 0;
    for (size_t k = 0; k < nk; k++)
        s += a[k] == b[k];
    return s;
}

static void choose_one(void *ctx, size_t g)
{
    const ref_search *rs = ctx;
    size_t t = g % rs->B, nk = rs->nk;
    const uint16_t *kg = rs->keys + g * nk;
    unsigned best = 0, best_score = 0;
    for (size_t i = 0; i < NSHORT + NGROUP; i++) {
        unsigned d = i < NSHORT ? (unsigned)(i + 1) : rs->group[g * NGROUP + i - NSHORT];
        if (!d || d > t)
            continue;
        unsigned s = score(kg, rs->keys + (g - d) * nk, nk);
        if (!best || s > best_score || (s == best_score && d < best)) {
            best = d;
            best_score = s;
        }
    }
    unsigned cl = 0;
    if (best) {
        const uint8_t *row = rs->src + 2 * g * rs->C, *ref = row - 2 * (size_t)best * rs->C;
        uint64_t agree = 0;
        for (uint64_t c = 0; c < rs->C; c++)
            agree += (load16(row, (size_t)c) >> 7) == (load16(ref, (size_t)c) >> 7);
        if (agree * 5 >= rs->C) {
            uint64_t q = agree * 4 / rs->C;
            cl = 1 + (unsigned)(q > 3 ? 3 : q);
        }
    }
    rs->dist[g] = (uint16_t)(cl ? best : 0);
    rs->cls[g] = (uint8_t)cl;
}

/* For each of the NGROUP groups, the latest earlier row whose three keys
 * are equal, within the window and the row's block (else 0). */
static int group_candidates(const uint8_t *src, uint64_t R, uint64_t C, size_t B, uint32_t *group)
{
    size_t cap = 64;
    while (cap < 2 * R)
        cap *= 2;
    uint32_t *slot_row = malloc(cap * sizeof *slot_row), *slot_key = malloc(cap * sizeof *slot_key);
    if (!slot_row || !slot_key) {
        free(slot_row);
        free(slot_key);
        return -1;
    }
    for (size_t j = 0; j < NGROUP; j++) {
        memset(slot_row, 0xff, cap * sizeof *slot_row);
        for (uint64_t g = 0; g < R; g++) {
            uint32_t h = 0;
            for (size_t k = 0; k < 3; k++) {
                size_t col = (size_t)((3 * j + k) * C / (3 * NGROUP));
                h |= (uint32_t)(load16(src, (size_t)(g * C + col)) >> 7) << (9 * k);
            }
            size_t s = (size_t)((h * 2654435761u) & (cap - 1));
            while (slot_row[s] != UINT32_MAX && slot_key[s] != h)
                s = (s + 1) & (cap - 1);
            uint64_t d = slot_row[s] == UINT32_MAX ? 0 : g - slot_row[s];
            uint64_t lim = g % B < WINDOW ? g % B : WINDOW;
            group[g * NGROUP + j] = d && d <= lim ? (uint32_t)d : 0;
            slot_row[s] = (uint32_t)g;
            slot_key[s] = h;
        }
    }
    free(slot_row);
    free(slot_key);
    return 0;
}

static int choose_refs(const uint8_t *src, uint64_t R, uint64_t C, size_t B, uint16_t *dist,
                       uint8_t *cls, int threads)
{
    size_t nk = (size_t)(C / 4 < 8 ? 8 : C / 4 > NKEY ? NKEY : C / 4);
    uint16_t *keys = malloc((size_t)R * nk * sizeof *keys + 1);
    uint32_t *group = malloc((size_t)R * NGROUP * sizeof *group + 1);
    int rc = -1;
    if (keys && group && !group_candidates(src, R, C, B, group)) {
        for (uint64_t g = 0; g < R; g++)
            for (size_t k = 0; k < nk; k++)
                keys[g * nk + k] = load16(src, (size_t)(g * C + k * C / nk)) >> 7;
        ref_search rs = {src, R, C, B, nk, keys, group, dist, cls};
        mx_parallel_for((size_t)R, threads, choose_one, &rs);
        rc = 0;
    }
    free(keys);
    free(group);
    return rc;
}

/* --- the coder --- */

static unsigned common_exponent(const uint8_t *src, size_t n)
{
    uint32_t hist[256] = {0};
    for (size_t i = 0; i < n; i++)
        hist[load16(src, i) >> 7 & 255]++;
    unsigned best = 1;
    for (unsigned e = 2; e < 256; e++)
        if (hist[e] > hist[best])
            best = e;
    return best;
}

/* Flat model indices of the values of step s, lane by lane, into i1/i2. */
static void step_indices(const mx_wl_model *m, const ctx_tables *ct, const layout *l,
                         const uint8_t *src, uint64_t C, const uint16_t *dist, const uint8_t *cls,
                         size_t s, size_t a, uint32_t *i1, uint32_t *i2)
{
    size_t t = s / l->P, p = s % l->P;
    for (size_t i = 0; i < a; i += l->Lc) {
        size_t k = i / l->Lc, w = a - i < l->Lc ? a - i : l->Lc;
        uint64_t row = (uint64_t)k * l->B + t, c0 = (uint64_t)p * l->Lc;
        const uint8_t *x = src + 2 * (row * C + c0);
        const uint8_t *r = dist[row] ? x - 2 * (size_t)dist[row] * C : NULL;
        unsigned cl = cls[row];
        for (size_t j = 0; j < w; j++) {
            uint16_t xv = load16(x, j), rv = r ? load16(r, j) : 0;
            unsigned s1, s2;
            value_syms(xv, rv, &s1, &s2);
            i1[i + j] = m->off[ct->dh[rv >> 7 & 255] + cl] + s1;
            i2[i + j] = m->off[ct->lo[((rv >> 7 & 255) == 0) * 4096 + s1]] + s2;
        }
    }
}

static int encode16(const mx_params *p, const mx_stream_desc *d, const uint8_t *src, mx_bytes *out,
                    mx_error *err)
{
    uint64_t R = d->rows, C = d->cols;
    size_t n = (size_t)(R * C);
    layout l = get_layout(R, C);
    size_t steps = l.B * l.P, nsym = 2 * n + 3 * (size_t)R, cap = mx_wl_bound(l.lanes, nsym);
    uint16_t alpha[CTX_N];
    mx_wl_model m = {0};
    mx_wl_enc e = {0};
    ctx_tables *ct = malloc(sizeof *ct);
    uint16_t *dist = malloc((size_t)R * sizeof *dist + 1);
    uint8_t *cls = malloc((size_t)R + 1), *lanes = malloc(cap);
    uint32_t *i1 = malloc(2 * l.lanes * sizeof *i1), *i2 = i1 + l.lanes;
    int rc = -1;
    if (!ct || !dist || !cls || !lanes || !i1 ||
        choose_refs(src, R, C, l.B, dist, cls, p->threads)) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    if (model_init(&m, alpha, err))
        goto out;
    unsigned med = common_exponent(src, n);
    make_ctx_tables(med, ct);
    for (size_t s = 0; s < steps; s++) {
        size_t a = step_active(&l, R, C, s);
        step_indices(&m, ct, &l, src, C, dist, cls, s, a, i1, i2);
        for (size_t i = 0; i < a; i++) {
            m.count[i1[i]]++;
            m.count[i2[i]]++;
        }
    }
    for (uint64_t g = 0; g < R; g++) {
        m.count[mx_wl_index(&m, CTX_DHI, dist[g] >> 5)]++;
        m.count[mx_wl_index(&m, CTX_DLO, dist[g] & 31)]++;
        m.count[mx_wl_index(&m, CTX_CLS, cls[g])]++;
    }
    uint8_t med8 = (uint8_t)med;
    mx_bytes_put(out, &med8, 1);
    if (mx_wl_write_tables(&m, out, err) || mx_wl_enc_init(&e, l.lanes, lanes, cap, err))
        goto out;
    for (size_t s = steps; s-- > 0;) {
        size_t a = step_active(&l, R, C, s);
        step_indices(&m, ct, &l, src, C, dist, cls, s, a, i1, i2);
        mx_wl_enc_step(&e, &m, i2, a);
        mx_wl_enc_step(&e, &m, i1, a);
    }
    size_t nh = 3 * (size_t)R;
    for (size_t lo = nh ? (nh - 1) / l.lanes * l.lanes : 0; nh; lo -= l.lanes) {
        size_t a = nh - lo < l.lanes ? nh - lo : l.lanes;
        for (size_t i = 0; i < a; i++) {
            size_t j = lo + i, g = j % (size_t)R, kind = j / (size_t)R;
            unsigned sym = kind == 0 ? dist[g] >> 5u : kind == 1 ? dist[g] & 31u : cls[g];
            i1[i] = mx_wl_index(&m, CTX_DHI + kind, sym);
        }
        mx_wl_enc_step(&e, &m, i1, a);
        if (!lo)
            break;
    }
    uint8_t *start = mx_wl_enc_finish(&e);
    mx_bytes_put(out, start, (size_t)(lanes + (cap & ~(size_t)1) - start));
    rc = out->oom ? mx_fail(err, MX_EFAIL, "out of memory") : 0;
out:
    mx_wl_enc_free(&e);
    mx_wl_model_free(&m);
    free(ct);
    free(dist);
    free(cls);
    free(lanes);
    free(i1);
    return rc;
}

static int decode16(const mx_params *p, const mx_stream_desc *d, const uint8_t *src, size_t n,
                    uint8_t *dst, mx_error *err)
{
    (void)p;
    uint64_t R = d->rows, C = d->cols;
    layout l = get_layout(R, C);
    size_t steps = l.B * l.P, off = 1;
    uint16_t alpha[CTX_N];
    mx_wl_model m = {0};
    mx_wl_dec dec = {0};
    ctx_tables *ct = malloc(sizeof *ct);
    uint16_t *dist = malloc((size_t)R * sizeof *dist + 1);
    uint8_t *cls = malloc((size_t)R + 1);
    uint32_t *base = malloc(l.lanes * sizeof *base);
    uint16_t *s1 = malloc(2 * l.lanes * sizeof *s1), *s2 = s1 + l.lanes;
    uint16_t *refv = malloc(l.lanes * sizeof *refv);
    int rc = -1;
    if (!ct || !dist || !cls || !base || !s1 || !refv) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    if (n < 1) {
        mx_fail(err, MX_EINPUT, "corrupt data: truncated bfdelta stream");
        goto out;
    }
    make_ctx_tables(src[0], ct);
    if (model_init(&m, alpha, err) || mx_wl_read_tables(&m, src, n, &off, err) ||
        mx_wl_dec_init(&dec, l.lanes, src + off, n - off, err))
        goto out;
    size_t nh = 3 * (size_t)R;
    for (size_t lo = 0; lo < nh; lo += l.lanes) {
        size_t a = nh - lo < l.lanes ? nh - lo : l.lanes;
        for (size_t i = 0; i < a; i++)
            base[i] = (uint32_t)(CTX_DHI + (lo + i) / (size_t)R) * MX_WL_SCALE;
        mx_wl_dec_step(&dec, &m, base, s1, a);
        for (size_t i = 0; i < a; i++) {
            size_t j = lo + i, g = j % (size_t)R, kind = j / (size_t)R;
            if (kind == 0)
                dist[g] = (uint16_t)(s1[i] << 5);
            else if (kind == 1)
                dist[g] = (uint16_t)(dist[g] | s1[i]);
            else
                cls[g] = (uint8_t)s1[i];
        }
    }
    for (uint64_t g = 0; g < R; g++)
        if (cls[g] >= NCLS || !dist[g] != !cls[g] || dist[g] > g % l.B || dist[g] > WINDOW) {
            mx_fail(err, MX_EINPUT, "corrupt data: bfdelta row header out of range");
            goto out;
        }
    for (size_t s = 0; s < steps && !dec.bad; s++) {
        size_t a = step_active(&l, R, C, s), t = s / l.P, pc = s % l.P;
        for (size_t i = 0; i < a; i += l.Lc) {
            size_t w = a - i < l.Lc ? a - i : l.Lc;
            uint64_t row = (uint64_t)(i / l.Lc) * l.B + t;
            const uint8_t *r = dst + 2 * (row * C + (uint64_t)pc * l.Lc);
            size_t back = 2 * (size_t)dist[row] * (size_t)C;
            uint32_t cl = cls[row];
            for (size_t j = 0; j < w; j++) {
                uint16_t rv = dist[row] ? load16(r - back, j) : 0;
                refv[i + j] = rv;
                base[i + j] = (ct->dh[rv >> 7 & 255] + cl) * MX_WL_SCALE;
            }
        }
        mx_wl_dec_step(&dec, &m, base, s1, a);
        for (size_t i = 0; i < a; i++)
            base[i] = ct->lo[((refv[i] >> 7 & 255) == 0) * 4096 + s1[i]] * MX_WL_SCALE;
        mx_wl_dec_step(&dec, &m, base, s2, a);
        for (size_t i = 0; i < a; i += l.Lc) {
            size_t w = a - i < l.Lc ? a - i : l.Lc;
            uint64_t row = (uint64_t)(i / l.Lc) * l.B + t;
            uint8_t *x = dst + 2 * (row * C + (uint64_t)pc * l.Lc);
            for (size_t j = 0; j < w; j++) {
                uint16_t rv = refv[i + j];
                int k = (int)(rv & 0x7fff) + ((int)s1[i + j] - 2048) * 16 + (s2[i + j] & 15);
                if (k < 0 || k > 0x7fff) {
                    mx_fail(err, MX_EINPUT, "corrupt data: bfdelta value out of range");
                    goto out;
                }
                uint16_t v = (uint16_t)(k | ((s2[i + j] >> 4) ^ (rv >> 15)) << 15);
                memcpy(x + 2 * j, &v, 2);
            }
        }
    }
    rc = mx_wl_dec_finish(&dec, err);
out:
    mx_wl_dec_free(&dec);
    mx_wl_model_free(&m);
    free(ct);
    free(dist);
    free(cls);
    free(base);
    free(s1);
    free(refv);
    return rc;
}

static int compress(const mx_params *p, const mx_stream_desc *d, const uint8_t *src, size_t n,
                    uint8_t *dst, size_t cap, size_t *dst_len, mx_error *err)
{
    return mx_bf16_frame_compress(MX_FRAME_BFDELTA, encode16, p, d, src, n, dst, cap, dst_len, err);
}

static int decompress(const mx_params *p, const mx_stream_desc *d, const uint8_t *src, size_t n,
                      uint8_t *dst, size_t expected, mx_error *err)
{
    return mx_bf16_frame_decompress("bfdelta", MX_FRAME_BFDELTA, decode16, p, d, src, n, dst,
                                    expected, err);
}

const mx_stage mx_stage_bfdelta = {
    .name = "bfdelta",
    .kind = MX_STAGE_ENTROPY,
    .summary = "our bf16 coder: each value as a difference from a similar earlier row, "
               "rANS on wide lanes (what auto and the export use)",
    .params_help = "",
    .parse = parse_plain,
    .format = format_plain,
    .bound = mx_frame_bound,
    .compress = compress,
    .decompress = decompress,
};
