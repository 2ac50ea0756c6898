/* rans.h - our table-driven entropy coder: byte-wise 32-bit rANS with
 * static, per-context frequency tables (12-bit precision). Internal to
 * codecs/; used by the `rans` (order-0) and `bfc` (context-modelled) stages.
 *
 * Usage, encode: count every (context, symbol) with mx_rans_count, build
 * the tables, write them, then code the symbols in the same order with
 * mx_rans_encode_all. Decode: read the tables, then mx_rans_dec_get per
 * symbol with the context the decoder derives from what it decoded so far.
 *
 * Tables are validated when read (sums, symbol ranges); the decoder never
 * reads past its input and checks the final state, so corrupt input is an
 * error, not undefined behaviour. */
#ifndef MX_RANS_H
#define MX_RANS_H
#include <stddef.h>
#include <stdint.h>
#include "bytes.h"
#include "mxerr.h"

#define MX_RANS_SCALE_BITS 12
#define MX_RANS_SCALE (1u << MX_RANS_SCALE_BITS)

typedef struct {
    uint16_t alphabet;      /* symbols 0..alphabet-1 (<= 256) */
    uint32_t count[256];    /* encoder statistics */
    uint16_t freq[256];     /* normalised, sum MX_RANS_SCALE (or all 0: unused) */
    uint16_t start[256];
    uint8_t *lookup;        /* decoder: slot -> symbol, MX_RANS_SCALE entries */
    /* encoder: x / freq as a multiply and shift (exact; ryg's rans_byte) */
    uint32_t rcp_freq[256], bias[256], cmpl_freq[256], x_max[256];
    uint8_t rcp_shift[256];
    int uniform; /* flat table: written as a marker, no entries */
} mx_rans_table;

typedef struct {
    size_t n;
    mx_rans_table *t;
} mx_rans_model;

/* One coded symbol, recorded in coding order by the encoder. */
typedef struct {
    uint16_t ctx;
    uint8_t sym;
} mx_rans_sym;

int mx_rans_model_init(mx_rans_model *m, size_t n_ctx, const uint16_t *alphabets,
                       mx_error *err);
void mx_rans_model_free(mx_rans_model *m);

/* Turns counts into frequencies (every seen symbol keeps at least 1). */
void mx_rans_normalize(mx_rans_model *m);

/* Serialised tables: appended to a growing byte buffer. */
int mx_rans_write_tables(const mx_rans_model *m, mx_bytes *out);
/* Reads tables written by mx_rans_write_tables; *off advances. Builds the
 * decoder lookups. */
int mx_rans_read_tables(mx_rans_model *m, const uint8_t *src, size_t n, size_t *off,
                        mx_error *err);

/* Streaming encoder: symbols are fed in REVERSE coding order into a buffer
 * filled from its end; overflow (more than cap bytes) is reported, not
 * undefined: callers then store their input instead. */
typedef struct {
    uint32_t x;
    uint8_t *buf, *p, *end;
    int overflow;
} mx_rans_enc;

void mx_rans_enc_init(mx_rans_enc *e, uint8_t *buf, size_t cap);

/* One symbol on an explicit state x whose bytes go below *p (down to buf;
 * *overflow is set instead of writing under it). mx_rans_enc_put is this
 * on its one state; bfxor runs it on four states sharing one buffer. */
static inline void mx_rans_put(uint32_t *x, uint8_t **p, const uint8_t *buf, int *overflow,
                               const mx_rans_table *t, unsigned s)
{
    uint32_t v = *x, xmax = t->x_max[s];
    while (v >= xmax) {
        if (*p == buf) {
            *overflow = 1;
            return;
        }
        *--*p = (uint8_t)v;
        v >>= 8;
    }
    /* v + start + (v / freq) * (SCALE - freq), with the division as a multiply */
    uint32_t q = (uint32_t)(((uint64_t)v * t->rcp_freq[s]) >> 32) >> t->rcp_shift[s];
    *x = v + t->bias[s] + q * t->cmpl_freq[s];
}

static inline void mx_rans_enc_put(mx_rans_enc *e, const mx_rans_table *t, unsigned s)
{
    mx_rans_put(&e->x, &e->p, e->buf, &e->overflow, t, s);
}
/* Appends the final state and the coded bytes to out; -1 on overflow. */
int mx_rans_enc_finish(mx_rans_enc *e, mx_bytes *out);

/* Encodes syms (in order) and appends the rANS bytes to out. */
int mx_rans_encode_all(const mx_rans_model *m, const mx_rans_sym *syms, size_t n_syms,
                       mx_bytes *out, mx_error *err);

typedef struct {
    uint32_t x;
    const uint8_t *p, *end;
    int bad;
} mx_rans_dec;

int mx_rans_dec_init(mx_rans_dec *d, const uint8_t *src, size_t n, mx_error *err);

/* The symbol at state x (its table must exist), and x advanced past it,
 * before the refill. */
static inline unsigned mx_rans_dec_step(uint32_t *x, const mx_rans_table *t)
{
    uint32_t slot = *x & (MX_RANS_SCALE - 1);
    unsigned s = t->lookup[slot];
    *x = (uint32_t)t->freq[s] * (*x >> MX_RANS_SCALE_BITS) + slot - t->start[s];
    return s;
}

/* One symbol from an explicit state x reading bytes at *p (up to end;
 * *bad is set instead of reading past it, or for a table never declared).
 * mx_rans_dec_get is this on its one state; bfxor runs it on four. */
static inline unsigned mx_rans_get(uint32_t *x, const uint8_t **p, const uint8_t *end, int *bad,
                                   const mx_rans_table *t)
{
    if (!t->lookup) { /* a context the tables never declared: corrupt */
        *bad = 1;
        return 0;
    }
    unsigned s = mx_rans_dec_step(x, t);
    while (*x < (1u << 23)) {
        if (*p == end) {
            *bad = 1;
            return s;
        }
        *x = (*x << 8) | *(*p)++;
    }
    return s;
}

/* Next symbol under context ctx (the model must have a table for it). */
static inline unsigned mx_rans_dec_get(mx_rans_dec *d, const mx_rans_table *t)
{
    return mx_rans_get(&d->x, &d->p, d->end, &d->bad, t);
}
/* After the last symbol: the state and the input must both be exhausted. */
int mx_rans_dec_finish(const mx_rans_dec *d, mx_error *err);
#endif
