/* brotli:Q - Brotli (libbrotlienc/dec), quality 0..11, 16 MiB window. */
#include "stage.h"
#include <brotli/decode.h>
#include <brotli/encode.h>

static size_t bound(const mx_params *p, size_t n)
{
    (void)p;
    size_t b = BrotliEncoderMaxCompressedSize(n);
    return b ? b : n + 1024; /* 0 means "too large to say"; compress will fail cleanly */
}

static int compress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n, uint8_t *dst,
                    size_t cap, size_t *dst_len, mx_error *err)
{
    (void)w;
    (void)d;
    size_t out = cap;
    if (!BrotliEncoderCompress((int)p->v[0], BROTLI_MAX_WINDOW_BITS, BROTLI_MODE_GENERIC, n,
                               src, &out, dst))
        return mx_fail(err, MX_EFAIL, "brotli: compression failed");
    *dst_len = out;
    return 0;
}

static int decompress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n, uint8_t *dst,
                      size_t expected, mx_error *err)
{
    (void)w;
    (void)d;
    (void)p;
    size_t out = expected;
    if (BrotliDecoderDecompress(n, src, &out, dst) != BROTLI_DECODER_RESULT_SUCCESS ||
        out != expected)
        return mx_fail(err, MX_EINPUT, "corrupt data: brotli stream does not decode");
    return 0;
}

const mx_stage mx_stage_brotli = {
    .name = "brotli",
    .kind = MX_STAGE_ENTROPY,
    .summary = "Brotli (libbrotli)",
    .params = {{"quality", MX_PARAM_INT, .min = 0, .max = 11, .def = 11}},
    .twin = {.sections = {"brotli"}},
    .bound = bound,
    .compress = compress,
    .decompress = decompress,
};
