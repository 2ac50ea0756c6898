/* zstd:L - Zstandard (libzstd), levels 1..22 and the fast negative levels. */
#include "stage.h"
#include <zstd.h>

/* zstd's own contexts, kept in the work (work.h): a fresh one per call
 * would ask for its megabyte of tables every time. The output is the same
 * as ZSTD_compress's. */
typedef struct {
    ZSTD_CCtx *c;
    ZSTD_DCtx *d;
} kept;

static void kept_clear(void *state)
{
    kept *k = state;
    ZSTD_freeCCtx(k->c);
    ZSTD_freeDCtx(k->d);
}

static const mx_work_kind kept_kind = {"zstd", sizeof(kept), kept_clear};

static int parse(const char *arg, mx_params *p, mx_error *err)
{
    int lo = ZSTD_minCLevel(), hi = ZSTD_maxCLevel();
    if (mx_parse_int("zstd", arg, lo, hi, 3, &p->level, err))
        return -1;
    if (p->level == 0) /* zstd maps 0 to its default; say what you mean */
        return mx_fail(err, MX_EINPUT, "stage 'zstd': level 0 is not allowed (use 3)");
    return 0;
}

static void format(const mx_params *p, char *buf, size_t n)
{
    mx_format_int("zstd", p->level, buf, n);
}

static size_t bound(const mx_params *p, size_t n)
{
    (void)p;
    return ZSTD_compressBound(n);
}

static int compress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n, uint8_t *dst,
                    size_t cap, size_t *dst_len, mx_error *err)
{
    (void)d;
    kept *k = mx_work_state(w, &kept_kind);
    if (k && !k->c)
        k->c = ZSTD_createCCtx();
    size_t r = k && k->c ? ZSTD_compressCCtx(k->c, dst, cap, src, n, p->level)
                         : ZSTD_compress(dst, cap, src, n, p->level);
    if (ZSTD_isError(r))
        return mx_fail(err, MX_EFAIL, "zstd: %s", ZSTD_getErrorName(r));
    *dst_len = r;
    return 0;
}

static int decompress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n, uint8_t *dst,
                      size_t expected, mx_error *err)
{
    (void)d;
    (void)p;
    kept *k = mx_work_state(w, &kept_kind);
    if (k && !k->d)
        k->d = ZSTD_createDCtx();
    size_t r = k && k->d ? ZSTD_decompressDCtx(k->d, dst, expected, src, n)
                         : ZSTD_decompress(dst, expected, src, n);
    if (ZSTD_isError(r))
        return mx_fail(err, MX_EINPUT, "corrupt data: zstd: %s", ZSTD_getErrorName(r));
    if (r != expected)
        return mx_fail(err, MX_EINPUT, "corrupt data: zstd stream is %zu bytes, expected %zu",
                       r, expected);
    return 0;
}

const mx_stage mx_stage_zstd = {
    .name = "zstd",
    .kind = MX_STAGE_ENTROPY,
    .summary = "Zstandard (libzstd)",
    .params_help = "L = 1..22 or negative fast levels (default 3)",
    .parse = parse,
    .format = format,
    .bound = bound,
    .compress = compress,
    .decompress = decompress,
};
