/* coded_frame.h - the framing our own entropy stages share: one mode byte,
 * then either the stream stored as is (when coding would not shrink it) or
 * the coder's own bytes. Internal to codecs/.
 *
 * Mode bytes. 0 (stored) and 1 (order-0 rANS) mean the same for every
 * coder; a coder numbers its own frames itself, in its own file, from 2
 * up. A mode byte is only ever read by the stage the container names, so
 * the numbers need not be unique across stages; but they are on disk, so
 * a mode once written keeps its number. (Those written so far happen to
 * be distinct: bfctx 2, quant 3 and 7, bfxor 4 and 5, bfdelta 6, quantlr
 * 8 and 9, bflr 10.) */
#ifndef MX_CODED_FRAME_H
#define MX_CODED_FRAME_H
#include "rans.h"
#include "stage.h"

enum { MX_FRAME_STORED = 0, MX_FRAME_ORDER0 = 1 };

/* Order-0 rANS over the bytes of src, appended to out (after the mode byte
 * the caller writes). */
int mx_order0_encode(const uint8_t *src, size_t n, mx_bytes *out, mx_error *err);
int mx_order0_decode(const uint8_t *src, size_t n, uint8_t *dst, size_t expected,
                     mx_error *err);
/* Copies frame (mode byte included) into dst, or stores src when the frame
 * is not smaller. */
int mx_frame_finish(const mx_bytes *frame, const uint8_t *src, size_t n, uint8_t *dst, size_t cap,
                    size_t *dst_len, mx_error *err);
/* An empty buffer to build a frame in: the work's, kept from call to call,
 * or (no room in the work) *local, zeroed by the caller, who frees it. */
mx_bytes *mx_frame_scratch(mx_work *w, mx_bytes *local);
/* The worst case of every frame above (stored: one byte more than the
 * input); it has the stage `bound` signature, for the stage tables. */
size_t mx_frame_bound(const mx_params *p, size_t n);
/* Writes src as a stored frame (mode byte + the bytes). */
int mx_frame_store(const uint8_t *src, size_t n, uint8_t *dst, size_t cap, size_t *dst_len,
                   mx_error *err);
/* Decodes the frames every one of our coders may emit (stored, order-0);
 * anything else is corrupt for `stage`. */
int mx_frame_decode(const char *stage, const uint8_t *src, size_t n, uint8_t *dst,
                    size_t expected, mx_error *err);
/* The framing of our coders for bf16 matrices: on a 16-bit stream, the
 * mode byte and what encode16 writes (it returns 1 when its output would
 * not fit: the stream is then stored); on any other stream, order-0 rANS.
 * decode16 gets the bytes after the mode byte. */
typedef int (*mx_bf16_encode_fn)(const mx_params *p, mx_work *w, const mx_stream_desc *d,
                                 const uint8_t *src, mx_bytes *out, mx_error *err);
typedef int (*mx_bf16_decode_fn)(const mx_params *p, mx_work *w, const mx_stream_desc *d,
                                 const uint8_t *src, size_t n, uint8_t *dst, mx_error *err);
int mx_bf16_frame_compress(uint8_t mode, mx_bf16_encode_fn encode16, const mx_params *p,
                           mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                           uint8_t *dst, size_t cap, size_t *dst_len, mx_error *err);
int mx_bf16_frame_decompress(const char *stage, uint8_t mode, mx_bf16_decode_fn decode16,
                             const mx_params *p, mx_work *w, const mx_stream_desc *d,
                             const uint8_t *src, size_t n, uint8_t *dst, size_t expected,
                             mx_error *err);
#endif
