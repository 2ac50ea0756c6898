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

/* The declared range is zstd 1.5's; the library linked has the last word,
 * and zstd maps level 0 to its default: say what you mean. */
static int check(const mx_params *p, mx_error *err)
{
    int level = (int)p->v[0];
    if (level == 0)
        return mx_fail(err, MX_EINPUT, "stage 'zstd': level 0 is not allowed (use 3)");
    if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())
        return mx_fail(err, MX_EINPUT, "stage 'zstd': level %d out of range %d..%d", level,
                       ZSTD_minCLevel(), ZSTD_maxCLevel());
    return 0;
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
    size_t r = k && k->c ? ZSTD_compressCCtx(k->c, dst, cap, src, n, (int)p->v[0])
                         : ZSTD_compress(dst, cap, src, n, (int)p->v[0]);
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
    .params = {{"level", MX_PARAM_INT, .min = -(1 << 17), .max = 22, .def = 3,
                .note = "negative ones are the fast levels; not 0"}},
    .check = check,
    .twin = {.sections = {"zstd"}},
    .bound = bound,
    .compress = compress,
    .decompress = decompress,
};
