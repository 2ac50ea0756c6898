#include "stream.h"
#include <stdlib.h>
#include <string.h>

int mx_stream_bits_valid(unsigned bits)
{
    return bits == 1 || bits == 4 || bits == 8 || bits == 16 || bits == 32;
}

int mx_stream_desc_bytes(const mx_stream_desc *d, size_t *bytes)
{
    if (!mx_stream_bits_valid(d->bits))
        return -1;
    if (d->cols && d->rows > UINT64_MAX / d->cols)
        return -1;
    uint64_t n = d->rows * d->cols;
    if (n > (uint64_t)SIZE_MAX / 4)
        return -1;
    uint64_t b = (n * d->bits + 7) / 8;
    *bytes = (size_t)b;
    return 0;
}

int mx_stream_set_add(mx_stream_set *set, uint8_t bits, uint64_t rows,
                      uint64_t cols, mx_error *err)
{
    if (set->n >= MX_MAX_STREAMS)
        return mx_fail(err, MX_EINPUT, "pipeline makes more than %d streams",
                       MX_MAX_STREAMS);
    mx_stream_desc d = {bits, rows, cols};
    size_t bytes;
    if (mx_stream_desc_bytes(&d, &bytes) < 0)
        return mx_fail(err, MX_EINPUT, "stream shape %llux%llu of %u bits is too large",
                       (unsigned long long)rows, (unsigned long long)cols, bits);
    uint8_t *p = calloc(bytes ? bytes : 1, 1);
    if (!p)
        return mx_fail(err, MX_EFAIL, "out of memory (%zu bytes)", bytes);
    mx_stream *s = &set->s[set->n];
    s->d = d;
    s->data = p;
    s->size = bytes;
    return (int)set->n++;
}

int mx_stream_set_move(mx_stream_set *dst, mx_stream_set *src, size_t i,
                       mx_error *err)
{
    if (dst->n >= MX_MAX_STREAMS)
        return mx_fail(err, MX_EINPUT, "pipeline makes more than %d streams",
                       MX_MAX_STREAMS);
    dst->s[dst->n++] = src->s[i];
    memset(&src->s[i], 0, sizeof src->s[i]);
    return 0;
}

void mx_stream_set_free(mx_stream_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        free(set->s[i].data);
    memset(set, 0, sizeof *set);
}
