#include "engine.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../codecs/bytes.h"
#include "container.h"
#include "frames.h"
#include "../codecs/parallel.h"
#include "presets.h"
#include "shape_infer.h"

uint64_t mx_values_hash(const uint16_t *values, size_t n)
{
    /* configure refuses big-endian hosts, so memory order is LE */
    return mx_container_hash64(MX_CONTAINER_VERSION, values, n * sizeof *values);
}

uint64_t mx_frame_rows(const mx_ctx *ctx, uint64_t cols)
{
    if (!cols)
        return UINT64_MAX; /* no values: one frame, however many rows */
    if (ctx->frame_rows)
        return ctx->frame_rows;
    return cols > MX_FRAME_BYTES / 2 ? 1 : MX_FRAME_BYTES / (cols * 2);
}

/* Where a frame sits in its matrix; total_rows == rows for a plain file. */
typedef struct {
    uint64_t first_row, total_rows;
} frame_pos;

/* The threads a call may use and a work for each (crew[0]: this thread's). */
typedef struct {
    mx_work *crew;
    int threads;
} team;

static int compress_fixed(team t, const mx_pipeline *p, const mx_matrix *m, frame_pos pos,
                          uint8_t **out, size_t *out_len, mx_error *err)
{
    mx_container c;
    memset(&c, 0, sizeof c);
    if (mx_pipeline_encode(p, t.crew, t.threads, m->data, m->rows, m->cols, &c.layout, &c.coded,
                           err))
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
 * fewer than 4 x AUTO_SAMPLE_BLOCKS rows, or of at most AUTO_FULL_CHECK_MAX
 * values, it always does: a sample misses repeats longer than its blocks
 * (rows that recur every 16 rows made zstd:3 half bfdelta's size), and
 * there a whole zstd:3 costs under a millisecond. */
#define AUTO_FULL_CHECK_MAX ((uint64_t)1 << 17)
#define AUTO_SAMPLE_DIV 64
#define AUTO_SAMPLE_BLOCKS 4
#define AUTO_KEEP_PCT 85

/* Keeps every file we write decodable under MX_MAX_RATIO. */
static int compress_bounded(team t, const mx_pipeline *p, const mx_matrix *m, frame_pos pos,
                            uint8_t **out, size_t *out_len, char *chosen, size_t chosen_n,
                            mx_error *err)
{
    if (chosen)
        mx_pipeline_format(p, chosen, chosen_n);
    if (compress_fixed(t, p, m, pos, out, out_len, err))
        return -1;
    uint64_t bytes = (uint64_t)mx_matrix_count(m) * 2;
    if (bytes <= (uint64_t)*out_len * MX_MAX_RATIO)
        return 0;
    free(*out);
    mx_pipeline z;
    if (mx_pipeline_parse(MX_BASELINE_SPEC, &z, err))
        return -1;
    if (chosen)
        mx_pipeline_format(&z, chosen, chosen_n);
    return compress_fixed(t, &z, m, pos, out, out_len, err);
}

/* Codes the whole matrix with the baseline as well, and keeps whichever
 * of that and *out (chosen) is smaller. */
static int keep_smaller_than_baseline(team t, const mx_matrix *part, frame_pos pos,
                                      uint8_t **out, size_t *out_len, char *chosen,
                                      size_t chosen_n, mx_error *err)
{
    mx_pipeline base;
    uint8_t *buf;
    size_t len;
    char base_chosen[MX_SPEC_MAX];
    if (mx_pipeline_parse(MX_BASELINE_SPEC, &base, err) ||
        compress_bounded(t, &base, part, pos, &buf, &len, base_chosen, sizeof base_chosen, err)) {
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

static int compress_auto_max(team t, const mx_matrix *part, frame_pos pos, uint8_t **out,
                             size_t *out_len, char *chosen, size_t chosen_n, mx_error *err)
{
    *out = NULL;
    for (size_t i = 0; i < mx_auto_count; i++) {
        mx_pipeline cand;
        uint8_t *buf;
        size_t len;
        char spec[MX_SPEC_MAX];
        if (mx_pipeline_parse(mx_auto_candidates[i], &cand, err) ||
            compress_bounded(t, &cand, part, pos, &buf, &len, spec, sizeof spec, err)) {
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
static int baseline_estimate(team t, const mx_pipeline *base, const mx_matrix *m,
                             uint64_t *estimate, mx_error *err)
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
    int rc = mx_pipeline_encode(base, t.crew, t.threads, sample.data, sample.rows, sample.cols,
                                &layout, &coded, err);
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

static int compress_auto_fast(team t, const mx_matrix *part, frame_pos pos, uint8_t **out,
                              size_t *out_len, char *chosen, size_t chosen_n, mx_error *err)
{
    mx_pipeline fast, base;
    uint64_t estimate;
    if (mx_pipeline_parse(MX_AUTO_FAST_SPEC, &fast, err) ||
        mx_pipeline_parse(MX_BASELINE_SPEC, &base, err) ||
        compress_bounded(t, &fast, part, pos, out, out_len, chosen, chosen_n, err))
        return -1;
    if (part->rows * part->cols <= AUTO_FULL_CHECK_MAX)
        return keep_smaller_than_baseline(t, part, pos, out, out_len, chosen, chosen_n, err);
    if (baseline_estimate(t, &base, part, &estimate, err)) {
        free(*out);
        return -1;
    }
    if ((uint64_t)*out_len * 100 <= estimate * AUTO_KEEP_PCT)
        return 0;
    return keep_smaller_than_baseline(t, part, pos, out, out_len, chosen, chosen_n, err);
}

/* Compresses one frame: part holds rows [first_row, first_row + part->rows)
 * of a total_rows-row matrix, with the whole matrix's origin fields (the
 * origin header is stored in the first frame only). A part that is the
 * whole matrix makes a plain single-frame container. */
static int compress_frame(team t, const mx_pipeline *p, const mx_matrix *part, frame_pos pos,
                          uint8_t **out, size_t *out_len, char *chosen, size_t chosen_n,
                          mx_error *err)
{
    if (mx_shape_check(pos.total_rows, part->cols, err))
        return -1;
    if (p->automatic == MX_AUTO_MAX)
        return compress_auto_max(t, part, pos, out, out_len, chosen, chosen_n, err);
    if (p->automatic)
        return compress_auto_fast(t, part, pos, out, out_len, chosen, chosen_n, err);
    return compress_bounded(t, p, part, pos, out, out_len, chosen, chosen_n, err);
}

/* Runs fn on items 0..n-1 on the team's threads, each item with a team of
 * its own: one work of the crew when items run side by side, else the
 * whole team. 0, or -1 with the error of the first item that failed (the
 * same whatever the thread count). */
typedef int (*item_fn)(void *ctx, team t, size_t i, mx_error *err);
typedef struct {
    item_fn fn;
    void *ctx;
    team t;
    int split; /* items side by side, a work each */
    int *rc;
    mx_error *err;
} items_job;

static void run_item(void *ctx, size_t i, int worker)
{
    items_job *j = ctx;
    team own = j->t;
    if (j->split) {
        own.crew = &j->t.crew[worker];
        own.threads = 1;
    }
    j->rc[i] = j->fn(j->ctx, own, i, &j->err[i]);
}

static int parallel_items(size_t n, team t, item_fn fn, void *ctx, mx_error *err)
{
    items_job j = {fn, ctx, t, n > 1 && t.threads > 1, calloc(n + 1, sizeof *j.rc),
                   calloc(n + 1, sizeof *j.err)};
    if (!j.rc || !j.err) {
        free(j.rc);
        free(j.err);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    mx_parallel_workers(n, j.split ? t.threads : 1, run_item, &j);
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

static int team_of(mx_ctx *ctx, team *t, mx_error *err)
{
    t->crew = mx_ctx_crew(ctx, err);
    t->threads = ctx->threads;
    return t->crew ? 0 : -1;
}

/* Frames of one matrix, coded on threads: each frame is independent, so
 * the bytes are the same whatever the thread count. */
typedef struct {
    const mx_pipeline *p;
    const mx_matrix *m;
    uint64_t step, first_row, total_rows;
    uint8_t **buf;
    size_t *len;
    char (*chosen)[MX_SPEC_MAX];
} frames_job;

static int compress_frame_job(void *ctx, team t, size_t i, mx_error *err)
{
    frames_job *j = ctx;
    uint64_t r = (uint64_t)i * j->step;
    mx_matrix part = *j->m;
    part.rows = j->m->rows - r < j->step ? j->m->rows - r : j->step;
    part.data = j->m->data + r * j->m->cols;
    frame_pos pos = {j->first_row + r, j->total_rows};
    return compress_frame(t, j->p, &part, pos, &j->buf[i], &j->len[i], j->chosen[i], MX_SPEC_MAX,
                          err);
}

int mx_compress_frames(mx_ctx *ctx, const mx_pipeline *p, const mx_matrix *m, uint64_t first_row,
                       uint64_t total_rows, size_t n, uint8_t **buf, size_t *len,
                       char (*chosen)[MX_SPEC_MAX], mx_error *err)
{
    frames_job j = {p, m, mx_frame_rows(ctx, m->cols), first_row, total_rows, buf, len, chosen};
    team t;
    for (size_t i = 0; i < n; i++)
        buf[i] = NULL;
    if (team_of(ctx, &t, err))
        return -1;
    int rc = parallel_items(n, t, compress_frame_job, &j, err);
    if (rc)
        for (size_t i = 0; i < n; i++) {
            free(buf[i]);
            buf[i] = NULL;
        }
    return rc;
}

static int put_bytes(void *user, const void *buf, size_t len, mx_error *err)
{
    mx_bytes *b = user;
    mx_bytes_put(b, buf, len);
    return b->oom ? mx_fail(err, MX_EFAIL, "out of memory") : 0;
}

/* m as a file in memory: the frames the one path writes (frames.h). */
int mx_compress(mx_ctx *ctx, const mx_pipeline *p, const mx_matrix *m, uint8_t **out,
                size_t *out_len, mx_error *err)
{
    mx_bytes b = {0};
    mx_row_source src = {*m, NULL, NULL};
    mx_byte_sink sink = {put_bytes, &b};
    uint16_t none = 0;
    if (!m->data) { /* an empty matrix needs no values; any other does */
        if (mx_shape_check(m->rows, m->cols, err))
            return -1;
        if (mx_matrix_count(m))
            return mx_fail(err, MX_EINPUT, "a %llux%llu matrix without data",
                           (unsigned long long)m->rows, (unsigned long long)m->cols);
        src.head.data = &none; /* data NULL would mean rows from a reader */
    }
    if (mx_frames_write(ctx, p, &src, &sink, err)) {
        free(b.p);
        return -1;
    }
    *out = b.p;
    *out_len = b.len;
    return 0;
}

int mx_compress_unshaped(mx_ctx *ctx, const mx_pipeline *p, const mx_matrix *m, uint8_t **out,
                         size_t *out_len, mx_error *err)
{
    if (mx_shape_check(m->rows, m->cols, err)) /* before rows x cols is taken */
        return -1;
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
    /* *out and the context's info change only when the whole call succeeds */
    mx_compress_info before = ctx->info;
    uint8_t *first;
    size_t first_len;
    if (mx_compress(ctx, p, &view, &first, &first_len, err))
        return -1;
    mx_compress_info at_width = ctx->info;
    const char *used = at_width.pipeline;
    /* auto: only small inputs, where the tables of bfdelta's contexts
     * outweigh what they save (one row has one context). auto:max always tries, as
     * its other candidates may win on one row where they lost at the
     * width found. */
    if (!p->automatic || view.rows == 1 ||
        (p->automatic != MX_AUTO_MAX && n > MX_ONE_ROW_TRIAL_MAX)) {
        *out = first;
        *out_len = first_len;
        return 0;
    }
    /* one row: auto codes it with what it chose at that width (zstd:3,
     * which it also weighed, would give the same bytes but for a few of
     * the header); auto:max runs its trials again, where another candidate
     * may win */
    mx_pipeline one_p = *p;
    mx_error ignored = {0};
    /* zstd:3 would give the same bytes on one row, but bfdelta on one row
     * may beat both (auto weighs whole zstd:3 on small inputs, and keeps
     * it where bfdelta at the width lost): auto runs again there */
    if (p->automatic != MX_AUTO_MAX &&
        (!strcmp(used, MX_BASELINE_SPEC) || mx_pipeline_parse(used, &one_p, &ignored)))
        one_p = *p; /* or its frames chose differently: the automatic pipeline again */
    uint8_t *one;
    size_t one_len;
    if (mx_compress(ctx, &one_p, &flat, &one, &one_len, err)) {
        free(first);
        ctx->info = before;
        return -1;
    }
    if (one_len >= first_len) {
        free(one);
        ctx->info = at_width;
        *out = first;
        *out_len = first_len;
        return 0;
    }
    free(first);
    *out = one;
    *out_len = one_len;
    return 0;
}

/* Decodes one frame (a whole container) into its rows at out->data, which
 * hold out->rows x out->cols values: the shape its header gave the walk. */
static int decode_frame(team t, const uint8_t *buf, size_t len, const mx_matrix *out,
                        mx_error *err)
{
    mx_pipeline p;
    mx_container c;
    if (mx_container_read(buf, len, &c, err))
        return -1;
    if (c.rows != out->rows || c.cols != out->cols)
        return mx_fail(err, MX_EINPUT, "corrupt container: the frame is not the shape its header says");
    if (mx_pipeline_parse(c.spec, &p, err))
        return mx_wrap(err, "corrupt container");
    if (mx_pipeline_lossy(&p) != c.lossy)
        return mx_fail(err, MX_EINPUT, "corrupt container: lossy flag disagrees with spec");
    /* bound every allocation by what this file can legitimately hold */
    uint64_t cap = (uint64_t)len * MX_MAX_RATIO;
    if (mx_shape_check(c.total_rows, c.cols, err) || mx_shape_check(c.rows, c.cols, err))
        return mx_wrap(err, "corrupt container");
    if (c.rows * c.cols * 2 > cap)
        return mx_fail(err, MX_EINPUT,
                       "corrupt container: %llux%llu values from %zu bytes exceeds the %llu:1 limit",
                       (unsigned long long)c.rows, (unsigned long long)c.cols, len,
                       (unsigned long long)MX_MAX_RATIO);
    for (size_t l = 0; l < c.layout.n_levels; l++) {
        uint64_t level_bytes = 0;
        for (size_t j = 0; j < c.layout.level[l].n; j++) {
            size_t b = 0;
            mx_stream_desc_bytes(&c.layout.level[l].d[j], &b);
            level_bytes += b;
        }
        if (level_bytes > 4 * cap + 64)
            return mx_fail(err, MX_EINPUT, "corrupt container: stream level %zu is too large", l);
    }
    if (mx_pipeline_decode(&p, t.crew, t.threads, &c.layout, &c.coded, out->data, c.rows, c.cols,
                           err))
        return -1;
    if (!c.lossy &&
        mx_container_hash64(c.version, out->data, (size_t)(c.rows * c.cols) * 2) != c.value_hash)
        return mx_fail(err, MX_EINPUT, "corrupt container: decoded values fail the checksum");
    return 0;
}

typedef struct {
    const uint8_t *const *buf;
    const size_t *len;
    const mx_matrix *parts;
} decode_job;

static int decode_frame_job(void *ctx, team t, size_t i, mx_error *err)
{
    decode_job *j = ctx;
    return decode_frame(t, j->buf[i], j->len[i], &j->parts[i], err);
}

int mx_decode_frames(mx_ctx *ctx, const uint8_t *const *buf, const size_t *len,
                     const mx_matrix *parts, size_t n, mx_error *err)
{
    decode_job j = {buf, len, parts};
    team t;
    return team_of(ctx, &t, err) ? -1 : parallel_items(n, t, decode_frame_job, &j, err);
}

/* The rows of a buffer's frames, into a new matrix. */
typedef struct {
    mx_matrix *m;
} matrix_sink;

static int matrix_begin(void *user, const mx_container *whole, mx_error *err)
{
    mx_matrix *m = ((matrix_sink *)user)->m;
    /* every frame's decoder writes all its values (or the read fails),
     * and the frames cover every row (mx_frames_read) */
    if (mx_matrix_alloc_unset(m, whole->rows, whole->cols))
        return mx_fail(err, MX_EINPUT, "corrupt container: matrix %llux%llu is too large",
                       (unsigned long long)whole->rows, (unsigned long long)whole->cols);
    m->origin = whole->origin;
    m->fortran = whole->fortran;
    if (whole->blob_len) {
        if (!(m->origin_blob = malloc(whole->blob_len)))
            return mx_fail(err, MX_EFAIL, "out of memory");
        memcpy(m->origin_blob, whole->blob, whole->blob_len);
        m->origin_blob_len = whole->blob_len;
    }
    return 0;
}

static uint16_t *matrix_room(void *user, uint64_t first, uint64_t n, mx_error *err)
{
    (void)n, (void)err;
    mx_matrix *m = ((matrix_sink *)user)->m;
    return m->data + first * m->cols;
}

/* The rows are in place once decoded: nothing to do after them. */
static int matrix_done(void *user, uint64_t first, uint64_t n, mx_error *err)
{
    (void)user, (void)first, (void)n, (void)err;
    return 0;
}

static int matrix_end(void *user, mx_error *err)
{
    (void)user, (void)err;
    return 0;
}

int mx_decompress(mx_ctx *ctx, const uint8_t *buf, size_t len, mx_matrix *out, mx_error *err)
{
    memset(out, 0, sizeof *out);
    matrix_sink ms = {out};
    mx_byte_source in = {len, buf, NULL, NULL};
    mx_row_sink sink = {matrix_begin, matrix_room, matrix_done, matrix_end, &ms};
    if (mx_frames_read(ctx, &in, &sink, 0, NULL, err)) {
        mx_matrix_free(out);
        return -1;
    }
    return 0;
}
