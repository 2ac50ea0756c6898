/* batchlive.h - a batch as the CLI's long commands run it (--batch, eval,
 * sweep): a progress line on stderr while it runs (progress.h), and Ctrl-C
 * stops it keeping what finished (interrupt.h): the batch comes back
 * partial, for the caller to print, write and exit 130 with. */
#ifndef MX_BATCHLIVE_H
#define MX_BATCHLIVE_H
#include "runner.h"

/* mx_batch_run with the above. quiet: no progress line (there is none
 * either when stderr is not a terminal). While it runs the context's
 * cancel flag is the interrupt's; the flag it had is put back after. The
 * first Ctrl-C ends the run at the next cell (the current one is
 * cancelled, between frames, where the engine can); a second one ends the
 * process as before. out->interrupted says a Ctrl-C came. */
int mx_batch_run_live(mx_ctx *ctx, const mx_sample *samples, size_t n_samples,
                      const mx_pipeline *pipes, size_t n_pipes, const mx_batch_opts *opts,
                      int quiet, mx_batch *out, mx_error *err);
#endif
