#include "npy.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../codecs/bf16.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAX_DIMS 32


/* The header numpy itself writes for a C-order (rows, cols) '<u2' array:
 * version 1, padded with spaces so the data starts 64-byte aligned. */
static size_t fresh_header(uint64_t rows, uint64_t cols, uint8_t *hdr)
{
    char dict[160];
    int n = snprintf(dict, sizeof dict,
                     "{'descr': '<u2', 'fortran_order': False, 'shape': (%llu, %llu), }",
                     (unsigned long long)rows, (unsigned long long)cols);
    size_t total = 10 + (size_t)n + 1, padded = (total + 63) / 64 * 64;
    memcpy(hdr, NPY_MAGIC "\x01\x00", 8);
    hdr[8] = (uint8_t)((padded - 10) & 0xff);
    hdr[9] = (uint8_t)((padded - 10) >> 8);
    memcpy(hdr + 10, dict, (size_t)n);
    memset(hdr + 10 + n, ' ', padded - total);
    hdr[padded - 1] = '\n';
    return padded;
}

int mx_npy_sniff(const uint8_t *buf, size_t len)
{
    return len >= 6 && memcmp(buf, NPY_MAGIC, 6) == 0;
}

/* Finds the value text after 'key': in the header dict. */
static const char *find_key(const char *h, const char *key)
{
    char q1[64], q2[64];
    snprintf(q1, sizeof q1, "'%s'", key);
    snprintf(q2, sizeof q2, "\"%s\"", key);
    const char *p = strstr(h, q1);
    if (!p)
        p = strstr(h, q2);
    if (!p)
        return NULL;
    p += strlen(q1);
    while (isspace((unsigned char)*p))
        p++;
    if (*p != ':')
        return NULL;
    p++;
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

typedef struct {
    char descr[32];
    int fortran;
    size_t ndim;
    uint64_t dims[NPY_MAX_DIMS];
} npy_header;

static int parse_header(const char *h, npy_header *nh, mx_error *err)
{
    memset(nh, 0, sizeof *nh);
    const char *p = find_key(h, "descr");
    if (!p || (*p != '\'' && *p != '"'))
        return mx_fail(err, MX_EINPUT, "npy header has no 'descr'");
    char q = *p++;
    const char *e = strchr(p, q);
    if (!e || (size_t)(e - p) >= sizeof nh->descr)
        return mx_fail(err, MX_EINPUT, "npy header has a bad 'descr'");
    memcpy(nh->descr, p, (size_t)(e - p));
    p = find_key(h, "fortran_order");
    if (!p)
        return mx_fail(err, MX_EINPUT, "npy header has no 'fortran_order'");
    if (strncmp(p, "True", 4) == 0)
        nh->fortran = 1;
    else if (strncmp(p, "False", 5) != 0)
        return mx_fail(err, MX_EINPUT, "npy header has a bad 'fortran_order'");
    p = find_key(h, "shape");
    if (!p || *p != '(')
        return mx_fail(err, MX_EINPUT, "npy header has no 'shape'");
    p++;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (*p == ')')
            break;
        if (!isdigit((unsigned char)*p))
            return mx_fail(err, MX_EINPUT, "npy header has a bad 'shape'");
        char *end;
        unsigned long long v = strtoull(p, &end, 10);
        if (nh->ndim == NPY_MAX_DIMS)
            return mx_fail(err, MX_EINPUT, "npy shape has too many dimensions");
        nh->dims[nh->ndim++] = v;
        p = end;
        while (isspace((unsigned char)*p))
            p++;
        if (*p == ',')
            p++;
        else if (*p != ')')
            return mx_fail(err, MX_EINPUT, "npy header has a bad 'shape'");
    }
    return 0;
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
    size_t start = buf[6] == 1 ? 10 : 12, hlen = data - start;
    char *h = malloc(hlen + 1);
    if (!h)
        return mx_fail(err, MX_EFAIL, "out of memory");
    memcpy(h, buf + start, hlen);
    h[hlen] = 0;
    npy_header nh;
    int rc = parse_header(h, &nh, err);
    free(h);
    if (rc)
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
    uint64_t rows = 1, cols = nh.ndim ? nh.dims[nh.ndim - 1] : 1;
    for (size_t i = 0; i + 1 < nh.ndim; i++) {
        if (nh.dims[i] && rows > UINT64_MAX / nh.dims[i])
            return mx_fail(err, MX_EINPUT, "npy shape is too large");
        rows *= nh.dims[i];
    }
    if (mx_shape_check(rows, cols, err))
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
