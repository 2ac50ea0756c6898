/* cmd_batch.c - `mxbench --batch` (or `batch`): every pipeline on every
 * sample, a table, CSV and JSON; and the same run for `eval`, whose last
 * column is a solution (eval.h). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "batchlive.h"
#include "cli_cmd.h"
#include "eval.h"
#include "interrupt.h"
#include "pipeline.h"
#include "presets.h"
#include "report.h"

/* The samples: the files given, or the manifest's (a bad file of the
 * manifest is reported and skipped). 0, or the exit status. */
static int load_samples(const cli_opts *o, mx_sample **s, size_t *n, mx_skipped *skipped)
{
    mx_error err = {0};
    if (o->n_inputs) {
        if (o->manifest)
            return cli_usage_error("give either -m MANIFEST or input files, not both%s", "");
        int rc = cli_check_stdin(o->inputs, o->n_inputs, o->force);
        for (int i = 0; !rc && i < o->n_inputs; i++)
            if (mx_samples_load_file(o->inputs[i], &o->shape, o->tensor, s, n, &err))
                rc = cli_report(&err);
        return rc;
    }
    const char *man = cli_manifest(o);
    if (mx_samples_load_manifest_lenient(man, s, n, skipped, &err)) {
        if (!o->manifest && access(man, F_OK) != 0)
            snprintf(err.msg, sizeof err.msg,
                     "no %s here: run from the project root or pass -m MANIFEST", man);
        return cli_report(&err);
    }
    for (size_t i = 0; o->verbosity >= 1 && i < skipped->kept; i++)
        fprintf(stderr, "mxbench: skipped %s\n", skipped->msg[i]);
    if (o->verbosity >= 1 && skipped->n > skipped->kept)
        fprintf(stderr, "mxbench: skipped %zu more\n", skipped->n - skipped->kept);
    if (*n == 0) { /* an error, so the first reason is said even with -q */
        mx_skipped_none(man, skipped, &err);
        return cli_report(&err);
    }
    return 0;
}

int cli_run_batch(cli_opts *o, const char *solution)
{
    mx_error err = {0};
    mx_sample *s = NULL;
    size_t n = 0;
    mx_skipped skipped = {0};
    int rc = 2;
    /* eval runs only the solution (and the baseline) unless -p adds more */
    const char *const *specs = o->n_specs || solution ? o->specs : mx_default_batch_specs;
    size_t n_specs = o->n_specs || solution ? o->n_specs : mx_default_batch_count;
    mx_pipeline *pipes = calloc(n_specs + 1, sizeof *pipes);
    mx_batch b = {0};
    mx_solution *sol = NULL;
    mx_coder coder;
    mx_ctx *ctx = cli_make_ctx(o);
    if (!pipes || !ctx) {
        free(pipes);
        mx_ctx_free(ctx);
        fprintf(stderr, "mxbench: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < n_specs; i++) {
        if (mx_pipeline_parse(specs[i], &pipes[i], &err)) {
            rc = cli_report(&err);
            goto out;
        }
    }
    /* a missing solution or interpreter is refused in one line, before the
     * samples load and before "starting" is said */
    if ((rc = cli_check_report_outputs(o)) ||
        (solution && (mx_solution_check(solution, &err) || mx_python_check(o->python, &err)) &&
         (rc = cli_report(&err))) ||
        (rc = load_samples(o, &s, &n, &skipped)))
        goto out;
    if (o->sample_n &&
        mx_samples_draw(&s, &n, (size_t)o->sample_n, o->given & CLI_BIT(CLI_SEED) ? o->seed : 1,
                        &err)) {
        rc = cli_report(&err);
        goto out;
    }
    cli_verbose(o, "mxbench: %zu samples, %zu pipelines and the baseline, %d threads", n, n_specs,
                o->threads);
    if (solution) {
        /* other bytes back are judged by similarity, as a lossy pipeline's
         * are, once the rules or --min-similarity accept any below 1 */
        int lossy = o->batch.rules == MX_RULES_LOSSY || o->batch.min_similarity < 1.0;
        mx_eval_opts eo = {solution, o->python, (mx_eval_interface)o->iface, o->timeout,
                           lossy, cli_track_child, NULL};
        cli_info(o, "mxbench: starting %s", solution);
        if (mx_solution_start(&eo, &sol, &err)) {
            if (!sol) { /* no such file: nothing to run */
                rc = cli_report(&err);
                goto out;
            }
            /* it did not start: its rows fail with the reason */
            fprintf(stderr, "mxbench: %s\n", err.msg);
        }
        mx_solution_set_cancel(sol, mx_interrupt_flag()); /* Ctrl-C stops a request */
        coder = mx_solution_coder(sol);
        o->batch.coders = &coder;
        o->batch.n_coders = 1;
    }
    rc = mx_batch_run_live(ctx, s, n, pipes, n_specs, &o->batch, o->verbosity < 1, &b, &err);
    mx_solution_stop(sol); /* before anything is printed: nothing left running */
    sol = NULL;
    if (rc) {
        rc = cli_report(&err);
        goto out;
    }
    /* a report on stdout has stdout to itself: the table goes to stderr */
    int report_on_stdout = (o->csv && mx_is_stdio(o->csv)) || (o->json && mx_is_stdio(o->json));
    FILE *table = !report_on_stdout ? stdout : o->verbosity >= 1 ? stderr : NULL;
    if (table) {
        mx_report_table(table, &b, s);
        fflush(table);
    }
    if ((o->csv && mx_report_csv(o->csv, &b, s, o->force, &err)) ||
        (o->json && mx_report_json(o->json, &b, s, o->force, &err))) {
        rc = cli_report(&err);
        goto out;
    }
    rc = b.interrupted ? 130 : b.any_failed || skipped.n ? 1 : 0;
    if (b.any_failed)
        fprintf(stderr, "mxbench: some runs FAILED (see the table)\n");
    if (skipped.n) /* even under -q: it is why the exit status is 1 */
        fprintf(stderr, "mxbench: %zu file%s of the manifest skipped%s\n", skipped.n,
                skipped.n == 1 ? "" : "s", o->verbosity < 1 ? "" : " (see above)");
out:
    mx_solution_stop(sol);
    mx_batch_free(&b);
    mx_samples_free(s, n);
    free(pipes);
    mx_ctx_free(ctx);
    return rc;
}

static int run(cli_opts *o)
{
    return cli_run_batch(o, NULL);
}

const mx_cli_command mx_cmd_batch = {
    "batch",
    "--batch, batch",
    "--batch [-m MANIFEST | FILE...] [-p SPEC]... [options]",
    "run every pipeline on every sample; print a table",
    CLI_SCORING | CLI_BIT(CLI_FORCE) | CLI_BIT(CLI_SHAPE) | CLI_BIT(CLI_TENSOR) |
        CLI_BIT(CLI_FRAME_ROWS) | CLI_BIT(CLI_CSV) | CLI_BIT(CLI_JSON) | CLI_BIT(CLI_SAMPLE) |
        CLI_BIT(CLI_SEED),
    1,
    0,
    run,
};
