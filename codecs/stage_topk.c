/* topk:p - lossy sparsification, the classic of gradient compression:
 * keeps the fraction p of values largest in magnitude, exactly, and drops
 * the rest to zero. Parts: positions and values (sparse.h). */
#include "sparse.h"
#include <stdlib.h>

static int encode(const mx_params *p, mx_work *w, const mx_stream *in, mx_stream_set *out, mx_error *err)
{
    (void)w;
    if (in->d.bits != 16)
        return 0;
    size_t n = (size_t)(in->d.rows * in->d.cols), k = mx_fraction_count(p, n);
    uint8_t *keep = calloc(n + 1, 1);
    if (!keep)
        return mx_fail(err, MX_EFAIL, "out of memory");
    int rc = mx_select_largest(in, k, keep, err) || mx_sparse_write(in, keep, k, out, err);
    free(keep);
    return rc ? -1 : 2;
}

static int decode(const mx_params *p, mx_work *w, const mx_stream *parts, size_t nparts, mx_stream *out,
                  mx_error *err)
{
    (void)w;
    (void)p;
    size_t k;
    if (nparts != 2 || out->d.bits != 16)
        return mx_fail(err, MX_EINPUT, "corrupt data: topk needs 2 parts");
    return mx_sparse_read("topk", parts, out, &k, err);
}

const mx_stage mx_stage_topk = {
    .name = "topk",
    .kind = MX_STAGE_TRANSFORM,
    .lossy = 1,
    .summary = "lossy: keep a fraction of the values, the largest in magnitude; zero the rest",
    .params = {{"fraction", MX_PARAM_DECIMAL, .min = 0, .max = 1000000, .def = 100000, .digits = 6,
                .open_min = 1, .note = "of the values kept"}},
    .encode = encode,
    .decode = decode,
};
