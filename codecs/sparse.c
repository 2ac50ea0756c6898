#include "sparse.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t mx_fraction_count(const mx_params *p, size_t n)
{
    double k = ceil((double)n * (p->v[0] / MX_FRACTION_SCALE));
    return n == 0 ? 0 : k < 1 ? 1 : k > (double)n ? n : (size_t)k;
}

int mx_select_largest(const mx_stream *in, size_t k, uint8_t *keep, mx_error *err)
{
    /* bf16 magnitudes order as their low 15 bits: a histogram finds the
     * threshold in two passes, with no sort */
    size_t n = (size_t)(in->d.rows * in->d.cols);
    static const size_t levels = 32768;
    size_t *hist = calloc(levels, sizeof *hist);
    if (!hist)
        return mx_fail(err, MX_EFAIL, "out of memory");
    for (size_t i = 0; i < n; i++)
        hist[mx_stream_get(in, i) & 0x7fff]++;
    size_t above = 0, t = levels;
    while (t > 0 && above + hist[t - 1] < k)
        above += hist[--t];
    /* every magnitude >= t is kept; then k - above of magnitude t - 1 */
    size_t ties = t > 0 ? k - above : 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t m = mx_stream_get(in, i) & 0x7fff;
        if (m >= t || (t > 0 && m == t - 1 && ties && ties--))
            keep[i] = 1;
    }
    free(hist);
    return 0;
}

int mx_sparse_write(const mx_stream *in, const uint8_t *keep, size_t k, mx_stream_set *out,
                    mx_error *err)
{
    size_t n = (size_t)(in->d.rows * in->d.cols), len = 0, last = 0;
    int first = 1;
    for (size_t i = 0; i < n; i++)
        if (keep[i]) {
            size_t gap = first ? i : i - last - 1;
            do
                len++;
            while (gap >>= 7);
            last = i;
            first = 0;
        }
    int pi = mx_stream_set_add(out, 8, 1, len, err);
    int vi = pi < 0 ? -1 : mx_stream_set_add(out, 8, 1, 2 * (uint64_t)k, err);
    if (vi < 0)
        return -1;
    size_t o = 0, j = 0;
    first = 1;
    for (size_t i = 0; i < n; i++)
        if (keep[i]) {
            size_t gap = first ? i : i - last - 1;
            while (gap >= 128) {
                mx_stream_put(&out->s[pi], o++, (uint32_t)(gap & 127) | 128u);
                gap >>= 7;
            }
            mx_stream_put(&out->s[pi], o++, (uint32_t)gap);
            uint32_t v = mx_stream_get(in, i);
            mx_stream_put(&out->s[vi], j, v >> 8);
            mx_stream_put(&out->s[vi], k + j, v & 255);
            j++;
            last = i;
            first = 0;
        }
    return 0;
}

int mx_sparse_read(const char *stage, const mx_stream *parts, mx_stream *out, size_t *k,
                   mx_error *err)
{
    const mx_stream *pos = &parts[0], *val = &parts[1];
    if (pos->d.bits != 8 || pos->d.rows != 1 || val->d.bits != 8 || val->d.rows != 1 ||
        val->d.cols % 2)
        return mx_fail(err, MX_EINPUT, "corrupt data: %s parts have the wrong shape", stage);
    size_t n = (size_t)(out->d.rows * out->d.cols), len = (size_t)pos->d.cols, o = 0;
    size_t kk = (size_t)(val->d.cols / 2), next = 0;
    for (size_t j = 0; j < kk; j++) {
        uint64_t gap = 0;
        for (int shift = 0;; shift += 7) {
            if (o == len || shift > 56)
                return mx_fail(err, MX_EINPUT, "corrupt data: %s positions are cut short", stage);
            uint32_t b = mx_stream_get(pos, o++);
            gap |= (uint64_t)(b & 127) << shift;
            if (!(b & 128))
                break;
        }
        if (gap >= n - next || next >= n)
            return mx_fail(err, MX_EINPUT, "corrupt data: %s position out of range", stage);
        size_t i = next + (size_t)gap;
        mx_stream_put(out, i, mx_stream_get(val, j) << 8 | mx_stream_get(val, kk + j));
        next = i + 1;
    }
    if (o != len)
        return mx_fail(err, MX_EINPUT, "corrupt data: %s has extra position bytes", stage);
    *k = kk;
    return 0;
}
