/* transpose: rows x cols -> cols x rows (column-major order), so a coder
 * that reads along a stream sees one channel at a time. */
#include "stage.h"

static void transpose(const mx_stream *src, mx_stream *dst)
{
    uint64_t R = src->d.rows, C = src->d.cols;
    if (src->d.bits == 16) { /* the common case, without the generic accessor */
        for (uint64_t r = 0; r < R; r++)
            for (uint64_t c = 0; c < C; c++) {
                size_t i = (size_t)(r * C + c), j = (size_t)(c * R + r);
                dst->data[2 * j] = src->data[2 * i];
                dst->data[2 * j + 1] = src->data[2 * i + 1];
            }
        return;
    }
    for (uint64_t r = 0; r < R; r++)
        for (uint64_t c = 0; c < C; c++)
            mx_stream_put(dst, (size_t)(c * R + r), mx_stream_get(src, (size_t)(r * C + c)));
}

static int encode(const mx_params *p, mx_work *w, const mx_stream *in, mx_stream_set *out,
                  mx_error *err)
{
    (void)w;
    (void)p;
    int o = mx_stream_set_add(out, in->d.bits, in->d.cols, in->d.rows, err);
    if (o < 0)
        return -1;
    transpose(in, &out->s[o]);
    return 1;
}

static int decode(const mx_params *p, mx_work *w, const mx_stream *parts, size_t nparts,
                  mx_stream *out, mx_error *err)
{
    (void)w;
    (void)p;
    if (nparts != 1)
        return mx_fail(err, MX_EINPUT, "corrupt data: transpose needs 1 part");
    if (mx_stage_expect(&parts[0], out->d.bits, out->d.cols, out->d.rows, "transpose", err))
        return -1;
    transpose(&parts[0], out);
    return 0;
}

const mx_stage mx_stage_transpose = {
    .name = "transpose",
    .kind = MX_STAGE_TRANSFORM,
    .summary = "rows x cols -> cols x rows (column-major order)",
    .twin = {.sections = {"levels", "transpose"}},
    .encode = encode,
    .decode = decode,
};
