#include "npy.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../codecs/bf16.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAX_DIMS MX_NPY_MAX_DIMS


/* The header numpy itself writes for a C-order '<u2' array of shape
 * dims[0..ndim): version 1, padded with spaces so the data starts 64-byte
 * aligned; the tuple as Python writes it: (), (n,), (a, b), (a, b, c). */
size_t mx_npy_tensor_header(const uint64_t *dims, size_t ndim, uint8_t *hdr)
{
    char dict[MX_NPY_TENSOR_MAX];
    int n = snprintf(dict, sizeof dict, "{'descr': '<u2', 'fortran_order': False, 'shape': (");
    for (size_t i = 0; i < ndim; i++)
        n += snprintf(dict + n, sizeof dict - (size_t)n, "%s%llu", i ? ", " : "",
                      (unsigned long long)dims[i]);
    n += snprintf(dict + n, sizeof dict - (size_t)n, "%s), }", ndim == 1 ? "," : "");
    size_t total = 10 + (size_t)n + 1, padded = (total + 63) / 64 * 64;
    memcpy(hdr, NPY_MAGIC "\x01\x00", 8);
    hdr[8] = (uint8_t)((padded - 10) & 0xff);
    hdr[9] = (uint8_t)((padded - 10) >> 8);
    memcpy(hdr + 10, dict, (size_t)n);
    memset(hdr + 10 + n, ' ', padded - total);
    hdr[padded - 1] = '\n';
    return padded;
}

static size_t fresh_header(uint64_t rows, uint64_t cols, uint8_t *hdr)
{
    const uint64_t dims[2] = {rows, cols};
    return mx_npy_tensor_header(dims, 2, hdr);
}

int mx_npy_sniff(const uint8_t *buf, size_t len)
{
    return len >= 6 && memcmp(buf, NPY_MAGIC, 6) == 0;
}

/* The header dict is read as numpy reads it, a Python literal with exactly
 * the keys descr, fortran_order and shape, not searched for its keys: a key
 * given twice (numpy keeps the last) or one numpy does not know is refused,
 * so no file means one thing here and another to numpy. Only what numpy
 * itself writes is taken: plain quoted strings, True/False, a tuple of
 * decimal integers. */
typedef struct {
    const char *p, *end;
} cursor;

static void skip_space(cursor *c)
{
    while (c->p < c->end && isspace((unsigned char)*c->p))
        c->p++;
}

/* 1 when the next character after spaces is ch (consumed with eat). */
static int next_is(cursor *c, char ch)
{
    skip_space(c);
    return c->p < c->end && *c->p == ch;
}

static int eat(cursor *c, char ch)
{
    if (!next_is(c, ch))
        return 0;
    c->p++;
    return 1;
}

/* A quoted string without escapes or control characters: [*s, *s + *n). */
static int quoted(cursor *c, const char **s, size_t *n)
{
    if (!next_is(c, '\'') && !next_is(c, '"'))
        return -1;
    char q = *c->p++;
    *s = c->p;
    while (c->p < c->end && *c->p != q) {
        if (*c->p == '\\' || (unsigned char)*c->p < 0x20)
            return -1;
        c->p++;
    }
    if (c->p == c->end)
        return -1;
    *n = (size_t)(c->p - *s);
    c->p++;
    return 0;
}

typedef struct {
    char descr[32];
    int fortran;
    size_t ndim;
    uint64_t dims[NPY_MAX_DIMS];
    int huge;                    /* a dimension past 64 bits (dims[] holds 0) */
    const char *shape, *shape_end; /* the tuple's text, for messages */
} npy_header;

enum { KEY_DESCR, KEY_FORTRAN, KEY_SHAPE, N_KEYS };
static const char *const key_names[N_KEYS] = {"descr", "fortran_order", "shape"};

static int parse_descr(cursor *c, npy_header *nh, mx_error *err)
{
    const char *s;
    size_t n;
    if (quoted(c, &s, &n) || n >= sizeof nh->descr)
        return mx_fail(err, MX_EINPUT, "npy header has a bad 'descr'");
    memcpy(nh->descr, s, n);
    return 0;
}

static int parse_fortran(cursor *c, npy_header *nh, mx_error *err)
{
    skip_space(c);
    const char *w = c->p;
    while (c->p < c->end && (isalnum((unsigned char)*c->p) || *c->p == '_'))
        c->p++;
    size_t n = (size_t)(c->p - w);
    if (n == 4 && memcmp(w, "True", 4) == 0)
        nh->fortran = 1;
    else if (!(n == 5 && memcmp(w, "False", 5) == 0))
        return mx_fail(err, MX_EINPUT, "npy header has a bad 'fortran_order'");
    return 0;
}

/* A tuple of non-negative integers: (), (n,), (a, b), (a, b,) ... ("(n)"
 * is an int to Python, and numpy refuses it). A dimension past 64 bits
 * sets huge rather than saturating. */
static int parse_shape(cursor *c, npy_header *nh, mx_error *err)
{
    if (!next_is(c, '('))
        return mx_fail(err, MX_EINPUT, "npy header has a bad 'shape' (not a tuple)");
    nh->shape = c->p++;
    int comma = 0;
    while (!eat(c, ')')) {
        skip_space(c);
        if (c->p == c->end || !isdigit((unsigned char)*c->p))
            return mx_fail(err, MX_EINPUT, "npy header has a bad 'shape'");
        if (nh->ndim == NPY_MAX_DIMS)
            return mx_fail(err, MX_EINPUT, "npy shape has too many dimensions");
        uint64_t v = 0;
        for (; c->p < c->end && isdigit((unsigned char)*c->p); c->p++) {
            unsigned d = (unsigned)(*c->p - '0');
            if (v > (UINT64_MAX - d) / 10)
                nh->huge = 1;
            v = nh->huge ? 0 : v * 10 + d;
        }
        nh->dims[nh->ndim++] = v;
        comma = eat(c, ',');
        if (!comma && !next_is(c, ')'))
            return mx_fail(err, MX_EINPUT, "npy header has a bad 'shape'");
    }
    if (nh->ndim == 1 && !comma)
        return mx_fail(err, MX_EINPUT, "npy header has a bad 'shape' (not a tuple)");
    nh->shape_end = c->p;
    return 0;
}

static int parse_header(const char *h, size_t len, npy_header *nh, mx_error *err)
{
    static int (*const parse_value[N_KEYS])(cursor *, npy_header *, mx_error *) = {
        parse_descr, parse_fortran, parse_shape};
    memset(nh, 0, sizeof *nh);
    cursor c = {h, h + len};
    int seen[N_KEYS] = {0};
    if (!eat(&c, '{'))
        return mx_fail(err, MX_EINPUT, "bad npy header: not a dict");
    while (!eat(&c, '}')) {
        const char *k;
        size_t n;
        int key = N_KEYS;
        if (quoted(&c, &k, &n))
            return mx_fail(err, MX_EINPUT, "bad npy header: a key is not a plain string");
        for (int i = 0; i < N_KEYS && key == N_KEYS; i++)
            if (strlen(key_names[i]) == n && memcmp(k, key_names[i], n) == 0)
                key = i;
        if (key == N_KEYS)
            return mx_fail(err, MX_EINPUT,
                           "bad npy header: unknown key '%.*s' (numpy allows only descr, "
                           "fortran_order and shape)",
                           (int)(n > 40 ? 40 : n), k);
        if (seen[key]++)
            return mx_fail(err, MX_EINPUT, "bad npy header: key '%s' appears twice",
                           key_names[key]);
        if (!eat(&c, ':'))
            return mx_fail(err, MX_EINPUT, "bad npy header: no ':' after '%s'", key_names[key]);
        if (parse_value[key](&c, nh, err))
            return -1;
        if (!eat(&c, ',') && !next_is(&c, '}'))
            return mx_fail(err, MX_EINPUT, "bad npy header: no ',' or '}' after '%s'",
                           key_names[key]);
    }
    skip_space(&c);
    if (c.p != c.end)
        return mx_fail(err, MX_EINPUT, "bad npy header: text after the dict");
    for (int i = 0; i < N_KEYS; i++)
        if (!seen[i])
            return mx_fail(err, MX_EINPUT, "npy header has no '%s'", key_names[i]);
    return 0;
}

/* The shape as the header writes it (spaces folded, a long one cut), for
 * messages: never a figure the file did not write. */
static void shape_text(const npy_header *nh, char *out, size_t n)
{
    size_t k = 0;
    const char *p = nh->shape;
    for (; p < nh->shape_end && k + 4 < n; p++) { /* room for "..." and the NUL */
        int space = isspace((unsigned char)*p) != 0;
        if (space && k && out[k - 1] == ' ')
            continue;
        out[k++] = space ? ' ' : *p;
    }
    if (p < nh->shape_end) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = 0;
}

/* 2 for the accepted bf16 spellings, 4 for <f4, 0 otherwise. */
static int descr_width(const char *d)
{
    static const char *const bf16[] = {"<u2", "<i2", "|V2", "<V2", "bfloat16", NULL};
    for (size_t i = 0; bf16[i]; i++)
        if (strcmp(d, bf16[i]) == 0)
            return 2;
    return strcmp(d, "<f4") == 0 ? 4 : 0;
}

int mx_npy_header_size(const uint8_t *buf, size_t len, size_t *size, mx_error *err)
{
    if (!mx_npy_sniff(buf, len))
        return mx_fail(err, MX_EINPUT, "not an .npy file (bad magic)");
    if (len < 10)
        return mx_fail(err, MX_EINPUT, "truncated .npy header");
    unsigned major = buf[6];
    if (major == 1) {
        *size = 10 + ((size_t)buf[8] | (size_t)buf[9] << 8);
    } else if (major == 2 || major == 3) {
        if (len < 12)
            return mx_fail(err, MX_EINPUT, "truncated .npy header");
        *size = 12 + ((size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 |
                      (size_t)buf[11] << 24);
    } else {
        return mx_fail(err, MX_EINPUT, "unsupported .npy format version %u", major);
    }
    return 0;
}

int mx_npy_read_header(const uint8_t *buf, size_t len, mx_npy_info *info, mx_error *err)
{
    memset(info, 0, sizeof *info);
    size_t data;
    if (mx_npy_header_size(buf, len, &data, err))
        return -1;
    if (data > len)
        return mx_fail(err, MX_EINPUT, "truncated .npy header");
    size_t start = buf[6] == 1 ? 10 : 12;
    npy_header nh;
    if (parse_header((const char *)buf + start, data - start, &nh, err))
        return -1;
    int width = descr_width(nh.descr);
    if (!width) {
        if (nh.descr[0] == '>')
            return mx_fail(err, MX_EINPUT, "big-endian dtype '%s' is not supported", nh.descr);
        return mx_fail(err, MX_EINPUT,
                       "dtype '%s' is not bf16 (want <u2, <i2, |V2, bfloat16 or <f4)",
                       nh.descr);
    }
    if (nh.fortran && nh.ndim > 2)
        return mx_fail(err, MX_EINPUT,
                       "Fortran-order arrays of more than 2 dimensions are not supported");
    /* the shape is named as the header writes it: rows x cols would show a
     * 1-D shape as 1 x n and fold N-D ones, and a dimension past 64 bits
     * has no figure */
    char *shape = info->shape;
    shape_text(&nh, shape, sizeof info->shape);
    info->ndim = nh.ndim;
    uint64_t rows = 1, cols = nh.ndim ? nh.dims[nh.ndim - 1] : 1;
    for (size_t i = 0; i + 1 < nh.ndim && !nh.huge; i++) {
        if (nh.dims[i] && rows > UINT64_MAX / nh.dims[i])
            nh.huge = 1;
        else
            rows *= nh.dims[i];
    }
    if (nh.huge)
        return mx_fail(err, MX_EINPUT, "npy: shape %s is too large", shape);
    if (mx_shape_check_as(rows, cols, shape, err))
        return mx_wrap(err, "npy");
    info->rows = rows;
    info->cols = cols;
    info->width = width;
    info->fortran = nh.fortran;
    info->data_offset = data;
    /* keep the header only when it is not the one we would write anyway:
     * every byte of it would count against the compression ratio */
    uint8_t fresh[MX_NPY_FRESH_MAX];
    info->keep_header = width == 2 && !(!nh.fortran && nh.ndim == 2 && strcmp(nh.descr, "<u2") == 0 &&
                                        fresh_header(rows, cols, fresh) == data &&
                                        memcmp(fresh, buf, data) == 0);
    return 0;
}

int mx_npy_header_fits(const uint8_t *hdr, size_t len, uint64_t rows, uint64_t cols,
                       int fortran, mx_error *err)
{
    mx_npy_info info;
    if (mx_npy_read_header(hdr, len, &info, err))
        return -1;
    if (info.data_offset != len)
        return mx_fail(err, MX_EINPUT, "%zu bytes follow the .npy header",
                       len - info.data_offset);
    if (info.width != 2)
        return mx_fail(err, MX_EINPUT, "its dtype is not the 2-byte one of bf16 values");
    if (info.fortran != fortran)
        return mx_fail(err, MX_EINPUT, "its fortran_order is %s, the values are stored in %s order",
                       info.fortran ? "True" : "False", fortran ? "Fortran" : "C");
    if (info.rows != rows || info.cols != cols)
        return mx_fail(err, MX_EINPUT, "its shape does not hold the %llux%llu values stored",
                       (unsigned long long)rows, (unsigned long long)cols);
    return 0;
}

int mx_npy_tensor_header_fits(const uint8_t *hdr, size_t len, uint64_t rows, uint64_t cols,
                              mx_error *err)
{
    if (mx_npy_header_fits(hdr, len, rows, cols, 0, err))
        return -1;
    npy_header nh;
    size_t start = hdr[6] == 1 ? 10 : 12; /* it fits: a whole header that parses */
    if (parse_header((const char *)hdr + start, len - start, &nh, err))
        return -1;
    /* a 2-D tensor's file stores no header, and any other is the one
     * mx_npy_tensor_header writes: nothing else is what compress made */
    if (nh.ndim == 2)
        return mx_fail(err, MX_EINPUT, "its shape is 2-D, and a 2-D tensor's file stores none");
    uint8_t want[MX_NPY_TENSOR_MAX];
    if (mx_npy_tensor_header(nh.dims, nh.ndim, want) != len || memcmp(want, hdr, len) != 0) {
        char shape[80];
        shape_text(&nh, shape, sizeof shape);
        return mx_fail(err, MX_EINPUT, "it is not the header mxbench writes for shape %s", shape);
    }
    return 0;
}

void mx_npy_decode_values(const uint8_t *src, int width, size_t count, uint16_t *dst)
{
    for (size_t i = 0; i < count; i++) {
        if (width == 2) {
            dst[i] = (uint16_t)(src[2 * i] | src[2 * i + 1] << 8);
        } else {
            uint32_t u = (uint32_t)src[4 * i] | (uint32_t)src[4 * i + 1] << 8 |
                         (uint32_t)src[4 * i + 2] << 16 | (uint32_t)src[4 * i + 3] << 24;
            float f;
            memcpy(&f, &u, sizeof f);
            dst[i] = mx_float_to_bf16(f);
        }
    }
}

int mx_npy_parse(const uint8_t *buf, size_t len, mx_matrix *m, mx_error *err)
{
    memset(m, 0, sizeof *m);
    mx_npy_info nh;
    if (mx_npy_read_header(buf, len, &nh, err))
        return -1;
    uint64_t rows = nh.rows, cols = nh.cols;
    size_t count = (size_t)(rows * cols), data = nh.data_offset;
    size_t have = len - data, want = count * (size_t)nh.width;
    if (have < want)
        return mx_fail(err, MX_EINPUT, "truncated .npy data: %zu bytes, shape needs %zu",
                       have, want);
    if (have > want)
        return mx_fail(err, MX_EINPUT, "%zu byte%s of trailing data after the .npy array",
                       have - want, have - want == 1 ? "" : "s");
    if (mx_matrix_alloc(m, rows, cols))
        return mx_fail(err, MX_EFAIL, "out of memory for a %llux%llu matrix",
                       (unsigned long long)rows, (unsigned long long)cols);
    uint16_t *tmp = m->data;
    if (nh.fortran && count) {
        tmp = malloc(count * sizeof *tmp);
        if (!tmp) {
            mx_matrix_free(m);
            return mx_fail(err, MX_EFAIL, "out of memory");
        }
    }
    mx_npy_decode_values(buf + data, nh.width, count, tmp);
    if (nh.fortran && count) {
        mx_transpose_u16(tmp, m->data, rows, cols);
        free(tmp);
    }
    m->fortran = nh.fortran;
    m->origin = nh.width == 4 ? MX_ORIGIN_NPY_F32 /* written back as a fresh <u2 file */
                              : MX_ORIGIN_NPY;
    if (!nh.keep_header)
        return 0;
    m->origin_blob = malloc(data);
    if (!m->origin_blob) {
        mx_matrix_free(m);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    memcpy(m->origin_blob, buf, data);
    m->origin_blob_len = data;
    return 0;
}

size_t mx_npy_header_for(const mx_matrix *m, uint64_t rows, uint8_t *fresh, const uint8_t **head)
{
    if (m->origin_blob) {
        *head = m->origin_blob;
        return m->origin_blob_len;
    }
    *head = fresh;
    return fresh_header(rows, m->cols, fresh);
}

int mx_npy_serialize(const mx_matrix *m, uint8_t **out, size_t *out_len, mx_error *err)
{
    uint8_t hdr[MX_NPY_FRESH_MAX];
    const uint8_t *head;
    size_t hlen = mx_npy_header_for(m, m->rows, hdr, &head);
    int fortran = m->fortran && m->origin == MX_ORIGIN_NPY && m->origin_blob;
    size_t count = mx_matrix_count(m);
    uint8_t *buf = malloc(hlen + 2 * count + 1);
    if (!buf)
        return mx_fail(err, MX_EFAIL, "out of memory");
    memcpy(buf, head, hlen);
    uint8_t *dst = buf + hlen;
    for (size_t i = 0; i < count; i++) {
        /* Fortran files hold column c, row r at c*rows + r */
        size_t j = fortran ? (size_t)((i % m->cols) * m->rows + i / m->cols) : i;
        dst[2 * j] = (uint8_t)m->data[i];
        dst[2 * j + 1] = (uint8_t)(m->data[i] >> 8);
    }
    *out = buf;
    *out_len = hlen + 2 * count;
    return 0;
}
