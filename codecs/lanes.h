/* lanes.h - rANS on 16 interleaved lanes with 16-bit renormalisation: the
 * layout that lets a decoder run the lanes side by side in SIMD registers.
 * Internal to codecs/; bfxor codes its values with it.
 *
 * Symbols are numbered j = 0, 1, 2, ... in decoding order; symbol j goes
 * to lane j % 16. Each lane is a 32-bit rANS state in [2^15, 2^31) with the
 * 12-bit frequency tables of rans.h (their encoder fields serve as they
 * are). After decoding a symbol, a lane below 2^15 reads one 16-bit
 * little-endian word; the lanes of a group of 16 read in lane order, so a
 * vector decoder reads the very words a scalar one does.
 *
 * Stream: the 16 final encoder states (4 bytes each, little-endian, lane 0
 * first), then the words. A decoder ends with every lane back at 2^15 and
 * the words used up; anything else is corrupt.
 *
 * Decoding looks symbols up in packed tables (MX_LANES_TABLE entries per
 * context, laid end to end): symbol, freq - 1 and slot - start in one
 * 32-bit word, so one gather serves a whole vector of lanes. */
#ifndef MX_LANES_H
#define MX_LANES_H
#include <stddef.h>
#include <stdint.h>
#include "rans.h"

#define MX_LANES 16
#define MX_LANES_L (1u << 15)
#define MX_LANES_TABLE MX_RANS_SCALE

/* --- encoder: fed in REVERSE decoding order, into a buffer filled from
 * its end, which must hold mx_lanes_bound(symbols) bytes: then nothing can
 * overflow, and the renormalisation needs no branch (whether a lane emits
 * a word is data, and a mispredicted branch per symbol would cost more
 * than the coding) --- */
typedef struct {
    uint32_t x[MX_LANES];
    uint8_t *buf, *p;
} mx_lanes_enc;

/* Bytes a stream of n symbols may take: one word per symbol, the states. */
static inline size_t mx_lanes_bound(size_t n)
{
    return 2 * n + 4 * MX_LANES;
}

void mx_lanes_enc_init(mx_lanes_enc *e, uint8_t *buf, size_t cap);

/* Symbol s of table t on lane `lane` (that is, symbol number j with
 * j % 16 == lane). */
static inline void mx_lanes_put(mx_lanes_enc *e, unsigned lane, const mx_rans_table *t,
                                unsigned s)
{
    uint32_t x = e->x[lane];
    /* x < 2^31 and x_max >= 2^19: one word is always enough. The word is
     * written either way and kept only when emitted. */
    uint32_t emit = x >= t->x_max[s];
    e->p[-2] = (uint8_t)x;
    e->p[-1] = (uint8_t)(x >> 8);
    e->p -= 2 * emit;
    x >>= 16 * emit;
    uint32_t q = (uint32_t)(((uint64_t)x * t->rcp_freq[s]) >> 32) >> t->rcp_shift[s];
    e->x[lane] = x + t->bias[s] + q * t->cmpl_freq[s];
}

/* Puts the states in front of the words and returns where the stream
 * starts; it ends at buf + cap. */
uint8_t *mx_lanes_enc_finish(mx_lanes_enc *e);

/* --- decoder --- */
typedef struct {
    uint32_t x[MX_LANES];
    const uint8_t *p, *end;
    int bad;    /* ran out of words */
    int simd;   /* use the vector decoder (mx_lanes_simd() at init) */
    uint8_t expand[256][8]; /* refill mask -> which word each lane takes */
} mx_lanes_dec;

/* 1 when this CPU runs the vector decoder (x86-64 with AVX2), unless the
 * environment sets MXBENCH_SIMD=0. Output never depends on it. */
int mx_lanes_simd(void);

/* Reads the states; a state out of range is corrupt. */
int mx_lanes_dec_init(mx_lanes_dec *d, const uint8_t *src, size_t n, mx_error *err);

/* Fills the packed table of t (which must have a decoder lookup). */
void mx_lanes_pack(const mx_rans_table *t, uint32_t *packed);

/* Decodes count symbols, the first being symbol number j, into out. Symbol
 * i uses the packed table at tables + base, or the one after it when sel
 * is given and sel[i] is 0. Every table so reached must have been packed. */
void mx_lanes_decode(mx_lanes_dec *d, size_t j, const uint32_t *tables, size_t base,
                     const uint8_t *sel, uint8_t *out, size_t count);

/* After the last symbol: every lane back at its start, words used up. */
int mx_lanes_dec_finish(const mx_lanes_dec *d, mx_error *err);
#endif
