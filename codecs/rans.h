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
#include "../src/bytes.h"
#include "../src/mxerr.h"

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
static inline void mx_rans_enc_put(mx_rans_enc *e, const mx_rans_table *t, unsigned s)
{
    uint32_t x = e->x, xmax = t->x_max[s];
    while (x >= xmax) {
        if (e->p == e->buf) {
            e->overflow = 1;
            return;
        }
        *--e->p = (uint8_t)x;
        x >>= 8;
    }
    /* x + start + (x / freq) * (SCALE - freq), with the division as a multiply */
    uint32_t q = (uint32_t)(((uint64_t)x * t->rcp_freq[s]) >> 32) >> t->rcp_shift[s];
    e->x = x + t->bias[s] + q * t->cmpl_freq[s];
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
/* Next symbol under context ctx (the model must have a table for it). */
static inline unsigned mx_rans_dec_get(mx_rans_dec *d, const mx_rans_table *t)
{
    uint32_t slot = d->x & (MX_RANS_SCALE - 1);
    if (!t->lookup) { /* a context the tables never declared: corrupt */
        d->bad = 1;
        return 0;
    }
    unsigned s = t->lookup[slot];
    d->x = (uint32_t)t->freq[s] * (d->x >> MX_RANS_SCALE_BITS) + slot - t->start[s];
    while (d->x < (1u << 23)) {
        if (d->p == d->end) {
            d->bad = 1;
            return s;
        }
        d->x = (d->x << 8) | *d->p++;
    }
    return s;
}
/* After the last symbol: the state and the input must both be exhausted. */
int mx_rans_dec_finish(const mx_rans_dec *d, mx_error *err);
#endif
