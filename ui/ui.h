/* ui.h - the interactive ncurses workbench (`mxbench` on a terminal, or
 * `mxbench ui`). A thin front over the engine: it picks samples, builds
 * pipeline specs, runs them on a worker thread through the batch runner and
 * shows the runner's numbers. Returns an exit status like the CLI. */
#ifndef MX_UI_H
#define MX_UI_H
#include "../src/eval.h"
#include "../src/runner.h"

/* eval: how to start a solution the app scores beside the pipelines (E);
 * threads: coding threads of every run (-T), 0 for all cores as --batch. */
int mx_ui_main(const char *manifest, const char *const *specs, size_t n_specs,
               const mx_batch_opts *opts, const mx_eval_opts *eval, int threads);
#endif
