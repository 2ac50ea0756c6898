#include "filecodec.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "container.h"
#include "engine.h"
#include "npy.h"

/* Largest .npy header read before the data. */
#define MAX_NPY_HEADER ((size_t)16 << 20)

static int read_at(int fd, const char *path, void *buf, size_t n, uint64_t off, mx_error *err)
{
    uint8_t *p = buf;
    while (n) {
        ssize_t r = pread(fd, p, n, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return mx_fail(err, MX_EINPUT, "%s: %s", path,
                           r < 0 ? strerror(errno) : "file shrank while reading");
        p += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return 0;
}

static int open_input(const char *path, uint64_t *size, mx_error *err)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return mx_fail(err, MX_EINPUT, "%s: %s", path, strerror(errno)), -1;
    struct stat st;
    if (fstat(fd, &st) || S_ISDIR(st.st_mode)) {
        close(fd);
        return mx_fail(err, MX_EINPUT, "%s: is a directory", path), -1;
    }
    *size = (uint64_t)st.st_size;
    return fd;
}

static const char *base_name(const char *path)
{
    if (mx_is_stdio(path))
        return "stdin";
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Rows [first, first + n) of a file read in row order. */
static int read_rows(void *user, uint64_t first, uint64_t n, uint16_t *dst, mx_error *err)
{
    mx_input *in = user;
    size_t count = (size_t)(n * in->src.head.cols), bytes = count * (size_t)in->width;
    uint64_t at = in->offset + first * in->src.head.cols * (uint64_t)in->width;
    if (in->width == 2) /* bf16 bits are stored little-endian, as this (LE-only) build holds them */
        return read_at(in->fd, in->path, dst, bytes, at, err);
    if (bytes > in->raw_cap) {
        uint8_t *q = realloc(in->raw, bytes);
        if (!q)
            return mx_fail(err, MX_EFAIL, "out of memory");
        in->raw = q;
        in->raw_cap = bytes;
    }
    if (read_at(in->fd, in->path, in->raw, bytes, at, err))
        return -1;
    mx_npy_decode_values(in->raw, 4, count, dst);
    return 0;
}

/* 1 when the file can be read in row order: in->src.head set (its origin
 * header malloc'd), offset and width; 0 when it must be loaded whole; -1. */
static int probe_rows(mx_input *in, uint64_t size, const mx_shape *shape, mx_error *err)
{
    mx_matrix *h = &in->src.head;
    uint8_t head[12];
    size_t n = size < sizeof head ? (size_t)size : sizeof head;
    if (read_at(in->fd, in->path, head, n, 0, err))
        return -1;
    if (mx_npy_sniff(head, n)) {
        size_t hsize;
        mx_error ignored = {0}; /* the whole-file reader says what is wrong */
        if (mx_npy_header_size(head, n, &hsize, &ignored) || hsize > MAX_NPY_HEADER ||
            hsize > size)
            return 0;
        uint8_t *hb = malloc(hsize);
        if (!hb)
            return mx_fail(err, MX_EFAIL, "out of memory");
        mx_npy_info info;
        if (read_at(in->fd, in->path, hb, hsize, 0, err) ||
            mx_npy_read_header(hb, hsize, &info, &ignored) || info.fortran ||
            size - info.data_offset != info.rows * info.cols * (uint64_t)info.width) {
            free(hb);
            return 0;
        }
        if (mx_shape_agrees(shape, info.rows, info.cols, in->path, err)) {
            free(hb);
            return -1;
        }
        h->rows = info.rows;
        h->cols = info.cols;
        h->origin = info.width == 4 ? MX_ORIGIN_NPY_F32 : MX_ORIGIN_NPY;
        if (info.keep_header) {
            h->origin_blob = hb;
            h->origin_blob_len = hsize;
        } else {
            free(hb);
        }
        in->width = info.width;
        in->offset = info.data_offset;
        in->converted = info.width == 4;
        return 1;
    }
    /* otherwise raw values, when given a shape they fill exactly */
    if (mx_container_sniff(head, n) || mx_path_has_ext(in->path, ".safetensors") || !shape ||
        !shape->set || shape->cols == 0 || mx_shape_check(shape->rows, shape->cols, NULL) ||
        size != shape->rows * shape->cols * 2)
        return 0; /* the whole-file reader says what is wrong */
    h->rows = shape->rows;
    h->cols = shape->cols;
    h->origin = MX_ORIGIN_RAW;
    in->width = 2;
    return 1;
}

int mx_input_open(mx_input *in, const char *path, const mx_shape *shape, const char *tensor,
                  mx_error *err)
{
    uint64_t size;
    memset(in, 0, sizeof *in);
    in->path = path;
    snprintf(in->name, sizeof in->name, "%s", base_name(path));
    int rc = 0;
    in->fd = -1;
    if (!mx_is_stdio(path)) { /* stdin cannot be read at offsets: loaded whole */
        in->fd = open_input(path, &size, err);
        if (in->fd < 0)
            return -1;
        rc = probe_rows(in, size, shape, err);
    }
    if (rc > 0 && tensor) { /* read in row order: an .npy or raw values */
        mx_tensor_misplaced(path, err);
        rc = -1;
    }
    if (rc > 0) {
        in->src.read = read_rows;
        in->src.user = in;
        return 0;
    }
    if (in->fd >= 0)
        close(in->fd);
    in->fd = -1;
    if (rc < 0 || mx_samples_load_file(path, shape, tensor, &in->loaded, &in->n_loaded, err)) {
        mx_input_close(in); /* the loader may have grown the array before failing */
        return -1;
    }
    if (in->n_loaded != 1) {
        mx_fail(err, MX_EINPUT, "%s: holds %zu BF16 tensors; pick one with --tensor NAME",
                mx_is_stdio(path) ? "stdin" : path, in->n_loaded);
        mx_input_close(in);
        return -1;
    }
    const mx_sample *s = &in->loaded[0];
    snprintf(in->name, sizeof in->name, "%s", s->name);
    in->converted = s->converted;
    in->shape_unknown = s->shape_unknown;
    in->src.head = s->m;
    return 0;
}

void mx_input_close(mx_input *in)
{
    if (in->loaded)
        mx_samples_free(in->loaded, in->n_loaded);
    else
        free(in->src.head.origin_blob);
    if (in->fd >= 0)
        close(in->fd);
    free(in->raw);
    memset(in, 0, sizeof *in);
    in->fd = -1;
}

/* The output file, counting what goes in. */
typedef struct {
    mx_atomic_file *f;
    uint64_t bytes;
} counted;

static int write_out(void *user, const void *buf, size_t len, mx_error *err)
{
    counted *c = user;
    c->bytes += len;
    return mx_atomic_write(c->f, buf, len, err);
}

int mx_compress_input(mx_ctx *ctx, const mx_pipeline *p, mx_input *in, mx_atomic_file *out,
                      mx_file_stats *st, mx_error *err)
{
    memset(st, 0, sizeof *st);
    const mx_matrix *m = &in->src.head;
    st->in_bytes = m->rows * m->cols * 2;
    if (in->shape_unknown) { /* the width is inferred from every value: in memory */
        uint8_t *buf;
        size_t len;
        if (mx_compress_unshaped(ctx, p, m, &buf, &len, err))
            return -1;
        int rc = mx_atomic_write(out, buf, len, err);
        free(buf);
        st->out_bytes = len;
        return rc;
    }
    counted c = {out, 0};
    mx_byte_sink sink = {write_out, &c};
    int rc = mx_frames_write(ctx, p, &in->src, &sink, err);
    st->out_bytes = c.bytes;
    return rc;
}

/* --- reading .mxb files --- */

typedef struct {
    int fd;
    const char *path;
} file_bytes;

static int read_bytes(void *user, uint64_t off, void *buf, size_t n, mx_error *err)
{
    file_bytes *f = user;
    return read_at(f->fd, f->path, buf, n, off, err);
}

/* The rows of a file's frames, written out as they are decoded: .npy
 * (header first) or raw, as the file came. A Fortran-order .npy is written
 * column by column, so its matrix is gathered whole first. */
typedef struct {
    mx_atomic_file *out;
    mx_matrix whole;   /* Fortran order: every row; else a batch of them */
    uint64_t rows;     /* in the whole matrix */
    size_t room_cap;   /* values the batch buffer holds */
    int gather;
} file_sink;

static int sink_begin(void *user, const mx_container *c, mx_error *err)
{
    file_sink *s = user;
    s->rows = c->rows;
    s->whole.rows = c->rows;
    s->whole.cols = c->cols;
    s->whole.origin = c->origin;
    s->whole.fortran = c->fortran;
    s->gather = c->fortran;
    if (s->gather && mx_matrix_alloc(&s->whole, c->rows, c->cols))
        return mx_fail(err, MX_EFAIL, "out of memory for a %llux%llu matrix",
                       (unsigned long long)c->rows, (unsigned long long)c->cols);
    s->whole.origin = c->origin;
    s->whole.fortran = c->fortran;
    if (c->blob_len) {
        if (!(s->whole.origin_blob = malloc(c->blob_len)))
            return mx_fail(err, MX_EFAIL, "out of memory");
        memcpy(s->whole.origin_blob, c->blob, c->blob_len);
        s->whole.origin_blob_len = c->blob_len;
    }
    if (s->gather || c->origin == MX_ORIGIN_RAW)
        return 0;
    uint8_t fresh[MX_NPY_FRESH_MAX];
    const uint8_t *head;
    size_t hlen = mx_npy_header_for(&s->whole, s->rows, fresh, &head);
    return mx_atomic_write(s->out, head, hlen, err);
}

static uint16_t *sink_room(void *user, uint64_t first, uint64_t n, mx_error *err)
{
    file_sink *s = user;
    if (s->gather)
        return s->whole.data + first * s->whole.cols;
    size_t want = (size_t)(n * s->whole.cols);
    if (!s->whole.data || want > s->room_cap) {
        uint16_t *q = realloc(s->whole.data, want * 2 + 2);
        if (!q) {
            mx_fail(err, MX_EFAIL, "out of memory");
            return NULL;
        }
        s->whole.data = q;
        s->room_cap = want;
    }
    return s->whole.data;
}

static int sink_rows(void *user, uint64_t first, uint64_t n, mx_error *err)
{
    (void)first;
    file_sink *s = user;
    return s->gather ? 0 : mx_atomic_write(s->out, s->whole.data, (size_t)(n * s->whole.cols) * 2, err);
}

static int sink_end(void *user, mx_error *err)
{
    file_sink *s = user;
    if (!s->gather)
        return 0;
    uint8_t *file;
    size_t len;
    if (mx_npy_serialize(&s->whole, &file, &len, err))
        return -1;
    int rc = mx_atomic_write(s->out, file, len, err);
    free(file);
    return rc;
}

static int walk_file(mx_ctx *ctx, const char *path, mx_atomic_file *out, int headers_only,
                     mx_file_stats *st, mx_error *err)
{
    memset(st, 0, sizeof *st);
    uint64_t size = 0;
    uint8_t *whole = NULL; /* stdin, read whole: it cannot be read at offsets */
    file_bytes f = {-1, path};
    if (mx_is_stdio(path)) {
        size_t len;
        if (mx_read_file(path, &whole, &len, err))
            return -1;
        size = len;
    } else if ((f.fd = open_input(path, &size, err)) < 0) {
        return -1;
    }
    mx_byte_source in = {size, whole, whole ? NULL : read_bytes, &f};
    file_sink fs = {out, {0}, 0, 0, 0};
    mx_row_sink sink = {sink_begin, sink_room, sink_rows, sink_end, &fs};
    int rc = mx_frames_read(ctx, &in, out ? &sink : NULL, headers_only, &st->frames, err);
    if (rc)
        mx_wrap(err, whole ? "stdin" : path);
    mx_matrix_free(&fs.whole);
    if (f.fd >= 0)
        close(f.fd);
    free(whole);
    st->in_bytes = size;
    return rc;
}

int mx_decompress_file(mx_ctx *ctx, const char *path, mx_atomic_file *out, mx_file_stats *st,
                       mx_error *err)
{
    return walk_file(ctx, path, out, 0, st, err);
}

int mx_scan_file(mx_ctx *ctx, const char *path, mx_file_stats *st, mx_error *err)
{
    return walk_file(ctx, path, NULL, 1, st, err);
}
