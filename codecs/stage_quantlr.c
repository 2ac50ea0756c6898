/* quantlr:sim=T - lossy: quant:sim=T's codes (the same step, the same
 * decoded values, so the same similarity), coded less an integer low-rank
 * prediction (qlowrank.h) when that makes the frame smaller. Activations
 * of a model's residual stream and attention are close to low rank: on the
 * Llama-style set the frames are about 17% smaller than quant's, 4% on the
 * character model's. The rank (0 to 64) is chosen by coding the matrix at
 * each candidate rank, so compression is several times slower than
 * quant's; decoding costs one integer matrix product more. The fit is
 * exact arithmetic, so its numpy twin (src/export/qlowrank.py) writes the
 * same bytes and it exports. */
#include "coded_frame.h"
#include "qlanes.h"

/* The mode bytes of its frames (coded_frame.h): on disk, never renumbered.
 * 8: its first frames (factors order-0 coded), still read. */
#define MX_FRAME_QUANT_LOWRANK_ORDER0 8
#define MX_FRAME_QUANT_LOWRANK 9

static int encode16(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src,
                    mx_bytes *out, mx_error *err)
{
    return mx_ql_encode(p, w, d, src, out, MX_QL_LANES_FACTORS, err);
}

static int decode16(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                    uint8_t *dst, mx_error *err)
{
    (void)p;
    (void)w;
    return mx_ql_decode(d, src, n, dst, MX_QL_LANES_FACTORS, err);
}

static int decode16_order0(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src,
                           size_t n, uint8_t *dst, mx_error *err)
{
    (void)p;
    (void)w;
    return mx_ql_decode(d, src, n, dst, MX_QL_ORDER0_FACTORS, err);
}

static int compress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                    uint8_t *dst, size_t cap, size_t *dst_len, mx_error *err)
{
    return mx_bf16_frame_compress(MX_FRAME_QUANT_LOWRANK, encode16, p, w, d, src, n, dst, cap, dst_len,
                                  err);
}

static int decompress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                      uint8_t *dst, size_t expected, mx_error *err)
{
    if (n >= 1 && src[0] == MX_FRAME_QUANT_LOWRANK_ORDER0)
        return mx_bf16_frame_decompress("quantlr", MX_FRAME_QUANT_LOWRANK_ORDER0, decode16_order0, p, w, d,
                                        src, n, dst, expected, err);
    return mx_bf16_frame_decompress("quantlr", MX_FRAME_QUANT_LOWRANK, decode16, p, w, d, src, n, dst,
                                    expected, err);
}

const mx_stage mx_stage_quantlr = {
    .name = "quantlr",
    .kind = MX_STAGE_ENTROPY,
    .lossy = 1,
    .summary = "lossy: quant:sim's codes less a low-rank prediction (rank 0 to 64, whichever "
               "codes smallest); slower to compress",
    .params = {{"sim", MX_PARAM_DECIMAL, .min = 0, .max = 100000, .def = 99000, .digits = 5, .open_min = 1,
                 .open_max = 1, .note = "one step for the matrix"}},
    .twin = {.sections = {"wlanes", "quant", "qlowrank", "quantlr"}, .whole = 1, .only = "quantlr:"},
    .bound = mx_frame_bound,
    .compress = compress,
    .decompress = decompress,
};
