/* zeromask: a bitmap of which elements are non-zero plus the non-zero
 * elements in order. Pays off on sparse matrices (post-GELU activations,
 * masked gradients). "Zero" means all bits clear: -0.0 is kept as a value. */
#include "stage.h"

static int encode(const mx_params *p, mx_work *w, const mx_stream *in, mx_stream_set *out,
                  mx_error *err)
{
    (void)w;
    (void)p;
    if (in->d.bits != 8 && in->d.bits != 16)
        return 0;
    size_t n = (size_t)(in->d.rows * in->d.cols), nnz = 0;
    for (size_t i = 0; i < n; i++)
        nnz += mx_stream_get(in, i) != 0;
    int mi = mx_stream_set_add(out, 1, in->d.rows, in->d.cols, err);
    int vi = mi < 0 ? -1 : mx_stream_set_add(out, in->d.bits, 1, nnz, err);
    if (vi < 0)
        return -1;
    mx_stream *mask = &out->s[mi], *val = &out->s[vi];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t v = mx_stream_get(in, i);
        if (v) {
            mx_stream_put(mask, i, 1);
            mx_stream_put(val, k++, v);
        }
    }
    return 2;
}

static int decode(const mx_params *p, mx_work *w, const mx_stream *parts, size_t nparts,
                  mx_stream *out, mx_error *err)
{
    (void)w;
    (void)p;
    if (nparts != 2 || (out->d.bits != 8 && out->d.bits != 16))
        return mx_fail(err, MX_EINPUT, "corrupt data: zeromask needs 2 parts");
    if (mx_stage_expect(&parts[0], 1, out->d.rows, out->d.cols, "zeromask", err))
        return -1;
    size_t n = (size_t)(out->d.rows * out->d.cols), nnz = 0;
    for (size_t i = 0; i < n; i++)
        nnz += mx_stream_get(&parts[0], i);
    if (mx_stage_expect(&parts[1], out->d.bits, 1, nnz, "zeromask", err))
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (mx_stream_get(&parts[0], i))
            mx_stream_put(out, i, mx_stream_get(&parts[1], k++));
    return 0;
}

const mx_stage mx_stage_zeromask = {
    .name = "zeromask",
    .kind = MX_STAGE_TRANSFORM,
    .summary = "bitmap of non-zero elements + the non-zero values",
    .twin = {.sections = {"levels", "zeromask"}},
    .encode = encode,
    .decode = decode,
};
