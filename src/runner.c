#include "runner.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "engine.h"
#include "metrics.h"

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
    mx_similarity s = {1.0, 1.0, 1.0};
    /* identical bits are similarity 1 by definition; the formula itself is
     * undefined (NaN) on matrices holding NaN or Inf */
    if (!r->exact)
        s = mx_similarity_bf16(m->data, decoded, n);
    r->cosine = s.cosine;
    r->norm_sim = s.norm_sim;
    r->similarity = s.similarity;
    r->original_bytes = n * sizeof(uint16_t);
    r->ratio = r->compressed_bytes ? (double)r->original_bytes / (double)r->compressed_bytes : 0;
    r->raw = mx_raw_score((r->ms_compress + r->ms_decompress) / 1000.0, r->similarity, r->ratio);
    r->normalized = mx_normalized_score(r->raw);
    if (!r->lossy && !r->exact) {
        r->failed = 1;
        snprintf(r->error, sizeof r->error, "lossless round trip differs from the input");
    }
}

int mx_run_cell(const mx_pipeline *p, const mx_matrix *m, int repeat, mx_result *r,
                mx_error *err)
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
        if (mx_compress(p, m, &buf, &len, err))
            return -1;
        double t1 = now_ms();
        mx_matrix_free(&dec);
        int rc = mx_decompress(buf, len, &dec, err);
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
    score(r, m, dec.data);
    mx_matrix_free(&dec);
    return 0;
}

int mx_run_bare(const mx_pipeline *p, const mx_matrix *m, int repeat, mx_result *r,
                mx_error *err)
{
    double tc[MAX_REPEAT], td[MAX_REPEAT];
    memset(r, 0, sizeof *r);
    if (p->n_transforms)
        return mx_fail(err, MX_EINPUT, "a bare run takes an entropy stage only");
    if (repeat < 1 || repeat > MAX_REPEAT)
        return mx_fail(err, MX_EINPUT, "repeat must be 1..%d", MAX_REPEAT);
    const mx_step *e = &p->entropy;
    size_t n = mx_matrix_count(m) * sizeof(uint16_t);
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
        if (e->stage->compress(&e->params, (const uint8_t *)m->data, n, buf, cap, &len, err))
            goto out;
        double t1 = now_ms();
        if (e->stage->decompress(&e->params, buf, len, (uint8_t *)dec, n, err))
            goto out;
        double t2 = now_ms();
        tc[k] = t1 - t0;
        td[k] = t2 - t1;
        r->compressed_bytes = len;
    }
    r->ms_compress = median(tc, repeat);
    r->ms_decompress = median(td, repeat);
    score(r, m, dec);
    rc = 0;
out:
    free(buf);
    free(dec);
    return rc;
}

static int cmp_summary(const void *a, const void *b)
{
    const mx_summary *x = a, *y = b;
    /* failed/rejected pipelines sink; then best mean raw first */
    int bx = x->failed || x->rejected, by = y->failed || y->rejected;
    if (bx != by)
        return bx - by;
    if (x->raw != y->raw)
        return x->raw < y->raw ? 1 : -1;
    return (x->column > y->column) - (x->column < y->column);
}

void mx_batch_free(mx_batch *b)
{
    free(b->cell);
    free(b->summary);
    memset(b, 0, sizeof *b);
}

int mx_batch_run(const mx_sample *samples, size_t n_samples, const mx_pipeline *pipes,
                 size_t n_pipes, const mx_batch_opts *opts, mx_batch *out, mx_error *err)
{
    memset(out, 0, sizeof *out);
    if (opts->repeat < 1 || opts->repeat > MAX_REPEAT)
        return mx_fail(err, MX_EINPUT, "--repeat must be 1..%d", MAX_REPEAT);
    if (n_samples == 0)
        return mx_fail(err, MX_EINPUT, "no samples to run");
    mx_pipeline base;
    if (mx_pipeline_parse(MX_BASELINE_SPEC, &base, err))
        return -1;
    size_t nc = n_pipes + 1;
    out->n_samples = n_samples;
    out->n_columns = nc;
    out->cell = calloc(n_samples * nc + 1, sizeof *out->cell);
    out->summary = calloc(nc, sizeof *out->summary);
    if (!out->cell || !out->summary) {
        mx_batch_free(out);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    size_t done = 0, total = n_samples * nc;
    for (size_t s = 0; s < n_samples; s++) {
        for (size_t c = 0; c < nc; c++) {
            mx_result *r = &out->cell[s * nc + c];
            mx_error e = {0};
            int rc = c == 0 ? mx_run_bare(&base, &samples[s].m, opts->repeat, r, &e)
                            : mx_run_cell(&pipes[c - 1], &samples[s].m, opts->repeat, r, &e);
            if (c == 0)
                snprintf(r->spec, sizeof r->spec, "%s", MX_BASELINE_NAME);
            else
                mx_pipeline_format(&pipes[c - 1], r->spec, sizeof r->spec);
            if (rc) {
                r->failed = 1;
                mx_strlcpy(r->error, e.msg, sizeof r->error);
            }
            if (opts->progress && opts->progress(opts->ctx, ++done, total)) {
                mx_batch_free(out);
                return mx_fail(err, MX_EFAIL, "interrupted");
            }
        }
    }
    /* per-row verdicts need the baseline of the same sample */
    for (size_t s = 0; s < n_samples; s++) {
        double to_beat = opts->have_raw_to_beat ? opts->raw_to_beat : out->cell[s * nc].raw;
        for (size_t c = 0; c < nc; c++) {
            mx_result *r = &out->cell[s * nc + c];
            if (r->failed)
                continue;
            r->rejected = !r->exact && !(r->similarity >= opts->min_similarity - 1e-12);
            r->beats = !r->rejected && c != 0 && mx_beats(r->raw, to_beat);
        }
    }
    for (size_t c = 0; c < nc; c++) {
        mx_summary *m = &out->summary[c];
        m->column = c;
        snprintf(m->spec, sizeof m->spec, "%s", out->cell[c].spec);
        for (size_t s = 0; s < n_samples; s++) {
            const mx_result *r = &out->cell[s * nc + c];
            m->failed |= r->failed;
            m->rejected |= r->rejected;
            m->n++;
            m->ratio += r->ratio;
            m->ms_compress += r->ms_compress;
            m->ms_decompress += r->ms_decompress;
            m->similarity += r->similarity;
            m->raw += r->raw;
        }
        double k = m->n ? (double)m->n : 1.0;
        m->ratio /= k;
        m->ms_compress /= k;
        m->ms_decompress /= k;
        m->similarity /= k;
        m->raw /= k;
        m->normalized = mx_normalized_score(m->raw);
        out->any_failed |= m->failed;
    }
    out->raw_to_beat = opts->have_raw_to_beat ? opts->raw_to_beat : out->summary[0].raw;
    for (size_t c = 1; c < nc; c++) {
        mx_summary *m = &out->summary[c];
        m->beats = !m->failed && !m->rejected && mx_beats(m->raw, out->raw_to_beat);
    }
    qsort(out->summary, nc, sizeof *out->summary, cmp_summary);
    return 0;
}
