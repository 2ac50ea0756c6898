/* bfctx - our context-modelled coder for bf16 matrices.
 *
 * Activations of a token look like those of earlier tokens: a row's signs
 * and exponents largely repeat those of some earlier row (same channel
 * scales, often the same token), and where sign and exponent agree, the
 * mantissas are close too. So for every row we pick a reference row among
 * the previous WINDOW rows (the one whose sign+exponent agree most on a
 * sample of columns), and code each value with static rANS tables under
 * contexts taken from the value in the same column of the reference row,
 * plus whether the left neighbour agreed with its own reference ("agreed",
 * which tells runs of matching channels apart from noisy stretches):
 *   exponent  | reference exponent, agreed
 *   sign      | reference sign, exponent equal?, agreed
 *   mantissa  | (sign,exponent equal) ? difference from the reference | agreed
 *                                     : mantissa | its exponent's bucket
 * The reference choice costs one symbol per row. Streams that are not
 * 16-bit fall back to order-0 rANS. Decoding needs no search. */
#include <stdlib.h>
#include <string.h>
#include "bf16.h"
#include "coded_frame.h"

/* The mode byte of our frames (coded_frame.h): on disk, never renumbered. */
#define MX_FRAME_BF16CTX 2
#include "parallel.h"

#define WINDOW 1024 /* reference candidates; a distance is two symbols */
#define SAMPLE 32  /* columns compared when choosing a reference */
#define MNE_BUCKETS 8

enum {
    CTX_REF = 0,                 /* low byte of distance - 1 */
    CTX_REF_HI,                  /* high bits of distance - 1 */
    CTX_EXP,                 /* + 2*reference exponent + left agreed (512) */
    CTX_SIGN = CTX_EXP + 512,    /* + 4*ref sign + 2*(exponent equal) + left agreed */
    CTX_MEQ = CTX_SIGN + 8,      /* + left agreed: mantissa difference when sign+exp equal */
    CTX_MNE = CTX_MEQ + 2,       /* + exponent bucket: mantissa otherwise */
    CTX_N = CTX_MNE + MNE_BUCKETS
};

static int model_init(mx_rans_model *m, mx_error *err)
{
    uint16_t alpha[CTX_N];
    for (unsigned i = 0; i < CTX_N; i++)
        alpha[i] = i == CTX_REF ? 256 : i == CTX_REF_HI ? WINDOW / 256 : i < CTX_SIGN ? 256
                 : i < CTX_MEQ                                           ? 2
                                                                          : 128;
    return mx_rans_model_init(m, CTX_N, alpha, err);
}

static unsigned mne_bucket(unsigned e)
{
    /* exponents cluster around 2^-8..2^2: finer buckets there */
    return e < 112 ? 0 : e > 130 ? 7 : 1 + (e - 112) / 3;
}

typedef struct {
    const uint16_t *keys;
    size_t ns;
    uint16_t *dist;
} ref_search;

/* The search for one row: the best of the previous WINDOW rows. */
static void choose_one(void *ctx, size_t r)
{
    const ref_search *rs = ctx;
    size_t ns = rs->ns, best = 0, best_score = 0;
    for (size_t d = 1; d <= WINDOW && d <= r; d++) {
        const uint16_t *a = rs->keys + r * ns, *b = rs->keys + (r - d) * ns;
        size_t score = 0;
        for (size_t k = 0; k < ns; k++)
            score += a[k] == b[k];
        if (best == 0 || score > best_score) {
            best = d;
            best_score = score;
        }
    }
    rs->dist[r] = (uint16_t)best;
}

/* For each row, distance to its reference row (0 = none: the first row).
 * Rows are searched independently, so threads do not change the result. */
static void choose_refs(const uint8_t *src, uint64_t rows, uint64_t cols, uint16_t *dist,
                        int threads)
{
    size_t ns = cols < SAMPLE ? (size_t)cols : SAMPLE;
    uint16_t *keys = malloc((size_t)rows * ns * sizeof *keys + 1);
    if (!keys) { /* no memory for the search: the previous row is a fine reference */
        for (uint64_t r = 0; r < rows; r++)
            dist[r] = r ? 1 : 0;
        return;
    }
    for (uint64_t r = 0; r < rows; r++)
        for (size_t k = 0; k < ns; k++)
            keys[r * ns + k] = mx_bf16_load(src, (size_t)(r * cols + k * cols / ns)) >> 7;
    ref_search rs = {keys, ns, dist};
    mx_parallel_for((size_t)rows, threads, choose_one, &rs);
    free(keys);
}

/* The contexts of one value, shared by encoder and decoder. */
static inline void value_syms(uint16_t x, uint16_t ref, unsigned agreed, mx_rans_sym out[3])
{
    unsigned s = x >> 15, e = (x >> 7) & 0xff, m = x & 0x7f;
    unsigned rs = ref >> 15, re = (ref >> 7) & 0xff, rm = ref & 0x7f;
    out[0].ctx = (uint16_t)(CTX_EXP + 2 * re + agreed);
    out[0].sym = (uint8_t)e;
    out[1].ctx = (uint16_t)(CTX_SIGN + 4 * rs + 2 * (e == re) + agreed);
    out[1].sym = (uint8_t)s;
    if (e == re && s == rs) {
        out[2].ctx = (uint16_t)(CTX_MEQ + agreed);
        out[2].sym = (uint8_t)((m - rm) & 0x7f);
    } else {
        out[2].ctx = (uint16_t)(CTX_MNE + mne_bucket(e));
        out[2].sym = (uint8_t)m;
    }
}

/* The reference value and "agreed" flag of (r, c), from the source alone,
 * so the encoder can walk the matrix in either direction. */
static inline uint16_t ref_at(const uint8_t *src, const uint16_t *dist, uint64_t r, uint64_t c,
                              uint64_t C)
{
    return r ? mx_bf16_load(src, (size_t)((r - dist[r]) * C + c)) : 0;
}

static inline unsigned agreed_at(const uint8_t *src, const uint16_t *dist, uint64_t r,
                                 uint64_t c, uint64_t C)
{
    if (c == 0)
        return 0;
    return (mx_bf16_load(src, (size_t)(r * C + c - 1)) >> 7) == (ref_at(src, dist, r, c - 1, C) >> 7);
}

/* Two passes and no symbol buffer: count every context forwards, then code
 * backwards (rANS order) straight from the source. Returns 1 when coding
 * would not fit in the raw size (the caller stores the stream instead). */
static int encode16(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src,
                    mx_bytes *out, mx_error *err)
{
    (void)p;
    uint64_t R = d->rows, C = d->cols;
    size_t n = (size_t)(R * C), cap = 2 * n + 64;
    uint16_t *dist = malloc((size_t)R * sizeof *dist + 1);
    uint8_t *scratch = malloc(cap);
    mx_rans_model m = {0};
    mx_rans_sym v[3];
    int rc = -1;
    if (!dist || !scratch) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    if (model_init(&m, err))
        goto out;
    choose_refs(src, R, C, dist, w->threads);
    for (uint64_t r = 0; r < R; r++) {
        if (r) {
            m.t[CTX_REF].count[(dist[r] - 1) & 255]++;
            m.t[CTX_REF_HI].count[(dist[r] - 1) >> 8]++;
        }
        unsigned agreed = 0;
        for (uint64_t c = 0; c < C; c++) {
            uint16_t ref = ref_at(src, dist, r, c, C), x = mx_bf16_load(src, (size_t)(r * C + c));
            value_syms(x, ref, agreed, v);
            for (int k = 0; k < 3; k++)
                m.t[v[k].ctx].count[v[k].sym]++;
            agreed = (x >> 7) == (ref >> 7);
        }
    }
    mx_rans_normalize(&m);
    if (mx_rans_write_tables(&m, out)) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    mx_rans_enc enc;
    mx_rans_enc_init(&enc, scratch, cap);
    for (uint64_t r = R; r-- > 0 && !enc.overflow;) {
        for (uint64_t c = C; c-- > 0;) {
            uint16_t ref = ref_at(src, dist, r, c, C), x = mx_bf16_load(src, (size_t)(r * C + c));
            value_syms(x, ref, agreed_at(src, dist, r, c, C), v);
            mx_rans_enc_put(&enc, &m.t[v[2].ctx], v[2].sym);
            mx_rans_enc_put(&enc, &m.t[v[1].ctx], v[1].sym);
            mx_rans_enc_put(&enc, &m.t[v[0].ctx], v[0].sym);
        }
        if (r) { /* reverse order: low byte, then high bits */
            mx_rans_enc_put(&enc, &m.t[CTX_REF], (dist[r] - 1u) & 255);
            mx_rans_enc_put(&enc, &m.t[CTX_REF_HI], (dist[r] - 1u) >> 8);
        }
    }
    rc = mx_rans_enc_finish(&enc, out) ? 1 : 0;
out:
    mx_rans_model_free(&m);
    free(dist);
    free(scratch);
    return rc;
}

static int decode16(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                    uint8_t *dst, mx_error *err)
{
    (void)w;
    (void)p;
    uint64_t R = d->rows, C = d->cols;
    mx_rans_model m = {0};
    mx_rans_dec dec;
    size_t off = 0;
    int rc = -1;
    uint8_t *zero_row = NULL;
    if (model_init(&m, err))
        return -1;
    zero_row = calloc((size_t)C * 2 + 2, 1); /* the first row's "reference" */
    if (!zero_row) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    if (mx_rans_read_tables(&m, src, n, &off, err) ||
        mx_rans_dec_init(&dec, src + off, n - off, err))
        goto out;
    /* dec.bad is checked once per row: after a bad symbol the decoder reads
     * nothing more, so finishing the row is harmless */
    for (uint64_t r = 0; r < R && !dec.bad; r++) {
        size_t dist = 0;
        if (r) {
            dist = mx_rans_dec_get(&dec, &m.t[CTX_REF_HI]) << 8;
            dist += mx_rans_dec_get(&dec, &m.t[CTX_REF]) + 1u;
            if (dist > r) {
                mx_fail(err, MX_EINPUT, "corrupt data: bfctx reference row out of range");
                goto out;
            }
        }
        unsigned agreed = 0;
        const uint8_t *ref_row = r ? dst + 2 * (size_t)((r - dist) * C) : zero_row;
        uint8_t *row = dst + 2 * (size_t)(r * C);
        for (uint64_t c = 0; c < C; c++) {
            uint16_t ref = (uint16_t)(ref_row[2 * c] | ref_row[2 * c + 1] << 8);
            unsigned rs = ref >> 15, re = (ref >> 7) & 0xff, rm = ref & 0x7f;
            unsigned e = mx_rans_dec_get(&dec, &m.t[CTX_EXP + 2 * re + agreed]);
            unsigned s = mx_rans_dec_get(&dec, &m.t[CTX_SIGN + 4 * rs + 2 * (e == re) + agreed]);
            unsigned mant;
            if (e == re && s == rs)
                mant = (mx_rans_dec_get(&dec, &m.t[CTX_MEQ + agreed]) + rm) & 0x7f;
            else
                mant = mx_rans_dec_get(&dec, &m.t[CTX_MNE + mne_bucket(e)]);
            uint16_t x = (uint16_t)(s << 15 | e << 7 | mant);
            agreed = (x >> 7) == (ref >> 7);
            row[2 * c] = (uint8_t)x;
            row[2 * c + 1] = (uint8_t)(x >> 8);
        }
    }
    rc = mx_rans_dec_finish(&dec, err);
out:
    free(zero_row);
    mx_rans_model_free(&m);
    return rc;
}

static int compress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                    uint8_t *dst, size_t cap, size_t *dst_len, mx_error *err)
{
    return mx_bf16_frame_compress(MX_FRAME_BF16CTX, encode16, p, w, d, src, n, dst, cap, dst_len, err);
}

static int decompress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                      uint8_t *dst, size_t expected, mx_error *err)
{
    return mx_bf16_frame_decompress("bfctx", MX_FRAME_BF16CTX, decode16, p, w, d, src, n, dst, expected, err);
}

const mx_stage mx_stage_bfctx = {
    .name = "bfctx",
    .kind = MX_STAGE_ENTROPY,
    .codes_values = 1,
    .summary = "our bf16 context coder: rANS under contexts from a similar earlier row",
    .bound = mx_frame_bound,
    .compress = compress,
    .decompress = decompress,
};
