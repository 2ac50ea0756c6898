/* quant.h - absmax quantisation shared by q8 and q4. Internal to codecs/.
 *
 * Each row (axis rows) or column (axis cols) gets one scale, stored as bf16
 * and rounded *up* so that |x| / scale <= qmax never clips. Codes are
 * round(x / scale) in [-qmax, qmax]. Non-finite inputs are coded as 0 and the
 * scale ignores them: a NaN/Inf does not survive a lossy stage. Per element,
 * |x - decoded| <= scale/2 plus the final bf16 rounding (2^-9 relative). */
#ifndef MX_QUANT_H
#define MX_QUANT_H
#include "stage.h"

int mx_quant_encode(const char *name, unsigned code_bits, const mx_params *p,
                    const mx_stream *in, mx_stream_set *out, mx_error *err);
int mx_quant_decode(const char *name, unsigned code_bits, const mx_params *p,
                    const mx_stream *parts, size_t nparts, mx_stream *out,
                    mx_error *err);
/* The bf16 scale used for a group whose largest finite |x| is absmax. */
uint16_t mx_quant_scale(float absmax, int qmax);
#endif
