/* stream.h - the unit of data between stages.
 *
 * A stream is a rows x cols grid of elements of `bits` bits (1, 4, 8, 16 or
 * 32), packed little-endian: 16/32-bit elements as LE words, 4-bit elements
 * two per byte (low nibble first), 1-bit elements eight per byte (LSB
 * first). Keeping the shape with the bytes lets later transforms work along
 * rows or columns of whatever an earlier transform produced. */
#ifndef MX_STREAM_H
#define MX_STREAM_H
#include <stddef.h>
#include <stdint.h>
#include "mxerr.h"

#define MX_MAX_STREAMS 32

typedef struct {
    uint8_t bits;
    uint64_t rows, cols;
} mx_stream_desc;

typedef struct {
    mx_stream_desc d;
    uint8_t *data; /* owned */
    size_t size;   /* bytes; equals mx_stream_bytes(&d) for decoded streams */
} mx_stream;

typedef struct {
    size_t n;
    mx_stream s[MX_MAX_STREAMS];
} mx_stream_set;

/* 1 if bits is one of the supported element widths. */
int mx_stream_bits_valid(unsigned bits);
/* Packed byte size of a stream with this shape; -1 on overflow or invalid. */
int mx_stream_desc_bytes(const mx_stream_desc *d, size_t *bytes);
/* Appends a zeroed stream of the given shape to set; returns its index or
 * -1 (error filled) when the set is full, the shape overflows or OOM. */
int mx_stream_set_add(mx_stream_set *set, uint8_t bits, uint64_t rows,
                      uint64_t cols, mx_error *err);
/* Moves stream i of src to the end of dst (src keeps an empty slot). */
int mx_stream_set_move(mx_stream_set *dst, mx_stream_set *src, size_t i,
                       mx_error *err);
void mx_stream_set_free(mx_stream_set *set);

/* Element access for 1/4/8/16-bit streams. */
static inline uint32_t mx_stream_get(const mx_stream *s, size_t i)
{
    switch (s->d.bits) {
    case 1: return (s->data[i >> 3] >> (i & 7)) & 1u;
    case 4: return (s->data[i >> 1] >> ((i & 1) * 4)) & 0xfu;
    case 8: return s->data[i];
    case 16: return (uint32_t)s->data[2 * i] | (uint32_t)s->data[2 * i + 1] << 8;
    default:
        return (uint32_t)s->data[4 * i] | (uint32_t)s->data[4 * i + 1] << 8 |
               (uint32_t)s->data[4 * i + 2] << 16 |
               (uint32_t)s->data[4 * i + 3] << 24;
    }
}

/* Stores v into a zero-initialised stream (1- and 4-bit elements are OR-ed). */
static inline void mx_stream_put(mx_stream *s, size_t i, uint32_t v)
{
    switch (s->d.bits) {
    case 1: s->data[i >> 3] |= (uint8_t)((v & 1u) << (i & 7)); break;
    case 4: s->data[i >> 1] |= (uint8_t)((v & 0xfu) << ((i & 1) * 4)); break;
    case 8: s->data[i] = (uint8_t)v; break;
    case 16:
        s->data[2 * i] = (uint8_t)v;
        s->data[2 * i + 1] = (uint8_t)(v >> 8);
        break;
    default:
        for (int k = 0; k < 4; k++)
            s->data[4 * i + k] = (uint8_t)(v >> (8 * k));
    }
}
#endif
