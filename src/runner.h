/* runner.h - the batch runner: every pipeline on every sample, scored.
 *
 * Column 0 of the result grid is always the competition baseline, zstd
 * level 3 on the bare bf16 bytes (no container), shown as
 * "baseline:zstd:3". Each other cell compresses with the full container
 * (its size on disk is the compressed size), decompresses, checks the round
 * trip and scores it. Times are the median of `repeat` runs on a monotonic
 * clock. A bit-exact round trip scores similarity 1 even where the formula
 * is undefined (NaN/Inf in the matrix). The similarity is taken both ways,
 * float64 (the raw score uses it) and float32 as baseline.py checks it;
 * rejections and the lossy rules go by the lower. Front ends (CLI table, UI) only read the mx_batch it fills. */
#ifndef MX_RUNNER_H
#define MX_RUNNER_H
#include <stddef.h>
#include "context.h"
#include "../codecs/metrics.h"
#include "../codecs/mxerr.h"
#include "pipeline.h"
#include "samples.h"

#define MX_BASELINE_SPEC "zstd:3"
#define MX_BASELINE_NAME "baseline:zstd:3"

/* What a pipeline is told about a sample's shape. The competition never
 * tells: a submission gets raw bf16 bytes and finds the row length itself,
 * so "as submitted" (the default) hands each pipeline the values flattened
 * and the engine infers the width (engine.h: mx_compress_unshaped), while
 * "shape known" hands it the matrix as the file has it. A raw sample with
 * no shape given is as submitted either way. */
typedef enum { MX_SUBMITTED = 0, MX_SHAPE_KNOWN = 1 } mx_condition;
/* "submitted" or "known" -> condition; -1 if neither. */
int mx_condition_parse(const char *name);
/* "as submitted" or "shape known". */
const char *mx_condition_name(mx_condition c);

typedef struct {
    char spec[MX_SPEC_MAX + 16];
    char chosen[MX_SPEC_MAX]; /* the pipeline actually used (differs for auto) */
    size_t original_bytes, compressed_bytes;
    double ratio, ms_compress, ms_decompress;
    double cosine, norm_sim, similarity; /* float64, as the competition's runner */
    double similarity_f32;   /* float32, as baseline.py's check (metrics.h) */
    double similarity_lower; /* the lower of the two: what verdicts go by */
    double raw, normalized;
    double score; /* under the batch's rules: raw (seed), or the 0..1 score */
    uint64_t rows, cols; /* the shape the pipeline coded (the file records it);
                          * 0 x 0 for a solution, whose files are its own */
    int condition;       /* mx_condition the cell ran under; -1: the bare bytes (baseline) */
    int lossy;    /* pipeline is lossy */
    int exact;    /* decoded bits equal the original bits */
    int rejected; /* similarity below --min-similarity */
    int beats;    /* raw >= 1.01 x the score to beat */
    int failed;   /* error, or a lossless pipeline that did not round-trip */
    int done;     /* the cell has been run */
    char error[256];
} mx_result;

typedef struct {
    char spec[MX_SPEC_MAX + 16];
    size_t n; /* cells run so far */
    size_t original_bytes, compressed_bytes;
    double ratio, ms_compress, ms_decompress, similarity, raw, normalized;
    double similarity_f32, similarity_lower;
    double score; /* mean score under the batch's rules */
    int beats, rejected, failed;
    size_t column; /* index into the grid's pipeline columns */
} mx_summary;

/* A column that is no pipeline of ours: something that takes a sample's
 * raw bytes and gives back its compressed size and decoded values (eval.h:
 * a miner solution). The runner times and scores it like a pipeline, so
 * every report shows it unchanged. */
typedef struct {
    char name[MX_SPEC_MAX + 16]; /* shown as the pipeline */
    int lossy;                   /* may give back other values (scored by similarity) */
    mx_condition condition;      /* what it is told of the shape */
    /* One round trip of s's values: the compressed size, the decoded values
     * (*dec malloc'd, *dec_n of them), and each half's milliseconds. */
    int (*round_trip)(void *ctx, const mx_sample *s, size_t *comp_len, uint16_t **dec,
                      size_t *dec_n, double *ms_compress, double *ms_decompress, mx_error *err);
    void *ctx;
} mx_coder;

typedef struct mx_batch mx_batch;

/* Optional eyes on a running batch (a progress line, rows written as they
 * come): told before each cell starts and after each one that finished. */
typedef struct {
    /* done of total cells finished; sample and pipeline name what starts */
    void (*cell_start)(void *user, size_t done, size_t total, const char *sample,
                       const char *pipeline);
    /* b->cell[sample * b->n_columns + column] is final; done of total */
    void (*cell_done)(void *user, const mx_batch *b, size_t sample, size_t column, size_t done,
                      size_t total);
    void *user;
} mx_batch_watch;

typedef struct {
    int repeat;            /* >= 1 */
    double min_similarity; /* rows below are rejected; bit-exact rows never are
                            * (under lossy rules: the similarity threshold) */
    mx_rules rules;        /* how rows are scored (metrics.h) */
    mx_condition condition; /* as submitted (default) or shape known */
    const mx_coder *coders; /* columns after the pipelines (eval.h) */
    size_t n_coders;
    int have_raw_to_beat;  /* else each sample's baseline is the score to beat */
    double raw_to_beat;    /* the score to beat, in the rules' own unit */
    /* Optional: called after each cell; return non-zero to stop early
     * (as the context's cancel flag does: see mx_batch_run). */
    int (*progress)(void *ctx, size_t done, size_t total);
    void *ctx;
    const mx_batch_watch *watch; /* optional */
} mx_batch_opts;

struct mx_batch {
    size_t n_samples, n_columns; /* columns = baseline + pipelines + coders */
    mx_result *cell;             /* n_samples * n_columns, row-major */
    mx_summary *summary;         /* n_columns, in column order */
    mx_summary *order;           /* the same, best mean raw first */
    size_t order_n;
    double raw_to_beat;          /* the mean score the means are compared with */
    mx_rules rules;
    mx_condition condition;
    int have_raw_to_beat;        /* known yet (given, or baseline has run) */
    int any_failed;
    /* A batch stopped early (cancel flag, Ctrl-C) keeps the cells that
     * finished. Set partial before summarizing and the means cover only
     * the samples every column finished (complete_samples of them), so
     * each mean compares pipelines on the same samples. */
    int partial;                 /* some cells were not run */
    int interrupted;             /* stopped by its cancel flag (even after the last cell) */
    size_t cells_done;           /* cells run (summarize counts them) */
    size_t complete_samples;     /* samples whose every cell is done */
};

void mx_batch_opts_default(mx_batch_opts *o);

/* Every run below codes on the context's threads and with its work, so a
 * batch times what a user of the library gets from a context used again
 * and again (the app, --batch, serve and eval time the same thing). */

/* Runs one pipeline on one matrix (full container path), shape known. */
int mx_run_cell(mx_ctx *ctx, const mx_pipeline *p, const mx_matrix *m, int repeat, mx_result *r,
                mx_error *err);
/* The same under a condition: as submitted, the values go in flattened. */
int mx_run_cell_as(mx_ctx *ctx, const mx_pipeline *p, const mx_matrix *m, mx_condition cond,
                   int repeat, mx_result *r, mx_error *err);
/* Runs a bare entropy stage (no transforms, no container) on the raw bytes. */
int mx_run_bare(mx_ctx *ctx, const mx_pipeline *p, const mx_matrix *m, int repeat, mx_result *r,
                mx_error *err);

/* Incremental use (the UI's worker thread): init, compute cells in any
 * order (compute_cell touches only *r, so it can run without a lock), then
 * summarize whenever a fresh view of the means is wanted; summaries only
 * count cells that are done. */
int mx_batch_init(mx_batch *b, size_t n_samples, size_t n_pipes, const mx_batch_opts *opts,
                  mx_error *err);
void mx_batch_compute_cell(mx_ctx *ctx, const mx_sample *sample, const mx_pipeline *pipes,
                           size_t n_pipes, size_t column, const mx_batch_opts *opts, mx_result *r);
void mx_batch_summarize(mx_batch *b, const mx_batch_opts *opts);

/* All at once: init, every cell, summarize. Between cells it checks the
 * context's cancel flag (and opts->progress's answer): once set, no new
 * cell starts, a cell that failed meanwhile is dropped as cancelled, and
 * the batch returns 0 with what finished, partial and interrupted set. */
int mx_batch_run(mx_ctx *ctx, const mx_sample *samples, size_t n_samples,
                 const mx_pipeline *pipes, size_t n_pipes, const mx_batch_opts *opts,
                 mx_batch *out, mx_error *err);
void mx_batch_free(mx_batch *b);
#endif
