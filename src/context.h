/* context.h - how compress and decompress calls run, and what they keep
 * between calls.
 *
 * A pipeline says what to do (a plain value, pipeline.h); a context says
 * how: threads, rows per frame, a cancel flag and a progress callback.
 * Like zstd's CCtx/DCtx it also keeps each thread's work (work.h: decoder
 * tables, lane buffers, coded-frame scratch) from one call to the next,
 * so a context used again and again (a batch, a server, a training loop)
 * runs at steady-state speed, while a one-shot call allocates only what
 * its input needs. A context is used by one thread at a time; use one per
 * thread that compresses. The output never depends on the settings. */
#ifndef MX_CONTEXT_H
#define MX_CONTEXT_H
#include <stdatomic.h>
#include <stdint.h>
#include "../codecs/work.h"
#include "../codecs/mxerr.h"
#include "pipeline.h"

/* Called as rows get coded or decoded (done of total, after each batch of
 * frames); a non-zero return cancels the call. */
typedef int (*mx_progress_fn)(void *user, uint64_t done, uint64_t total);

/* What the last compress call on a context did. */
typedef struct {
    char pipeline[MX_SPEC_MAX + 32]; /* what coded it ("auto" names its pick; a file
                                      * whose frames chose differently adds
                                      * " and others per frame") */
    uint64_t rows, cols;             /* the shape coded (for values without a shape,
                                      * the width found) */
    uint64_t frames;                 /* frames written */
} mx_compress_info;

typedef struct mx_ctx mx_ctx;
struct mx_ctx {
    int threads;          /* 1..MX_MAX_THREADS */
    uint64_t frame_rows;  /* rows per frame; 0: MX_FRAME_BYTES of values */
    const atomic_int *cancel;
    mx_progress_fn progress;
    void *progress_user;
    mx_work *work;        /* one per thread, made when first used */
    int n_work;
    mx_compress_info info;
};

#define MX_MAX_THREADS 256

/* A context of one thread, default frames, no cancel flag or progress;
 * NULL when out of memory. */
mx_ctx *mx_ctx_create(void);
/* Frees the context and everything it kept; NULL is fine. */
void mx_ctx_free(mx_ctx *ctx);
/* Threads for coding (0: every online CPU); clamped to 1..MX_MAX_THREADS. */
void mx_ctx_set_threads(mx_ctx *ctx, int threads);
/* Rows per frame of big matrices (0: as many as fit in 64 MiB of values). */
void mx_ctx_set_frame_rows(mx_ctx *ctx, uint64_t rows);
/* A flag another thread may set to cancel calls (checked between frames
 * and batches of frames); NULL for none. */
void mx_ctx_set_cancel(mx_ctx *ctx, const atomic_int *flag);
void mx_ctx_set_progress(mx_ctx *ctx, mx_progress_fn fn, void *user);
/* What the last successful compress call did. */
const mx_compress_info *mx_ctx_info(const mx_ctx *ctx);

/* --- for the engine --- */

/* The ctx->threads works of the context (made on first use); NULL with
 * err set when out of memory. */
mx_work *mx_ctx_crew(mx_ctx *ctx, mx_error *err);
/* Reports progress and checks the cancel flag: -1 (MX_EFAIL, "cancelled")
 * when the call must stop. */
int mx_ctx_step(mx_ctx *ctx, uint64_t done, uint64_t total, mx_error *err);
#endif
