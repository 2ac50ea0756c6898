/* bfdelta.h - bfdelta's coder (stage_bfdelta.c) for a stage that makes
 * its own reference rows (bflr: rows predicted by a low rank model).
 * Internal to codecs/.
 *
 * The body of a frame is what stage_bfdelta.c describes: each row's header
 * (its distance, 0..1024, and a third symbol t), then its values as
 * differences from its reference values. The third symbol's alphabet is
 * the caller's; the class of a row's contexts is 0 for t = 0, else
 * 1 + (t - 1) mod 4 (so bfdelta's own classes 0..4 are t itself, and a
 * caller numbers further kinds of reference in fours). */
#ifndef MX_BFDELTA_H
#define MX_BFDELTA_H
#include <stddef.h>
#include <stdint.h>
#include "bytes.h"
#include "mxerr.h"
#include "work.h"

#define MX_BD_THIRD_MAX 64

/* Codes the R x C bf16 values at src (LE) against refs (R x C, each row's
 * reference values), or, for refs NULL, against the row dist[g] back
 * (zeros for 0); dist and third (< nthird <= MX_BD_THIRD_MAX) are the row
 * headers. */
int mx_bd_encode(mx_work *w, uint64_t R, uint64_t C, const uint8_t *src, const uint16_t *dist,
                 const uint8_t *third, unsigned nthird, const uint8_t *refs, mx_bytes *out,
                 mx_error *err);

/* How a decoder makes the reference values of a row. */
typedef struct {
    unsigned nthird;
    /* whether a row may have this third symbol and distance */
    int (*valid)(const void *ctx, unsigned third, unsigned dist);
    /* row g's reference values at columns c0 .. c0 + w - 1 from the values
     * of the row dist back there (x; zeros for dist 0), written to scratch
     * (room for w values) or x itself returned; NULL: x as it is */
    const uint8_t *(*make)(const void *ctx, uint64_t g, unsigned third, unsigned dist, uint64_t c0,
                           size_t w, const uint8_t *x, uint8_t *scratch);
    const void *ctx;
} mx_bd_refs;

/* Decodes mx_bd_encode's n bytes at src into the R x C values at dst;
 * "corrupt data: ..." for anything that is not such a body. */
int mx_bd_decode(mx_work *w, uint64_t R, uint64_t C, const uint8_t *src, size_t n,
                 const mx_bd_refs *refs, uint8_t *dst, mx_error *err);
#endif
