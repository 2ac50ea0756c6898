/* qlanes.h - quant:sim's lanes frame (stage_quant.c), shared with quantlr,
 * which writes it with an integer low-rank prediction of the codes
 * (qlowrank.h). Internal to codecs/.
 *
 * The frame after the mode byte: the step (float32 LE); with the
 * prediction only, its factors (qlowrank.h, mx_qlr_write; quantlr's first
 * frames, mode 8, had them order-0 coded: stage_quant.c reads those
 * still); then the escapes, tables and lanes of
 * stage_quant.c's comment, which code the codes less the prediction, with
 * each row's reference among the residuals. */
#ifndef MX_QLANES_H
#define MX_QLANES_H
#include "bytes.h"
#include "stage.h"

/* How the prediction's factors are coded (mx_ql_decode's `lowrank`). */
enum { MX_QL_PLAIN, MX_QL_ORDER0_FACTORS, MX_QL_LANES_FACTORS };

/* Appends the frame of the 16-bit stream src (d's shape) to out: the codes
 * at the largest step that passes quant's target (p), with a prediction
 * (lanes factors) when `lowrank` (the rank of the smallest frame among 0, 4, 8, 16, 32 and
 * 64, at most a quarter of the smaller side). 0, 1 when no step passes (store the
 * stream), or -1 with err. */
int mx_ql_encode(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src,
                 mx_bytes *out, int lowrank, mx_error *err);
/* Decodes a frame (the bytes after the mode byte) into dst's R x C bf16;
 * lowrank is one of the enum above. */
int mx_ql_decode(const mx_stream_desc *d, const uint8_t *src, size_t n, uint8_t *dst, int lowrank,
                 mx_error *err);
#endif
