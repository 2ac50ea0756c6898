/* lanes.h - rANS on 32 interleaved lanes with 16-bit renormalisation: the
 * layout that lets a decoder run the lanes side by side in SIMD registers
 * (four AVX2 vectors: enough independent chains to hide lookup latency).
 * Internal to codecs/; bfxor codes its values with it.
 *
 * Symbols are numbered j = 0, 1, 2, ... in decoding order; symbol j goes
 * to lane j % 32. Each lane is a 32-bit rANS state in [2^15, 2^31) with the
 * 12-bit frequency tables of rans.h (their encoder fields serve as they
 * are). After decoding a symbol, a lane below 2^15 reads one 16-bit
 * little-endian word; the lanes of a group of 32 read in lane order, so a
 * vector decoder reads the very words a scalar one does.
 *
 * Stream: the 32 final encoder states (4 bytes each, little-endian, lane 0
 * first), then the words. A decoder ends with every lane back at 2^15 and
 * the words used up; anything else is corrupt.
 *
 * Decoding looks symbols up in packed tables (MX_LANES_TABLE entries per
 * context, laid end to end): symbol, freq - 1 and slot - start in one
 * 32-bit word, so one load serves each lane. */
#ifndef MX_LANES_H
#define MX_LANES_H
#include <stddef.h>
#include <stdint.h>
#include "rans.h"

#define MX_LANES 32
#define MX_LANES_L (1u << 15)
#define MX_LANES_TABLE MX_RANS_SCALE

/* --- encoder: fed in REVERSE decoding order, into a buffer filled from
 * its end, which must hold mx_lanes_bound(symbols) bytes: then nothing can
 * overflow, and the renormalisation needs no branch (whether a lane emits
 * a word is data, and a mispredicted branch per symbol would cost more
 * than the coding). Encoder tables: per context 256 entries of
 * freq | start << 13 | reciprocal shift << 25 | reciprocal << 32 (the
 * reciprocal of rans.h), laid end to end. --- */
typedef struct {
    uint32_t x[MX_LANES];
    uint8_t *buf;
    uint16_t *w; /* the next word goes below it (words, not bytes: a byte
                    store may alias anything and would make the compiler
                    reload the states and tables after each one) */
    int simd;    /* use the vector encoder (mx_simd_avx2() at init) */
    uint8_t pack[256][16]; /* emit mask -> shuffle that packs the words */
} mx_lanes_enc;

#define MX_LANES_ENC_TABLE 256

/* Bytes a stream of n symbols may take: one word per symbol, the states. */
static inline size_t mx_lanes_bound(size_t n)
{
    return 2 * n + 4 * MX_LANES;
}

/* The encoder table of t (normalised, encoder fields computed). */
void mx_lanes_enc_pack(const mx_rans_table *t, uint64_t *table);

/* buf must be 2-byte aligned, cap even and at least the bound. */
void mx_lanes_enc_init(mx_lanes_enc *e, uint8_t *buf, size_t cap);

/* Encodes count symbols, the first being symbol number j: the mirror of
 * mx_lanes_decode, tables chosen the same way (base, plus one table when
 * sel[i] is 0). Runs go in reverse order too: the last run first. */
void mx_lanes_encode(mx_lanes_enc *e, size_t j, const uint64_t *tables, size_t base,
                     const uint8_t *sel, const uint8_t *sym, size_t count);

/* Puts the states in front of the words and returns where the stream
 * starts; it ends at buf + cap. */
uint8_t *mx_lanes_enc_finish(mx_lanes_enc *e);

/* --- decoder --- */
typedef struct {
    uint32_t x[MX_LANES];
    const uint8_t *p, *end;
    int bad;    /* ran out of words */
    int simd;   /* use the vector decoder (mx_simd_avx2() at init) */
    uint8_t expand[256][8]; /* refill mask -> which word each lane takes */
} mx_lanes_dec;

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
