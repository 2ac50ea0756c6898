#include "wlanes.h"
#include <stdlib.h>
#include <string.h>
#include "simd.h"
#ifdef MX_SIMD_X86
#include <immintrin.h>
#endif

/* Counts quantised to eighths of a power of two: q = 8 floor(log2 c) + j,
 * j the number of thresholds 2^((i + 1/2) / 8) (x 2^16) at or below the
 * mantissa; decoded as 2^(j/8) (x 2^16) shifted. Integer-exact, so the
 * numpy twin gets the very same table. */
static const uint32_t quant_mid[8] = {68438, 74632, 81386, 88752, 96785, 105545, 115098, 125515};
static const uint32_t quant_val[8] = {65536, 71468, 77936, 84990, 92682, 101070, 110218, 120194};

static unsigned quantise(uint32_t c)
{
    unsigned fl = 31u - (unsigned)__builtin_clz(c);
    uint64_t m = ((uint64_t)c << 16) >> fl;
    unsigned j = 0;
    for (int k = 0; k < 8; k++) /* ascending thresholds: a count, without branches */
        j += m >= quant_mid[k];
    return 8 * fl + j;
}

static uint64_t dequantise(unsigned q)
{
    return ((uint64_t)quant_val[q & 7] << (q >> 3)) >> 16;
}

/* A kept model made for the same alphabets and direction: as good as new
 * once the contexts a failed call marked are cleared. */
static int reusable(mx_wl_model *m, size_t n_ctx, const uint16_t *alpha, int encoder)
{
    if (!m->off || m->n_ctx != n_ctx || m->encoder != encoder ||
        memcmp(m->alpha, alpha, n_ctx * sizeof *alpha))
        return 0;
    for (size_t c = 0; c < n_ctx; c++)
        if (m->used[c]) {
            if (encoder)
                memset(m->count + m->off[c], 0, m->alpha[c] * sizeof *m->count);
            m->used[c] = 0;
        }
    return 1;
}

int mx_wl_model_init(mx_wl_model *m, size_t n_ctx, const uint16_t *alpha, int encoder,
                     mx_error *err)
{
    if (reusable(m, n_ctx, alpha, encoder))
        return 0;
    mx_wl_model_free(m);
    m->n_ctx = n_ctx;
    m->encoder = encoder;
    m->alpha = malloc((n_ctx + 1) * sizeof *m->alpha);
    m->off = malloc((n_ctx + 1) * sizeof *m->off);
    m->used = calloc(n_ctx + 1, 1);
    m->filled = calloc(n_ctx + 1, 1);
    if (!m->alpha || !m->off || !m->used || !m->filled) {
        mx_wl_model_free(m);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    memcpy(m->alpha, alpha, n_ctx * sizeof *alpha);
    uint32_t o = 0;
    for (size_t c = 0; c < n_ctx; c++) {
        m->off[c] = o;
        o += alpha[c];
    }
    m->off[n_ctx] = o;
    if (encoder && !(m->count = calloc((size_t)o + 1, sizeof *m->count))) {
        mx_wl_model_free(m);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    return 0;
}

void mx_wl_model_free(mx_wl_model *m)
{
    free(m->alpha);
    free(m->off);
    free(m->count);
    free(m->enc);
    free(m->base);
    free(m->lut);
    free(m->sym);
    free(m->win);
    free(m->used);
    free(m->filled);
    memset(m, 0, sizeof *m);
}

/* The normalisation both sides share (wlanes.h): q[0..u) quantised counts
 * of one context's used symbols -> freq[0..u), summing to 4096. */
static void normalise(const uint8_t *q, size_t u, uint16_t *freq)
{
    uint64_t total = 0, big = 0;
    size_t first = 0;
    for (size_t i = 0; i < u; i++) {
        uint64_t c = dequantise(q[i]);
        total += c;
        if (c > big) {
            big = c;
            first = i;
        }
    }
    uint32_t sum = 0;
    for (size_t i = 0; i < u; i++) {
        freq[i] = (uint16_t)(1 + dequantise(q[i]) * (MX_WL_SCALE - u) / total);
        sum += freq[i];
    }
    freq[first] = (uint16_t)(freq[first] + MX_WL_SCALE - sum);
}

/* rANS encoder entry of one symbol (ryg's reciprocal, as rans.c's). */
static uint64_t enc_entry(uint32_t f, uint32_t start)
{
    uint32_t shift = 0, rcp;
    if (f < 2) {
        rcp = ~0u; /* q = x - 1; the encoder adds the missing 1 for freq 1 */
    } else {
        while (f > (1u << shift))
            shift++;
        rcp = (uint32_t)(((1ull << (shift + 31)) + f - 1) / f);
        shift--;
    }
    return f | (uint64_t)start << 13 | (uint64_t)shift << 25 | (uint64_t)rcp << 32;
}

/* Whether the n counts at c are all zero (n a constant: the compiler
 * makes it vector ORs and one test). */
static inline int zero_run(const uint32_t *c, int n)
{
    uint32_t any = 0;
    for (int k = 0; k < n; k++)
        any |= c[k];
    return !any;
}

int mx_wl_write_tables(mx_wl_model *m, mx_bytes *out, mx_error *err)
{
    size_t total = m->off[m->n_ctx], used_syms = 0;
    if (!m->enc) /* kept: only the entries of symbols counted are ever read */
        m->enc = malloc((total + 1) * sizeof *m->enc);
    uint8_t *q = malloc(total + 1);
    uint16_t *freq = malloc(MX_WL_ALPHA_MAX * sizeof *freq);
    uint32_t *lo = malloc(2 * (m->n_ctx + 1) * sizeof *lo), *hi = lo + m->n_ctx + 1;
    /* the entry of each frequency, start 0, once: its reciprocal costs a
     * division, and most symbols share a few small frequencies (0: not yet) */
    uint64_t *by_freq = calloc(MX_WL_SCALE + 1, sizeof *by_freq);
    if (!m->enc || !q || !freq || !lo || !by_freq) {
        free(q);
        free(freq);
        free(lo);
        free(by_freq);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    /* spans */
    for (size_t c = 0; c < m->n_ctx; c++) {
        const uint32_t *cnt = m->count + m->off[c];
        uint32_t a = m->used[c] ? m->alpha[c] : 0, b = 0;
        if (a) {
            /* most of a 4096-symbol context is zero: 64, then 16
             * counts a test first */
            while (a >= 64 && zero_run(cnt + a - 64, 64))
                a -= 64;
            while (a >= 16 && zero_run(cnt + a - 16, 16))
                a -= 16;
            while (a > 0 && !cnt[a - 1])
                a--;
            while (b + 64 <= a && zero_run(cnt + b, 64))
                b += 64;
            while (b + 16 <= a && zero_run(cnt + b, 16))
                b += 16;
            while (b < a && !cnt[b])
                b++;
        }
        m->used[c] = b < a;
        lo[c] = b;
        hi[c] = a; /* one past the last */
        mx_bytes_var(out, m->used[c] ? a - b : 0);
        if (m->used[c])
            mx_bytes_var(out, b);
    }
    /* bitmaps */
    for (size_t c = 0; c < m->n_ctx; c++) {
        const uint32_t *cnt = m->count + m->off[c];
        for (uint32_t b = lo[c]; m->used[c] && b < hi[c]; b += 8) {
            uint8_t byte = 0;
            for (uint32_t k = 0; k < 8 && b + k < hi[c]; k++)
                byte = (uint8_t)(byte | (cnt[b + k] != 0) << k);
            mx_bytes_put(out, &byte, 1);
        }
    }
    /* quantised counts, and the encoder entries from their normalisation */
    for (size_t c = 0; c < m->n_ctx; c++) {
        if (!m->used[c])
            continue;
        const uint32_t *cnt = m->count + m->off[c];
        size_t u = 0, at = used_syms;
        for (uint32_t s = lo[c]; s < hi[c]; s++)
            if (cnt[s])
                q[used_syms + u++] = (uint8_t)quantise(cnt[s]);
        mx_bytes_put(out, q + at, u);
        normalise(q + at, u, freq);
        uint32_t start = 0;
        size_t i = 0;
        for (uint32_t s = lo[c]; s < hi[c]; s++)
            if (cnt[s]) {
                uint32_t f = freq[i++];
                if (!by_freq[f])
                    by_freq[f] = enc_entry(f, 0);
                m->enc[m->off[c] + s] = by_freq[f] | (uint64_t)start << 13;
                start += f;
            }
        used_syms += u;
    }
    /* the counts back to zero, for the next use of a kept model */
    for (size_t c = 0; c < m->n_ctx; c++) {
        if (m->used[c])
            memset(m->count + m->off[c] + lo[c], 0, (hi[c] - lo[c]) * sizeof *m->count);
        m->used[c] = 0;
    }
    free(q);
    free(freq);
    free(lo);
    free(by_freq);
    return out->oom ? mx_fail(err, MX_EFAIL, "out of memory") : 0;
}

#ifdef MX_SIMD_X86
/* One symbol's f slots from v on, 8 at a time, rounded up: up to 7 slots
 * past its own, which the symbols after it write again (the caller's
 * guarantee that they lie in the same context). Writing 8 whatever f is
 * costs one store where most symbols have a slot or two. */
__attribute__((target("avx2"))) static void fill_avx2(uint32_t *lut, uint16_t *sy, uint32_t v,
                                                       uint16_t sym, uint32_t f)
{
    __m256i val = _mm256_add_epi32(_mm256_set1_epi32((int)v),
                                   _mm256_setr_epi32(0, 1 << 13, 2 << 13, 3 << 13, 4 << 13, 5 << 13,
                                                     6 << 13, 7 << 13));
    const __m256i step = _mm256_set1_epi32(8 << 13);
    const __m128i s = _mm_set1_epi16((short)sym);
    for (uint32_t k = 0; k < f; k += 8) {
        _mm256_storeu_si256((__m256i *)(void *)(lut + k), val);
        if (sy)
            _mm_storeu_si128((__m128i *)(void *)(sy + k), s);
        val = _mm256_add_epi32(val, step);
    }
}
#endif

/* The first symbol of the MX_WL_WINDOW consecutive ones (from the u
 * ascending used symbols syms) of most frequency, the lowest of equals; at
 * most alpha - MX_WL_WINDOW, so that the window stays in the alphabet. */
static uint16_t window_of(const uint16_t *syms, const uint16_t *freq, size_t u, unsigned alpha)
{
    uint32_t sum = 0, best = 0;
    uint16_t win = 0;
    for (size_t i = 0, j = 0; i < u; i++) { /* windows starting at syms[i] */
        for (; j < u && syms[j] < syms[i] + MX_WL_WINDOW; j++)
            sum += freq[j];
        if (sum > best) {
            best = sum;
            win = syms[i];
        }
        sum -= freq[i];
    }
    return win > alpha - MX_WL_WINDOW ? (uint16_t)(alpha - MX_WL_WINDOW) : win;
}

/* A context's 4096 slots: symbol syms[i] takes freq[i] of them, in order.
 * With sy NULL (a small alphabet) the symbol goes in the slot itself,
 * else in sy, and its place in the window from win (wlanes.h) in the slot.
 * Exactly these slots are written: the vector fill's overrun stays inside
 * the context, under the symbols that follow. */
static void fill_slots(uint32_t *lut, uint16_t *sy, const uint16_t *syms, const uint16_t *freq,
                       size_t u, unsigned win, int simd)
{
    uint32_t slot = 0;
    (void)simd;
    for (size_t i = 0; i < u; i++) {
        unsigned rel = (unsigned)syms[i] - win; /* wraps when below: outside */
        uint32_t f = freq[i], top = !sy ? syms[i] : rel < MX_WL_WINDOW ? rel : MX_WL_OUTSIDE;
        uint32_t v = f | top << 25;
#ifdef MX_SIMD_X86
        if (simd && slot + (f + 7) / 8 * 8 <= MX_WL_SCALE) {
            fill_avx2(lut + slot, sy ? sy + slot : NULL, v, syms[i], f);
            slot += f;
            continue;
        }
#endif
        for (uint32_t k = 0; k < f; k++) {
            lut[slot + k] = v + (k << 13);
            if (sy)
                sy[slot + k] = syms[i];
        }
        slot += f;
    }
}

int mx_wl_read_tables(mx_wl_model *m, const uint8_t *src, size_t n, size_t *off, mx_error *err)
{
    size_t nc = m->n_ctx, bitmap_bytes = 0, used_syms = 0, used_ctx = 0;
    uint32_t *span = calloc(nc + 1, sizeof *span), *first = calloc(nc + 1, sizeof *first);
    uint16_t *freq = malloc(MX_WL_ALPHA_MAX * sizeof *freq);
    uint16_t *syms = malloc(MX_WL_ALPHA_MAX * sizeof *syms);
    int rc = -1;
    if (!m->base)
        m->base = calloc(nc + 1, sizeof *m->base);
    if (!m->win)
        m->win = calloc(nc + 1, sizeof *m->win);
    int simd = mx_simd_avx2();
    if (!span || !first || !freq || !syms || !m->base || !m->win) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    for (size_t c = 0; c < nc; c++) {
        uint64_t s, lo = 0;
        if (mx_read_var(src, n, off, &s) || (s && mx_read_var(src, n, off, &lo)) ||
            s > m->alpha[c] || lo > m->alpha[c] - s) {
            mx_fail(err, MX_EINPUT, "corrupt data: truncated or bad rANS tables");
            goto out;
        }
        span[c] = (uint32_t)s;
        first[c] = (uint32_t)lo;
        m->used[c] = s != 0;
        used_ctx += s != 0;
        bitmap_bytes += (s + 7) / 8;
    }
    if (bitmap_bytes > n - *off) {
        mx_fail(err, MX_EINPUT, "corrupt data: truncated rANS tables");
        goto out;
    }
    /* 4096 slots a context, zero (frequency 0) for the unused ones: a big
     * calloc gets fresh zero pages, so only the used contexts cost a
     * write; + 8 for vector reads past the end. A kept model zeroes the
     * contexts it filled before and does not fill now. */
    (void)used_ctx;
    if (!m->lut)
        m->lut = calloc(nc * MX_WL_SCALE + 8, sizeof *m->lut);
    if (!m->sym)
        m->sym = calloc(nc * MX_WL_SCALE + 8, sizeof *m->sym);
    if (!m->lut || !m->sym) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    for (size_t c = 0; c < nc; c++) {
        m->base[c] = span[c] ? (uint32_t)(c * MX_WL_SCALE) : 0;
        m->win[c] = 0;
        if (!span[c] && m->filled[c]) {
            memset(m->lut + c * MX_WL_SCALE, 0, MX_WL_SCALE * sizeof *m->lut);
            memset(m->sym + c * MX_WL_SCALE, 0, MX_WL_SCALE * sizeof *m->sym);
            m->filled[c] = 0;
        }
    }
    const uint8_t *bits = src + *off, *q = bits + bitmap_bytes;
    for (size_t c = 0, at = 0; c < nc; at += (span[c] + 7) / 8, c++)
        for (uint32_t i = 0; i < span[c]; i++)
            used_syms += bits[at + i / 8] >> (i % 8) & 1;
    if (used_syms > n - *off - bitmap_bytes) {
        mx_fail(err, MX_EINPUT, "corrupt data: truncated rANS tables");
        goto out;
    }
    for (size_t c = 0; c < nc; c++) {
        if (!span[c])
            continue;
        size_t u = 0;
        for (uint32_t i = 0; i < span[c]; i++)
            if (bits[i / 8] >> (i % 8) & 1)
                syms[u++] = (uint16_t)(first[c] + i);
        bits += (span[c] + 7) / 8;
        if (!u) {
            mx_fail(err, MX_EINPUT, "corrupt data: empty rANS table");
            goto out;
        }
        normalise(q, u, freq);
        q += u;
        m->filled[c] = 1;
        int small = m->alpha[c] <= MX_WL_SMALL;
        m->win[c] = small ? 0 : window_of(syms, freq, u, m->alpha[c]);
        fill_slots(m->lut + c * MX_WL_SCALE, small ? NULL : m->sym + c * MX_WL_SCALE, syms, freq, u,
                   m->win[c], simd);
    }
    *off = (size_t)(q - src);
    rc = 0;
out:
    free(span);
    free(first);
    free(freq);
    free(syms);
    return rc;
}

/* Words a step may write below w: a word per lane, and the vector
 * encoder's 16-byte stores reach 8 words below its last. */
#define STEP_SLACK 16

/* Room for cap words in stream s, the words coded so far moved to the end. */
static int grow(mx_wl_enc *e, int s, size_t cap)
{
    size_t used = e->buf[s] ? (size_t)(e->end[s] - e->w[s]) : 0;
    uint16_t *b = malloc(cap * sizeof *b);
    if (!b) {
        e->oom = 1;
        return -1;
    }
    if (used)
        memcpy(b + cap - used, e->w[s], used * sizeof *b);
    free(e->buf[s]);
    e->buf[s] = b;
    e->cap[s] = cap;
    e->end[s] = b + cap;
    e->w[s] = e->end[s] - used;
    return 0;
}

int mx_wl_enc_init(mx_wl_enc *e, size_t lanes, size_t max0, size_t max1, mx_error *err)
{
    if (!e->x || e->lanes < lanes) {
        free(e->x);
        e->x = malloc(lanes * sizeof *e->x + 32);
    }
    e->lanes = lanes;
    e->oom = 0;
    if (!e->x) {
        mx_wl_enc_free(e);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    for (size_t i = 0; i < lanes; i++)
        e->x[i] = MX_WL_LOW;
    /* a quarter of a word per symbol to start with (a kept encoder keeps
     * what it grew to); a step that might not fit grows the buffer */
    size_t max[2] = {max0, max1};
    for (int s = 0; s < 2; s++) {
        size_t want = max[s] / 4 + lanes + 4 * STEP_SLACK;
        if (e->buf[s])
            e->w[s] = e->end[s] = e->buf[s] + e->cap[s];
        if (e->cap[s] < want && grow(e, s, want)) {
            mx_wl_enc_free(e);
            return mx_fail(err, MX_EFAIL, "out of memory");
        }
    }
    e->simd = mx_simd_level();
    /* the emitting lanes' words, in lane order, at the top of 8 words */
    for (unsigned mk = 0; mk < 256; mk++) {
        unsigned k = 8 - (unsigned)__builtin_popcount(mk);
        memset(e->pack[mk], 0x80, 16);
        for (unsigned lane = 0; lane < 8; lane++)
            if (mk >> lane & 1) {
                e->pack[mk][2 * k] = (uint8_t)(2 * lane);
                e->pack[mk][2 * k + 1] = (uint8_t)(2 * lane + 1);
                k++;
            }
    }
    return 0;
}

void mx_wl_enc_free(mx_wl_enc *e)
{
    free(e->x);
    free(e->buf[0]);
    free(e->buf[1]);
    memset(e, 0, sizeof *e);
}

/* One symbol on one lane (encoder entry t): the reference the vector
 * encoder matches. x_max = freq << 19; for freq 1 the reciprocal is ~0
 * (q = x - 1), made up in the bias. */
static inline void put_one(mx_wl_enc *e, size_t i, uint64_t t, int s)
{
    uint32_t x = e->x[i], freq = (uint32_t)t & 0x1fff, start = (uint32_t)(t >> 13) & 0xfff;
    uint32_t emit = x >= freq << 19; /* x < 2^31, bound >= 2^19: one word is enough */
    e->w[s][-1] = (uint16_t)x;        /* written either way, kept when emitted */
    e->w[s] -= emit;
    x >>= 16 * emit;
    uint32_t q = (uint32_t)(((uint64_t)x * (uint32_t)(t >> 32)) >> 32) >> ((t >> 25) & 31);
    e->x[i] = x + start + (freq == 1 ? MX_WL_SCALE - 1 : 0) + q * (MX_WL_SCALE - freq);
}

#ifdef MX_SIMD_X86
/* Eight lanes of states x coding the entries at idx: their words (packed
 * to the top of 8 words by the mask's shuffle) and the new states. */
__attribute__((target("avx2,popcnt"))) static inline __m256i
code8(__m256i x, __m256i idx, const uint64_t *enc, const uint8_t (*pack)[16], __m128i *words,
      unsigned *mask)
{
    __m256i in, rc;
    mx_load8x64(enc, idx, &in, &rc);
    __m256i freq = _mm256_and_si256(in, _mm256_set1_epi32(0x1fff));
    __m256i start = _mm256_and_si256(_mm256_srli_epi32(in, 13), _mm256_set1_epi32(0xfff));
    __m256i shift = _mm256_srli_epi32(in, 25);
    /* x >= freq << 19, signed: both sides are below 2^31 */
    __m256i emit = _mm256_cmpgt_epi32(x, _mm256_sub_epi32(_mm256_slli_epi32(freq, 19),
                                                           _mm256_set1_epi32(1)));
    unsigned m = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(emit));
    __m256i lo16 = _mm256_and_si256(x, _mm256_set1_epi32(0xffff));
    __m128i wd = _mm256_castsi256_si128(_mm256_permute4x64_epi64(_mm256_packus_epi32(lo16, lo16), 0x08));
    *words = _mm_shuffle_epi8(wd, _mm_loadu_si128((const __m128i *)(const void *)pack[m]));
    *mask = m;
    x = _mm256_blendv_epi8(x, _mm256_srli_epi32(x, 16), emit);
    /* q = x / freq: the high half of x * rcp, then the shift */
    __m256i even = _mm256_srli_epi64(_mm256_mul_epu32(x, rc), 32);
    __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(rc, 32));
    __m256i q = _mm256_srlv_epi32(_mm256_blend_epi32(even, odd, 0xAA), shift);
    __m256i one = _mm256_set1_epi32(1), scale = _mm256_set1_epi32(MX_WL_SCALE);
    __m256i bias = _mm256_add_epi32(start, _mm256_and_si256(_mm256_cmpeq_epi32(freq, one),
                                                            _mm256_set1_epi32(MX_WL_SCALE - 1)));
    return _mm256_add_epi32(_mm256_add_epi32(x, bias),
                            _mm256_mullo_epi32(q, _mm256_sub_epi32(scale, freq)));
}

/* Lanes [0, to), to a multiple of 32, in groups of 32 downwards: each
 * group's four vectors code independently, then their words are stored
 * from the top (lanes 24-31's first), each store's spare low words
 * overwritten by the next. */
__attribute__((target("avx2,popcnt"))) static void encode_avx2(mx_wl_enc *e, const uint64_t *enc,
                                                                const uint32_t *idx, size_t to, int s)
{
    uint16_t *w = e->w[s];
    while (to) {
        to -= 32;
        __m128i words[4];
        unsigned m[4];
        MX_WL_UNROLL
        for (int k = 0; k < 4; k++) {
            __m256i *xp = (__m256i *)(void *)(e->x + to + 8 * (size_t)k);
            __m256i ix = _mm256_loadu_si256((const __m256i *)(const void *)(idx + to + 8 * (size_t)k));
            _mm256_storeu_si256(xp, code8(_mm256_loadu_si256(xp), ix, enc, e->pack, &words[k], &m[k]));
        }
        MX_WL_UNROLL
        for (int k = 4; k-- > 0;) { /* the bound leaves room below */
            _mm_storeu_si128((__m128i *)(void *)(w - 8), words[k]);
            w -= __builtin_popcount(m[k]);
        }
    }
    e->w[s] = w;
}

/* code8 on sixteen lanes with AVX-512, given the low halves of their
 * entries (frequency and start): q = x / freq by a float division made
 * exact (x < freq 2^19 after the refill, so q < 2^19 and the float
 * quotient is within 1/16 of it: at most one off, which the remainder
 * shows), the emitting lanes' words compressed to the bottom of 16, with
 * their count. The same states as put_one's reciprocal, without its
 * high halves. */
__attribute__((target(MX_AVX512_TARGET))) static inline __m512i
code16(__m512i x, __m512i in, __m256i *words, unsigned *count)
{
    __m512i freq = _mm512_and_si512(in, _mm512_set1_epi32(0x1fff));
    __m512i start = _mm512_and_si512(_mm512_srli_epi32(in, 13), _mm512_set1_epi32(0xfff));
    __mmask16 emit = _mm512_cmpge_epu32_mask(x, _mm512_slli_epi32(freq, 19));
    *words = _mm512_cvtepi32_epi16(_mm512_maskz_compress_epi32(emit, x));
    *count = (unsigned)__builtin_popcount(emit);
    x = _mm512_mask_srli_epi32(x, emit, x, 16);
    __m512i q = _mm512_cvttps_epu32(_mm512_div_ps(_mm512_cvtepu32_ps(x), _mm512_cvtepu32_ps(freq)));
    __m512i r = _mm512_sub_epi32(x, _mm512_mullo_epi32(q, freq)); /* x mod freq, but one off */
    __mmask16 under = _mm512_cmplt_epi32_mask(r, _mm512_setzero_si512());
    __mmask16 over = _mm512_cmpge_epi32_mask(r, freq);
    q = _mm512_mask_sub_epi32(q, under, q, _mm512_set1_epi32(1));
    r = _mm512_mask_add_epi32(r, under, r, freq);
    q = _mm512_mask_add_epi32(q, over, q, _mm512_set1_epi32(1));
    r = _mm512_mask_sub_epi32(r, over, r, freq);
    return _mm512_add_epi32(_mm512_slli_epi32(q, MX_WL_SCALE_BITS), _mm512_add_epi32(r, start));
}

/* encode_avx2 with AVX-512: lanes [0, to), to a multiple of 64, in groups
 * of 64 downwards; each vector's words stored below the next one's */
__attribute__((target(MX_AVX512_TARGET))) static void encode_avx512(mx_wl_enc *e, const uint64_t *enc,
                                                                     const uint32_t *idx, size_t to, int s)
{
    uint16_t *w = e->w[s];
    while (to) {
        to -= 64;
        __m256i words[4];
        unsigned n[4];
        uint32_t in[64]; /* the entries' low halves: scalar loads outrun a gather */
        for (int k = 0; k < 64; k++)
            in[k] = (uint32_t)enc[idx[to + (size_t)k]];
        MX_WL_UNROLL
        for (int k = 0; k < 4; k++) {
            uint32_t *xp = e->x + to + 16 * (size_t)k;
            __m512i entries = _mm512_loadu_si512((const void *)(in + 16 * k));
            _mm512_storeu_si512((void *)xp, code16(_mm512_loadu_si512((const void *)xp), entries, &words[k], &n[k]));
        }
        MX_WL_UNROLL
        for (int k = 4; k-- > 0;) {
            w -= n[k];
            _mm256_mask_storeu_epi16(w, (__mmask16)((1u << n[k]) - 1), words[k]);
        }
    }
    e->w[s] = w;
}
#endif

void mx_wl_enc_step(mx_wl_enc *e, const mx_wl_model *m, const uint32_t *idx, size_t a, int s)
{
    if (e->oom)
        return;
    if ((size_t)(e->w[s] - e->buf[s]) < a + STEP_SLACK &&
        grow(e, s, 2 * e->cap[s] + a + STEP_SLACK))
        return;
    /* lanes from last to first: the buffer fills downwards, so the words of
     * a step end up in lane order */
    size_t to = e->simd == 2 ? a / 64 * 64 : e->simd ? a / 32 * 32 : 0;
    for (size_t i = a; i-- > to;)
        put_one(e, i, m->enc[idx[i]], s);
#ifdef MX_SIMD_X86
    if (to && e->simd == 2)
        encode_avx512(e, m->enc, idx, to, s);
    else if (to)
        encode_avx2(e, m->enc, idx, to, s);
#endif
}

int mx_wl_enc_finish(mx_wl_enc *e, mx_bytes *out, mx_error *err)
{
    if (e->oom)
        return mx_fail(err, MX_EFAIL, "out of memory");
    size_t len[2];
    for (int s = 0; s < 2; s++)
        len[s] = (size_t)(e->end[s] - e->w[s]);
    mx_bytes_var(out, len[0]);
    for (size_t k = 0; k < e->lanes; k++)
        mx_bytes_le(out, e->x[k], 4);
    for (int s = 0; s < 2; s++)
        mx_bytes_put(out, e->w[s], 2 * len[s]); /* LE host (configure checks) */
    return out->oom ? mx_fail(err, MX_EFAIL, "out of memory") : 0;
}

int mx_wl_dec_init(mx_wl_dec *d, size_t lanes, const uint8_t *src, size_t n, mx_error *err)
{
    memset(d, 0, sizeof *d);
    size_t off = 0;
    uint64_t n0;
    if (mx_read_var(src, n, &off, &n0) || n - off < 4 * lanes || (n - off - 4 * lanes) % 2 ||
        n0 > (n - off - 4 * lanes) / 2)
        return mx_fail(err, MX_EINPUT, "corrupt data: truncated rANS lanes");
    d->lanes = lanes;
    d->x = malloc(lanes * sizeof *d->x + 32);
    if (!d->x)
        return mx_fail(err, MX_EFAIL, "out of memory");
    for (size_t k = 0; k < lanes; k++) {
        const uint8_t *q = src + off + 4 * k;
        d->x[k] = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
        if (d->x[k] < MX_WL_LOW || d->x[k] >= 1u << 31) {
            mx_wl_dec_free(d);
            return mx_fail(err, MX_EINPUT, "corrupt data: bad rANS state");
        }
    }
    d->p[0] = src + off + 4 * lanes;
    d->end[0] = d->p[1] = d->p[0] + 2 * n0;
    d->end[1] = src + n;
    d->simd = mx_simd_level();
    for (unsigned mk = 0; mk < 256; mk++) {
        uint8_t k = 0;
        for (unsigned lane = 0; lane < 8; lane++)
            d->expand[mk][lane] = (mk >> lane & 1) ? k++ : 0;
    }
    return 0;
}

void mx_wl_dec_free(mx_wl_dec *d)
{
    free(d->x);
    d->x = NULL;
}

#ifdef MX_SIMD_X86
/* Lanes [0, a) in groups of 32 while 64 bytes of words remain (so no load
 * passes the end). Returns where it stopped. */
__attribute__((target("avx2,popcnt"))) static size_t
decode_avx2(mx_wl_dec *d, const mx_wl_model *m, const uint32_t *base, uint16_t *out, size_t a,
            int small, int st)
{
    size_t i = 0;
    for (; a - i >= 32 && d->end[st] - d->p[st] >= 64; i += 32) {
        __m256i x[4], b[4], s[4];
        MX_WL_UNROLL
        for (int k = 0; k < 4; k++) {
            x[k] = _mm256_loadu_si256((const __m256i *)(const void *)(d->x + i + 8 * (size_t)k));
            b[k] = _mm256_loadu_si256((const __m256i *)(const void *)(base + i + 8 * (size_t)k));
        }
        mx_wl_get32(d, m, x, b, s, small, st);
        MX_WL_UNROLL
        for (int k = 0; k < 4; k++)
            _mm256_storeu_si256((__m256i *)(void *)(d->x + i + 8 * (size_t)k), x[k]);
        MX_WL_UNROLL
        for (int k = 0; k < 4; k += 2) {
            __m256i s16 = _mm256_permute4x64_epi64(_mm256_packus_epi32(s[k], s[k + 1]), 0xD8);
            _mm256_storeu_si256((__m256i *)(void *)(out + i + 8 * (size_t)k), s16);
        }
    }
    return i;
}
#endif

void mx_wl_dec_step(mx_wl_dec *d, const mx_wl_model *m, const uint32_t *base, uint16_t *out,
                    size_t a, int small, int s)
{
    size_t i = 0;
#ifdef MX_SIMD_X86
    if (d->simd)
        i = small ? decode_avx2(d, m, base, out, a, 1, s) : decode_avx2(d, m, base, out, a, 0, s);
#endif
    for (; i < a; i++)
        out[i] = mx_wl_get(d, m, i, base[i], small, s);
}

int mx_wl_dec_finish(const mx_wl_dec *d, mx_error *err)
{
    int clean = !d->bad && d->p[0] == d->end[0] && d->p[1] == d->end[1];
    for (size_t k = 0; k < d->lanes && clean; k++)
        clean = d->x[k] == MX_WL_LOW;
    return clean ? 0 : mx_fail(err, MX_EINPUT, "corrupt data: rANS lanes do not decode");
}
