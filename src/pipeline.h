/* pipeline.h - parse a pipeline spec and run it over a bf16 matrix.
 *
 * Spec grammar (used by the CLI, the batch runner and container headers):
 *
 *     spec      := [transform {"," transform} "|"] entropy
 *     transform := name [":" arg]        e.g. expsplit, delta:cols, trunc:3
 *     entropy   := name [":" arg]        e.g. zstd:19, brotli:11, lz4, raw
 *
 * The spec "auto" stands for no fixed pipeline: mx_compress tries the
 * candidates in presets.h on each matrix and keeps the smallest result; the
 * container records the pipeline chosen.
 *
 * Lossy transforms (trunc, q8, q4) read their input as bf16 values, so they
 * may only come first (after other lossy stages). The canonical form of a
 * spec spells every parameter, e.g. "delta|zstd" -> "delta:rows|zstd:3".
 *
 * Encoding keeps the shape of every intermediate level (mx_layout) because
 * some transforms make data-dependent shapes (zeromask); the container
 * stores it and decoding walks it back. */
#ifndef MX_PIPELINE_H
#define MX_PIPELINE_H
#include <stddef.h>
#include <stdint.h>
#include "../codecs/stage.h"
#include "../codecs/mxerr.h"
#include "mxbench.h" /* MX_SPEC_MAX; mx_pipeline is opaque there */

#define MX_MAX_TRANSFORMS 8

typedef struct {
    const mx_stage *stage;
    mx_params params;
} mx_step;

/* The two automatic pipelines: fast (our fast coder, checked against the
 * baseline on a sample) and max (trials of every candidate). */
enum { MX_AUTO_FAST = 1, MX_AUTO_MAX = 2 };

/* A parsed spec: a plain value, exactly what a container records (its
 * canonical text). How a call runs (threads, frames, cancel, progress)
 * is the context's business (context.h), never the pipeline's. */
struct mx_pipeline {
    size_t n_transforms;
    mx_step transforms[MX_MAX_TRANSFORMS];
    mx_step entropy;
    int automatic; /* "auto" or "auto:max" (MX_AUTO_*): mx_compress picks a pipeline per matrix */
};

/* One level of streams: level 0 is the input matrix, level i the output of
 * transform i. nparts[j] = streams of level i+1 made from stream j (0 when
 * it passed through as one stream). */
typedef struct {
    size_t n;
    mx_stream_desc d[MX_MAX_STREAMS];
    uint8_t nparts[MX_MAX_STREAMS];
} mx_level;

typedef struct {
    size_t n_levels; /* n_transforms + 1 */
    mx_level level[MX_MAX_TRANSFORMS + 1];
} mx_layout;

/* The entropy-coded streams of the last level. */
typedef struct {
    size_t n;
    uint8_t *data[MX_MAX_STREAMS]; /* owned unless `borrowed` */
    size_t size[MX_MAX_STREAMS];
    int borrowed;
} mx_coded;

int mx_pipeline_parse(const char *spec, mx_pipeline *p, mx_error *err);
/* Canonical spec text; buf of MX_SPEC_MAX is always enough. */
void mx_pipeline_format(const mx_pipeline *p, char *buf, size_t n);
int mx_pipeline_lossy(const mx_pipeline *p);

/* Runs p over the values on `threads` threads; crew holds a work
 * (work.h) for each of them, crew[0] that of the calling thread. The
 * output never depends on the thread count. */
int mx_pipeline_encode(const mx_pipeline *p, mx_work *crew, int threads, const uint16_t *values,
                       uint64_t rows, uint64_t cols, mx_layout *layout, mx_coded *coded,
                       mx_error *err);
/* Decodes into values (rows*cols, which level 0 must match). Validates layout and coded
 * against each other; never trusts them. */
int mx_pipeline_decode(const mx_pipeline *p, mx_work *crew, int threads, const mx_layout *layout,
                       const mx_coded *coded, uint16_t *values, uint64_t rows, uint64_t cols,
                       mx_error *err);
void mx_coded_free(mx_coded *c);
#endif
