#include "batchlive.h"
#include <stdio.h>
#include "interrupt.h"
#include "progress.h"

static void on_start(void *user, size_t done, size_t total, const char *sample,
                     const char *pipeline)
{
    mx_progress_show(user, done, total, sample, pipeline);
}

static void on_done(void *user, const mx_batch *b, size_t sample, size_t column, size_t done,
                    size_t total)
{
    (void)b, (void)sample, (void)column;
    if (done == total) /* the last state, all cells, before the line goes */
        mx_progress_show(user, done, total, NULL, NULL);
}

int mx_batch_run_live(mx_ctx *ctx, const mx_sample *samples, size_t n_samples,
                      const mx_pipeline *pipes, size_t n_pipes, const mx_batch_opts *opts,
                      int quiet, mx_batch *out, mx_error *err)
{
    mx_progress line;
    mx_progress_begin(&line, stderr, quiet);
    mx_batch_watch watch = {on_start, on_done, &line};
    mx_batch_opts o = *opts;
    if (line.on)
        o.watch = &watch; /* a caller's own watch is kept when there is no line */
    const atomic_int *before = ctx->cancel;
    int armed = mx_interrupt_arm() == 0;
    if (armed)
        mx_ctx_set_cancel(ctx, mx_interrupt_flag());
    int rc = mx_batch_run(ctx, samples, n_samples, pipes, n_pipes, &o, out, err);
    if (armed)
        mx_interrupt_disarm();
    mx_ctx_set_cancel(ctx, before);
    mx_progress_end(&line);
    return rc;
}
