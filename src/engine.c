#include "engine.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bytes.h"
#include "container.h"
#include "parallel.h"
#include "presets.h"
#include "shape_infer.h"

uint64_t mx_values_hash(const uint16_t *values, size_t n)
{
    /* configure refuses big-endian hosts, so memory order is LE */
    return mx_container_hash64(MX_CONTAINER_VERSION, values, n * sizeof *values);
}

uint64_t mx_frame_rows(const mx_pipeline *p, uint64_t cols)
{
    if (!cols)
        return UINT64_MAX; /* no values: one frame, however many rows */
    if (p->frame_rows)
        return p->frame_rows;
    return cols > MX_FRAME_BYTES / 2 ? 1 : MX_FRAME_BYTES / (cols * 2);
}

/* Where a frame sits in its matrix; total_rows == rows for a plain file. */
typedef struct {
    uint64_t first_row, total_rows;
} frame_pos;

static int compress_fixed(const mx_pipeline *p, const mx_matrix *m, frame_pos pos,
                          uint8_t **out, size_t *out_len, mx_error *err)
{
    mx_container c;
    memset(&c, 0, sizeof c);
    if (mx_pipeline_encode(p, m->data, m->rows, m->cols, &c.layout, &c.coded, err))
        return -1;
    c.lossy = mx_pipeline_lossy(p);
    c.rows = m->rows;
    c.cols = m->cols;
    c.origin = m->origin;
    c.fortran = m->fortran;
    c.multi = pos.total_rows != m->rows;
    c.first_row = pos.first_row;
    c.total_rows = pos.total_rows;
    c.value_hash = mx_values_hash(m->data, mx_matrix_count(m));
    mx_pipeline_format(p, c.spec, sizeof c.spec);
    if (pos.first_row == 0) {
        c.blob = m->origin_blob;
        c.blob_len = m->origin_blob_len;
    }
    int rc = mx_container_write(&c, out, out_len, err);
    mx_coded_free(&c.coded);
    return rc;
}

/* auto:max codes the whole matrix with every candidate of presets.h and
 * keeps the smallest (the first on ties): it never loses to any of them,
 * zstd:3 included.
 *
 * auto codes the matrix with our coder and judges zstd:3 on a sample
 * of rows spread over the matrix (AUTO_SAMPLE_BLOCKS blocks, together
 * 1/AUTO_SAMPLE_DIV of the rows, at least one row each): only when
 * zstd:3's extrapolated size is not clearly larger (AUTO_KEEP_PCT) does it
 * code the whole with zstd:3 too and keep the smaller. On matrices of
 * fewer than 4 x AUTO_SAMPLE_BLOCKS rows it always does. */
#define AUTO_SAMPLE_DIV 64
#define AUTO_SAMPLE_BLOCKS 4
#define AUTO_KEEP_PCT 85

static int parse_with_threads(const char *spec, int threads, mx_pipeline *p, mx_error *err)
{
    if (mx_pipeline_parse(spec, p, err))
        return -1;
    p->threads = threads;
    return 0;
}

/* Keeps every file we write decodable under MX_MAX_RATIO. */
static int compress_bounded(const mx_pipeline *p, const mx_matrix *m, frame_pos pos,
                            uint8_t **out, size_t *out_len, char *chosen, size_t chosen_n,
                            mx_error *err)
{
    if (chosen)
        mx_pipeline_format(p, chosen, chosen_n);
    if (compress_fixed(p, m, pos, out, out_len, err))
        return -1;
    uint64_t bytes = (uint64_t)mx_matrix_count(m) * 2;
    if (bytes <= (uint64_t)*out_len * MX_MAX_RATIO)
        return 0;
    free(*out);
    mx_pipeline z;
    if (parse_with_threads(MX_BASELINE_SPEC, p->threads, &z, err))
        return -1;
    if (chosen)
        mx_pipeline_format(&z, chosen, chosen_n);
    return compress_fixed(&z, m, pos, out, out_len, err);
}

/* Codes the whole matrix with the baseline as well, and keeps whichever
 * of that and *out (chosen) is smaller. */
static int keep_smaller_than_baseline(const mx_pipeline *p, const mx_matrix *part, frame_pos pos,
                                      uint8_t **out, size_t *out_len, char *chosen,
                                      size_t chosen_n, mx_error *err)
{
    mx_pipeline base;
    uint8_t *buf;
    size_t len;
    char base_chosen[MX_SPEC_MAX];
    if (parse_with_threads(MX_BASELINE_SPEC, p->threads, &base, err) ||
        compress_bounded(&base, part, pos, &buf, &len, base_chosen, sizeof base_chosen, err)) {
        free(*out);
        return -1;
    }
    if (len < *out_len) { /* the trial misjudged this matrix */
        free(*out);
        *out = buf;
        *out_len = len;
        if (chosen)
            snprintf(chosen, chosen_n, "%s", base_chosen);
    } else {
        free(buf);
    }
    return 0;
}

static int compress_auto_max(const mx_pipeline *p, const mx_matrix *part, frame_pos pos,
                             uint8_t **out, size_t *out_len, char *chosen, size_t chosen_n,
                             mx_error *err)
{
    *out = NULL;
    for (size_t i = 0; i < mx_auto_count; i++) {
        mx_pipeline cand;
        uint8_t *buf;
        size_t len;
        char spec[MX_SPEC_MAX];
        if (parse_with_threads(mx_auto_candidates[i], p->threads, &cand, err) ||
            compress_bounded(&cand, part, pos, &buf, &len, spec, sizeof spec, err)) {
            free(*out);
            return -1;
        }
        if (!*out || len < *out_len) {
            free(*out);
            *out = buf;
            *out_len = len;
            if (chosen)
                snprintf(chosen, chosen_n, "%s", spec);
        } else {
            free(buf);
        }
    }
    return 0;
}

/* zstd:3's size on the whole of m, extrapolated from a sample of rows;
 * 0 when m is too small to sample (or -1 on error). */
static int baseline_estimate(const mx_pipeline *base, const mx_matrix *m, uint64_t *estimate,
                             mx_error *err)
{
    uint64_t per_block = m->rows / AUTO_SAMPLE_DIV / AUTO_SAMPLE_BLOCKS;
    per_block = per_block ? per_block : 1;
    *estimate = 0;
    if (m->rows < 4 * AUTO_SAMPLE_BLOCKS * per_block || !m->cols) /* not a sample any more */
        return 0;
    mx_matrix sample = {0};
    if (mx_matrix_alloc(&sample, per_block * AUTO_SAMPLE_BLOCKS, m->cols))
        return mx_fail(err, MX_EFAIL, "out of memory");
    size_t row_bytes = (size_t)m->cols * sizeof *m->data;
    for (uint64_t b = 0; b < AUTO_SAMPLE_BLOCKS; b++) {
        /* blocks start at fractions 0.309 + 0.618 b (mod 1) of the matrix:
         * spread, but at no power-of-two stride, where rows that repeat
         * (the first token of each sequence) would fill the sample */
        uint64_t from = m->rows * ((309 + 618 * b) % 1000) / 1000;
        from = from + per_block <= m->rows ? from : m->rows - per_block;
        memcpy(sample.data + b * per_block * m->cols, m->data + from * m->cols,
               (size_t)per_block * row_bytes);
    }
    mx_layout layout;
    mx_coded coded;
    int rc = mx_pipeline_encode(base, sample.data, sample.rows, sample.cols, &layout, &coded, err);
    if (rc == 0) {
        uint64_t bytes = 0;
        for (size_t j = 0; j < coded.n; j++)
            bytes += coded.size[j];
        *estimate = bytes * m->rows / sample.rows;
        mx_coded_free(&coded);
    }
    mx_matrix_free(&sample);
    return rc;
}

static int compress_auto_fast(const mx_pipeline *p, const mx_matrix *part, frame_pos pos,
                              uint8_t **out, size_t *out_len, char *chosen, size_t chosen_n,
                              mx_error *err)
{
    mx_pipeline fast, base;
    uint64_t estimate;
    if (parse_with_threads(MX_AUTO_FAST_SPEC, p->threads, &fast, err) ||
        parse_with_threads(MX_BASELINE_SPEC, p->threads, &base, err) ||
        compress_bounded(&fast, part, pos, out, out_len, chosen, chosen_n, err))
        return -1;
    if (baseline_estimate(&base, part, &estimate, err)) {
        free(*out);
        return -1;
    }
    if ((uint64_t)*out_len * 100 <= estimate * AUTO_KEEP_PCT)
        return 0;
    return keep_smaller_than_baseline(p, part, pos, out, out_len, chosen, chosen_n, err);
}

int mx_compress_frame(const mx_pipeline *p, const mx_matrix *part, uint64_t first_row,
                      uint64_t total_rows, uint8_t **out, size_t *out_len, char *chosen,
                      size_t chosen_n, mx_error *err)
{
    frame_pos pos = {first_row, total_rows};
    if (mx_shape_check(total_rows, part->cols, err))
        return -1;
    if (p->automatic == MX_AUTO_MAX)
        return compress_auto_max(p, part, pos, out, out_len, chosen, chosen_n, err);
    if (p->automatic)
        return compress_auto_fast(p, part, pos, out, out_len, chosen, chosen_n, err);
    return compress_bounded(p, part, pos, out, out_len, chosen, chosen_n, err);
}

/* Runs fn on items 0..n-1 on `threads` threads; 0, or -1 with the error of
 * the first item that failed (the same whatever the thread count). */
typedef int (*item_fn)(void *ctx, size_t i, mx_error *err);
typedef struct {
    item_fn fn;
    void *ctx;
    int *rc;
    mx_error *err;
} items_job;

static void run_item(void *ctx, size_t i)
{
    items_job *j = ctx;
    j->rc[i] = j->fn(j->ctx, i, &j->err[i]);
}

static int parallel_items(size_t n, int threads, item_fn fn, void *ctx, mx_error *err)
{
    items_job j = {fn, ctx, calloc(n + 1, sizeof *j.rc), calloc(n + 1, sizeof *j.err)};
    if (!j.rc || !j.err) {
        free(j.rc);
        free(j.err);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    mx_parallel_for(n, threads, run_item, &j);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++)
        if (j.rc[i]) {
            *err = j.err[i];
            rc = -1;
        }
    free(j.rc);
    free(j.err);
    return rc;
}

/* Frames of one matrix, coded on threads: each frame is independent, so
 * the bytes are the same whatever the thread count. */
typedef struct {
    mx_pipeline p; /* threads: inside a frame (1 when frames run in parallel) */
    const mx_matrix *m;
    uint64_t step, first_row, total_rows;
    uint8_t **buf;
    size_t *len;
    char (*chosen)[MX_SPEC_MAX];
} frames_job;

static int compress_frame_job(void *ctx, size_t i, mx_error *err)
{
    frames_job *j = ctx;
    uint64_t r = (uint64_t)i * j->step;
    mx_matrix part = *j->m;
    part.rows = j->m->rows - r < j->step ? j->m->rows - r : j->step;
    part.data = j->m->data + r * j->m->cols;
    return mx_compress_frame(&j->p, &part, j->first_row + r, j->total_rows, &j->buf[i],
                             &j->len[i], j->chosen[i], MX_SPEC_MAX, err);
}

int mx_compress_frames(const mx_pipeline *p, const mx_matrix *m, uint64_t first_row,
                       uint64_t total_rows, size_t n, uint8_t **buf, size_t *len,
                       char (*chosen)[MX_SPEC_MAX], mx_error *err)
{
    frames_job j = {*p, m, mx_frame_rows(p, m->cols), first_row, total_rows, buf, len, chosen};
    if (n > 1 && p->threads > 1)
        j.p.threads = 1;
    for (size_t i = 0; i < n; i++)
        buf[i] = NULL;
    int rc = parallel_items(n, n > 1 ? p->threads : 1, compress_frame_job, &j, err);
    if (rc)
        for (size_t i = 0; i < n; i++) {
            free(buf[i]);
            buf[i] = NULL;
        }
    return rc;
}

void mx_frame_specs_add(mx_frame_specs *f, const char *spec)
{
    if (!f->frames++)
        snprintf(f->first, sizeof f->first, "%s", spec);
    else
        f->mixed |= strcmp(f->first, spec) != 0;
}

void mx_frame_specs_format(const mx_frame_specs *f, char *out, size_t n)
{
    snprintf(out, n, "%s%s", f->first, f->mixed ? " and others per frame" : "");
}

int mx_compress_ex(const mx_pipeline *p, const mx_matrix *m, uint8_t **out, size_t *out_len,
                   char *chosen, size_t chosen_n, mx_error *err)
{
    uint64_t step = mx_frame_rows(p, m->cols);
    if (m->rows <= step)
        return mx_compress_frame(p, m, 0, m->rows, out, out_len, chosen, chosen_n, err);
    size_t n = (size_t)((m->rows + step - 1) / step);
    uint8_t **bufs = calloc(n, sizeof *bufs);
    size_t *lens = calloc(n, sizeof *lens);
    char(*specs)[MX_SPEC_MAX] = calloc(n, sizeof *specs);
    mx_bytes all = {0};
    int rc = -1;
    if (!bufs || !lens || !specs) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    if (mx_compress_frames(p, m, 0, m->rows, n, bufs, lens, specs, err))
        goto out;
    mx_frame_specs used = {0};
    for (size_t i = 0; i < n; i++) {
        mx_bytes_put(&all, bufs[i], lens[i]);
        mx_frame_specs_add(&used, specs[i]);
    }
    if (all.oom) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    if (chosen)
        mx_frame_specs_format(&used, chosen, chosen_n);
    *out = all.p;
    *out_len = all.len;
    all.p = NULL;
    rc = 0;
out:
    for (size_t i = 0; bufs && i < n; i++)
        free(bufs[i]);
    free(bufs);
    free(lens);
    free(specs);
    free(all.p);
    return rc;
}

int mx_compress_unshaped(const mx_pipeline *p, const mx_matrix *m, uint8_t **out,
                         size_t *out_len, char *chosen, size_t chosen_n, uint64_t *cols,
                         mx_error *err)
{
    uint64_t n = (uint64_t)mx_matrix_count(m), w;
    if (mx_infer_cols(m->data, n, &w, err))
        return -1;
    mx_matrix view = *m, flat;
    view.origin = MX_ORIGIN_RAW; /* bytes came in, the same bytes go out */
    view.fortran = 0;
    view.origin_blob = NULL;
    view.origin_blob_len = 0;
    flat = view;
    view.rows = w ? n / w : 1;
    view.cols = w;
    flat.rows = 1;
    flat.cols = n;
    char used[MX_SPEC_MAX + 32];
    if (mx_compress_ex(p, &view, out, out_len, used, sizeof used, err))
        return -1;
    if (chosen)
        snprintf(chosen, chosen_n, "%s", used);
    if (cols)
        *cols = w;
    /* auto: only small inputs, where the tables of bfdelta's contexts
     * outweigh what they save (one row has one context); zstd:3 ignores
     * the shape, one row would code the same. auto:max always tries, as
     * its other candidates may win on one row where they lost at the
     * width found. */
    if (!p->automatic || view.rows == 1 ||
        (p->automatic != MX_AUTO_MAX &&
         (n > MX_ONE_ROW_TRIAL_MAX || !strcmp(used, MX_BASELINE_SPEC))))
        return 0;
    /* one row: auto codes it with what it chose at that width (zstd:3,
     * which it also weighed, would give the same bytes but for a few of
     * the header); auto:max runs its trials again, where another candidate
     * may win */
    mx_pipeline one_p = *p;
    mx_error ignored = {0};
    if (p->automatic != MX_AUTO_MAX && parse_with_threads(used, p->threads, &one_p, &ignored))
        one_p = *p; /* its frames chose differently: the automatic pipeline again */
    one_p.frame_rows = p->frame_rows;
    uint8_t *one;
    size_t one_len;
    char one_chosen[MX_SPEC_MAX + 32];
    if (mx_compress_ex(&one_p, &flat, &one, &one_len, one_chosen, sizeof one_chosen, err)) {
        free(*out);
        return -1;
    }
    if (one_len >= *out_len) {
        free(one);
        return 0;
    }
    free(*out);
    *out = one;
    *out_len = one_len;
    if (chosen)
        snprintf(chosen, chosen_n, "%s", one_chosen);
    if (cols)
        *cols = n;
    return 0;
}

int mx_compress(const mx_pipeline *p, const mx_matrix *m, uint8_t **out, size_t *out_len,
                mx_error *err)
{
    return mx_compress_ex(p, m, out, out_len, NULL, 0, err);
}

int mx_decompress(const uint8_t *buf, size_t len, mx_matrix *out, mx_error *err)
{
    return mx_decompress_ex(buf, len, 1, out, err);
}

/* Decodes one whole container (one frame) into a new matrix. */
static int decode_container(const uint8_t *buf, size_t len, int threads, mx_container *c,
                            mx_matrix *out, mx_error *err)
{
    mx_pipeline p;
    memset(out, 0, sizeof *out);
    if (mx_container_read(buf, len, c, err))
        return -1;
    if (mx_pipeline_parse(c->spec, &p, err))
        return mx_wrap(err, "corrupt container");
    p.threads = threads;
    if (mx_pipeline_lossy(&p) != c->lossy)
        return mx_fail(err, MX_EINPUT, "corrupt container: lossy flag disagrees with spec");
    /* bound every allocation by what this file can legitimately hold */
    uint64_t cap = (uint64_t)len * MX_MAX_RATIO;
    if (mx_shape_check(c->total_rows, c->cols, err) || mx_shape_check(c->rows, c->cols, err))
        return mx_wrap(err, "corrupt container");
    if (c->rows * c->cols * 2 > cap)
        return mx_fail(err, MX_EINPUT,
                       "corrupt container: %llux%llu values from %zu bytes exceeds the %llu:1 limit",
                       (unsigned long long)c->rows, (unsigned long long)c->cols, len,
                       (unsigned long long)MX_MAX_RATIO);
    for (size_t l = 0; l < c->layout.n_levels; l++) {
        uint64_t level_bytes = 0;
        for (size_t j = 0; j < c->layout.level[l].n; j++) {
            size_t b = 0;
            mx_stream_desc_bytes(&c->layout.level[l].d[j], &b);
            level_bytes += b;
        }
        if (level_bytes > 4 * cap + 64)
            return mx_fail(err, MX_EINPUT, "corrupt container: stream level %zu is too large", l);
    }
    if (mx_matrix_alloc(out, c->rows, c->cols))
        return mx_fail(err, MX_EINPUT, "corrupt container: matrix %llux%llu is too large",
                       (unsigned long long)c->rows, (unsigned long long)c->cols);
    if (mx_pipeline_decode(&p, &c->layout, &c->coded, out->data, c->rows, c->cols, err))
        goto fail;
    if (!c->lossy &&
        mx_container_hash64(c->version, out->data, mx_matrix_count(out) * 2) != c->value_hash) {
        mx_fail(err, MX_EINPUT, "corrupt container: decoded values fail the checksum");
        goto fail;
    }
    out->origin = c->origin;
    out->fortran = c->fortran;
    if (c->blob_len) {
        out->origin_blob = malloc(c->blob_len);
        if (!out->origin_blob) {
            mx_fail(err, MX_EFAIL, "out of memory");
            goto fail;
        }
        memcpy(out->origin_blob, c->blob, c->blob_len);
        out->origin_blob_len = c->blob_len;
    }
    return 0;
fail:
    mx_matrix_free(out);
    return -1;
}

/* Checks that the frame with header c continues r's matrix; advances r. */
static int frame_continues(mx_frame_reader *r, const mx_container *c, mx_error *err)
{
    if (!r->started) {
        if (c->first_row != 0)
            return mx_fail(err, MX_EINPUT, "corrupt container: the first frame starts at row %llu",
                           (unsigned long long)c->first_row);
        r->started = 1;
        r->version = c->version;
        r->rows = c->total_rows;
        r->cols = c->cols;
        r->origin = c->origin;
        r->fortran = c->fortran;
    } else if (!c->multi || c->version != r->version || c->first_row != r->next_row ||
               c->total_rows != r->rows || c->cols != r->cols || c->origin != r->origin ||
               c->fortran != r->fortran || c->blob_len) {
        return mx_fail(err, MX_EINPUT,
                       "corrupt container: frame %zu does not continue the matrix (rows %llu.. of "
                       "%llux%llu expected)",
                       r->frames + 1, (unsigned long long)r->next_row, (unsigned long long)r->rows,
                       (unsigned long long)r->cols);
    }
    r->next_row += c->rows;
    r->frames++;
    return 0;
}

typedef struct {
    const uint8_t *const *buf;
    const size_t *len;
    int threads;
    mx_matrix *parts;
} decode_job;

static int decode_frame_job(void *ctx, size_t i, mx_error *err)
{
    decode_job *j = ctx;
    mx_container c;
    return decode_container(j->buf[i], j->len[i], j->threads, &c, &j->parts[i], err);
}

/* Decodes n frames, already known to be in order, on the threads. */
static int decode_frames(const uint8_t *const *buf, const size_t *len, size_t n, int threads,
                         mx_matrix *parts, mx_error *err)
{
    decode_job j = {buf, len, n > 1 && threads > 1 ? 1 : threads, parts};
    for (size_t i = 0; i < n; i++)
        memset(&parts[i], 0, sizeof parts[i]);
    int rc = parallel_items(n, n > 1 ? threads : 1, decode_frame_job, &j, err);
    if (rc)
        for (size_t i = 0; i < n; i++)
            mx_matrix_free(&parts[i]);
    return rc;
}

int mx_decompress_frames(mx_frame_reader *r, const uint8_t *const *buf, const size_t *len,
                         size_t n, int threads, mx_matrix *parts, mx_error *err)
{
    /* the order is checked from the headers first, then the frames decode
     * on the threads (each one whole, checksums and all) */
    for (size_t i = 0; i < n; i++) {
        mx_container hdr;
        uint64_t flen;
        if (mx_container_frame_len(buf[i], len[i], &flen, &hdr, err))
            return mx_fail(err, MX_EINPUT, "corrupt container: frame %zu has a damaged header",
                           r->frames + 1);
        if (flen != len[i])
            return mx_fail(err, MX_EINPUT, "corrupt container: frame %zu has the wrong length",
                           r->frames + 1);
        if (frame_continues(r, &hdr, err))
            return -1;
    }
    return decode_frames(buf, len, n, threads, parts, err);
}

int mx_decompress_frame(mx_frame_reader *r, const uint8_t *buf, size_t len, int threads,
                        mx_matrix *out, mx_error *err)
{
    return mx_decompress_frames(r, &buf, &len, 1, threads, out, err);
}

int mx_decompress_ex(const uint8_t *buf, size_t len, int threads, mx_matrix *out, mx_error *err)
{
    memset(out, 0, sizeof *out);
    if (len < 6 || !(buf[5] & 4)) { /* one frame: the whole buffer is the container */
        mx_container c;
        return decode_container(buf, len, threads, &c, out, err);
    }
    /* find the frames and check their order, then decode them all at once */
    size_t n = 0, cap = 0, off = 0;
    const uint8_t **fb = NULL;
    size_t *fl = NULL;
    mx_matrix *parts = NULL;
    mx_frame_reader scan = {0};
    int rc = -1;
    while (!scan.started || scan.next_row < scan.rows) {
        uint64_t flen = 0;
        mx_container hdr;
        int st = off < len ? mx_container_frame_len(buf + off, len - off, &flen, &hdr, err) : 1;
        if (st < 0)
            goto out;
        if (st > 0 || flen > len - off) {
            mx_fail(err, MX_EINPUT, "truncated container: frame %zu is cut short (rows %llu of %llu present)",
                    n + 1, (unsigned long long)scan.next_row, (unsigned long long)scan.rows);
            goto out;
        }
        if (frame_continues(&scan, &hdr, err))
            goto out;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            const uint8_t **nb = realloc(fb, cap * sizeof *fb);
            size_t *nl = nb ? realloc(fl, cap * sizeof *fl) : NULL;
            if (nb)
                fb = nb;
            if (nl)
                fl = nl;
            if (!nb || !nl) {
                mx_fail(err, MX_EFAIL, "out of memory");
                goto out;
            }
        }
        fb[n] = buf + off;
        fl[n++] = (size_t)flen;
        off += (size_t)flen;
    }
    if (off != len) {
        mx_fail(err, MX_EINPUT, "corrupt container: %zu bytes of trailing data after the last frame",
                len - off);
        goto out;
    }
    /* the whole matrix is bounded like any single container */
    if (mx_shape_check(scan.rows, scan.cols, err)) {
        mx_wrap(err, "corrupt container");
        goto out;
    }
    if (scan.rows * scan.cols * 2 > (uint64_t)len * MX_MAX_RATIO ||
        mx_matrix_alloc(out, scan.rows, scan.cols) || !(parts = calloc(n, sizeof *parts))) {
        mx_fail(err, MX_EINPUT, "corrupt container: matrix %llux%llu is too large",
                (unsigned long long)scan.rows, (unsigned long long)scan.cols);
        goto out;
    }
    if (decode_frames(fb, fl, n, threads, parts, err)) { /* the scan checked the order */
        mx_wrap(err, "in a frame");
        goto out;
    }
    uint64_t at = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(out->data + at * scan.cols, parts[i].data, mx_matrix_count(&parts[i]) * 2);
        at += parts[i].rows;
    }
    out->origin = parts[0].origin;
    out->fortran = parts[0].fortran;
    out->origin_blob = parts[0].origin_blob;
    out->origin_blob_len = parts[0].origin_blob_len;
    parts[0].origin_blob = NULL;
    rc = 0;
out:
    for (size_t i = 0; parts && i < n; i++)
        mx_matrix_free(&parts[i]);
    free(parts);
    free(fb);
    free(fl);
    if (rc)
        mx_matrix_free(out);
    return rc;
}
