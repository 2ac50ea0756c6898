/* wlanes.h - rANS on many lanes with static tables of up to 4096 symbols:
 * the coding layer of bfdelta, laid out so that a numpy decoder (the
 * exported solution's twin) advances every lane with a few vector
 * operations per step, and a C decoder runs eight lanes per AVX2 vector.
 * Internal to codecs/.
 *
 * Steps. Symbols are decoded in steps; a step gives one symbol to each of
 * its first a lanes (a prefix of the L lanes), in lane order. Each lane is
 * a 32-bit rANS state in [2^15, 2^31) with 12-bit frequencies; after its
 * symbol, a lane below 2^15 reads one 16-bit little-endian word from the
 * step's word stream (0 or 1), the lanes of a step reading in lane order.
 * Two streams let a decoder take a lane's two symbols of a value in turn
 * (stream 0, then 1) without waiting for the other lanes. Bytes: a varint
 * count of stream 0's words, the L final encoder states (4 bytes
 * little-endian each, lane 0 first), stream 0's words, stream 1's words.
 * A decoder ends with every lane at 2^15 and both streams used up;
 * anything else is corrupt.
 *
 * Tables. A model is n contexts, each with its alphabet (at most 4096
 * symbols). The encoder counts; the tables keep, per context, the used
 * symbols and their counts quantised to eighths of a power of two (one
 * byte each), and both sides normalise those the same integer way: with u
 * used symbols of quantised counts c_i summing to T, freq_i = 1 +
 * c_i * (4096 - u) / T (rounded down), and the first symbol of the largest
 * count takes what is left of 4096. Serialised: per context a varint span
 * (0 for an unused context) and, when used, a varint first symbol; then the
 * used contexts' bitmaps of span bits (least significant bit first, each in
 * whole bytes); then the quantised counts, a byte per used symbol, context
 * by context in symbol order. */
#ifndef MX_WLANES_H
#define MX_WLANES_H
#include <stddef.h>
#include <stdint.h>
#include "bytes.h"
#include "mxerr.h"
#include "simd.h"

#define MX_WL_SCALE_BITS 12
#define MX_WL_SCALE (1u << MX_WL_SCALE_BITS)
#define MX_WL_LOW (1u << 15)
#define MX_WL_ALPHA_MAX 4096
#define MX_WL_SMALL 128 /* alphabets up to this keep the symbol in the slot */
#define MX_WL_WINDOW 127 /* larger ones keep the symbol's place in their window */
#define MX_WL_OUTSIDE 127 /* ... or this, for a symbol outside it */
_Static_assert(MX_WL_WINDOW <= MX_WL_OUTSIDE && MX_WL_OUTSIDE < 128,
               "a place in the window and the escape share a slot's bits 25..31");

typedef struct {
    size_t n_ctx;
    uint16_t *alpha;        /* alphabet of each context */
    int encoder;            /* made for encoding (counts) or decoding (slots) */
    uint32_t *off;          /* context c's symbols start at off[c] in the flat arrays */
    uint32_t *count;        /* encoder: counts, flat */
    uint64_t *enc;          /* encoder: per symbol freq | start << 13 | rcp shift << 25 | rcp << 32 */
    /* decoder: each context has 4096 slots of freq | (slot - start) << 13,
     * and for an alphabet of up to 128 symbols the symbol << 25 as well, else
     * the symbol in `sym` at the same slot (and its place in the window,
     * below, << 25); context c's start at c * 4096 (base[c]). An unused
     * context's are zero: frequency 0. */
    uint32_t *base;
    uint32_t *lut;
    uint16_t *sym;
    /* decoder: per context of over 128 symbols, the first of the 127
     * symbols that carry most of its frequency (its window). Their slots
     * hold (symbol - win) << 25 as well, and any other symbol's slots
     * MX_WL_OUTSIDE there, so an AVX-512 decoder gathers `sym` only for
     * the few lanes outside (mx_wl_get_512). 0 for an unused context. */
    uint16_t *win;
    uint8_t *used;          /* per context: it has a table (the encoder marks the
                               contexts it counts in, and counts in no other) */
    uint8_t *filled;        /* decoder: the context's slots may be non-zero */
} mx_wl_model;

/* A model of n_ctx contexts with those alphabets (copied), for the encoder
 * (counts, zero) or the decoder (slots, made by mx_wl_read_tables). A
 * model is made to be kept (a coder keeps its models in its work, work.h):
 * called again on a model already made for the same alphabets and
 * direction, it keeps every array, and the model behaves exactly as a new
 * one: mx_wl_write_tables leaves the counts zero again, and a failed call
 * leaves only counts of contexts marked used, which this clears. So a
 * coder used again and again pays for its tables once. m must be zeroed
 * or a model; any other model is freed and made anew. */
int mx_wl_model_init(mx_wl_model *m, size_t n_ctx, const uint16_t *alpha, int encoder,
                     mx_error *err);
void mx_wl_model_free(mx_wl_model *m);

/* The flat index of (context, symbol): what the coders below take. */
static inline uint32_t mx_wl_index(const mx_wl_model *m, size_t ctx, unsigned sym)
{
    return m->off[ctx] + sym;
}

/* Encoder: quantises and normalises the counts, appends the tables to
 * out and fills the encoder entries. Only contexts marked in m->used are
 * looked at (the others are taken as empty), so a coder with many large
 * contexts pays for the ones it used. The counts are zero again after it,
 * and no context is marked. */
int mx_wl_write_tables(mx_wl_model *m, mx_bytes *out, mx_error *err);

/* Decoder: reads tables written by mx_wl_write_tables at *off (advanced)
 * and builds the lookups. Slots of unused contexts decode as frequency 0,
 * which derails the lanes: a stream that reaches one fails at the end.
 * A kept model rewrites only the contexts used now or before: the slots
 * are the same as a new model's would be. */
int mx_wl_read_tables(mx_wl_model *m, const uint8_t *src, size_t n, size_t *off, mx_error *err);

/* --- encoder: steps are fed in REVERSE decoding order; each stream's
 * words fill a buffer from its end, grown (moving the words to the new
 * end) when a step might not fit: a stream takes at most a word per
 * symbol, but seldom more than a quarter of that, so the buffers start
 * small and a kept encoder keeps them. --- */
typedef struct {
    size_t lanes;
    uint32_t *x;
    uint16_t *buf[2];
    size_t cap[2];  /* words */
    uint16_t *w[2]; /* the next word of each stream goes below it */
    uint16_t *end[2];
    int oom;        /* a buffer could not grow: finish fails */
    int simd;       /* the vector encoder to use: 0 none, 1 AVX2, 2 AVX-512 */
    uint8_t pack[256][16]; /* emit mask -> shuffle that packs the words */
} mx_wl_enc;

/* For at most max0 and max1 symbols in streams 0 and 1. e must be zeroed
 * or an encoder made before (its buffers are kept). */
int mx_wl_enc_init(mx_wl_enc *e, size_t lanes, size_t max0, size_t max1, mx_error *err);
void mx_wl_enc_free(mx_wl_enc *e);
/* One step of a lanes on stream s: lane i codes the symbol of flat index
 * idx[i]. */
void mx_wl_enc_step(mx_wl_enc *e, const mx_wl_model *m, const uint32_t *idx, size_t a, int s);
/* Appends the lanes' bytes (count, states, words) to out. */
int mx_wl_enc_finish(mx_wl_enc *e, mx_bytes *out, mx_error *err);

/* --- decoder --- */
typedef struct {
    size_t lanes;
    uint32_t *x;
    const uint8_t *p[2], *end[2]; /* the words of each stream */
    int bad;                      /* ran out of words */
    int simd;               /* the vector decoder to use: 0 none, 1 AVX2, 2 AVX-512 */
    uint8_t expand[256][8]; /* refill mask -> which word each lane takes */
} mx_wl_dec;

/* Reads the count and the states at src (n bytes to the end of the frame). */
int mx_wl_dec_init(mx_wl_dec *d, size_t lanes, const uint8_t *src, size_t n, mx_error *err);
void mx_wl_dec_free(mx_wl_dec *d);
/* One step of a lanes on stream s: lane i decodes under the context whose
 * slots start at base[i] (m->base of the context) into out[i]. With
 * `small`, every context of the step has at most 128 symbols. */
void mx_wl_dec_step(mx_wl_dec *d, const mx_wl_model *m, const uint32_t *base, uint16_t *out,
                    size_t a, int small, int s);
/* One symbol on lane i of stream s (the reference every vector decoder
 * matches): the step above, one lane at a time. */
static inline uint16_t mx_wl_get(mx_wl_dec *d, const mx_wl_model *m, size_t i, uint32_t base,
                                 int small, int s)
{
    uint32_t x = d->x[i], slot = base + (x & (MX_WL_SCALE - 1)), e = m->lut[slot];
    x = (e & 0x1fff) * (x >> MX_WL_SCALE_BITS) + (e >> 13 & 0xfff);
    if (x < MX_WL_LOW) {
        if (d->end[s] - d->p[s] < 2) {
            d->bad = 1;
        } else {
            x = x << 16 | (uint32_t)d->p[s][0] | (uint32_t)d->p[s][1] << 8;
            d->p[s] += 2;
        }
    }
    d->x[i] = x;
    return small ? (uint16_t)(e >> 25) : m->sym[slot];
}

#ifdef MX_SIMD_X86
/* The loops over the four vectors must unroll, or the states live on the stack. */
#if defined(__clang__)
#define MX_WL_UNROLL _Pragma("clang loop unroll(full)")
#else
#define MX_WL_UNROLL _Pragma("GCC unroll 8")
#endif

/* mx_wl_get on 32 lanes, four vectors of eight (states x, context bases b):
 * their symbols in sym, the lanes refilling from stream s in lane order,
 * vector k after the words of vectors 0..k-1. The vector step of every
 * decoder; the caller makes sure 64 bytes of words remain (no load passes
 * the end). */
__attribute__((target("avx2,popcnt"))) static inline void
mx_wl_get32(mx_wl_dec *d, const mx_wl_model *m, __m256i x[4], const __m256i b[4], __m256i sym[4],
            int small, int s)
{
    const __m256i mask12 = _mm256_set1_epi32(MX_WL_SCALE - 1), lim = _mm256_set1_epi32((int)MX_WL_LOW);
    __m256i need[4];
    uint32_t mask = 0;
    MX_WL_UNROLL
    for (int k = 0; k < 4; k++) {
        __m256i slot = _mm256_add_epi32(b[k], _mm256_and_si256(x[k], mask12));
        __m256i e = mx_load8x32(m->lut, slot, 4);
        sym[k] = small ? _mm256_srli_epi32(e, 25)
                       : _mm256_and_si256(mx_load8x32(m->sym, slot, 2), _mm256_set1_epi32(0xffff));
        x[k] = _mm256_add_epi32(_mm256_mullo_epi32(_mm256_and_si256(e, _mm256_set1_epi32(0x1fff)),
                                                   _mm256_srli_epi32(x[k], MX_WL_SCALE_BITS)),
                                _mm256_and_si256(_mm256_srli_epi32(e, 13), mask12));
        need[k] = _mm256_cmpgt_epi32(lim, x[k]);
        mask |= (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(need[k])) << (8 * k);
    }
    const uint8_t *p = d->p[s];
    MX_WL_UNROLL
    for (int k = 0; k < 4; k++) {
        const uint8_t *q = p + 2 * __builtin_popcount(mask & ((1u << (8 * k)) - 1));
        __m256i wd = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(const void *)q));
        __m256i ix = _mm256_cvtepu8_epi32(
            _mm_loadl_epi64((const __m128i *)(const void *)d->expand[mask >> (8 * k) & 0xff]));
        wd = _mm256_permutevar8x32_epi32(wd, ix);
        x[k] = _mm256_blendv_epi8(x[k], _mm256_or_si256(_mm256_slli_epi32(x[k], 16), wd), need[k]);
    }
    d->p[s] = p + 2 * __builtin_popcount(mask);
}

/* mx_wl_get32 with AVX-512 on nv vectors of sixteen lanes (nv at most 8,
 * a constant: many lanes in flight hide the gathers' latency), table
 * lookups by gathers (cheaper than loads on the AMD cores that have
 * AVX-512, unlike Intel's) and each vector's refills by one expanding load.
 * Not small, wb[k] holds the windows (m->win) of the lanes' contexts, so
 * that only a vector with a lane outside its window gathers `sym` (for
 * those lanes): a gather is the costliest step, and this saves one of a
 * bfdelta value's three. The caller makes sure 32 nv bytes of words
 * remain. */
__attribute__((target(MX_AVX512_TARGET), always_inline)) static inline void
mx_wl_get_512(mx_wl_dec *d, const mx_wl_model *m, __m512i *x, const __m512i *b, const __m512i *wb,
              __m512i *sym, int nv, int small, int s)
{
    const __m512i mask12 = _mm512_set1_epi32(MX_WL_SCALE - 1), lim = _mm512_set1_epi32((int)MX_WL_LOW);
    __mmask16 need[8] = {0}; /* all set for k < nv; gcc cannot tell */
    MX_WL_UNROLL
    for (int k = 0; k < nv; k++) {
        __m512i slot = _mm512_add_epi32(b[k], _mm512_and_si512(x[k], mask12));
        __m512i e = _mm512_i32gather_epi32(slot, (const void *)m->lut, 4);
        __m512i top = _mm512_srli_epi32(e, 25);
        if (small) {
            sym[k] = top;
        } else {
            __mmask16 out = _mm512_cmpeq_epi32_mask(top, _mm512_set1_epi32(MX_WL_OUTSIDE));
            sym[k] = _mm512_add_epi32(top, wb[k]);
            if (out)
                sym[k] = _mm512_and_si512(_mm512_mask_i32gather_epi32(sym[k], out, slot, (const void *)m->sym, 2),
                                          _mm512_set1_epi32(0xffff));
        }
        x[k] = _mm512_add_epi32(_mm512_mullo_epi32(_mm512_and_si512(e, _mm512_set1_epi32(0x1fff)),
                                                   _mm512_srli_epi32(x[k], MX_WL_SCALE_BITS)),
                                _mm512_and_si512(_mm512_srli_epi32(e, 13), mask12));
        need[k] = _mm512_cmplt_epu32_mask(x[k], lim);
    }
    const uint8_t *p = d->p[s];
    MX_WL_UNROLL
    for (int k = 0; k < nv; k++) {
        __m512i wd = _mm512_cvtepu16_epi32(_mm256_maskz_expandloadu_epi16(need[k], p));
        x[k] = _mm512_mask_or_epi32(x[k], need[k], _mm512_slli_epi32(x[k], 16), wd);
        p += 2 * __builtin_popcount(need[k]);
    }
    d->p[s] = p;
}
#endif

/* After the last step: every lane back at its start, the words used up. */
int mx_wl_dec_finish(const mx_wl_dec *d, mx_error *err);
#endif
