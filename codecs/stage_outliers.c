/* outliers:p - the fraction p of values largest in magnitude, kept exact
 * aside (positions and values, sparse.h), and the matrix with them zeroed.
 * Lossless by itself; put it before a lossy stage (outliers:0.001,qsim)
 * so that a few huge activations no longer set the quantisation scale. */
#include "sparse.h"
#include <stdlib.h>
#include <string.h>

static int encode(const mx_params *p, mx_work *w, const mx_stream *in, mx_stream_set *out, mx_error *err)
{
    (void)w;
    if (in->d.bits != 16)
        return 0;
    size_t n = (size_t)(in->d.rows * in->d.cols), k = mx_fraction_count(p, n);
    uint8_t *keep = calloc(n + 1, 1);
    int mi = keep ? mx_stream_set_add(out, 16, in->d.rows, in->d.cols, err) : -1;
    if (!keep || mi < 0) {
        free(keep);
        return keep ? -1 : mx_fail(err, MX_EFAIL, "out of memory");
    }
    if (mx_select_largest(in, k, keep, err)) {
        free(keep);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (!keep[i])
            mx_stream_put(&out->s[mi], i, mx_stream_get(in, i));
    int rc = mx_sparse_write(in, keep, k, out, err);
    free(keep);
    return rc ? -1 : 3;
}

static int decode(const mx_params *p, mx_work *w, const mx_stream *parts, size_t nparts, mx_stream *out,
                  mx_error *err)
{
    (void)w;
    (void)p;
    size_t k;
    if (nparts != 3 || out->d.bits != 16)
        return mx_fail(err, MX_EINPUT, "corrupt data: outliers needs 3 parts");
    if (mx_stage_expect(&parts[0], 16, out->d.rows, out->d.cols, "outliers", err))
        return -1;
    memcpy(out->data, parts[0].data, parts[0].size);
    /* the kept positions were zero in the rest: put() of a 16-bit value overwrites */
    return mx_sparse_read("outliers", parts + 1, out, &k, err);
}

const mx_stage mx_stage_outliers = {
    .name = "outliers",
    .kind = MX_STAGE_TRANSFORM,
    .keeps_values = 1,
    .summary = "a fraction of the largest |values| kept exact aside; the rest passed on",
    .params = {{"fraction", MX_PARAM_DECIMAL, .min = 0, .max = 1000000, .def = 1000, .digits = 6,
                .open_min = 1, .note = "of the values kept aside"}},
    .encode = encode,
    .decode = decode,
};
