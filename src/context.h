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
#include "mxbench.h" /* the context's public calls and types */
#include "pipeline.h"

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

/* mx_ctx_create, _free, _set_threads (clamped to 1..MX_MAX_THREADS),
 * _set_frame_rows, _set_cancel, _set_progress and mx_ctx_info: the public
 * header, mxbench.h. What the engine itself uses: */

/* The ctx->threads works of the context (made on first use); NULL with
 * err set when out of memory. */
mx_work *mx_ctx_crew(mx_ctx *ctx, mx_error *err);
/* Reports progress and checks the cancel flag: -1 (MX_EFAIL, "cancelled")
 * when the call must stop. */
int mx_ctx_step(mx_ctx *ctx, uint64_t done, uint64_t total, mx_error *err);
#endif
