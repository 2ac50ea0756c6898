#include "runner.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "engine.h"
#include "../codecs/metrics.h"

int mx_condition_parse(const char *name)
{
    if (!strcmp(name, "submitted"))
        return MX_SUBMITTED;
    if (!strcmp(name, "known"))
        return MX_SHAPE_KNOWN;
    return -1;
}

const char *mx_condition_name(mx_condition c)
{
    return c == MX_SHAPE_KNOWN ? "shape known" : "as submitted";
}

void mx_batch_opts_default(mx_batch_opts *o)
{
    memset(o, 0, sizeof *o);
    o->repeat = 3;
    o->min_similarity = 1.0;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

#define MAX_REPEAT 1000

/* Scores a finished cell from the original and decoded values. */
static void score(mx_result *r, const mx_matrix *m, const uint16_t *decoded)
{
    size_t n = mx_matrix_count(m);
    r->exact = memcmp(m->data, decoded, n * sizeof *decoded) == 0;
    mx_similarity s = {1.0, 1.0, 1.0}, s32 = s;
    /* identical bits are similarity 1 by definition; the formula itself is
     * undefined (NaN) on matrices holding NaN or Inf */
    if (!r->exact) {
        s = mx_similarity_bf16(m->data, decoded, n);
        s32 = mx_similarity_f32(m->data, decoded, n);
    }
    r->cosine = s.cosine;
    r->norm_sim = s.norm_sim;
    r->similarity = s.similarity;
    r->similarity_f32 = s32.similarity;
    /* NaN compares false either way: it stays the verdict */
    r->similarity_lower = s32.similarity < s.similarity || isnan(s32.similarity)
                              ? s32.similarity : s.similarity;
    r->original_bytes = n * sizeof(uint16_t);
    r->ratio = r->compressed_bytes ? (double)r->original_bytes / (double)r->compressed_bytes : 0;
    r->raw = mx_raw_score((r->ms_compress + r->ms_decompress) / 1000.0, r->similarity, r->ratio);
    r->normalized = mx_normalized_score(r->raw);
    if (!r->lossy && !r->exact) {
        r->failed = 1;
        snprintf(r->error, sizeof r->error, "lossless round trip differs from the input");
    }
}

int mx_run_cell(mx_ctx *ctx, const mx_pipeline *p, const mx_matrix *m, int repeat, mx_result *r,
                mx_error *err)
{
    return mx_run_cell_as(ctx, p, m, MX_SHAPE_KNOWN, repeat, r, err);
}

int mx_run_cell_as(mx_ctx *ctx, const mx_pipeline *p, const mx_matrix *m, mx_condition cond,
                   int repeat, mx_result *r, mx_error *err)
{
    double tc[MAX_REPEAT], td[MAX_REPEAT];
    memset(r, 0, sizeof *r);
    mx_pipeline_format(p, r->spec, sizeof r->spec);
    r->lossy = mx_pipeline_lossy(p);
    if (repeat < 1 || repeat > MAX_REPEAT)
        return mx_fail(err, MX_EINPUT, "repeat must be 1..%d", MAX_REPEAT);
    mx_matrix dec = {0};
    for (int k = 0; k < repeat; k++) {
        uint8_t *buf;
        size_t len;
        double t0 = now_ms();
        int rc = cond == MX_SHAPE_KNOWN ? mx_compress(ctx, p, m, &buf, &len, err)
                                        : mx_compress_unshaped(ctx, p, m, &buf, &len, err);
        if (rc)
            return -1;
        double t1 = now_ms();
        mx_strlcpy(r->chosen, mx_ctx_info(ctx)->pipeline, sizeof r->chosen);
        mx_matrix_free(&dec);
        rc = mx_decompress(ctx, buf, len, &dec, err);
        double t2 = now_ms();
        free(buf);
        if (rc)
            return -1;
        tc[k] = t1 - t0;
        td[k] = t2 - t1;
        r->compressed_bytes = len;
    }
    r->ms_compress = median(tc, repeat);
    r->ms_decompress = median(td, repeat);
    r->rows = dec.rows;
    r->cols = dec.cols;
    score(r, m, dec.data);
    mx_matrix_free(&dec);
    return 0;
}

int mx_run_bare(mx_ctx *ctx, const mx_pipeline *p, const mx_matrix *m, int repeat, mx_result *r,
                mx_error *err)
{
    double tc[MAX_REPEAT], td[MAX_REPEAT];
    memset(r, 0, sizeof *r);
    if (p->n_transforms)
        return mx_fail(err, MX_EINPUT, "a bare run takes an entropy stage only");
    mx_work *w = mx_ctx_crew(ctx, err);
    if (!w)
        return -1;
    w->threads = ctx->threads;
    if (repeat < 1 || repeat > MAX_REPEAT)
        return mx_fail(err, MX_EINPUT, "repeat must be 1..%d", MAX_REPEAT);
    const mx_step *e = &p->entropy;
    size_t n = mx_matrix_count(m) * sizeof(uint16_t);
    mx_stream_desc d = {16, m->rows, m->cols};
    size_t cap = e->stage->bound(&e->params, n);
    uint8_t *buf = malloc(cap ? cap : 1);
    uint16_t *dec = malloc(n ? n : 1);
    if (!buf || !dec) {
        free(buf);
        free(dec);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    int rc = -1;
    for (int k = 0; k < repeat; k++) {
        size_t len;
        double t0 = now_ms();
        if (e->stage->compress(&e->params, w, &d, (const uint8_t *)m->data, n, buf, cap, &len, err))
            goto out;
        double t1 = now_ms();
        if (e->stage->decompress(&e->params, w, &d, buf, len, (uint8_t *)dec, n, err))
            goto out;
        double t2 = now_ms();
        tc[k] = t1 - t0;
        td[k] = t2 - t1;
        r->compressed_bytes = len;
    }
    r->ms_compress = median(tc, repeat);
    r->ms_decompress = median(td, repeat);
    r->rows = 1; /* the bare bytes */
    r->cols = mx_matrix_count(m);
    mx_pipeline_format(p, r->chosen, sizeof r->chosen);
    score(r, m, dec);
    rc = 0;
out:
    free(buf);
    free(dec);
    return rc;
}

/* One external coder on one sample: repeat round trips, median times. */
static int run_coder(const mx_coder *c, const mx_sample *smp, int repeat, mx_result *r,
                     mx_error *err)
{
    double tc[MAX_REPEAT], td[MAX_REPEAT];
    memset(r, 0, sizeof *r);
    mx_strlcpy(r->spec, c->name, sizeof r->spec);
    mx_strlcpy(r->chosen, c->name, sizeof r->chosen);
    r->lossy = c->lossy;
    r->condition = c->condition;
    if (repeat < 1 || repeat > MAX_REPEAT)
        return mx_fail(err, MX_EINPUT, "repeat must be 1..%d", MAX_REPEAT);
    size_t n = mx_matrix_count(&smp->m);
    uint16_t *dec = NULL;
    size_t dec_n = 0;
    for (int k = 0; k < repeat; k++) {
        free(dec);
        dec = NULL;
        if (c->round_trip(c->ctx, smp, &r->compressed_bytes, &dec, &dec_n, &tc[k], &td[k], err))
            return -1;
        if (dec_n != n) {
            free(dec);
            return mx_fail(err, MX_EFAIL, "decompress gave back %zu values for %zu", dec_n, n);
        }
    }
    r->ms_compress = median(tc, repeat);
    r->ms_decompress = median(td, repeat);
    score(r, &smp->m, dec);
    if (r->failed)
        snprintf(r->error, sizeof r->error, "decompress gave back other bytes than were sent");
    free(dec);
    return 0;
}

static int cmp_summary(const void *a, const void *b)
{
    const mx_summary *x = a, *y = b;
    /* failed/rejected pipelines sink; then best mean raw first */
    int bx = x->failed || x->rejected, by = y->failed || y->rejected;
    if (bx != by)
        return bx - by;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return (x->column > y->column) - (x->column < y->column);
}

void mx_batch_free(mx_batch *b)
{
    free(b->cell);
    free(b->summary);
    free(b->order);
    memset(b, 0, sizeof *b);
}

int mx_batch_init(mx_batch *b, size_t n_samples, size_t n_pipes, const mx_batch_opts *opts,
                  mx_error *err)
{
    memset(b, 0, sizeof *b);
    if (opts->repeat < 1 || opts->repeat > MAX_REPEAT)
        return mx_fail(err, MX_EINPUT, "--repeat must be 1..%d", MAX_REPEAT);
    if (n_samples == 0)
        return mx_fail(err, MX_EINPUT, "no samples to run");
    size_t nc = n_pipes + 1 + opts->n_coders;
    b->n_samples = n_samples;
    b->n_columns = nc;
    b->cell = calloc(n_samples * nc + 1, sizeof *b->cell);
    b->summary = calloc(nc, sizeof *b->summary);
    b->order = calloc(nc, sizeof *b->order);
    if (!b->cell || !b->summary || !b->order) {
        mx_batch_free(b);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    return 0;
}

void mx_batch_compute_cell(mx_ctx *ctx, const mx_sample *sample, const mx_pipeline *pipes,
                           size_t n_pipes, size_t column, const mx_batch_opts *opts, mx_result *r)
{
    mx_error e = {0};
    int rc;
    if (column == 0) {
        mx_pipeline base;
        rc = mx_pipeline_parse(MX_BASELINE_SPEC, &base, &e) ||
             mx_run_bare(ctx, &base, &sample->m, opts->repeat, r, &e);
        snprintf(r->spec, sizeof r->spec, "%s", MX_BASELINE_NAME);
        snprintf(r->chosen, sizeof r->chosen, "%s", MX_BASELINE_SPEC);
        r->condition = -1;
    } else if (column > n_pipes) {
        const mx_coder *c = &opts->coders[column - 1 - n_pipes];
        rc = run_coder(c, sample, opts->repeat, r, &e);
        mx_strlcpy(r->spec, c->name, sizeof r->spec);
    } else {
        mx_condition cond = sample->shape_unknown ? MX_SUBMITTED : opts->condition;
        rc = mx_run_cell_as(ctx, &pipes[column - 1], &sample->m, cond, opts->repeat, r, &e);
        r->condition = cond;
        mx_pipeline_format(&pipes[column - 1], r->spec, sizeof r->spec);
    }
    if (rc) {
        r->failed = 1;
        mx_strlcpy(r->error, e.msg, sizeof r->error);
    }
    r->done = 1;
}

/* 1 when every cell of sample s is done. */
static int sample_complete(const mx_batch *b, size_t s)
{
    for (size_t c = 0; c < b->n_columns; c++)
        if (!b->cell[s * b->n_columns + c].done)
            return 0;
    return 1;
}

void mx_batch_summarize(mx_batch *b, const mx_batch_opts *opts)
{
    size_t nc = b->n_columns;
    b->cells_done = 0;
    b->complete_samples = 0;
    for (size_t s = 0; s < b->n_samples; s++) {
        for (size_t c = 0; c < nc; c++)
            b->cells_done += b->cell[s * nc + c].done != 0;
        b->complete_samples += sample_complete(b, s);
    }
    /* per-row verdicts need the baseline of the same sample */
    b->rules = opts->rules;
    b->condition = opts->condition;
    for (size_t s = 0; s < b->n_samples; s++)
        for (size_t c = 0; c < nc; c++) {
            mx_result *r = &b->cell[s * nc + c];
            if (!r->done || r->failed)
                continue;
            double cfrac = r->original_bytes ? (double)r->compressed_bytes / (double)r->original_bytes : 1.0;
            double t = (r->ms_compress + r->ms_decompress) / 1000.0;
            switch (opts->rules) {
            case MX_RULES_SEED:
                r->score = r->raw;
                r->rejected = !r->exact && !(r->similarity_lower >= opts->min_similarity - 1e-12);
                break;
            case MX_RULES_LOSSLESS:
                r->score = mx_score_lossless(cfrac, t, r->exact);
                r->rejected = !r->exact;
                break;
            case MX_RULES_LOSSY:
                r->score = mx_score_lossy(cfrac, r->exact ? 1.0 : r->similarity_lower,
                                          opts->min_similarity);
                r->rejected = !r->exact && !(r->similarity_lower > opts->min_similarity);
                break;
            }
        }
    for (size_t s = 0; s < b->n_samples; s++) {
        const mx_result *base = &b->cell[s * nc];
        for (size_t c = 0; c < nc; c++) {
            mx_result *r = &b->cell[s * nc + c];
            if (!r->done || r->failed)
                continue;
            double to_beat = opts->have_raw_to_beat ? opts->raw_to_beat : base->score;
            r->beats = !r->rejected && c != 0 && (opts->have_raw_to_beat || base->done) &&
                       mx_beats(r->score, to_beat);
        }
    }
    for (size_t c = 0; c < nc; c++) {
        mx_summary *m = &b->summary[c];
        memset(m, 0, sizeof *m);
        m->column = c;
        for (size_t s = 0; s < b->n_samples; s++) {
            const mx_result *r = &b->cell[s * nc + c];
            if (r->done && !m->spec[0])
                snprintf(m->spec, sizeof m->spec, "%s", r->spec);
            if (!r->done || (b->partial && !sample_complete(b, s)))
                continue;
            m->failed |= r->failed;
            m->rejected |= r->rejected;
            m->n++;
            m->original_bytes += r->original_bytes;
            m->compressed_bytes += r->compressed_bytes;
            m->ratio += r->ratio;
            m->ms_compress += r->ms_compress;
            m->ms_decompress += r->ms_decompress;
            m->similarity += r->similarity;
            m->similarity_f32 += r->similarity_f32;
            m->similarity_lower += r->similarity_lower;
            m->raw += r->raw;
            m->score += r->score;
        }
        double k = m->n ? (double)m->n : 1.0;
        m->ratio /= k;
        m->ms_compress /= k;
        m->ms_decompress /= k;
        m->similarity /= k;
        m->similarity_f32 /= k;
        m->similarity_lower /= k;
        m->raw /= k;
        m->score /= k;
        /* a pipeline that failed a sample scores nothing: not the sigmoid
         * of a mean that counts the failure as raw 0 */
        m->normalized = m->failed ? 0.0 : mx_normalized_score(m->raw);
    }
    /* under the later rule sets a row below the bar scores 0 and that 0 is
     * in the mean: the pipeline itself is not thrown out */
    if (opts->rules != MX_RULES_SEED)
        for (size_t c = 0; c < nc; c++)
            b->summary[c].rejected = 0;
    b->any_failed = 0;
    for (size_t c = 0; c < nc; c++)
        b->any_failed |= b->summary[c].failed;
    b->raw_to_beat = opts->have_raw_to_beat ? opts->raw_to_beat : b->summary[0].score;
    b->have_raw_to_beat = opts->have_raw_to_beat || b->summary[0].n > 0;
    for (size_t c = 1; c < nc; c++) {
        mx_summary *m = &b->summary[c];
        m->beats = m->n && b->have_raw_to_beat && !m->failed && !m->rejected &&
                   mx_beats(m->score, b->raw_to_beat);
    }
    b->order_n = nc;
    for (size_t c = 0; c < nc; c++)
        b->order[c] = b->summary[c];
    qsort(b->order, nc, sizeof *b->order, cmp_summary);
}

/* The name a column shows (for a watch, before the cell has run). */
static void column_name(const mx_pipeline *pipes, size_t n_pipes, const mx_batch_opts *opts,
                        size_t column, char *buf, size_t n)
{
    if (column == 0)
        snprintf(buf, n, "%s", MX_BASELINE_NAME);
    else if (column > n_pipes)
        snprintf(buf, n, "%s", opts->coders[column - 1 - n_pipes].name);
    else
        mx_pipeline_format(&pipes[column - 1], buf, n);
}

static int cancelled(const mx_ctx *ctx)
{
    return ctx->cancel && atomic_load(ctx->cancel);
}

int mx_batch_run(mx_ctx *ctx, const mx_sample *samples, size_t n_samples,
                 const mx_pipeline *pipes, size_t n_pipes, const mx_batch_opts *opts,
                 mx_batch *out, mx_error *err)
{
    if (mx_batch_init(out, n_samples, n_pipes, opts, err))
        return -1;
    const mx_batch_watch *w = opts->watch;
    size_t nc = out->n_columns, done = 0, total = n_samples * nc;
    int stop = 0;
    for (size_t s = 0; s < n_samples && !stop; s++)
        for (size_t c = 0; c < nc && !stop; c++) {
            if ((stop = cancelled(ctx)))
                break;
            mx_result *r = &out->cell[s * nc + c];
            if (w && w->cell_start) {
                char name[MX_SPEC_MAX + 16];
                column_name(pipes, n_pipes, opts, c, name, sizeof name);
                w->cell_start(w->user, done, total, samples[s].name, name);
            }
            mx_batch_compute_cell(ctx, &samples[s], pipes, n_pipes, c, opts, r);
            if (r->failed && cancelled(ctx)) { /* cut short, not a verdict */
                memset(r, 0, sizeof *r);
                stop = 1;
                break;
            }
            ++done;
            if (w && w->cell_done)
                w->cell_done(w->user, out, s, c, done, total);
            if (opts->progress && opts->progress(opts->ctx, done, total))
                stop = 1;
        }
    out->interrupted = stop || cancelled(ctx);
    out->partial = done < total;
    mx_batch_summarize(out, opts);
    return 0;
}
