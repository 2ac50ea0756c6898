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
 * merely share channel scales code very differently. With no dependency
 * between values, four rANS states take turns (value i uses state i % 4) and
 * the decoder's four chains overlap in the CPU.
 *
 * Frame (after the mode byte): the rANS tables, then one byte stream for
 * the four states: per row the reference distance (two symbols) and the
 * class, then the values' bytes. Streams that are not 16-bit fall back to
 * order-0 rANS. */
#include <stdlib.h>
#include <string.h>
#include "coded_frame.h"
#include "../src/parallel.h"

#define WINDOW 1024 /* reference candidates; a distance is two symbols */
#define SAMPLE 32   /* columns compared when choosing a reference */
#define CLASSES 8
#define STATES 4
#define RANS_L (1u << 23)

enum {
    CTX_DIST_HI, CTX_DIST_LO, CTX_CLASS,
    CTX_HI,                      /* + class */
    CTX_LO = CTX_HI + CLASSES,   /* + 2 * class + (high byte == 0) */
    CTX_N = CTX_LO + 2 * CLASSES
};

MX_PLAIN_PARAMS("bfxor")

static int model_init(mx_rans_model *m, mx_error *err)
{
    uint16_t alpha[CTX_N];
    for (unsigned i = 0; i < CTX_N; i++)
        alpha[i] = i == CTX_DIST_HI ? (WINDOW >> 8) + 1 : i == CTX_CLASS ? CLASSES : 256;
    return mx_rans_model_init(m, CTX_N, alpha, err);
}

static inline uint16_t get16(const uint8_t *p, size_t i)
{
    return (uint16_t)(p[2 * i] | p[2 * i + 1] << 8);
}

/* --- reference search --- */

typedef struct {
    const uint8_t *keys; /* SAMPLE exponent bytes per row */
    uint16_t *dist;
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

static void choose_one(void *ctx, size_t r)
{
    const ref_search *rs = ctx;
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
            keys[r * SAMPLE + k] = (uint8_t)(get16(src, (size_t)(r * cols + k * cols / SAMPLE)) >> 7);
    ref_search rs = {keys, dist};
    mx_parallel_for((size_t)rows, threads, choose_one, &rs);
    free(keys);
    return 0;
}

/* The row's class: how many of its sign+exponent bytes equal the
 * reference's, in eighths (on all columns: a sample loses ratio). */
static unsigned row_class(const uint8_t *row, const uint8_t *ref, uint64_t C)
{
    uint64_t agree = 0;
    for (uint64_t c = 0; c < C; c++)
        agree += ((row[2 * c + 1] ^ ref[2 * c + 1]) << 1 | ((row[2 * c] ^ ref[2 * c]) >> 7)) == 0;
    uint64_t k = agree * CLASSES / C;
    return k >= CLASSES ? CLASSES - 1 : (unsigned)k;
}

/* --- interleaved rANS: STATES states, one byte stream --- */

typedef struct {
    uint32_t x[STATES];
    uint8_t *buf, *p;
    int overflow; /* the output would not fit: the stream is stored instead */
} enc4;

static inline void put(enc4 *e, unsigned k, const mx_rans_table *t, unsigned s)
{
    mx_rans_put(&e->x[k], &e->p, e->buf, &e->overflow, t, s);
}

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

/* --- the coder --- */

static int encode16(const mx_params *p, const mx_stream_desc *d, const uint8_t *src, mx_bytes *out,
                    mx_error *err)
{
    uint64_t R = d->rows, C = d->cols;
    size_t n = (size_t)(R * C), cap = 2 * n + 64 + 8 * (size_t)R;
    uint16_t *dist = malloc((size_t)R * sizeof *dist + 1);
    uint8_t *cls = malloc((size_t)R + 1), *scratch = malloc(cap);
    uint8_t *zero = calloc((size_t)C * 2 + 2, 1);
    uint32_t(*hist)[2][256] = calloc(3 * CLASSES, sizeof *hist);
    mx_rans_model m = {0};
    int rc = -1;
    if (!dist || !cls || !scratch || !zero || !hist || choose_refs(src, R, C, dist, p->threads)) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    if (model_init(&m, err))
        goto out;
    /* two histograms per table, for even and odd columns: runs of the same
     * symbol (high byte 0 in copied rows) otherwise serialise on one counter */
    for (uint64_t r = 0; r < R; r++) {
        const uint8_t *row = src + 2 * r * C, *ref = r ? row - 2 * (size_t)dist[r] * C : zero;
        cls[r] = (uint8_t)row_class(row, ref, C);
        m.t[CTX_DIST_HI].count[dist[r] >> 8]++;
        m.t[CTX_DIST_LO].count[dist[r] & 255]++;
        m.t[CTX_CLASS].count[cls[r]]++;
        uint32_t(*hi)[256] = hist[cls[r]];
        uint32_t(*lo)[256] = hist[CLASSES + 2 * cls[r]];
        uint64_t c = 0;
        for (; c + 2 <= C; c += 2) {
            unsigned v0 = get16(row, (size_t)c) ^ get16(ref, (size_t)c), h0 = v0 >> 8;
            unsigned v1 = get16(row, (size_t)c + 1) ^ get16(ref, (size_t)c + 1), h1 = v1 >> 8;
            hi[0][h0]++;
            hi[1][h1]++;
            lo[2 * (h0 == 0)][v0 & 255]++;
            lo[2 * (h1 == 0) + 1][v1 & 255]++;
        }
        if (c < C) {
            unsigned v = get16(row, (size_t)c) ^ get16(ref, (size_t)c), h = v >> 8;
            hi[0][h]++;
            lo[2 * (h == 0)][v & 255]++;
        }
    }
    for (unsigned t = 0; t < 3 * CLASSES; t++) /* hist t belongs to context CTX_HI + t */
        for (unsigned s = 0; s < 256; s++)
            m.t[CTX_HI + t].count[s] += hist[t][0][s] + hist[t][1][s];
    mx_rans_normalize(&m);
    if (mx_rans_write_tables(&m, out)) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    /* in reverse: the decoder reads the very last symbol put first */
    enc4 e = {{0}, scratch, scratch + cap, 0};
    for (unsigned k = 0; k < STATES; k++)
        e.x[k] = RANS_L;
    for (uint64_t r = R; r-- > 0 && !e.overflow;) {
        const uint8_t *row = src + 2 * r * C, *ref = r ? row - 2 * (size_t)dist[r] * C : zero;
        const mx_rans_table *hi = &m.t[CTX_HI + cls[r]], *lo = &m.t[CTX_LO + 2 * cls[r]];
        for (uint64_t c = C; c-- > 0;) {
            unsigned v = get16(row, (size_t)c) ^ get16(ref, (size_t)c), h = v >> 8;
            unsigned k = (unsigned)(c % STATES);
            put(&e, k, &lo[h == 0], v & 255);
            put(&e, k, hi, h);
        }
        put(&e, 0, &m.t[CTX_CLASS], cls[r]);
        put(&e, 0, &m.t[CTX_DIST_LO], dist[r] & 255);
        put(&e, 0, &m.t[CTX_DIST_HI], dist[r] >> 8);
    }
    for (unsigned k = STATES; k-- > 0 && !e.overflow;) { /* state 0 ends up first */
        if (e.p - e.buf < 4) {
            e.overflow = 1;
            break;
        }
        for (int b = 0; b < 4; b++)
            *--e.p = (uint8_t)(e.x[k] >> (8 * b));
    }
    if (e.overflow) {
        rc = 1;
        goto out;
    }
    mx_bytes_put(out, e.p, (size_t)(scratch + cap - e.p));
    rc = out->oom ? (mx_fail(err, MX_EFAIL, "out of memory"), -1) : 0;
out:
    mx_rans_model_free(&m);
    free(dist);
    free(cls);
    free(scratch);
    free(zero);
    free(hist);
    return rc;
}

static int decode16(const mx_params *p, const mx_stream_desc *d, const uint8_t *src, size_t n,
                    uint8_t *dst, mx_error *err)
{
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

static int compress(const mx_params *p, const mx_stream_desc *d, const uint8_t *src, size_t n,
                    uint8_t *dst, size_t cap, size_t *dst_len, mx_error *err)
{
    return mx_bf16_frame_compress(MX_FRAME_BFXOR, encode16, p, d, src, n, dst, cap, dst_len, err);
}

static int decompress(const mx_params *p, const mx_stream_desc *d, const uint8_t *src, size_t n,
                      uint8_t *dst, size_t expected, mx_error *err)
{
    return mx_bf16_frame_decompress("bfxor", MX_FRAME_BFXOR, decode16, p, d, src, n, dst, expected, err);
}

const mx_stage mx_stage_bfxor = {
    .name = "bfxor",
    .kind = MX_STAGE_ENTROPY,
    .summary = "our fast bf16 coder: XOR with a similar earlier row, rANS per row class, "
               "4 interleaved states",
    .params_help = "",
    .parse = parse_plain,
    .format = format_plain,
    .bound = mx_frame_bound,
    .compress = compress,
    .decompress = decompress,
};
