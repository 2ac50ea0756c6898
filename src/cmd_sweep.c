/* cmd_sweep.c - `mxbench sweep`: pipelines over a parameter range, ratio
 * against similarity, as a table, CSV and an SVG plot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "batchlive.h"
#include "cli_cmd.h"
#include "pipeline.h"
#include "presets.h"
#include "report.h"
#include "sweep.h"

/* The samples: the files given, or the manifest's. 0, or the exit status. */
static int load_samples(const cli_opts *o, mx_sample **s, size_t *n)
{
    mx_error err = {0};
    int rc = cli_check_stdin(o->inputs, o->n_inputs, o->force);
    for (int i = 0; !rc && i < o->n_inputs; i++)
        if (mx_samples_load_file(o->inputs[i], &o->shape, o->tensor, s, n, &err))
            rc = cli_report(&err);
    if (!rc && !o->n_inputs && mx_samples_load_manifest(cli_manifest(o), s, n, &err))
        rc = cli_report(&err);
    return rc;
}

/* The rows, one per template and value. */
static void print_rows(FILE *out, const cli_opts *o, const mx_batch *b, const double *vals,
                       size_t nv)
{
    fprintf(out, "%s\n", o->batch.condition == MX_SUBMITTED
                             ? "condition: as submitted (shape hidden, width inferred)"
                             : "condition: shape known");
    fprintf(out, "%-36s %12s %9s %10s %10s %14s  %s\n", "pipeline", "value", "ratio",
            "similarity", "sim_f32", o->batch.rules == MX_RULES_SEED ? "raw" : "score", "beats");
    for (size_t t = 0; t < o->n_specs; t++)
        for (size_t i = 0; i < nv; i++) {
            const mx_summary *m = &b->summary[1 + t * nv + i];
            if (!m->n)
                continue; /* interrupted before a sample had every value */
            fprintf(out, "%-36s %12g %9.4f %10.7f %10.7f %14.7g  %s\n", m->spec, vals[i],
                    m->ratio, m->similarity, m->similarity_f32,
                    o->batch.rules == MX_RULES_SEED ? m->raw : m->score,
                    m->failed     ? "FAILED"
                    : m->rejected ? "rejected"
                    : m->beats    ? "yes"
                                  : "no");
        }
    fprintf(out, "baseline %s: ratio %.4f (means over %zu samples)\n", MX_BASELINE_SPEC,
            b->summary[0].ratio, b->partial ? b->complete_samples : b->n_samples);
    mx_report_partial(out, b);
}

static int run(cli_opts *o)
{
    mx_error err = {0};
    if (!o->param || !o->n_specs)
        return cli_usage_error(
            "sweep needs -p TEMPLATE (with {} for the value) and --param START:END:STEPS%s", "");
    double vals[MX_SWEEP_MAX];
    size_t nv = 0;
    int integer = 0;
    if (mx_sweep_values(o->param, vals, &nv, &integer, &err))
        return mx_wrap(&err, "--param"), cli_report(&err);
    size_t np = o->n_specs * nv;
    mx_ctx *ctx = NULL;
    mx_pipeline *pipes = calloc(np, sizeof *pipes);
    mx_sample *s = NULL;
    size_t n = 0;
    mx_batch b = {0};
    int rc = 2;
    if (!pipes)
        return 1;
    for (size_t t = 0; t < o->n_specs; t++) {
        if (!strstr(o->specs[t], "{}")) {
            rc = cli_usage_error("sweep template '%s' has no {} for the value", o->specs[t]);
            goto out;
        }
        for (size_t i = 0; i < nv; i++) {
            char spec[MX_SWEEP_SPEC_MAX];
            if (mx_sweep_spec(o->specs[t], vals[i], integer, spec, sizeof spec, &err) ||
                mx_pipeline_parse(spec, &pipes[t * nv + i], &err)) {
                rc = cli_report(&err);
                goto out;
            }
        }
    }
    if ((rc = cli_check_report_outputs(o)) || (rc = load_samples(o, &s, &n)))
        goto out;
    if (!(ctx = cli_make_ctx(o)) ||
        mx_batch_run_live(ctx, s, n, pipes, np, &o->batch, o->verbosity < 1, &b, &err)) {
        rc = ctx ? cli_report(&err) : 1;
        goto out;
    }
    /* a report on stdout has stdout to itself: the rows go to stderr */
    int report_on_stdout = (o->csv && mx_is_stdio(o->csv)) || (o->plot && mx_is_stdio(o->plot));
    FILE *table = !report_on_stdout ? stdout : o->verbosity >= 1 ? stderr : NULL;
    if (table) {
        print_rows(table, o, &b, vals, nv);
        fflush(table);
    }
    rc = b.interrupted ? 130 : b.any_failed ? 1 : 0;
    if (o->csv && mx_report_csv(o->csv, &b, s, o->force, &err))
        rc = cli_report(&err);
    if (o->plot && !b.partial) { /* a plot of some points would pass for all of them */
        mx_sweep_plot sp = {o->specs, o->n_specs, o->param, vals, nv, integer,
                            o->batch.min_similarity};
        char *svg = NULL;
        size_t len;
        if (mx_sweep_svg(&sp, &b, &svg, &len, &err) ||
            cli_write_output(o->plot, svg, len, o->force, &err))
            rc = cli_report(&err);
        free(svg);
    }
out:
    mx_batch_free(&b);
    mx_samples_free(s, n);
    free(pipes);
    mx_ctx_free(ctx);
    return rc;
}

const mx_cli_command mx_cmd_sweep = {
    "sweep",
    "sweep",
    "sweep -p 'TEMPLATE{}'... --param START:END:STEPS [--plot F.svg]",
    "run pipelines over a parameter range ({} in -p takes each\n"
    "value); print ratio against similarity, --plot writes SVG",
    CLI_SCORING | CLI_BIT(CLI_FORCE) | CLI_BIT(CLI_SHAPE) | CLI_BIT(CLI_TENSOR) |
        CLI_BIT(CLI_FRAME_ROWS) | CLI_BIT(CLI_CSV) | CLI_BIT(CLI_PARAM) | CLI_BIT(CLI_PLOT),
    1,
    0,
    run,
};
