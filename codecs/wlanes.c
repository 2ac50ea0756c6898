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
    while (j < 8 && m >= quant_mid[j])
        j++;
    return 8 * fl + j;
}

static uint64_t dequantise(unsigned q)
{
    return ((uint64_t)quant_val[q & 7] << (q >> 3)) >> 16;
}

int mx_wl_model_init(mx_wl_model *m, size_t n_ctx, const uint16_t *alpha, mx_error *err)
{
    memset(m, 0, sizeof *m);
    m->n_ctx = n_ctx;
    m->alpha = alpha;
    m->off = malloc((n_ctx + 1) * sizeof *m->off);
    m->used = calloc(n_ctx + 1, 1);
    if (!m->off || !m->used) {
        mx_wl_model_free(m);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    uint32_t o = 0;
    for (size_t c = 0; c < n_ctx; c++) {
        m->off[c] = o;
        o += alpha[c];
    }
    m->off[n_ctx] = o;
    m->count = calloc((size_t)o + 1, sizeof *m->count);
    if (!m->count) {
        mx_wl_model_free(m);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    return 0;
}

void mx_wl_model_free(mx_wl_model *m)
{
    free(m->off);
    free(m->count);
    free(m->enc);
    free(m->lut);
    free(m->sym);
    free(m->used);
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

int mx_wl_write_tables(mx_wl_model *m, mx_bytes *out, mx_error *err)
{
    size_t total = m->off[m->n_ctx], used_syms = 0;
    free(m->enc);
    m->enc = malloc((total + 1) * sizeof *m->enc);
    uint8_t *q = malloc(total + 1);
    uint16_t *freq = malloc(MX_WL_ALPHA_MAX * sizeof *freq);
    if (!m->enc || !q || !freq) {
        free(q);
        free(freq);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    /* spans */
    for (size_t c = 0; c < m->n_ctx; c++) {
        const uint32_t *cnt = m->count + m->off[c];
        unsigned lo = m->alpha[c], hi = 0;
        for (unsigned s = 0; s < m->alpha[c]; s++)
            if (cnt[s]) {
                lo = lo < s ? lo : s;
                hi = s;
            }
        m->used[c] = lo <= hi;
        if (!m->used[c]) {
            mx_bytes_var(out, 0);
            continue;
        }
        mx_bytes_var(out, hi - lo + 1);
        mx_bytes_var(out, lo);
    }
    /* bitmaps */
    for (size_t c = 0; c < m->n_ctx; c++) {
        if (!m->used[c])
            continue;
        const uint32_t *cnt = m->count + m->off[c];
        unsigned lo = 0, hi = 0;
        while (!cnt[lo])
            lo++;
        for (unsigned s = lo; s < m->alpha[c]; s++)
            if (cnt[s])
                hi = s;
        for (unsigned b = lo; b <= hi; b += 8) {
            uint8_t byte = 0;
            for (unsigned k = 0; k < 8 && b + k <= hi; k++)
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
        for (unsigned s = 0; s < m->alpha[c]; s++)
            if (cnt[s])
                q[used_syms + u++] = (uint8_t)quantise(cnt[s]);
        mx_bytes_put(out, q + at, u);
        normalise(q + at, u, freq);
        uint32_t start = 0;
        size_t i = 0;
        for (unsigned s = 0; s < m->alpha[c]; s++)
            if (cnt[s]) {
                m->enc[m->off[c] + s] = enc_entry(freq[i], start);
                start += freq[i++];
            }
        used_syms += u;
    }
    free(q);
    free(freq);
    return out->oom ? mx_fail(err, MX_EFAIL, "out of memory") : 0;
}

int mx_wl_read_tables(mx_wl_model *m, const uint8_t *src, size_t n, size_t *off, mx_error *err)
{
    size_t nc = m->n_ctx, bitmap_bytes = 0, used_syms = 0;
    uint32_t *span = calloc(nc + 1, sizeof *span), *first = calloc(nc + 1, sizeof *first);
    uint16_t *freq = malloc(MX_WL_ALPHA_MAX * sizeof *freq);
    uint16_t *syms = malloc(MX_WL_ALPHA_MAX * sizeof *syms);
    int rc = -1;
    free(m->lut);
    free(m->sym);
    m->lut = calloc(nc * MX_WL_SCALE + 8, sizeof *m->lut); /* + 8: vector reads past the end */
    m->sym = calloc(nc * MX_WL_SCALE + 8, sizeof *m->sym);
    if (!span || !first || !freq || !syms || !m->lut || !m->sym) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    for (size_t c = 0; c < nc; c++) {
        uint64_t s, lo = 0;
        if (mx_read_var(src, n, off, &s) || (s && mx_read_var(src, n, off, &lo)) ||
            s > m->alpha[c] || lo > m->alpha[c] - s) {
            mx_fail(err, MX_EINPUT, "corrupt data: truncated or bad bfdelta tables");
            goto out;
        }
        span[c] = (uint32_t)s;
        first[c] = (uint32_t)lo;
        m->used[c] = s != 0;
        bitmap_bytes += (s + 7) / 8;
    }
    if (bitmap_bytes > n - *off) {
        mx_fail(err, MX_EINPUT, "corrupt data: truncated bfdelta tables");
        goto out;
    }
    const uint8_t *bits = src + *off, *q = bits + bitmap_bytes;
    for (size_t c = 0; c < nc; c++)
        for (uint32_t i = 0; i < span[c]; i++)
            used_syms += bits[i / 8] >> (i % 8) & 1;
    if (used_syms > n - *off - bitmap_bytes) {
        mx_fail(err, MX_EINPUT, "corrupt data: truncated bfdelta tables");
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
            mx_fail(err, MX_EINPUT, "corrupt data: empty bfdelta table");
            goto out;
        }
        normalise(q, u, freq);
        q += u;
        uint32_t *lut = m->lut + c * MX_WL_SCALE;
        uint16_t *sy = m->sym + c * MX_WL_SCALE;
        uint32_t slot = 0;
        for (size_t i = 0; i < u; i++)
            for (uint32_t k = 0; k < freq[i]; k++, slot++) {
                lut[slot] = freq[i] | k << 13;
                sy[slot] = syms[i];
            }
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

int mx_wl_enc_init(mx_wl_enc *e, size_t lanes, uint8_t *buf, size_t cap, mx_error *err)
{
    e->lanes = lanes;
    e->x = malloc(lanes * sizeof *e->x + 1);
    if (!e->x)
        return mx_fail(err, MX_EFAIL, "out of memory");
    for (size_t i = 0; i < lanes; i++)
        e->x[i] = MX_WL_LOW;
    e->buf = buf;
    e->w = (uint16_t *)(void *)(buf + (cap & ~(size_t)1));
    return 0;
}

void mx_wl_enc_free(mx_wl_enc *e)
{
    free(e->x);
    e->x = NULL;
}

void mx_wl_enc_step(mx_wl_enc *e, const mx_wl_model *m, const uint32_t *idx, size_t a)
{
    /* lanes from last to first: the buffer fills downwards, so the words of
     * a step end up in lane order */
    for (size_t i = a; i-- > 0;) {
        uint64_t t = m->enc[idx[i]];
        uint32_t x = e->x[i], freq = (uint32_t)t & 0x1fff, start = (uint32_t)(t >> 13) & 0xfff;
        uint32_t emit = x >= freq << 19; /* x < 2^31, bound >= 2^19: one word is enough */
        e->w[-1] = (uint16_t)x;           /* written either way, kept when emitted */
        e->w -= emit;
        x >>= 16 * emit;
        uint32_t q = (uint32_t)(((uint64_t)x * (uint32_t)(t >> 32)) >> 32) >> ((t >> 25) & 31);
        e->x[i] = x + start + (freq == 1 ? MX_WL_SCALE - 1 : 0) + q * (MX_WL_SCALE - freq);
    }
}

uint8_t *mx_wl_enc_finish(mx_wl_enc *e)
{
    uint8_t *p = (uint8_t *)e->w - 4 * e->lanes;
    for (size_t k = 0; k < e->lanes; k++)
        for (unsigned b = 0; b < 4; b++)
            p[4 * k + b] = (uint8_t)(e->x[k] >> (8 * b));
    return p;
}

int mx_wl_dec_init(mx_wl_dec *d, size_t lanes, const uint8_t *src, size_t n, mx_error *err)
{
    memset(d, 0, sizeof *d);
    if (n < 4 * lanes || (n - 4 * lanes) % 2)
        return mx_fail(err, MX_EINPUT, "corrupt data: truncated bfdelta lanes");
    d->lanes = lanes;
    d->x = malloc(lanes * sizeof *d->x + 32);
    if (!d->x)
        return mx_fail(err, MX_EFAIL, "out of memory");
    for (size_t k = 0; k < lanes; k++) {
        const uint8_t *q = src + 4 * k;
        d->x[k] = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
        if (d->x[k] < MX_WL_LOW || d->x[k] >= 1u << 31) {
            mx_wl_dec_free(d);
            return mx_fail(err, MX_EINPUT, "corrupt data: bad rANS state");
        }
    }
    d->p = src + 4 * lanes;
    d->end = src + n;
    d->simd = mx_simd_avx2();
    return 0;
}

void mx_wl_dec_free(mx_wl_dec *d)
{
    free(d->x);
    d->x = NULL;
}

void mx_wl_dec_step(mx_wl_dec *d, const mx_wl_model *m, const uint32_t *base, uint16_t *out,
                    size_t a)
{
    for (size_t i = 0; i < a; i++) {
        uint32_t x = d->x[i], slot = base[i] + (x & (MX_WL_SCALE - 1));
        uint32_t e = m->lut[slot];
        out[i] = m->sym[slot];
        x = (e & 0x1fff) * (x >> MX_WL_SCALE_BITS) + (e >> 13);
        if (x < MX_WL_LOW) {
            if (d->p == d->end) {
                d->bad = 1;
            } else {
                x = x << 16 | (uint32_t)d->p[0] | (uint32_t)d->p[1] << 8;
                d->p += 2;
            }
        }
        d->x[i] = x;
    }
}

int mx_wl_dec_finish(const mx_wl_dec *d, mx_error *err)
{
    int clean = !d->bad && d->p == d->end;
    for (size_t k = 0; k < d->lanes && clean; k++)
        clean = d->x[k] == MX_WL_LOW;
    return clean ? 0 : mx_fail(err, MX_EINPUT, "corrupt data: bfdelta lanes do not decode");
}
