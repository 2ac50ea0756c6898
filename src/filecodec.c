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

/* Largest frame header we read: spec, levels and the origin .npy header. */
#define MAX_FRAME_HEADER ((size_t)16 << 20)
#define PREFIX 65536

static int read_at(int fd, const char *path, void *buf, size_t n, uint64_t off, mx_error *err)
{
    uint8_t *p = buf;
    while (n) {
        ssize_t r = pread(fd, p, n, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return mx_fail(err, MX_EINPUT, "%s: %s", path, r < 0 ? strerror(errno) : "file shrank while reading");
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

/* How `in` lays out its values, when it can be read in row order. */
typedef struct {
    uint64_t rows, cols, offset;
    int width;
    mx_matrix origin; /* origin fields only (no data) */
} row_source;

/* 0 with *src filled, MX_FILE_WHOLE, or -1. */
static int probe_input(int fd, const char *in, uint64_t size, const mx_shape *shape,
                       row_source *src, mx_error *err)
{
    memset(src, 0, sizeof *src);
    uint8_t head[12];
    size_t n = size < sizeof head ? (size_t)size : sizeof head;
    if (read_at(fd, in, head, n, 0, err))
        return -1;
    if (mx_npy_sniff(head, n)) {
        size_t hsize;
        if (mx_npy_header_size(head, n, &hsize, err))
            return MX_FILE_WHOLE; /* the whole-file reader says what is wrong */
        if (hsize > MAX_FRAME_HEADER || hsize > size)
            return MX_FILE_WHOLE;
        uint8_t *h = malloc(hsize);
        if (!h)
            return mx_fail(err, MX_EFAIL, "out of memory");
        mx_npy_info info;
        if (read_at(fd, in, h, hsize, 0, err) || mx_npy_read_header(h, hsize, &info, err)) {
            free(h);
            return MX_FILE_WHOLE;
        }
        if (info.fortran || size - info.data_offset != info.rows * info.cols * (uint64_t)info.width) {
            free(h);
            return MX_FILE_WHOLE;
        }
        src->rows = info.rows;
        src->cols = info.cols;
        src->width = info.width;
        src->offset = info.data_offset;
        src->origin.origin = info.width == 4 ? MX_ORIGIN_NPY_F32 : MX_ORIGIN_NPY;
        if (info.keep_header) {
            src->origin.origin_blob = h;
            src->origin.origin_blob_len = hsize;
        } else {
            free(h);
        }
        return 0;
    }
    /* otherwise raw, with its shape given (without one it is a single row) */
    if (!shape || !shape->set || shape->cols == 0 || mx_shape_check(shape->rows, shape->cols, NULL) ||
        size != shape->rows * shape->cols * 2)
        return MX_FILE_WHOLE; /* the whole-file reader says what is wrong */
    src->rows = shape->rows;
    src->cols = shape->cols;
    src->width = 2;
    src->origin.origin = MX_ORIGIN_RAW;
    return 0;
}

static int put(mx_atomic_file *out, const void *buf, size_t len, mx_file_stats *st, mx_error *err)
{
    st->out_bytes += len;
    return out ? mx_atomic_write(out, buf, len, err) : 0;
}

int mx_file_compress(const char *in, const mx_shape *shape, const mx_pipeline *p,
                     mx_atomic_file *out, mx_file_stats *st, mx_error *err)
{
    memset(st, 0, sizeof *st);
    uint64_t size;
    int fd = open_input(in, &size, err);
    if (fd < 0)
        return -1;
    row_source src;
    int rc = probe_input(fd, in, size, shape, &src, err);
    uint64_t step = rc ? 0 : mx_frame_rows(p, src.cols);
    if (rc || src.rows <= step) {
        free(src.origin.origin_blob);
        close(fd);
        return rc ? rc : MX_FILE_WHOLE;
    }
    st->rows = src.rows;
    st->cols = src.cols;
    st->in_bytes = src.rows * src.cols * 2;
    st->converted = src.width == 4;
    st->lossy = mx_pipeline_lossy(p);
    /* a batch of frames is read at once and coded on the threads: memory
     * holds `batch` frames, the bytes are the same whatever it is */
    size_t batch = p->threads > 1 ? (size_t)(p->threads > 16 ? 16 : p->threads) : 1;
    uint64_t batch_rows = step * batch;
    mx_matrix part;
    uint8_t *raw = NULL, *bufs[16];
    size_t lens[16];
    char specs[16][MX_SPEC_MAX];
    /* src.cols >= 1 here: a matrix of no columns is one frame */
    if (step > SIZE_MAX / 4 / src.cols / batch || mx_matrix_alloc(&part, batch_rows, src.cols) ||
        (src.width == 4 && !(raw = malloc((size_t)(batch_rows * src.cols * 4))))) {
        free(src.origin.origin_blob);
        close(fd);
        free(part.data);
        return mx_fail(err, MX_EFAIL, "out of memory for %zu frames of %llu rows", batch,
                       (unsigned long long)step);
    }
    part.origin = src.origin.origin;
    part.origin_blob = src.origin.origin_blob;
    part.origin_blob_len = src.origin.origin_blob_len;
    mx_frame_specs used = {0};
    for (uint64_t r = 0; r < src.rows && !rc; r += batch_rows) {
        part.rows = src.rows - r < batch_rows ? src.rows - r : batch_rows;
        size_t count = (size_t)(part.rows * src.cols), n = (size_t)((part.rows + step - 1) / step);
        uint64_t at = src.offset + r * src.cols * (uint64_t)src.width;
        /* bf16 bits are stored little-endian, as this (LE-only) build holds them */
        uint8_t *dst = src.width == 2 ? (uint8_t *)part.data : raw;
        rc = read_at(fd, in, dst, count * (size_t)src.width, at, err);
        if (!rc && src.width == 4)
            mx_npy_decode_values(raw, 4, count, part.data);
        int coded = 0;
        if (!rc)
            coded = (rc = mx_compress_frames(p, &part, r, src.rows, n, bufs, lens, specs, err)) == 0;
        for (size_t i = 0; !rc && i < n; i++) {
            rc = put(out, bufs[i], lens[i], st, err);
            mx_frame_specs_add(&used, specs[i]);
            st->frames++;
        }
        for (size_t i = 0; coded && i < n; i++)
            free(bufs[i]);
    }
    mx_frame_specs_format(&used, st->chosen, sizeof st->chosen);
    free(raw);
    part.rows = 0;
    mx_matrix_free(&part); /* frees data and the origin header */
    close(fd);
    return rc ? -1 : 0;
}

/* Reads the frame at off into *buf (grown as needed): *flen its length,
 * *hdr its header fields (pointers into *buf); with headers_only, only as
 * much of it as the header. 0 or -1. */
static int read_frame(int fd, const char *in, uint64_t size, uint64_t off, int headers_only,
                      mx_container *hdr, uint8_t **buf, size_t *cap, uint64_t *flen, size_t index,
                      mx_error *err)
{
    size_t have = 0;
    for (;;) {
        size_t want = have ? have * 2 : PREFIX;
        if (want > size - off)
            want = (size_t)(size - off);
        if (want > *cap) {
            uint8_t *q = realloc(*buf, want);
            if (!q)
                return mx_fail(err, MX_EFAIL, "out of memory");
            *buf = q;
            *cap = want;
        }
        if (read_at(fd, in, *buf + have, want - have, off + have, err))
            return -1;
        have = want;
        int rc = mx_container_frame_len(*buf, have, flen, hdr, err);
        if (rc < 0)
            return mx_wrap(err, in);
        if (rc == 0)
            break;
        if (off + have == size || have >= MAX_FRAME_HEADER)
            return mx_fail(err, MX_EINPUT, "%s: truncated container: frame %zu is cut short", in,
                           index + 1);
    }
    if (*flen > size - off)
        return mx_fail(err, MX_EINPUT, "%s: truncated container: frame %zu is cut short", in,
                       index + 1);
    if (headers_only)
        return 0;
    if (*flen > *cap) {
        uint8_t *q = realloc(*buf, (size_t)*flen);
        if (!q)
            return mx_fail(err, MX_EFAIL, "out of memory for a frame of %llu bytes",
                           (unsigned long long)*flen);
        *buf = q;
        *cap = (size_t)*flen;
    }
    if (*flen > have)
        return read_at(fd, in, *buf + have, (size_t)*flen - have, off + have, err);
    return 0;
}

/* Opens a container and says whether it is one we read frame by frame. */
static int open_frames(const char *in, uint64_t *size, mx_error *err)
{
    int fd = open_input(in, size, err);
    if (fd < 0)
        return -1;
    uint8_t head[6] = {0};
    if (*size < 6 || read_at(fd, in, head, 6, 0, err) || !mx_container_sniff(head, 6) ||
        !(head[5] & 4) || (head[5] & 2)) {
        close(fd);
        return -2; /* single frame, Fortran order or not ours: the whole path */
    }
    return fd;
}

int mx_file_decompress(const char *in, int threads, mx_atomic_file *out, mx_file_stats *st,
                       mx_error *err)
{
    memset(st, 0, sizeof *st);
    uint64_t size, off = 0;
    int fd = open_frames(in, &size, err);
    if (fd < 0)
        return fd == -2 ? MX_FILE_WHOLE : -1;
    /* a batch of frames is read at once and decoded on the threads */
    enum { MAX_BATCH = 16 };
    size_t batch = threads > 1 ? (size_t)(threads > MAX_BATCH ? MAX_BATCH : threads) : 1;
    mx_frame_reader r = {0};
    uint8_t *buf[MAX_BATCH] = {NULL};
    size_t cap[MAX_BATCH] = {0}, len[MAX_BATCH];
    mx_matrix parts[MAX_BATCH];
    int rc = 0;
    while (!rc && (!r.started || r.next_row < r.rows)) {
        if (off == size) {
            rc = mx_fail(err, MX_EINPUT, "%s: truncated container: rows %llu of %llu present", in,
                         (unsigned long long)r.next_row, (unsigned long long)r.rows);
            break;
        }
        size_t n = 0;
        int last = 0; /* the frame read ends the matrix: read no further */
        while (!rc && !last && n < batch && off < size) {
            uint64_t flen;
            mx_container hdr;
            rc = read_frame(fd, in, size, off, 0, &hdr, &buf[n], &cap[n], &flen, r.frames + n, err);
            last = !rc && hdr.first_row + hdr.rows >= hdr.total_rows;
            len[n++] = (size_t)flen;
            off += flen;
        }
        if (rc)
            break;
        size_t first = r.frames;
        if (mx_decompress_frames(&r, (const uint8_t *const *)buf, len, n, threads, parts, err)) {
            rc = mx_wrap(err, in);
            break;
        }
        for (size_t i = 0; i < n; i++) {
            if (first + i == 0 && parts[i].origin != MX_ORIGIN_RAW) {
                uint8_t fresh[MX_NPY_FRESH_MAX];
                const uint8_t *head;
                size_t hlen = mx_npy_header_for(&parts[i], r.rows, fresh, &head);
                rc = rc ? rc : put(out, head, hlen, st, err);
            }
            if (!rc)
                rc = put(out, parts[i].data, mx_matrix_count(&parts[i]) * 2, st, err);
            mx_matrix_free(&parts[i]);
        }
    }
    if (!rc && off != size)
        rc = mx_fail(err, MX_EINPUT, "%s: corrupt container: trailing data after the last frame",
                     in);
    st->rows = r.rows;
    st->cols = r.cols;
    st->frames = r.frames;
    st->in_bytes = size;
    for (size_t i = 0; i < MAX_BATCH; i++)
        free(buf[i]);
    close(fd);
    return rc ? -1 : 0;
}

int mx_file_scan(const char *in, mx_file_stats *st, mx_error *err)
{
    memset(st, 0, sizeof *st);
    uint64_t size, off = 0;
    int fd = open_frames(in, &size, err);
    if (fd < 0)
        return fd == -2 ? MX_FILE_WHOLE : -1;
    uint8_t *buf = NULL;
    size_t cap = 0;
    int rc = 0;
    mx_frame_specs used = {0};
    while (!rc && off < size) {
        uint64_t flen;
        mx_container c;
        if ((rc = read_frame(fd, in, size, off, 1, &c, &buf, &cap, &flen, st->frames, err)))
            break;
        if (st->frames == 0) {
            st->version = c.version;
            st->rows = c.total_rows;
            st->cols = c.cols;
        }
        mx_frame_specs_add(&used, c.spec);
        st->lossy |= c.lossy;
        off += flen;
        st->frames++;
    }
    mx_frame_specs_format(&used, st->chosen, sizeof st->chosen);
    st->in_bytes = size;
    free(buf);
    close(fd);
    return rc ? -1 : 0;
}
