#include "rans.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RANS_L (1u << 23)

int mx_rans_model_init(mx_rans_model *m, size_t n_ctx, const uint16_t *alphabets,
                       mx_error *err)
{
    m->n = n_ctx;
    m->t = calloc(n_ctx ? n_ctx : 1, sizeof *m->t);
    if (!m->t)
        return mx_fail(err, MX_EFAIL, "out of memory");
    for (size_t i = 0; i < n_ctx; i++)
        m->t[i].alphabet = alphabets[i];
    return 0;
}

void mx_rans_model_free(mx_rans_model *m)
{
    for (size_t i = 0; m->t && i < m->n; i++)
        free(m->t[i].lookup);
    free(m->t);
    memset(m, 0, sizeof *m);
}

static void normalize_one(mx_rans_table *t)
{
    uint64_t total = 0;
    for (unsigned s = 0; s < t->alphabet; s++)
        total += t->count[s];
    memset(t->freq, 0, sizeof t->freq);
    if (!total)
        return;
    uint32_t sum = 0, best = 0;
    unsigned best_s = 0;
    for (unsigned s = 0; s < t->alphabet; s++) {
        if (!t->count[s])
            continue;
        uint32_t f = (uint32_t)((t->count[s] * (uint64_t)MX_RANS_SCALE) / total);
        if (f == 0)
            f = 1;
        t->freq[s] = (uint16_t)f;
        sum += f;
        if (t->count[s] > best) {
            best = t->count[s];
            best_s = s;
        }
    }
    /* fix the total on the most frequent symbol; if that is not enough
     * (many forced 1s), take from the others that can spare it */
    while (sum != MX_RANS_SCALE) {
        if (sum < MX_RANS_SCALE) {
            t->freq[best_s] = (uint16_t)(t->freq[best_s] + (MX_RANS_SCALE - sum));
            sum = MX_RANS_SCALE;
        } else {
            uint32_t over = sum - MX_RANS_SCALE;
            unsigned big = best_s;
            for (unsigned s = 0; s < t->alphabet; s++)
                if (t->freq[s] > t->freq[big])
                    big = s;
            uint32_t spare = t->freq[big] - 1u, take = spare < over ? spare : over;
            t->freq[big] = (uint16_t)(t->freq[big] - take);
            sum -= take;
        }
    }
    uint32_t st = 0;
    for (unsigned s = 0; s < t->alphabet; s++) {
        t->start[s] = (uint16_t)st;
        st += t->freq[s];
    }
}

static void precompute_enc(mx_rans_table *t)
{
    for (unsigned s = 0; s < t->alphabet; s++) {
        uint32_t f = t->freq[s];
        if (!f)
            continue;
        t->x_max[s] = ((RANS_L >> MX_RANS_SCALE_BITS) << 8) * f;
        t->cmpl_freq[s] = MX_RANS_SCALE - f;
        if (f < 2) {
            /* freq 1: q must be x itself; ~0 * x >> 32 is x - 1 for x > 0, so
             * the bias adds the missing 1 (with SCALE - 1 folded in) */
            t->rcp_freq[s] = ~0u;
            t->rcp_shift[s] = 0;
            t->bias[s] = t->start[s] + MX_RANS_SCALE - 1;
        } else {
            uint32_t shift = 0;
            while (f > (1u << shift))
                shift++;
            t->rcp_freq[s] = (uint32_t)(((1ull << (shift + 31)) + f - 1) / f);
            t->rcp_shift[s] = (uint8_t)(shift - 1);
            t->bias[s] = t->start[s];
        }
    }
}

/* Bytes the table of t costs when written (see mx_rans_write_tables). */
static size_t var_len(uint64_t v)
{
    size_t n = 1;
    while (v >>= 7)
        n++;
    return n;
}

static size_t table_bytes(const mx_rans_table *t)
{
    size_t b = 0;
    unsigned prev = 0;
    int first = 1;
    for (unsigned s = 0; s < t->alphabet; s++) {
        if (!t->freq[s])
            continue;
        b += var_len(first ? s : s - prev - 1) + var_len(t->freq[s] - 1u);
        prev = s;
        first = 0;
    }
    return b;
}

/* A flat table (every symbol 1/alphabet) costs no bytes to describe; near
 * uniform data (mantissas) codes cheaper that way than with 128 entries. */
static void maybe_uniform(mx_rans_table *t)
{
    unsigned a = t->alphabet;
    if (a < 2 || MX_RANS_SCALE % a)
        return;
    double with = 8.0 * (double)table_bytes(t), flat = 0, total = 0;
    for (unsigned s = 0; s < a; s++) {
        if (!t->count[s])
            continue;
        with += (double)t->count[s] * -log2((double)t->freq[s] / MX_RANS_SCALE);
        total += t->count[s];
    }
    flat = total * log2((double)a);
    if (!(flat < with))
        return;
    uint32_t f = MX_RANS_SCALE / a;
    for (unsigned s = 0; s < a; s++) {
        t->freq[s] = (uint16_t)f;
        t->start[s] = (uint16_t)(s * f);
    }
    t->uniform = 1;
}

void mx_rans_normalize(mx_rans_model *m)
{
    for (size_t i = 0; i < m->n; i++) {
        normalize_one(&m->t[i]);
        maybe_uniform(&m->t[i]);
        precompute_enc(&m->t[i]);
    }
}

int mx_rans_write_tables(const mx_rans_model *m, mx_bytes *out)
{
    /* only the contexts in use: count, then per context its index delta,
     * its number of symbols and (symbol delta, freq-1) pairs */
    size_t used_ctx = 0;
    for (size_t i = 0; i < m->n; i++)
        for (unsigned s = 0; s < m->t[i].alphabet; s++)
            if (m->t[i].freq[s]) {
                used_ctx++;
                break;
            }
    mx_bytes_var(out, used_ctx);
    size_t prev_ctx = 0;
    int first_ctx = 1;
    for (size_t i = 0; i < m->n; i++) {
        const mx_rans_table *t = &m->t[i];
        unsigned used = 0;
        for (unsigned s = 0; s < t->alphabet; s++)
            used += t->freq[s] != 0;
        if (!used)
            continue;
        mx_bytes_var(out, first_ctx ? i : i - prev_ctx - 1);
        prev_ctx = i;
        first_ctx = 0;
        if (t->uniform) { /* "alphabet" (one more than possible) marks a flat table */
            mx_bytes_var(out, t->alphabet);
            continue;
        }
        mx_bytes_var(out, used - 1u);
        unsigned prev = 0;
        int first = 1;
        for (unsigned s = 0; s < t->alphabet; s++) {
            if (!t->freq[s])
                continue;
            mx_bytes_var(out, first ? s : s - prev - 1);
            mx_bytes_var(out, t->freq[s] - 1u);
            prev = s;
            first = 0;
        }
    }
    return out->oom ? -1 : 0;
}

int mx_rans_read_tables(mx_rans_model *m, const uint8_t *src, size_t n, size_t *off,
                        mx_error *err)
{
    uint64_t used_ctx, ctx = 0;
    if (mx_read_var(src, n, off, &used_ctx) || used_ctx > m->n)
        return mx_fail(err, MX_EINPUT, "corrupt data: bad rANS table count");
    for (uint64_t c = 0; c < used_ctx; c++) {
        uint64_t d, used;
        if (mx_read_var(src, n, off, &d))
            return mx_fail(err, MX_EINPUT, "corrupt data: truncated rANS tables");
        ctx = c == 0 ? d : ctx + d + 1;
        if (ctx >= m->n || d >= m->n)
            return mx_fail(err, MX_EINPUT, "corrupt data: bad rANS context");
        mx_rans_table *t = &m->t[ctx];
        if (mx_read_var(src, n, off, &used) || used > t->alphabet)
            return mx_fail(err, MX_EINPUT, "corrupt data: bad rANS table");
        if (used == t->alphabet) { /* flat table */
            if (t->alphabet < 2 || MX_RANS_SCALE % t->alphabet || t->lookup)
                return mx_fail(err, MX_EINPUT, "corrupt data: bad flat rANS table");
            t->lookup = malloc(MX_RANS_SCALE);
            if (!t->lookup)
                return mx_fail(err, MX_EFAIL, "out of memory");
            t->uniform = 1;
            uint32_t f = MX_RANS_SCALE / t->alphabet;
            for (unsigned s = 0; s < t->alphabet; s++) {
                t->freq[s] = (uint16_t)f;
                t->start[s] = (uint16_t)(s * f);
                memset(t->lookup + s * f, (int)s, f);
            }
            continue;
        }
        used++;
        uint64_t sym = 0, sum = 0;
        for (uint64_t k = 0; k < used; k++) {
            uint64_t sd, f;
            if (mx_read_var(src, n, off, &sd) || mx_read_var(src, n, off, &f))
                return mx_fail(err, MX_EINPUT, "corrupt data: truncated rANS table");
            sym = k == 0 ? sd : sym + sd + 1;
            if (sd >= t->alphabet || sym >= t->alphabet || f >= MX_RANS_SCALE)
                return mx_fail(err, MX_EINPUT, "corrupt data: bad rANS table entry");
            t->freq[sym] = (uint16_t)(f + 1);
            sum += f + 1;
        }
        if (sum != MX_RANS_SCALE)
            return mx_fail(err, MX_EINPUT, "corrupt data: rANS table does not sum up");
        t->lookup = malloc(MX_RANS_SCALE);
        if (!t->lookup)
            return mx_fail(err, MX_EFAIL, "out of memory");
        uint32_t st = 0;
        for (unsigned s = 0; s < t->alphabet; s++) {
            t->start[s] = (uint16_t)st;
            memset(t->lookup + st, (int)s, t->freq[s]);
            st += t->freq[s];
        }
    }
    return 0;
}

int mx_rans_encode_all(const mx_rans_model *m, const mx_rans_sym *syms, size_t n_syms,
                       mx_bytes *out, mx_error *err)
{
    /* rANS codes backwards; each symbol costs at most 12 bits */
    size_t cap = n_syms * 2 + 16;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return mx_fail(err, MX_EFAIL, "out of memory");
    mx_rans_enc e;
    mx_rans_enc_init(&e, buf, cap);
    for (size_t i = n_syms; i-- > 0;)
        mx_rans_enc_put(&e, &m->t[syms[i].ctx], syms[i].sym);
    int rc = mx_rans_enc_finish(&e, out);
    free(buf);
    return rc ? mx_fail(err, MX_EFAIL, "rANS: out of memory or buffer overflow") : 0;
}

int mx_rans_dec_init(mx_rans_dec *d, const uint8_t *src, size_t n, mx_error *err)
{
    if (n < 4)
        return mx_fail(err, MX_EINPUT, "corrupt data: truncated rANS stream");
    d->x = (uint32_t)src[0] << 24 | (uint32_t)src[1] << 16 | (uint32_t)src[2] << 8 | src[3];
    d->p = src + 4;
    d->end = src + n;
    d->bad = 0;
    if (d->x < RANS_L)
        return mx_fail(err, MX_EINPUT, "corrupt data: bad rANS state");
    return 0;
}

int mx_rans_dec_finish(const mx_rans_dec *d, mx_error *err)
{
    if (d->bad || d->x != RANS_L || d->p != d->end)
        return mx_fail(err, MX_EINPUT, "corrupt data: rANS stream does not decode");
    return 0;
}

void mx_rans_enc_init(mx_rans_enc *e, uint8_t *buf, size_t cap)
{
    e->x = RANS_L;
    e->buf = buf;
    e->p = e->end = buf + cap;
    e->overflow = 0;
}

int mx_rans_enc_finish(mx_rans_enc *e, mx_bytes *out)
{
    if (e->overflow)
        return -1;
    uint8_t head[4] = {(uint8_t)(e->x >> 24), (uint8_t)(e->x >> 16), (uint8_t)(e->x >> 8),
                       (uint8_t)e->x};
    mx_bytes_put(out, head, 4);
    /* the coded bytes run from p to the end of the scratch buffer */
    mx_bytes_put(out, e->p, (size_t)(e->end - e->p));
    return out->oom ? -1 : 0;
}
