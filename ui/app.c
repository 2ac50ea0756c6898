/* app.c - the workbench's main loop: the screen's tiles and their layout,
 * one event at a time to the screen, then to the global keys. */
#include "app.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../codecs/parallel.h"
#include "../src/presets.h"
#include "crt.h"
#include "draw.h"
#include "panels.h"
#include "ui.h"

#define TICK_MS 100
#define MIN_H 12
#define MIN_W 50

void ui_status(ui_app *app, int error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(app->status, sizeof app->status, fmt, ap);
    va_end(ap);
    app->status_error = error;
}

int ui_push(ui_app *app, ui_event *ev, ui_panel *p)
{
    if (!p) {
        ui_status(app, 1, "out of memory");
        return UI_HANDLED;
    }
    ev->push = p;
    return UI_HANDLED | UI_PUSH;
}

void ui_select_all(ui_app *app)
{
    int all = 1;
    for (size_t i = 0; i < app->n_samples; i++)
        all &= app->selected[i];
    for (size_t i = 0; i < app->n_samples; i++)
        app->selected[i] = (unsigned char)!all;
}

/* Samples top left, the pipeline and the queue top right, results below;
 * the samples take half the width (up to 56 columns), so names keep what
 * tells them apart. */
static void layout(ui_panel *const *tile, size_t n, int h, int w)
{
    int y, x, bh, bw;
    ui_screen_body(h, w, &y, &x, &bh, &bw);
    int top = bh * 5 / 12 < 6 ? 6 : bh * 5 / 12;
    int lw = bw / 2 < 56 ? bw / 2 : 56;
    ui_panel *const *t = tile;
    if (n < 4)
        return;
    ui_panel_place(t[0], y, x, top, lw);
    ui_panel_place(t[1], y, x + lw + 1, 3, bw - lw - 1);
    ui_panel_place(t[2], y + 3, x + lw + 1, top - 3, bw - lw - 1);
    ui_panel_place(t[3], y + top, x, bh - top, bw);
}

static void draw(ui_app *app)
{
    int h, w;
    crt_size(&h, &w);
    erase();
    if (h < MIN_H || w < MIN_W) {
        /* short lines, the size wanted first: it must be read at 20 columns */
        ui_put(0, 0, w, A_BOLD, "need %dx%d", MIN_W, MIN_H);
        ui_put(1, 0, w, 0, "terminal too small");
        ui_put(2, 0, w, 0, "(%dx%d); q quits", w, h);
        crt_cursor(0);
        refresh();
        return;
    }
    ui_run *r = &app->run;
    pthread_mutex_lock(&r->lock);
    if (r->have_results)
        mx_batch_summarize(&r->batch, &r->opts);
    pthread_mutex_unlock(&r->lock);
    ui_chrome_draw(app, h, w);
    ui_screen_draw(&app->screen, app, h, w, ui_chrome_status);
    refresh();
}

static int dispatch(ui_app *app, ui_event *ev)
{
    if (ev->key == KEY_RESIZE) {
        app->screen.h = 0; /* lay out again */
        return UI_HANDLED | UI_REDRAW;
    }
    int h, w;
    crt_size(&h, &w);
    if (ev->key == KEY_MOUSE && ui_is_click(ev) && ev->y == h - 1) {
        int key = ui_chrome_click(app, ev->y, ev->x); /* the footer: as if typed */
        if (key == ERR)
            return UI_HANDLED;
        ev->key = key;
    }
    int stacked = app->screen.depth > 0;
    int r = ui_screen_event(&app->screen, app, ev);
    if (r == UI_IGNORED && (!stacked || ui_key_always_global(ev->key))) {
        ev->push = NULL;
        r = ui_global_event(app, ev);
        if (r & UI_PUSH)
            ui_screen_push(&app->screen, ev->push);
    }
    return r;
}

static void app_free(ui_app *app)
{
    atomic_store(&app->run.cancel, 1); /* a run still going stops at its next cell */
    ui_run_join(app);
    ui_screen_free(&app->screen);
    mx_batch_free(&app->run.batch);
    free(app->run.samples);
    pthread_mutex_destroy(&app->run.lock);
    mx_samples_free(app->samples, app->n_samples);
    free(app->selected);
    mx_ctx_free(app->ctx);
    mx_ctx_free(app->run.ctx);
    free(app);
}

int mx_ui_main(const char *manifest, const char *const *specs, size_t n_specs,
               const mx_batch_opts *opts, const mx_eval_opts *eval, int threads)
{
    ui_app *app = calloc(1, sizeof *app);
    mx_error err = {0};
    if (app) {
        app->ctx = mx_ctx_create();
        app->run.ctx = mx_ctx_create();
    }
    if (!app || !app->ctx || !app->run.ctx) {
        if (app) {
            mx_ctx_free(app->ctx);
            mx_ctx_free(app->run.ctx);
        }
        free(app);
        fprintf(stderr, "mxbench: out of memory\n");
        return 1;
    }
    mx_ctx_set_threads(app->ctx, threads);
    mx_ctx_set_threads(app->run.ctx, threads); /* the app times what --batch -T times */
    app->manifest = manifest;
    app->opts = *opts;
    app->opts.progress = NULL;
    app->eval = *eval;
    app->threads = threads > 0 ? threads : mx_cpu_count(); /* -T, as --batch takes it */
    pthread_mutex_init(&app->run.lock, NULL);
    app->screen.layout = layout;
    int rc = 0;
    /* as --batch: a file of the manifest that cannot be loaded is skipped
     * and said (on the status line), the others are worked on */
    mx_skipped skipped;
    if (mx_samples_load_manifest_lenient(manifest, &app->samples, &app->n_samples, &skipped,
                                         &err)) {
        fprintf(stderr, "mxbench: %s\n", err.msg);
        rc = err.code == MX_EFAIL ? 1 : 2;
        goto out;
    }
    if (app->n_samples == 0 && skipped.n) { /* an empty manifest opens, empty */
        mx_skipped_none(manifest, &skipped, &err);
        fprintf(stderr, "mxbench: %s\n", err.msg);
        rc = 2;
        goto out;
    }
    app->selected = calloc(app->n_samples ? app->n_samples : 1, 1);
    ui_panel *tiles[] = {ui_samples_new(), ui_builder_new(), ui_queue_new(), ui_results_new()};
    int ok = app->selected != NULL;
    for (size_t i = 0; i < sizeof tiles / sizeof tiles[0]; i++)
        ok &= tiles[i] != NULL;
    for (size_t i = 0; i < sizeof tiles / sizeof tiles[0]; i++) {
        if (ok)
            ok = ui_screen_add_tile(&app->screen, tiles[i]) == 0; /* it frees on failure */
        else
            ui_panel_free(tiles[i]);
    }
    app->builder = tiles[1];
    app->results = tiles[3];
    if (!ok) {
        fprintf(stderr, "mxbench: out of memory\n");
        rc = 1;
        goto out;
    }
    for (size_t i = 0; i < n_specs; i++)
        if (ui_queue_add(app, specs[i])) {
            fprintf(stderr, "mxbench: %s\n", app->status);
            rc = 2;
            goto out;
        }
    if (crt_init()) {
        fprintf(stderr, "mxbench: the workbench needs a terminal (try --batch)\n");
        rc = 2;
        goto out;
    }
    /* the keys first: at 80 columns a long manifest path must not push them off */
    if (skipped.n) /* an error, so it stands out; the first reason shown */
        ui_status(app, 1, "skipped %zu file%s of %s that could not be loaded: %s", skipped.n,
                  skipped.n == 1 ? "" : "s", manifest, skipped.msg[0]);
    else
        ui_status(app, 0, "Space or Enter selects a sample, Tab goes to the pipeline (Enter "
                          "there queues it), r runs, ? lists every key. %zu samples from %s.",
                  app->n_samples, manifest);
    for (;;) {
        ui_run_report(app);
        draw(app);
        ui_event ev = {0};
        ev.key = crt_read(TICK_MS, &ev.y, &ev.x, &ev.button);
        if (ev.key == ERR)
            continue;
        int r = dispatch(app, &ev);
        if (r & UI_QUIT)
            break;
        if (r & UI_REDRAW)
            crt_repaint();
    }
    crt_done();
out:
    app_free(app);
    return rc;
}
