#include "neighbor.h"

static int applies(unsigned bits)
{
    return bits == 8 || bits == 16 || bits == 32;
}

static uint32_t mask_of(unsigned bits)
{
    return bits == 32 ? 0xffffffffu : (1u << bits) - 1u;
}

/* Index of the neighbour of element i, or SIZE_MAX for the first row/col. */
static size_t prev_index(size_t i, uint64_t cols, int axis)
{
    if (axis == MX_AXIS_ROWS)
        return i >= cols ? i - (size_t)cols : SIZE_MAX;
    return i % cols ? i - 1 : SIZE_MAX;
}

int mx_neighbor_encode(const char *name, mx_neighbor_op fwd, const mx_params *p,
                       const mx_stream *in, mx_stream_set *out, mx_error *err)
{
    int axis = (int)p->v[0]; /* MX_AXIS_ROWS or MX_AXIS_COLS */
    (void)name;
    if (!applies(in->d.bits))
        return 0;
    int o = mx_stream_set_add(out, in->d.bits, in->d.rows, in->d.cols, err);
    if (o < 0)
        return -1;
    mx_stream *s = &out->s[o];
    size_t n = (size_t)(in->d.rows * in->d.cols);
    uint32_t m = mask_of(in->d.bits);
    for (size_t i = 0; i < n; i++) {
        size_t j = prev_index(i, in->d.cols, axis);
        uint32_t prev = j == SIZE_MAX ? 0 : mx_stream_get(in, j);
        mx_stream_put(s, i, fwd(mx_stream_get(in, i), prev, m));
    }
    return 1;
}

int mx_neighbor_decode(const char *name, mx_neighbor_op inv, const mx_params *p,
                       const mx_stream *parts, size_t nparts, mx_stream *out,
                       mx_error *err)
{
    int axis = (int)p->v[0];
    if (nparts != 1 || !applies(out->d.bits))
        return mx_fail(err, MX_EINPUT, "corrupt data: %s needs 1 part", name);
    if (mx_stage_expect(&parts[0], out->d.bits, out->d.rows, out->d.cols, name, err))
        return -1;
    size_t n = (size_t)(out->d.rows * out->d.cols);
    uint32_t m = mask_of(out->d.bits);
    for (size_t i = 0; i < n; i++) {
        size_t j = prev_index(i, out->d.cols, axis);
        uint32_t prev = j == SIZE_MAX ? 0 : mx_stream_get(out, j);
        mx_stream_put(out, i, inv(mx_stream_get(&parts[0], i), prev, m));
    }
    return 0;
}
