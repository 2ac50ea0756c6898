/* lz4hc:L - LZ4 high compression (liblz4): lz4-speed decoding, better ratio. */
#include "stage.h"
#include <limits.h>
#include <lz4.h>
#include <lz4hc.h>
#include <stdlib.h>
#include "lz4_block.h"

/* LZ4_compress_HC's state (256 KB), kept in the work (work.h) instead of
 * made for every call; the output is the same. */
typedef struct {
    void *state;
} kept;

static void kept_clear(void *k)
{
    free(((kept *)k)->state);
}

static const mx_work_kind kept_kind = {"lz4hc", sizeof(kept), kept_clear};

static int compress(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n, uint8_t *dst,
                    size_t cap, size_t *dst_len, mx_error *err)
{
    (void)d;
    if (n > LZ4_MAX_INPUT_SIZE || cap > INT_MAX)
        return mx_fail(err, MX_EINPUT, "lz4hc: stream of %zu bytes is too large for lz4", n);
    kept *k = mx_work_state(w, &kept_kind);
    if (k && !k->state)
        k->state = malloc((size_t)LZ4_sizeofStateHC());
    int r = k && k->state ? LZ4_compress_HC_extStateHC(k->state, (const char *)src, (char *)dst,
                                                       (int)n, (int)cap, (int)p->v[0])
                          : LZ4_compress_HC((const char *)src, (char *)dst, (int)n, (int)cap,
                                            (int)p->v[0]);
    if (r <= 0 && n)
        return mx_fail(err, MX_EFAIL, "lz4hc: compression failed");
    *dst_len = (size_t)r;
    return 0;
}

const mx_stage mx_stage_lz4hc = {
    .name = "lz4hc",
    .kind = MX_STAGE_ENTROPY,
    .summary = "LZ4 high compression (liblz4)",
    .params = {{"level", MX_PARAM_INT, .min = 1, .max = 12, .def = 9}},
    .twin = {.sections = {"lz4"}},
    .bound = mx_lz4_block_bound,
    .compress = compress,
    .decompress = mx_lz4_block_decompress,
};
