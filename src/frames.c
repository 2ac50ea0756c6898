#include "frames.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine.h"
#include "../codecs/bf16.h"
#include "npy.h"

/* At most this many frames are coded or decoded at once. */
#define MAX_BATCH 16
/* Largest frame header read: spec, levels and the origin .npy header. */
#define MAX_FRAME_HEADER ((size_t)16 << 20)
/* A header is looked for in this much of the input first. */
#define PREFIX ((size_t)65536)

static size_t batch_of(const mx_ctx *ctx)
{
    return ctx->threads > 1 ? (size_t)(ctx->threads > MAX_BATCH ? MAX_BATCH : ctx->threads) : 1;
}

/* The pipelines of a file's frames, as compress and info report them:
 * the one pipeline, or each with its frame count ("bfdelta (14 frames),
 * zstd:3 (2 frames)") in the order first met; pipelines past SPECS_NAMED
 * count together as "others". */
#define SPECS_NAMED 4
typedef struct {
    char spec[SPECS_NAMED][MX_SPEC_MAX];
    uint64_t count[SPECS_NAMED];
    size_t named;
    uint64_t others, frames;
} frame_specs;

static void specs_add(frame_specs *f, const char *spec)
{
    f->frames++;
    for (size_t i = 0; i < f->named; i++)
        if (!strcmp(f->spec[i], spec)) {
            f->count[i]++;
            return;
        }
    if (f->named == SPECS_NAMED) {
        f->others++;
        return;
    }
    snprintf(f->spec[f->named], sizeof f->spec[0], "%s", spec);
    f->count[f->named++] = 1;
}

/* The first keep pipelines with their frames, the rest together as
 * "others", into buf (big enough for all of them); returns its length. */
static size_t specs_print(const frame_specs *f, size_t keep, char *buf, size_t cap)
{
    uint64_t others = f->others;
    for (size_t i = keep; i < f->named; i++)
        others += f->count[i];
    size_t at = 0;
    buf[0] = 0;
    for (size_t i = 0; i <= keep && at < cap; i++) {
        uint64_t c = i < keep ? f->count[i] : others;
        if (!c)
            continue;
        int k = snprintf(buf + at, cap - at, "%s%s (%llu frame%s)", at ? ", " : "",
                         i < keep ? f->spec[i] : "others", (unsigned long long)c,
                         c == 1 ? "" : "s");
        at += k < 0 ? cap : (size_t)k;
    }
    return at;
}

/* Whole entries only: where they do not all fit, the last ones count
 * among "others" (which always fits), so the text always ends in ')'. */
static void specs_format(const frame_specs *f, char *out, size_t n)
{
    out[0] = 0;
    if (f->named == 1 && !f->others) {
        snprintf(out, n, "%s", f->spec[0]);
        return;
    }
    char buf[SPECS_NAMED * (MX_SPEC_MAX + 32) + 64];
    for (size_t keep = f->named;; keep--)
        if (specs_print(f, keep, buf, sizeof buf) < n || !keep) {
            snprintf(out, n, "%s", buf);
            return;
        }
}

/* The NaN/Inf values of part that its n frames (step rows each, bufs and
 * lens) do not decode bit for bit: some lossy stages keep them, others
 * code them as 0. Only a frame holding any is decoded, one at a time
 * (memory for one frame more). */
static int count_lost(mx_ctx *ctx, const mx_matrix *part, uint64_t step, size_t n,
                      uint8_t *const *bufs, const size_t *lens, uint64_t *lost, mx_error *err)
{
    uint16_t *back = NULL;
    int rc = 0;
    for (size_t k = 0; !rc && k < n; k++) {
        mx_matrix frame = {0};
        frame.rows = part->rows - k * step < step ? part->rows - k * step : step;
        frame.cols = part->cols;
        const uint16_t *orig = part->data + (size_t)(k * step * part->cols);
        size_t count = (size_t)(frame.rows * frame.cols), i = 0;
        while (i < count && mx_bf16_is_finite(orig[i]))
            i++;
        if (i == count)
            continue;
        uint64_t most = step < part->rows ? step : part->rows; /* rows of the largest frame */
        if (!back && !(back = malloc((size_t)(most * part->cols) * 2 + 2))) {
            rc = mx_fail(err, MX_EFAIL, "out of memory");
            break;
        }
        frame.data = back;
        const uint8_t *fb = bufs[k];
        rc = mx_decode_frames(ctx, &fb, &lens[k], &frame, 1, err);
        for (; !rc && i < count; i++)
            *lost += !mx_bf16_is_finite(orig[i]) && back[i] != orig[i];
    }
    free(back);
    return rc;
}

int mx_frames_write(mx_ctx *ctx, const mx_pipeline *p, const mx_row_source *src,
                    const mx_byte_sink *out, mx_error *err)
{
    const mx_matrix *m = &src->head;
    uint64_t step = mx_frame_rows(ctx, m->cols), rows = m->rows;
    size_t batch = batch_of(ctx);
    /* a batch of frames, or the whole matrix when that is less */
    uint64_t batch_rows = step > rows / batch ? rows : step * batch;
    mx_matrix part = *m;
    uint16_t *buf = NULL; /* rows read from a source not in memory */
    uint8_t *bufs[MAX_BATCH];
    size_t lens[MAX_BATCH];
    char specs[MAX_BATCH][MX_SPEC_MAX];
    frame_specs used = {0};
    uint64_t lost = 0;
    int lossy = mx_pipeline_lossy(p);
    /* the reader refuses origin fields that name no file it can write back:
     * so does the writer, rather than make a file that never decodes */
    if (mx_container_origin_check(m->origin, m->fortran, m->origin_blob, m->origin_blob_len,
                                  m->rows, m->cols, err))
        return mx_wrap(err, "the matrix's origin fields");
    if (!m->data) {
        if (m->cols && batch_rows > SIZE_MAX / 2 / m->cols)
            return mx_fail(err, MX_EFAIL, "out of memory for %zu frames of %llu rows", batch,
                           (unsigned long long)step);
        buf = malloc((size_t)(batch_rows * m->cols) * 2 + 2);
        if (!buf)
            return mx_fail(err, MX_EFAIL, "out of memory for %zu frames of %llu rows", batch,
                           (unsigned long long)step);
    }
    int rc = 0;
    uint64_t r = 0;
    do { /* a matrix of no rows is still one frame */
        part.rows = rows - r < batch_rows ? rows - r : batch_rows;
        size_t n = part.rows ? (size_t)((part.rows - 1) / step + 1) : 1; /* step may be UINT64_MAX */
        memset(bufs, 0, sizeof bufs);
        if (m->data) {
            part.data = m->data + r * m->cols;
        } else {
            part.data = buf;
            rc = src->read(src->user, r, part.rows, buf, err);
        }
        if (!rc)
            rc = mx_compress_frames(ctx, p, &part, r, rows, n, bufs, lens, specs, err);
        if (!rc && lossy)
            rc = count_lost(ctx, &part, step, n, bufs, lens, &lost, err);
        for (size_t i = 0; !rc && i < n; i++) {
            rc = out->write(out->user, bufs[i], lens[i], err);
            specs_add(&used, specs[i]);
        }
        for (size_t i = 0; i < n; i++)
            free(bufs[i]);
        r += part.rows;
        if (!rc)
            rc = mx_ctx_step(ctx, r, rows, err);
    } while (!rc && r < rows);
    free(buf);
    if (rc)
        return -1;
    mx_compress_info *in = &ctx->info;
    specs_format(&used, in->pipeline, sizeof in->pipeline);
    in->rows = rows;
    in->cols = m->cols;
    in->frames = used.frames;
    in->nonfinite_lost = lost;
    return 0;
}

/* Where the walk is: the whole matrix the first frame began, and the rows
 * the frames so far hold. */
typedef struct {
    int started;
    unsigned version; /* every frame's must be the first's */
    uint64_t rows, cols, next_row;
    mx_origin origin;
    int fortran;
    size_t frames;
} walk;

/* Checks that the frame with header c continues the matrix; advances w. */
static int frame_continues(walk *w, const mx_container *c, mx_error *err)
{
    if (!w->started) {
        if (c->first_row != 0)
            return mx_fail(err, MX_EINPUT, "corrupt container: the first frame starts at row %llu",
                           (unsigned long long)c->first_row);
        w->started = 1;
        w->version = c->version;
        w->rows = c->total_rows;
        w->cols = c->cols;
        w->origin = c->origin;
        w->fortran = c->fortran;
    } else if (!c->multi || c->version != w->version || c->first_row != w->next_row ||
               c->total_rows != w->rows || c->cols != w->cols || c->origin != w->origin ||
               c->fortran != w->fortran || c->blob_len) {
        return mx_fail(err, MX_EINPUT,
                       "corrupt container: frame %zu does not continue the matrix (rows %llu.. of "
                       "%llux%llu expected)",
                       w->frames + 1, (unsigned long long)w->next_row, (unsigned long long)w->rows,
                       (unsigned long long)w->cols);
    }
    w->next_row += c->rows;
    w->frames++;
    return 0;
}

/* A buffer for the bytes of one frame read from a source not in memory. */
typedef struct {
    uint8_t *p;
    size_t cap;
} slot;

static const uint8_t *bytes_at(const mx_byte_source *in, slot *s, uint64_t off, size_t have,
                               size_t want, mx_error *err)
{
    if (in->data)
        return in->data + off;
    if (want > s->cap) {
        uint8_t *q = realloc(s->p, want);
        if (!q) {
            mx_fail(err, MX_EFAIL, "out of memory for a frame of %zu bytes", want);
            return NULL;
        }
        s->p = q;
        s->cap = want;
    }
    if (want > have && in->read(in->user, off + have, s->p + have, want - have, err))
        return NULL;
    return s->p;
}

/* The header of the frame at off (read through slot s when the input is
 * not in memory): *hdr and its length *flen, checked against the input. */
static const uint8_t *read_header(const mx_byte_source *in, slot *s, uint64_t off,
                                  size_t index, mx_container *hdr, uint64_t *flen, size_t *have,
                                  mx_error *err)
{
    uint64_t left = in->size - off;
    size_t want = left < PREFIX ? (size_t)left : PREFIX;
    *have = 0;
    for (;;) {
        const uint8_t *b = bytes_at(in, s, off, *have, want, err);
        if (!b)
            return NULL;
        *have = want;
        if (index == 0 && want >= 4 && !mx_container_sniff(b, want)) { /* no frame at all */
            mx_fail(err, MX_EINPUT, "not an mxbench file (bad magic)");
            return NULL;
        }
        int rc = mx_container_frame_len(b, want, flen, hdr, err);
        if (rc < 0)
            return NULL;
        if (rc == 0 && *flen <= left)
            return b;
        if (rc == 0 || want == left || want >= MAX_FRAME_HEADER) {
            if (index == 0 && !rc)
                mx_fail(err, MX_EINPUT, "truncated container (%llu bytes)",
                        (unsigned long long)in->size);
            else
                mx_fail(err, MX_EINPUT, "truncated container: frame %zu is cut short", index + 1);
            return NULL;
        }
        want = left - want < want ? (size_t)left : 2 * want;
    }
}

/* The shape of the origin header when it is not 2-D, else "": the header
 * was checked with the container (mx_container_origin_check). */
static void origin_shape(const mx_container *c, char *out, size_t n)
{
    mx_npy_info ni;
    mx_error ignored = {0};
    out[0] = 0;
    if (c->blob_len && !mx_npy_read_header(c->blob, c->blob_len, &ni, &ignored) && ni.ndim != 2)
        snprintf(out, n, "%s", ni.shape);
}

int mx_frames_read(mx_ctx *ctx, const mx_byte_source *in, const mx_row_sink *out,
                   int headers_only, mx_frames_info *info, mx_error *err)
{
    size_t batch = batch_of(ctx);
    slot slots[MAX_BATCH] = {{0}};
    const uint8_t *fb[MAX_BATCH];
    size_t fl[MAX_BATCH];
    mx_matrix parts[MAX_BATCH];
    uint16_t *scratch = NULL; /* the rows of a walk that only checks */
    size_t scratch_cap = 0;
    walk w = {0};
    frame_specs used = {0};
    mx_frames_info local;
    uint64_t off = 0;
    int rc = 0, lossy = 0, multi = 0;
    int asked = info != NULL; /* mx_decompress asks for none: no origin shape to parse */
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    if (in->size == 0)
        return mx_fail(err, MX_EINPUT, "not an mxbench file (it is empty)");
    while (!rc && (!w.started || w.next_row < w.rows)) {
        if (off == in->size) {
            rc = mx_fail(err, MX_EINPUT, "truncated container: rows %llu of %llu present",
                         (unsigned long long)w.next_row, (unsigned long long)w.rows);
            break;
        }
        /* the next batch of frames: their headers, in order, then their bytes */
        size_t n = 0;
        uint64_t first_row = w.next_row;
        int last = 0; /* the frame read ends the matrix: read no further */
        while (!rc && !last && n < batch && off < in->size) {
            mx_container hdr;
            uint64_t flen;
            size_t have;
            const uint8_t *b =
                read_header(in, &slots[n], off, w.frames, &hdr, &flen, &have, err);
            if (!b || frame_continues(&w, &hdr, err)) {
                rc = -1;
                break;
            }
            if (w.frames == 1) {
                /* the whole matrix is bounded like any single container */
                multi = hdr.multi;
                if (mx_shape_check(w.rows, w.cols, err)) {
                    rc = mx_wrap(err, "corrupt container");
                    break;
                }
                if (w.rows * w.cols * 2 > in->size * MX_MAX_RATIO) {
                    rc = mx_fail(err, MX_EINPUT, "corrupt container: matrix %llux%llu is too large",
                                 (unsigned long long)w.rows, (unsigned long long)w.cols);
                    break;
                }
                info->first = hdr;
                info->first.blob = NULL; /* read into a buffer this call frees */
                if (asked)
                    origin_shape(&hdr, info->origin_shape, sizeof info->origin_shape);
                mx_container whole = hdr;
                whole.rows = w.rows;
                if (!headers_only && out && out->begin(out->user, &whole, err)) {
                    rc = -1;
                    break;
                }
            }
            specs_add(&used, hdr.spec);
            lossy |= hdr.lossy;
            last = hdr.first_row + hdr.rows >= hdr.total_rows;
            if (!headers_only) {
                if (!(fb[n] = bytes_at(in, &slots[n], off, have, (size_t)flen, err))) {
                    rc = -1;
                    break;
                }
                fl[n] = (size_t)flen;
                parts[n] = (mx_matrix){0};
                parts[n].rows = hdr.rows;
                parts[n].cols = hdr.cols;
                n++;
            }
            off += flen;
        }
        if (rc || headers_only || !n)
            continue;
        /* decode the batch straight into the sink's room for its rows */
        uint64_t nrows = w.next_row - first_row;
        uint16_t *room = NULL;
        if (out) {
            room = out->room(out->user, first_row, nrows, err);
        } else if (!scratch || nrows * w.cols > scratch_cap) {
            free(scratch);
            scratch_cap = (size_t)(nrows * w.cols);
            room = scratch = malloc(scratch_cap * 2 + 2);
            if (!room)
                mx_fail(err, MX_EFAIL, "out of memory");
        } else {
            room = scratch;
        }
        if (!room) {
            rc = -1;
            break;
        }
        for (size_t i = 0, at = 0; i < n; at += (size_t)(parts[i].rows * w.cols), i++)
            parts[i].data = room + at;
        rc = mx_decode_frames(ctx, fb, fl, parts, n, err);
        if (rc && multi)
            mx_wrap(err, "in a frame");
        if (!rc && out)
            rc = out->rows(out->user, first_row, nrows, err);
        if (!rc)
            rc = mx_ctx_step(ctx, w.next_row, w.rows, err);
    }
    if (!rc && off != in->size)
        rc = mx_fail(err, MX_EINPUT,
                     "corrupt container: %llu byte%s of trailing data after the last frame",
                     (unsigned long long)(in->size - off), in->size - off == 1 ? "" : "s");
    if (!rc && !headers_only && out)
        rc = out->end(out->user, err);
    for (size_t i = 0; i < MAX_BATCH; i++)
        free(slots[i].p);
    free(scratch);
    info->rows = w.rows;
    info->cols = w.cols;
    info->frames = w.frames;
    info->lossy = lossy;
    specs_format(&used, info->pipeline, sizeof info->pipeline);
    return rc ? -1 : 0;
}
