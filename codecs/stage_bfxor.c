/* bfxor - our fast coder for bf16 matrices.
 *
 * Like bfctx it codes each row against a reference row: the earlier row,
 * among the previous WINDOW, whose exponents agree most on SAMPLE sampled
 * columns. But where bfctx chains every value's contexts to its left
 * neighbour (which makes decoding one long dependency chain), bfxor codes
 * value XOR reference as two bytes whose tables depend only on the row:
 *   high byte | the row's class
 *   low byte  | the row's class, high byte zero?
 * The class (0..7) is how many of the row's sign+exponent bytes equal the
 * reference's, in eighths: near-copies of an earlier row and rows that
 * merely share channel scales code very differently.
 *
 * With no dependency between the symbols of a row, they go to 32 rANS
 * lanes (lanes.h) that a vector decoder runs side by side: per row, first
 * the C high bytes, then the C low bytes (whose table the high byte of the
 * same column picks, already decoded).
 *
 * Frame (after the mode byte MX_FRAME_BFXOR_LANES): the rANS tables; the
 * length and bytes of a one-state rANS stream of the row headers (reference
 * distance as two symbols, class); the length and bytes of the low bytes of
 * the rows whose class has only flat low-byte tables (stored as they are:
 * as small, and a copy); then the lanes. Streams that are not
 * 16-bit fall back to order-0 rANS. Frames of the first format (mode
 * MX_FRAME_BFXOR: the same model on four byte-wise states, headers inline)
 * are still decoded. */
#include <stdlib.h>
#include <string.h>
#include "bf16.h"
#include "coded_frame.h"
#include "lanes.h"
#include "simd.h"
#ifdef MX_SIMD_X86
#include <immintrin.h>
#endif
#include "parallel.h"

/* The mode bytes of our frames (coded_frame.h): on disk, never renumbered. */
#define MX_FRAME_BFXOR 4       /* the first format, still read */
#define MX_FRAME_BFXOR_LANES 5

#define WINDOW 1024 /* reference candidates; a distance is two symbols */
#define SAMPLE 32   /* columns compared when choosing a reference */
#define CLASSES 8
#define STATES 4          /* the first format */
#define RANS_L (1u << 23)

enum {
    CTX_DIST_HI, CTX_DIST_LO, CTX_CLASS,
    CTX_HI,                      /* + class */
    CTX_LO = CTX_HI + CLASSES,   /* + 2 * class + (high byte == 0) */
    CTX_N = CTX_LO + 2 * CLASSES
};

static int model_init(mx_rans_model *m, mx_error *err)
{
    uint16_t alpha[CTX_N];
    for (unsigned i = 0; i < CTX_N; i++)
        alpha[i] = i == CTX_DIST_HI ? (WINDOW >> 8) + 1 : i == CTX_CLASS ? CLASSES : 256;
    return mx_rans_model_init(m, CTX_N, alpha, err);
}

/* --- reference search --- */

typedef struct {
    const uint8_t *keys; /* SAMPLE exponent bytes per row */
    uint16_t *dist;
    int simd;
} ref_search;

/* Equal bytes of two 8-byte words (exact: no carries between bytes). The
 * flags land on bit 7 of each byte; a multiply sums them (no popcount
 * instruction in the baseline x86-64 ISA). */
static inline unsigned equal_bytes(uint64_t a, uint64_t b)
{
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7Full;
    uint64_t v = a ^ b, t = (v & low7) + low7;
    uint64_t flags = (~(t | v | low7)) >> 7; /* 1 in each byte that was equal */
    return (unsigned)((flags * 0x0101010101010101ull) >> 56);
}

#ifdef MX_SIMD_X86
/* choose_one's search with the 32 keys of a row in one register. */
__attribute__((target("avx2,popcnt"))) static size_t best_ref_avx2(const uint8_t *keys, size_t r)
{
    __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(keys + r * SAMPLE));
    size_t best = r ? 1 : 0;
    int best_score = 0;
    for (size_t d = 1; d <= WINDOW && d <= r && best_score < SAMPLE; d++) {
        __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(keys + (r - d) * SAMPLE));
        int score = __builtin_popcount((unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, b)));
        if (score > best_score) {
            best = d;
            best_score = score;
        }
    }
    return best;
}
#endif

static void choose_one(void *ctx, size_t r)
{
    const ref_search *rs = ctx;
#ifdef MX_SIMD_X86
    _Static_assert(SAMPLE == 32, "one AVX2 register of keys");
    if (rs->simd) {
        rs->dist[r] = (uint16_t)best_ref_avx2(rs->keys, r);
        return;
    }
#endif
    uint64_t a[SAMPLE / 8], b[SAMPLE / 8];
    memcpy(a, rs->keys + r * SAMPLE, SAMPLE);
    size_t best = r ? 1 : 0;
    unsigned best_score = 0;
    for (size_t d = 1; d <= WINDOW && d <= r && best_score < SAMPLE; d++) {
        memcpy(b, rs->keys + (r - d) * SAMPLE, SAMPLE);
        unsigned score = 0;
        for (size_t k = 0; k < SAMPLE / 8; k++)
            score += equal_bytes(a[k], b[k]);
        if (score > best_score) {
            best = d;
            best_score = score;
        }
    }
    rs->dist[r] = (uint16_t)best;
}

/* Distance to each row's reference (0 for the first row: a zero row).
 * Rows are searched independently, so threads do not change the result. */
static int choose_refs(const uint8_t *src, uint64_t rows, uint64_t cols, uint16_t *dist,
                       int threads)
{
    uint8_t *keys = malloc((size_t)rows * SAMPLE + 1);
    if (!keys)
        return -1;
    for (uint64_t r = 0; r < rows; r++)
        for (size_t k = 0; k < SAMPLE; k++) /* with fewer columns, some repeat */
            keys[r * SAMPLE + k] = (uint8_t)(mx_bf16_load(src, (size_t)(r * cols + k * cols / SAMPLE)) >> 7);
    ref_search rs = {keys, dist, mx_simd_avx2()};
    mx_parallel_for((size_t)rows, threads, choose_one, &rs);
    free(keys);
    return 0;
}

/* --- the coder --- */

#ifdef MX_SIMD_X86
/* count_rows' first loop, 32 values at a time; returns where it stopped. */
__attribute__((target("avx2,popcnt"))) static size_t split_row_avx2(const uint8_t *row,
                                                                     const uint8_t *ref, uint8_t *h,
                                                                     uint8_t *l, size_t C,
                                                                     uint32_t *agree)
{
    const __m256i low = _mm256_set1_epi16(0xff), zero = _mm256_setzero_si256();
    size_t c = 0;
    for (; c + 32 <= C; c += 32) {
        const __m256i *a = (const __m256i *)(const void *)(row + 2 * c);
        const __m256i *b = (const __m256i *)(const void *)(ref + 2 * c);
        __m256i x0 = _mm256_xor_si256(_mm256_loadu_si256(a), _mm256_loadu_si256(b));
        __m256i x1 = _mm256_xor_si256(_mm256_loadu_si256(a + 1), _mm256_loadu_si256(b + 1));
        __m256i hi = _mm256_packus_epi16(_mm256_srli_epi16(x0, 8), _mm256_srli_epi16(x1, 8));
        __m256i lo = _mm256_packus_epi16(_mm256_and_si256(x0, low), _mm256_and_si256(x1, low));
        _mm256_storeu_si256((__m256i *)(void *)(h + c), _mm256_permute4x64_epi64(hi, 0xD8));
        _mm256_storeu_si256((__m256i *)(void *)(l + c), _mm256_permute4x64_epi64(lo, 0xD8));
        unsigned m0 = (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi16(_mm256_srli_epi16(x0, 7), zero));
        unsigned m1 = (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi16(_mm256_srli_epi16(x1, 7), zero));
        *agree += (unsigned)(__builtin_popcount(m0) + __builtin_popcount(m1)) / 2;
    }
    return c;
}
#endif

/* The model of rows 0..R-1 against their references: class per row,
 * counts per context; hb and lb get the high and low bytes of every value
 * XOR its reference. */
static void count_rows(const uint8_t *src, uint64_t R, uint64_t C, const uint16_t *dist,
                       const uint8_t *zero, uint8_t *cls, uint8_t *hb, uint8_t *lb,
                       mx_rans_model *m, uint32_t (*hist)[2][256])
{
    int simd = mx_simd_avx2();
    (void)simd;
    for (uint64_t r = 0; r < R; r++) {
        const uint8_t *row = src + 2 * r * C, *ref = r ? row - 2 * (size_t)dist[r] * C : zero;
        uint8_t *h = hb + r * C, *l = lb + r * C;
        /* the class: how many sign+exponent bytes agree, in eighths (on
         * all columns: a sample loses ratio) */
        size_t c = 0;
        uint32_t agree = 0;
#ifdef MX_SIMD_X86
        if (simd)
            c = split_row_avx2(row, ref, h, l, (size_t)C, &agree);
#endif
        for (; c < C; c++) {
            uint16_t x = mx_bf16_load(row, c) ^ mx_bf16_load(ref, c);
            h[c] = (uint8_t)(x >> 8);
            l[c] = (uint8_t)x;
            agree += (x >> 7) == 0;
        }
        uint64_t k = (uint64_t)agree * CLASSES / C;
        cls[r] = (uint8_t)(k >= CLASSES ? CLASSES - 1 : k);
        m->t[CTX_DIST_HI].count[dist[r] >> 8]++;
        m->t[CTX_DIST_LO].count[dist[r] & 255]++;
        m->t[CTX_CLASS].count[cls[r]]++;
        /* two histograms per table, for even and odd columns: runs of the
         * same symbol (high byte 0 in copied rows) otherwise serialise on
         * one counter */
        uint32_t(*hi)[256] = hist[cls[r]];
        uint32_t(*lo)[256] = hist[CLASSES + 2 * cls[r]];
        for (c = 0; c + 2 <= C; c += 2) {
            hi[0][h[c]]++;
            hi[1][h[c + 1]]++;
            lo[2 * (h[c] == 0)][l[c]]++;
            lo[2 * (h[c + 1] == 0) + 1][l[c + 1]]++;
        }
        if (c < C) {
            hi[0][h[c]]++;
            lo[2 * (h[c] == 0)][l[c]]++;
        }
    }
    for (unsigned t = 0; t < 3 * CLASSES; t++) /* hist t belongs to context CTX_HI + t */
        for (unsigned s = 0; s < 256; s++)
            m->t[CTX_HI + t].count[s] += hist[t][0][s] + hist[t][1][s];
}

/* The row headers as a one-state rANS stream, length first. */
static int put_headers(const mx_rans_model *m, uint64_t R, const uint16_t *dist,
                       const uint8_t *cls, mx_bytes *out, mx_error *err)
{
    size_t cap = 6 * (size_t)R + 16; /* three symbols of at most 12 bits */
    uint8_t *buf = malloc(cap);
    mx_bytes hdr = {0};
    if (!buf)
        return mx_fail(err, MX_EFAIL, "out of memory");
    mx_rans_enc e;
    mx_rans_enc_init(&e, buf, cap);
    for (uint64_t r = R; r-- > 0;) { /* in reverse: rANS is a stack */
        mx_rans_enc_put(&e, &m->t[CTX_CLASS], cls[r]);
        mx_rans_enc_put(&e, &m->t[CTX_DIST_LO], dist[r] & 255);
        mx_rans_enc_put(&e, &m->t[CTX_DIST_HI], dist[r] >> 8);
    }
    int rc = mx_rans_enc_finish(&e, &hdr);
    free(buf);
    if (!rc) {
        mx_bytes_var(out, hdr.len);
        mx_bytes_put(out, hdr.p, hdr.len);
    }
    free(hdr.p);
    return rc || out->oom ? mx_fail(err, MX_EFAIL, "out of memory") : 0;
}

static int table_used(const mx_rans_table *t)
{
    for (unsigned s = 0; s < t->alphabet; s++)
        if (t->freq[s])
            return 1;
    return 0;
}

/* Whether the low bytes of class cl's rows are stored as they are: when
 * every table they would use is flat (8 bits a symbol either way, and a
 * copy is much faster than coding). Encoder and decoder both see it in
 * the tables. */
static int lo_raw(const mx_rans_model *m, unsigned cl)
{
    const mx_rans_table *other = &m->t[CTX_LO + 2 * cl], *zero = &m->t[CTX_LO + 2 * cl + 1];
    int used_other = table_used(other), used_zero = table_used(zero);
    return (used_other || used_zero) && (other->uniform || !used_other) &&
           (zero->uniform || !used_zero);
}

/* raw[cl] for every class, and the stored low bytes of rows 0..R-1. */
static uint64_t lo_raw_bytes(const mx_rans_model *m, const uint8_t *cls, uint64_t R, uint64_t C,
                             int raw[CLASSES])
{
    uint64_t n_raw = 0;
    for (unsigned cl = 0; cl < CLASSES; cl++)
        raw[cl] = lo_raw(m, cl);
    for (uint64_t r = 0; r < R; r++)
        n_raw += raw[cls[r]] ? C : 0;
    return n_raw;
}

static int encode16(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src,
                    mx_bytes *out, mx_error *err)
{
    (void)p;
    uint64_t R = d->rows, C = d->cols;
    const size_t T = MX_LANES_ENC_TABLE;
    size_t n = (size_t)(R * C), cap = mx_lanes_bound(2 * n);
    uint16_t *dist = malloc((size_t)R * sizeof *dist + 1);
    uint8_t *hb = malloc(n + 1), *lb = malloc(n + 1);
    uint8_t *cls = malloc((size_t)R + 1), *lanes = malloc(cap);
    uint8_t *zero = calloc((size_t)C * 2 + 2, 1);
    uint32_t(*hist)[2][256] = calloc(3 * CLASSES, sizeof *hist);
    uint64_t *etab = malloc((CTX_N - CTX_HI) * T * sizeof *etab);
    mx_lanes_enc *e = malloc(sizeof *e);
    mx_rans_model m = {0};
    int rc = -1;
    if (!dist || !hb || !lb || !cls || !lanes || !zero || !hist || !etab || !e ||
        choose_refs(src, R, C, dist, w->threads)) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    if (model_init(&m, err))
        goto out;
    count_rows(src, R, C, dist, zero, cls, hb, lb, &m, hist);
    mx_rans_normalize(&m);
    if (mx_rans_write_tables(&m, out)) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    if (put_headers(&m, R, dist, cls, out, err))
        goto out;
    /* the low bytes of rows whose class codes them flat, as they are */
    int raw[CLASSES];
    size_t n_raw = (size_t)lo_raw_bytes(&m, cls, R, C, raw), j;
    mx_bytes_var(out, n_raw);
    for (uint64_t r = 0; r < R; r++)
        if (raw[cls[r]])
            mx_bytes_put(out, lb + r * C, (size_t)C);
    for (unsigned k = CTX_HI; k < CTX_N; k++)
        mx_lanes_enc_pack(&m.t[k], etab + (k - CTX_HI) * T);
    /* in reverse: per row the low bytes, then the high bytes; j counts
     * the symbols the lanes carry */
    j = 2 * n - n_raw;
    mx_lanes_enc_init(e, lanes, cap);
    for (uint64_t r = R; r-- > 0;) {
        const uint8_t *h = hb + r * C, *l = lb + r * C;
        if (!raw[cls[r]]) {
            j -= C;
            mx_lanes_encode(e, j, etab, (CTX_LO - CTX_HI + 2 * cls[r]) * T, h, l, (size_t)C);
        }
        j -= C;
        mx_lanes_encode(e, j, etab, cls[r] * T, NULL, h, (size_t)C);
    }
    uint8_t *start = mx_lanes_enc_finish(e);
    mx_bytes_put(out, start, (size_t)(lanes + cap - start));
    rc = out->oom ? (mx_fail(err, MX_EFAIL, "out of memory"), -1) : 0;
out:
    mx_rans_model_free(&m);
    free(dist);
    free(hb);
    free(lb);
    free(cls);
    free(lanes);
    free(zero);
    free(hist);
    free(etab);
    free(e);
    return rc;
}

/* Row headers: reference distances and classes, checked against the rows. */
static int get_headers(const mx_rans_model *m, const uint8_t *src, size_t n, size_t *off,
                       uint64_t R, uint16_t *dist, uint8_t *cls, mx_error *err)
{
    uint64_t len;
    if (mx_read_var(src, n, off, &len) || len > n - *off)
        return mx_fail(err, MX_EINPUT, "corrupt data: truncated bfxor row headers");
    mx_rans_dec hd;
    if (mx_rans_dec_init(&hd, src + *off, (size_t)len, err))
        return -1;
    *off += (size_t)len;
    for (uint64_t r = 0; r < R && !hd.bad; r++) {
        unsigned dh = mx_rans_dec_get(&hd, &m->t[CTX_DIST_HI]);
        unsigned dl = mx_rans_dec_get(&hd, &m->t[CTX_DIST_LO]);
        unsigned cl = mx_rans_dec_get(&hd, &m->t[CTX_CLASS]);
        unsigned dd = dh << 8 | dl;
        if (dd > r || (r && !dd) || dd > WINDOW || cl >= CLASSES || !m->t[CTX_HI + cl].lookup)
            return mx_fail(err, MX_EINPUT, "corrupt data: bfxor row header out of range");
        dist[r] = (uint16_t)dd;
        cls[r] = (uint8_t)cl;
    }
    return mx_rans_dec_finish(&hd, err);
}

/* The low bytes of a class whose table for "high byte zero" (or for the
 * others) was never written must not need it. */
static int lo_tables_cover(const mx_rans_model *m, unsigned cl, const uint8_t *h, size_t C)
{
    int has_zero = m->t[CTX_LO + 2 * cl + 1].lookup != NULL;
    int has_other = m->t[CTX_LO + 2 * cl].lookup != NULL;
    for (size_t c = 0; c < C && !(has_zero && has_other); c++)
        if (h[c] ? !has_other : !has_zero)
            return 0;
    return 1;
}

#ifdef MX_SIMD_X86
__attribute__((target("avx2"))) static size_t put_row_avx2(uint8_t *row, const uint8_t *ref,
                                                            const uint8_t *hb, const uint8_t *lb,
                                                            size_t C)
{
    size_t c = 0;
    for (; c + 32 <= C; c += 32) {
        __m256i l = _mm256_loadu_si256((const __m256i *)(const void *)(lb + c));
        __m256i h = _mm256_loadu_si256((const __m256i *)(const void *)(hb + c));
        __m256i lo = _mm256_unpacklo_epi8(l, h), hi = _mm256_unpackhi_epi8(l, h);
        __m256i a = _mm256_permute2x128_si256(lo, hi, 0x20), b = _mm256_permute2x128_si256(lo, hi, 0x31);
        const __m256i *q = (const __m256i *)(const void *)(ref + 2 * c);
        _mm256_storeu_si256((__m256i *)(void *)(row + 2 * c), _mm256_xor_si256(a, _mm256_loadu_si256(q)));
        _mm256_storeu_si256((__m256i *)(void *)(row + 2 * c + 32),
                            _mm256_xor_si256(b, _mm256_loadu_si256(q + 1)));
    }
    return c;
}
#endif

/* The row's values: high and low bytes XOR the reference's. */
static void put_row(uint8_t *row, const uint8_t *ref, const uint8_t *hb, const uint8_t *lb,
                    size_t C, int simd)
{
    size_t c = 0;
#ifdef MX_SIMD_X86
    if (simd)
        c = put_row_avx2(row, ref, hb, lb, C);
#endif
    (void)simd;
    for (; c < C; c++) {
        row[2 * c] = lb[c] ^ ref[2 * c];
        row[2 * c + 1] = hb[c] ^ ref[2 * c + 1];
    }
}

static int decode16(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                    uint8_t *dst, mx_error *err)
{
    (void)w;
    (void)p;
    uint64_t R = d->rows, C = d->cols;
    const size_t T = MX_LANES_TABLE;
    mx_rans_model m = {0};
    size_t off = 0;
    int rc = -1;
    uint8_t *zero = calloc((size_t)C * 2 + 2, 1), *cls = malloc((size_t)R + 1);
    uint8_t *hb = malloc((size_t)C), *lb = malloc((size_t)C);
    uint16_t *dist = malloc((size_t)R * sizeof *dist + 1);
    uint32_t *packed = malloc((CTX_N - CTX_HI) * T * sizeof *packed);
    mx_lanes_dec *ld = malloc(sizeof *ld);
    if (!zero || !cls || !hb || !lb || !dist || !packed || !ld) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    if (model_init(&m, err) || mx_rans_read_tables(&m, src, n, &off, err) ||
        get_headers(&m, src, n, &off, R, dist, cls, err))
        goto out;
    int raw[CLASSES];
    uint64_t n_raw = lo_raw_bytes(&m, cls, R, C, raw), stated;
    if (mx_read_var(src, n, &off, &stated) || stated != n_raw || n_raw > n - off) {
        mx_fail(err, MX_EINPUT, "corrupt data: bfxor stored bytes do not add up");
        goto out;
    }
    const uint8_t *raw_lo = src + off;
    off += (size_t)n_raw;
    if (mx_lanes_dec_init(ld, src + off, n - off, err))
        goto out;
    for (unsigned k = CTX_HI; k < CTX_N; k++)
        if (m.t[k].lookup)
            mx_lanes_pack(&m.t[k], packed + (k - CTX_HI) * T);
    size_t j = 0; /* symbols taken from the lanes */
    for (uint64_t r = 0; r < R && !ld->bad; r++) {
        const uint8_t *lo = lb;
        mx_lanes_decode(ld, j, packed, cls[r] * T, NULL, hb, (size_t)C);
        j += C;
        if (raw[cls[r]]) {
            lo = raw_lo;
            raw_lo += C;
        } else {
            if (!lo_tables_cover(&m, cls[r], hb, (size_t)C)) {
                mx_fail(err, MX_EINPUT, "corrupt data: bfxor value outside its tables");
                goto out;
            }
            mx_lanes_decode(ld, j, packed, (CTX_LO - CTX_HI + 2 * cls[r]) * T, hb, lb, (size_t)C);
            j += C;
        }
        uint8_t *row = dst + 2 * r * C;
        put_row(row, r ? row - 2 * (size_t)dist[r] * C : zero, hb, lo, (size_t)C, ld->simd);
    }
    rc = mx_lanes_dec_finish(ld, err);
out:
    mx_rans_model_free(&m);
    free(zero);
    free(cls);
    free(hb);
    free(lb);
    free(dist);
    free(packed);
    free(ld);
    return rc;
}

/* --- the first format (MX_FRAME_BFXOR): decoded, no longer written.
 * Four byte-wise rANS states take turns (value i uses state i % 4); per row
 * the reference distance (two symbols) and the class, then the values' high
 * and low bytes, all in one stream. --- */

typedef struct {
    uint32_t x[STATES];
    const uint8_t *p, *end;
    int bad;
} dec4;

/* Without bounds checks, for when the caller knows at least two bytes per
 * symbol remain: x >= 2^23 before means x >= 2^11 after decoding, so two
 * bytes always refill it. */
static inline unsigned get_fast(dec4 *d, unsigned k, const mx_rans_table *t)
{
    uint32_t x = d->x[k];
    unsigned s = mx_rans_dec_step(&x, t);
    if (x < RANS_L) {
        x = (x << 8) | *d->p++;
        if (x < RANS_L)
            x = (x << 8) | *d->p++;
    }
    d->x[k] = x;
    return s;
}

static inline unsigned get(dec4 *d, unsigned k, const mx_rans_table *t)
{
    return mx_rans_get(&d->x[k], &d->p, d->end, &d->bad, t);
}

static int decode_frame4(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                    uint8_t *dst, mx_error *err)
{
    (void)w;
    (void)p;
    uint64_t R = d->rows, C = d->cols;
    mx_rans_model m = {0};
    size_t off = 0;
    int rc = -1;
    uint8_t *zero = calloc((size_t)C * 2 + 2, 1);
    if (!zero)
        return mx_fail(err, MX_EFAIL, "out of memory");
    if (model_init(&m, err) || mx_rans_read_tables(&m, src, n, &off, err))
        goto out;
    if (n - off < 4 * STATES) {
        mx_fail(err, MX_EINPUT, "corrupt data: truncated bfxor stream");
        goto out;
    }
    dec4 dc = {{0}, src + off + 4 * STATES, src + n, 0};
    for (unsigned k = 0; k < STATES; k++) {
        const uint8_t *q = src + off + 4 * k;
        dc.x[k] = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
        if (dc.x[k] < RANS_L) {
            mx_fail(err, MX_EINPUT, "corrupt data: bad rANS state");
            goto out;
        }
    }
    /* dc.bad is checked once per row: after a bad symbol nothing more is
     * read, so finishing the row is harmless */
    for (uint64_t r = 0; r < R && !dc.bad; r++) {
        unsigned dist = get(&dc, 0, &m.t[CTX_DIST_HI]) << 8;
        dist |= get(&dc, 0, &m.t[CTX_DIST_LO]);
        unsigned cl = get(&dc, 0, &m.t[CTX_CLASS]);
        if (dist > r || (r && !dist) || dist > WINDOW || cl >= CLASSES) {
            mx_fail(err, MX_EINPUT, "corrupt data: bfxor row header out of range");
            goto out;
        }
        uint8_t *row = dst + 2 * r * C;
        const uint8_t *ref = r ? row - 2 * (size_t)dist * C : zero;
        const mx_rans_table *hi = &m.t[CTX_HI + cl], *lo = &m.t[CTX_LO + 2 * cl];
        uint64_t c = 0;
        if (hi->lookup && lo[0].lookup && lo[1].lookup &&
            (uint64_t)(dc.end - dc.p) / 4 >= C) /* the whole row, unchecked */
            for (; c + STATES <= C; c += STATES) /* four independent chains */
                for (unsigned k = 0; k < STATES; k++) {
                    unsigned h = get_fast(&dc, k, hi), l = get_fast(&dc, k, &lo[h == 0]);
                    row[2 * (c + k)] = (uint8_t)(l ^ ref[2 * (c + k)]);
                    row[2 * (c + k) + 1] = (uint8_t)(h ^ ref[2 * (c + k) + 1]);
                }
        for (; c < C; c++) { /* the rest, or the whole row near the end of the input */
            unsigned k = (unsigned)(c % STATES);
            unsigned h = get(&dc, k, hi), l = get(&dc, k, &lo[h == 0]);
            row[2 * c] = (uint8_t)(l ^ ref[2 * c]);
            row[2 * c + 1] = (uint8_t)(h ^ ref[2 * c + 1]);
        }
    }
    rc = 0;
    for (unsigned k = 0; k < STATES; k++)
        rc |= dc.x[k] != RANS_L;
    if (dc.bad || rc || dc.p != dc.end) {
        rc = mx_fail(err, MX_EINPUT, "corrupt data: rANS stream does not decode");
        goto out;
    }
out:
    mx_rans_model_free(&m);
    free(zero);
    return rc;
}

static int compress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                    uint8_t *dst, size_t cap, size_t *dst_len, mx_error *err)
{
    return mx_bf16_frame_compress(MX_FRAME_BFXOR_LANES, encode16, p, w, d, src, n, dst, cap, dst_len, err);
}

static int decompress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                      uint8_t *dst, size_t expected, mx_error *err)
{
    if (n >= 1 && src[0] == MX_FRAME_BFXOR)
        return mx_bf16_frame_decompress("bfxor", MX_FRAME_BFXOR, decode_frame4, p, w, d, src, n, dst,
                                        expected, err);
    return mx_bf16_frame_decompress("bfxor", MX_FRAME_BFXOR_LANES, decode16, p, w, d, src, n, dst,
                                    expected, err);
}

const mx_stage mx_stage_bfxor = {
    .name = "bfxor",
    .kind = MX_STAGE_ENTROPY,
    .codes_values = 1,
    .summary = "our fast bf16 coder: XOR with a similar earlier row, rANS per row class, "
               "32 lanes coded side by side",
    .bound = mx_frame_bound,
    .compress = compress,
    .decompress = decompress,
};
