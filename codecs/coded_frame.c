#include "coded_frame.h"
#include <stdlib.h>
#include <string.h>

size_t mx_frame_bound(const mx_params *p, size_t n)
{
    (void)p;
    return n + 1;
}

int mx_frame_store(const uint8_t *src, size_t n, uint8_t *dst, size_t cap, size_t *dst_len,
                   mx_error *err)
{
    if (cap < n + 1)
        return mx_fail(err, MX_EFAIL, "output buffer too small");
    dst[0] = MX_FRAME_STORED;
    if (n)
        memcpy(dst + 1, src, n);
    *dst_len = n + 1;
    return 0;
}

int mx_frame_finish(const mx_bytes *frame, const uint8_t *src, size_t n, uint8_t *dst, size_t cap,
                    size_t *dst_len, mx_error *err)
{
    if (frame->oom)
        return mx_fail(err, MX_EFAIL, "out of memory");
    if (frame->len < n + 1 && frame->len <= cap) {
        memcpy(dst, frame->p, frame->len);
        *dst_len = frame->len;
        return 0;
    }
    return mx_frame_store(src, n, dst, cap, dst_len, err);
}

/* The frame a coder builds before it is copied to the stage's output, kept
 * in the work: its buffer grows once to the size of the frames coded, not
 * from nothing on every call. */
static void frame_clear(void *state)
{
    free(((mx_bytes *)state)->p);
}

static const mx_work_kind frame_kind = {"coded frame", sizeof(mx_bytes), frame_clear};

mx_bytes *mx_frame_scratch(mx_work *w, mx_bytes *local)
{
    mx_bytes *f = mx_work_state(w, &frame_kind);
    if (!f)
        return local;
    f->len = 0;
    f->oom = 0;
    return f;
}

int mx_order0_encode(const uint8_t *src, size_t n, mx_bytes *out, mx_error *err)
{
    uint16_t alpha = 256;
    mx_rans_model m;
    if (mx_rans_model_init(&m, 1, &alpha, err))
        return -1;
    mx_rans_sym *syms = malloc((n ? n : 1) * sizeof *syms);
    if (!syms) {
        mx_rans_model_free(&m);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        m.t[0].count[src[i]]++;
        syms[i].ctx = 0;
        syms[i].sym = src[i];
    }
    mx_rans_normalize(&m);
    int rc = mx_rans_write_tables(&m, out) ? mx_fail(err, MX_EFAIL, "out of memory")
                                           : mx_rans_encode_all(&m, syms, n, out, err);
    free(syms);
    mx_rans_model_free(&m);
    return rc;
}

int mx_order0_decode(const uint8_t *src, size_t n, uint8_t *dst, size_t expected,
                     mx_error *err)
{
    uint16_t alpha = 256;
    mx_rans_model m;
    size_t off = 0;
    mx_rans_dec d;
    if (mx_rans_model_init(&m, 1, &alpha, err))
        return -1;
    int rc = -1;
    if (mx_rans_read_tables(&m, src, n, &off, err) || mx_rans_dec_init(&d, src + off, n - off, err))
        goto out;
    for (size_t i = 0; i < expected && !d.bad; i++)
        dst[i] = (uint8_t)mx_rans_dec_get(&d, &m.t[0]);
    rc = mx_rans_dec_finish(&d, err);
out:
    mx_rans_model_free(&m);
    return rc;
}

int mx_frame_decode(const char *stage, const uint8_t *src, size_t n, uint8_t *dst,
                    size_t expected, mx_error *err)
{
    if (n < 1)
        return mx_fail(err, MX_EINPUT, "corrupt data: empty %s stream", stage);
    if (src[0] == MX_FRAME_STORED) {
        if (n - 1 != expected)
            return mx_fail(err, MX_EINPUT, "corrupt data: stored stream has the wrong size");
        if (expected)
            memcpy(dst, src + 1, expected);
        return 0;
    }
    if (src[0] == MX_FRAME_ORDER0)
        return mx_order0_decode(src + 1, n - 1, dst, expected, err);
    return mx_fail(err, MX_EINPUT, "corrupt data: unknown %s frame %u", stage, src[0]);
}

static int is_bf16_matrix(const mx_stream_desc *d, size_t n)
{
    return d->bits == 16 && d->cols && n == (size_t)(d->rows * d->cols) * 2;
}

int mx_bf16_frame_compress(uint8_t mode, mx_bf16_encode_fn encode16, const mx_params *p,
                           mx_work *w, const mx_stream_desc *d, const uint8_t *src, size_t n,
                           uint8_t *dst, size_t cap, size_t *dst_len, mx_error *err)
{
    mx_bytes local = {0}, *f = mx_frame_scratch(w, &local);
    int is16 = is_bf16_matrix(d, n);
    uint8_t m = is16 ? mode : (uint8_t)MX_FRAME_ORDER0;
    mx_bytes_put(f, &m, 1);
    int rc = is16 ? encode16(p, w, d, src, f, err) : mx_order0_encode(src, n, f, err);
    if (rc == 0)
        rc = mx_frame_finish(f, src, n, dst, cap, dst_len, err);
    else if (rc > 0) /* coding would not fit in the raw size: store (exact, even for a lossy coder) */
        rc = mx_frame_store(src, n, dst, cap, dst_len, err);
    free(local.p); /* NULL unless the work had no room for the scratch */
    return rc;
}

int mx_bf16_frame_decompress(const char *stage, uint8_t mode, mx_bf16_decode_fn decode16,
                             const mx_params *p, mx_work *w, const mx_stream_desc *d,
                             const uint8_t *src, size_t n, uint8_t *dst, size_t expected,
                             mx_error *err)
{
    if (n < 1 || src[0] != mode)
        return mx_frame_decode(stage, src, n, dst, expected, err);
    if (!is_bf16_matrix(d, expected))
        return mx_fail(err, MX_EINPUT, "corrupt data: %s frame on a non-16-bit stream", stage);
    return decode16(p, w, d, src + 1, n - 1, dst, err);
}
