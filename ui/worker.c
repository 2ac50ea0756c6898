/* worker.c - runs the queue over the selected samples on a worker thread,
 * cell by cell through the engine's batch runner, so the screen stays live
 * and a run can be cancelled between cells. A cancelled run keeps only
 * the samples every pipeline finished, so each mean covers the same ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "panels.h"

/* The solution's column before it has started. */
static int not_started(void *ctx, const mx_sample *s, size_t *comp_len, uint16_t **dec,
                       size_t *dec_n, double *ms_c, double *ms_d, mx_error *err)
{
    (void)ctx, (void)s, (void)comp_len, (void)dec, (void)dec_n, (void)ms_c, (void)ms_d;
    return mx_fail(err, MX_EFAIL, "the solution did not start");
}

static void *worker_main(void *arg)
{
    ui_run *r = arg;
    size_t nc = r->batch.n_columns;
    mx_solution *sol = NULL;
    if (r->opts.n_coders) { /* start the solution here: it can take seconds */
        mx_error err = {0};
        mx_solution_start(&r->eval, &sol, &err);
        if (sol) {
            pthread_mutex_lock(&r->lock);
            r->coder = mx_solution_coder(sol);
            pthread_mutex_unlock(&r->lock);
        }
    }
    for (size_t s = 0; s < r->n_samples && !atomic_load(&r->cancel); s++) {
        size_t c = 0;
        for (; c < nc && !atomic_load(&r->cancel); c++) {
            mx_result res;
            memset(&res, 0, sizeof res);
            mx_batch_compute_cell(r->ctx, &r->samples[s], r->pipes, r->n_pipes, c, &r->opts, &res);
            pthread_mutex_lock(&r->lock);
            r->batch.cell[s * nc + c] = res;
            r->done++;
            pthread_mutex_unlock(&r->lock);
        }
        pthread_mutex_lock(&r->lock);
        if (c == nc) {
            r->samples_done = s + 1;
        } else { /* cancelled inside this sample: forget its cells */
            for (size_t k = 0; k < c; k++)
                r->batch.cell[s * nc + k].done = 0;
            r->done -= c;
        }
        pthread_mutex_unlock(&r->lock);
    }
    mx_solution_stop(sol); /* nothing of it outlives the run */
    pthread_mutex_lock(&r->lock);
    r->running = 0;
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

void ui_run_join(ui_app *app)
{
    if (app->run.started) {
        pthread_join(app->run.thread, NULL);
        app->run.started = 0;
    }
}

void ui_run_cancel(ui_app *app)
{
    pthread_mutex_lock(&app->run.lock);
    int running = app->run.running;
    pthread_mutex_unlock(&app->run.lock);
    if (running) {
        atomic_store(&app->run.cancel, 1);
        ui_status(app, 0, "cancelling after the current cell...");
    } else {
        ui_status(app, 0, "no run to cancel (r starts one)");
    }
}

void ui_run_report(ui_app *app)
{
    ui_run *r = &app->run;
    pthread_mutex_lock(&r->lock);
    int end = r->started && !r->running && !r->reported;
    size_t done = r->done, total = r->total, ns = r->samples_done, n = r->n_samples;
    size_t failed = 0, nc = r->batch.n_columns; /* columns that failed a sample (cells: the
                                                  * summaries are made at the next draw) */
    for (size_t c = 0; end && c < nc; c++) {
        int f = 0;
        for (size_t k = 0; k < r->batch.n_samples && !f; k++)
            f = r->batch.cell[k * nc + c].done && r->batch.cell[k * nc + c].failed;
        failed += (size_t)f;
    }
    r->reported |= end;
    pthread_mutex_unlock(&r->lock);
    if (!end)
        return;
    /* finished is every cell done, whenever a cancel came */
    if (ns == n && failed)
        ui_status(app, 1, "run finished: %zu of %zu cells; %zu pipeline%s FAILED: Enter on its row "
                  "says why", done, total, failed, failed == 1 ? "" : "s");
    else if (ns == n)
        ui_status(app, 0, "run finished: %zu of %zu cells; Enter on a row for detail, e exports",
                  done, total);
    else
        ui_status(app, 0, "run cancelled after %zu of %zu samples: the means cover those %zu",
                  ns, n, ns);
}

int ui_run_start(ui_app *app)
{
    ui_run *r = &app->run;
    mx_error err = {0};
    pthread_mutex_lock(&r->lock);
    int running = r->running;
    pthread_mutex_unlock(&r->lock);
    if (running) {
        ui_status(app, 1, "a run is already in progress (c cancels it)");
        return -1;
    }
    size_t n_sel = 0;
    for (size_t i = 0; i < app->n_samples; i++)
        n_sel += app->selected[i];
    if (n_sel == 0) {
        ui_status(app, 1, "no samples selected: Space selects one, a selects all");
        return -1;
    }
    if (app->n_queue == 0) { /* run what is in the builder */
        char spec[MX_SPEC_MAX];
        ui_builder_spec(app->builder, spec, sizeof spec);
        if (ui_queue_add(app, spec))
            return -1;
    }
    ui_run_join(app);
    mx_sample *samples = malloc(n_sel * sizeof *samples);
    if (!samples) {
        ui_status(app, 1, "out of memory");
        return -1;
    }
    for (size_t i = 0, k = 0; i < app->n_samples; i++)
        if (app->selected[i])
            samples[k++] = app->samples[i]; /* shallow: the app keeps ownership */
    pthread_mutex_lock(&r->lock);
    mx_batch_free(&r->batch);
    free(r->samples);
    r->samples = samples;
    r->n_samples = n_sel;
    r->n_pipes = app->n_queue;
    for (size_t i = 0; i < app->n_queue; i++) {
        mx_pipeline_parse(app->queue[i], &r->pipes[i], &err); /* queued specs are valid */
    }
    r->opts = app->opts;
    r->opts.progress = NULL;
    r->opts.coders = NULL;
    r->opts.n_coders = 0;
    if (app->solution[0]) {
        snprintf(r->solution, sizeof r->solution, "%s", app->solution);
        r->eval = app->eval;
        r->eval.solution = r->solution;
        r->eval.lossy = app->opts.rules == MX_RULES_LOSSY;
        memset(&r->coder, 0, sizeof r->coder);
        const char *base = strrchr(r->solution, '/');
        snprintf(r->coder.name, sizeof r->coder.name, "solution:%s", base ? base + 1 : r->solution);
        r->coder.round_trip = not_started;
        r->opts.coders = &r->coder;
        r->opts.n_coders = 1;
    }
    int rc = mx_batch_init(&r->batch, r->n_samples, r->n_pipes, &r->opts, &err);
    r->have_results = rc == 0;
    r->done = 0;
    r->samples_done = 0;
    r->total = r->n_samples * (r->n_pipes + 1 + r->opts.n_coders);
    atomic_store(&r->cancel, 0);
    r->reported = 0;
    r->running = rc == 0;
    pthread_mutex_unlock(&r->lock);
    if (rc) {
        ui_status(app, 1, "%s", err.msg);
        return -1;
    }
    if (pthread_create(&r->thread, NULL, worker_main, r) != 0) {
        pthread_mutex_lock(&r->lock);
        r->running = 0;
        r->reported = 1;
        pthread_mutex_unlock(&r->lock);
        ui_status(app, 1, "cannot start the worker thread");
        return -1;
    }
    r->started = 1;
    ui_status(app, 0, "running %zu pipelines (+ baseline) on %zu samples with %d threads; "
                      "c cancels", r->n_pipes, n_sel, app->threads);
    return 0;
}
