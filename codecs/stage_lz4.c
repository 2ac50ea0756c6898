/* lz4 - LZ4 fast mode (liblz4): the speed end of the table. */
#include "stage.h"
#include <limits.h>
#include <lz4.h>
#include "lz4_block.h"

static int compress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n, uint8_t *dst,
                    size_t cap, size_t *dst_len, mx_error *err)
{
    (void)w;
    (void)d;
    (void)p;
    if (n > LZ4_MAX_INPUT_SIZE || cap > INT_MAX)
        return mx_fail(err, MX_EINPUT, "lz4: stream of %zu bytes is too large for lz4", n);
    int r = LZ4_compress_default((const char *)src, (char *)dst, (int)n, (int)cap);
    if (r <= 0 && n)
        return mx_fail(err, MX_EFAIL, "lz4: compression failed");
    *dst_len = (size_t)r;
    return 0;
}

int mx_lz4_block_decompress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src,
                            size_t n, uint8_t *dst, size_t expected, mx_error *err)
{
    (void)w;
    (void)d;
    (void)p;
    if (n > INT_MAX || expected > INT_MAX)
        return mx_fail(err, MX_EINPUT, "corrupt data: lz4 stream too large");
    int r = LZ4_decompress_safe((const char *)src, (char *)dst, (int)n, (int)expected);
    if (r < 0 || (size_t)r != expected)
        return mx_fail(err, MX_EINPUT, "corrupt data: lz4 stream does not decode");
    return 0;
}

size_t mx_lz4_block_bound(const mx_params *p, size_t n)
{
    (void)p;
    return n > LZ4_MAX_INPUT_SIZE ? 0 : (size_t)LZ4_compressBound((int)n);
}

const mx_stage mx_stage_lz4 = {
    .name = "lz4",
    .kind = MX_STAGE_ENTROPY,
    .summary = "LZ4 fast (liblz4)",
    .twin = {.sections = {"lz4"}},
    .bound = mx_lz4_block_bound,
    .compress = compress,
    .decompress = mx_lz4_block_decompress,
};
