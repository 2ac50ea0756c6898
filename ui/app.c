/* app.c - the workbench's main loop: layout, focus, global keys. */
#include "app.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../src/fileio.h"
#include "../src/presets.h"
#include "../src/report.h"
#include "crt.h"
#include "ui.h"

#define TICK_MS 100

void ui_status(ui_app *app, int error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(app->status, sizeof app->status, fmt, ap);
    va_end(ap);
    app->status_error = error;
}

void ui_put(int y, int x, int w, int attr, const char *fmt, ...)
{
    if (w <= 0)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    attron(attr);
    mvaddnstr(y, x, buf, w);
    attroff(attr);
}

int ui_list_nav(size_t *cursor, size_t n, int page, int key)
{
    if (n == 0)
        return UI_IGNORED;
    size_t c = *cursor, p = page > 1 ? (size_t)page - 1 : 1;
    switch (key) {
    case KEY_UP: c = c ? c - 1 : 0; break;
    case KEY_DOWN: c = c + 1 < n ? c + 1 : n - 1; break;
    case KEY_PPAGE: c = c > p ? c - p : 0; break;
    case KEY_NPAGE: c = c + p < n ? c + p : n - 1; break;
    case KEY_HOME: c = 0; break;
    case KEY_END: c = n - 1; break;
    default: return UI_IGNORED;
    }
    *cursor = c;
    return UI_HANDLED;
}

void ui_list_scroll(size_t *scroll, size_t cursor, int h)
{
    size_t rows = h > 0 ? (size_t)h : 1;
    if (cursor < *scroll)
        *scroll = cursor;
    else if (cursor >= *scroll + rows)
        *scroll = cursor - rows + 1;
}

void ui_panel_title(int y, int x, int w, int focused, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    int attr = focused ? crt_attr(CRT_TITLE) : crt_attr(CRT_HEADER);
    attron(attr);
    mvhline(y, x, ' ', w);
    mvaddnstr(y, x, buf, w);
    attroff(attr);
}

void ui_history_add(ui_app *app, const char *spec)
{
    if (app->n_history && strcmp(app->history[app->n_history - 1], spec) == 0)
        return;
    if (app->n_history == UI_MAX_HISTORY) {
        memmove(app->history[0], app->history[1], (UI_MAX_HISTORY - 1) * sizeof app->history[0]);
        app->n_history--;
    }
    snprintf(app->history[app->n_history++], MX_SPEC_MAX, "%s", spec);
}

int ui_queue_add(ui_app *app, const char *spec)
{
    mx_pipeline p;
    mx_error err = {0};
    if (mx_pipeline_parse(spec, &p, &err)) {
        ui_status(app, 1, "%s", err.msg);
        return -1;
    }
    char canon[MX_SPEC_MAX];
    mx_pipeline_format(&p, canon, sizeof canon);
    for (size_t i = 0; i < app->n_queue; i++)
        if (strcmp(app->queue[i], canon) == 0) {
            ui_status(app, 0, "%s is already queued", canon);
            return 0;
        }
    if (app->n_queue == UI_MAX_QUEUE) {
        ui_status(app, 1, "the queue is full (%d pipelines)", UI_MAX_QUEUE);
        return -1;
    }
    snprintf(app->queue[app->n_queue++], MX_SPEC_MAX, "%s", canon);
    ui_status(app, 0, "queued %s", canon);
    return 0;
}

int ui_queue_save(ui_app *app, const char *path)
{
    char buf[UI_MAX_QUEUE * (MX_SPEC_MAX + 1) + 1];
    size_t off = 0;
    for (size_t i = 0; i < app->n_queue; i++)
        off += (size_t)snprintf(buf + off, sizeof buf - off, "%s\n", app->queue[i]);
    mx_error err = {0};
    if (mx_write_file_atomic(path, buf, off, 1, &err)) {
        ui_status(app, 1, "%s", err.msg);
        return -1;
    }
    ui_status(app, 0, "saved %zu pipelines to %s", app->n_queue, path);
    return 0;
}

int ui_queue_load(ui_app *app, const char *path)
{
    uint8_t *buf;
    size_t len;
    mx_error err = {0};
    if (mx_read_file(path, &buf, &len, &err)) {
        ui_status(app, 1, "%s", err.msg);
        return -1;
    }
    /* check every line first, so a bad file changes nothing */
    char *text = malloc(len + 1), *save = NULL;
    if (!text) {
        free(buf);
        ui_status(app, 1, "out of memory");
        return -1;
    }
    memcpy(text, buf, len);
    text[len] = 0;
    free(buf);
    char specs[UI_MAX_QUEUE][MX_SPEC_MAX];
    size_t n = 0, line = 0;
    int rc = 0;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        line++;
        l[strcspn(l, "\r")] = 0;
        if (!*l || *l == '#')
            continue;
        mx_pipeline p;
        if (mx_pipeline_parse(l, &p, &err)) {
            ui_status(app, 1, "%s:%zu: %s", path, line, err.msg);
            rc = -1;
            break;
        }
        if (n == UI_MAX_QUEUE) {
            ui_status(app, 1, "%s: more than %d pipelines", path, UI_MAX_QUEUE);
            rc = -1;
            break;
        }
        mx_pipeline_format(&p, specs[n++], MX_SPEC_MAX);
    }
    free(text);
    if (rc)
        return -1;
    memcpy(app->queue, specs, n * sizeof specs[0]);
    app->n_queue = n;
    app->cursor[FOCUS_QUEUE] = 0;
    ui_status(app, 0, "loaded %zu pipelines from %s", n, path);
    return 0;
}

int ui_export_csv(ui_app *app, const char *path)
{
    mx_error err = {0};
    int rc;
    if (!app->run.have_results) {
        ui_status(app, 1, "nothing to export yet: run the queue first (r)");
        return -1;
    }
    pthread_mutex_lock(&app->run.lock);
    if (app->run.running) {
        rc = -1;
        mx_fail(&err, MX_EINPUT, "a run is in progress: wait for it or cancel it (c)");
    } else {
        rc = mx_report_csv(path, &app->run.batch, app->run.samples, 1, &err);
    }
    pthread_mutex_unlock(&app->run.lock);
    if (rc)
        ui_status(app, 1, "%s", err.msg);
    else
        ui_status(app, 0, "exported the results to %s", path);
    return rc;
}

static void draw_title(ui_app *app, int w)
{
    char left[256], right[128] = "", cond[64];
    ui_run *r = &app->run;
    pthread_mutex_lock(&r->lock);
    /* the condition of the results shown, and of the next run if it differs */
    mx_condition shown = r->have_results ? r->opts.condition : app->opts.condition;
    if (shown != app->opts.condition)
        snprintf(cond, sizeof cond, "%s (next run: %s)", mx_condition_name(shown),
                 mx_condition_name(app->opts.condition));
    else
        snprintf(cond, sizeof cond, "%s", mx_condition_name(shown));
    if (r->have_results && r->batch.have_raw_to_beat && app->opts.rules != MX_RULES_SEED)
        snprintf(left, sizeof left, " mxbench  %s  rules %s  to beat: %.7f%s  threshold (1.01x): %.7f",
                 cond, mx_rules_name(app->opts.rules), r->batch.raw_to_beat,
                 app->opts.have_raw_to_beat ? "" : " (zstd:3)", r->batch.raw_to_beat * 1.01);
    else if (r->have_results && r->batch.have_raw_to_beat)
        snprintf(left, sizeof left, " mxbench  %s  to beat: raw %.1f%s  threshold (1.01x): %.1f",
                 cond, r->batch.raw_to_beat, app->opts.have_raw_to_beat ? "" : " (zstd:3)",
                 r->batch.raw_to_beat * 1.01);
    else if (app->opts.have_raw_to_beat)
        snprintf(left, sizeof left, " mxbench  %s  to beat: raw %.1f  threshold (1.01x): %.1f",
                 cond, app->opts.raw_to_beat, app->opts.raw_to_beat * 1.01);
    else
        snprintf(left, sizeof left, " mxbench  %s  to beat: baseline zstd:3 (run to measure)", cond);
    if (r->running)
        snprintf(right, sizeof right, "running %zu/%zu ", r->done, r->total);
    else if (r->have_results)
        snprintf(right, sizeof right, "%s ", r->cancel ? "cancelled" : "done");
    pthread_mutex_unlock(&r->lock);
    attron(crt_attr(CRT_TITLE));
    mvhline(0, 0, ' ', w);
    mvaddnstr(0, 0, left, w);
    if ((int)strlen(right) < w - (int)strlen(left))
        mvaddstr(0, w - (int)strlen(right), right);
    attroff(crt_attr(CRT_TITLE));
    /* progress bar under the title while running */
    if (r->running && r->total) {
        int filled = (int)((double)w * (double)r->done / (double)r->total);
        attron(crt_attr(CRT_BAR));
        mvhline(1, 0, ' ', filled);
        attroff(crt_attr(CRT_BAR));
    }
}

static void draw_bottom(ui_app *app, int h, int w)
{
    move(h - 2, 0);
    clrtoeol();
    if (app->mode == MODE_PROMPT) {
        ui_prompt_draw(app, h - 2, w);
    } else if (app->status[0]) {
        ui_put(h - 2, 0, w, crt_attr(app->status_error ? CRT_STATUS_ERROR : CRT_STATUS_INFO),
               "%s", app->status);
    }
    static const char *const keys[][2] = {
        {"?", "Help"}, {"Tab", "Panel"}, {"Spc", "Select"}, {"t", "Transform"}, {"n", "Entropy"},
        {":", "Spec"}, {"Ent", "Queue"}, {"r", "Run"}, {"c", "Cancel"}, {"e", "Export"},
        {"E", "Eval"},
        {"q", "Quit"},
    };
    move(h - 1, 0);
    clrtoeol();
    int x = 0;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0] && x < w; i++) {
        ui_put(h - 1, x, w - x, crt_attr(CRT_KEY), "%s", keys[i][0]);
        x += (int)strlen(keys[i][0]);
        ui_put(h - 1, x, w - x, A_NORMAL, "%s ", keys[i][1]);
        x += (int)strlen(keys[i][1]) + 1;
    }
}

static void draw(ui_app *app)
{
    int h, w;
    getmaxyx(stdscr, h, w);
    erase();
    if (h < 12 || w < 50) {
        ui_put(0, 0, w, A_BOLD, "mxbench: terminal too small (%dx%d); need 50x12", w, h);
        refresh();
        return;
    }
    ui_run *r = &app->run;
    pthread_mutex_lock(&r->lock);
    if (r->have_results)
        mx_batch_summarize(&r->batch, &r->opts);
    pthread_mutex_unlock(&r->lock);
    draw_title(app, w);
    int body = h - 4; /* rows 2 .. h-3 */
    if (app->mode == MODE_HELP) {
        ui_help_panel.draw(app, 2, 0, body, w, 1);
    } else if (app->mode == MODE_DETAIL) {
        ui_detail_panel.draw(app, 2, 0, body, w, 1);
    } else {
        int top = body * 5 / 12 < 6 ? 6 : body * 5 / 12;
        int lw = w * 2 / 5;
        ui_samples_panel.draw(app, 2, 0, top, lw, app->focus == FOCUS_SAMPLES);
        ui_builder_panel.draw(app, 2, lw + 1, 3, w - lw - 1, app->focus == FOCUS_BUILDER);
        ui_queue_panel.draw(app, 5, lw + 1, top - 3, w - lw - 1, app->focus == FOCUS_QUEUE);
        ui_results_panel.draw(app, 2 + top, 0, body - top, w, app->focus == FOCUS_RESULTS);
    }
    if (app->mode == MODE_PICKER)
        ui_picker_draw(app, h, w);
    draw_bottom(app, h, w);
    refresh();
}

static const ui_panel_class *focused_panel(ui_app *app)
{
    switch (app->focus) {
    case FOCUS_SAMPLES: return &ui_samples_panel;
    case FOCUS_BUILDER: return &ui_builder_panel;
    case FOCUS_QUEUE: return &ui_queue_panel;
    default: return &ui_results_panel;
    }
}

static int handle_key(ui_app *app, int key)
{
    switch (app->mode) {
    case MODE_PROMPT: return ui_prompt_key(app, key);
    case MODE_PICKER: return ui_picker_key(app, key);
    case MODE_HELP:
        app->mode = MODE_NORMAL;
        return key == 'q' ? UI_HANDLED : UI_HANDLED;
    case MODE_DETAIL: return ui_detail_panel.key(app, key);
    case MODE_NORMAL: break;
    }
    int r = focused_panel(app)->key(app, key);
    if (r != UI_IGNORED)
        return r;
    switch (key) {
    case 'q':
    case 'Q': return UI_QUIT;
    case '\t': app->focus = (ui_focus)((app->focus + 1) % FOCUS_N); return UI_HANDLED;
    case KEY_BTAB: app->focus = (ui_focus)((app->focus + FOCUS_N - 1) % FOCUS_N); return UI_HANDLED;
    case '?':
    case KEY_F(1): app->mode = MODE_HELP; return UI_HANDLED;
    case ':':
    case '/': ui_prompt_open(app, PROMPT_SPEC, ""); return UI_HANDLED;
    case 't': ui_picker_open(app, 0); return UI_HANDLED;
    case 'n': ui_picker_open(app, 1); return UI_HANDLED;
    case 'a': return ui_samples_panel.key(app, 'a'); /* select all, from any panel */
    case 'R': { /* cycle the rule set; the table re-scores at once */
        mx_rules next = (mx_rules)((app->opts.rules + 1) % 3);
        /* a threshold the user did not choose follows the rules */
        if (app->opts.min_similarity == mx_default_min_similarity(app->opts.rules))
            app->opts.min_similarity = mx_default_min_similarity(next);
        app->opts.rules = next;
        pthread_mutex_lock(&app->run.lock);
        app->run.opts.rules = next;
        app->run.opts.min_similarity = app->opts.min_similarity;
        pthread_mutex_unlock(&app->run.lock);
        ui_status(app, 0, "scoring with the %s rules", mx_rules_name(next));
        return UI_HANDLED;
    }
    case 'C': /* the condition of the next run; results shown keep theirs */
        app->opts.condition = app->opts.condition == MX_SUBMITTED ? MX_SHAPE_KNOWN : MX_SUBMITTED;
        ui_status(app, 0, "next run: %s (r runs it)%s", mx_condition_name(app->opts.condition),
                  app->opts.condition == MX_SHAPE_KNOWN
                      ? "; the competition sends no shape, so this overstates a submission"
                      : "; pipelines get raw bytes and infer the width, as submitted");
        return UI_HANDLED;
    case 'r': ui_run_start(app); return UI_HANDLED;
    case 'c': ui_run_cancel(app); return UI_HANDLED;
    case 'e': ui_prompt_open(app, PROMPT_EXPORT, "mxbench-results.csv"); return UI_HANDLED;
    case 'w': ui_prompt_open(app, PROMPT_SAVE, "mxbench-queue.txt"); return UI_HANDLED;
    case 'l': ui_prompt_open(app, PROMPT_LOAD, "mxbench-queue.txt"); return UI_HANDLED;
    case 'S': ui_prompt_open(app, PROMPT_SWEEP, "quant:sim={} 0.95:0.999:5"); return UI_HANDLED;
    case 'E': ui_prompt_open(app, PROMPT_SOLUTION, app->solution); return UI_HANDLED;
    case KEY_RESIZE: clear(); return UI_HANDLED;
    }
    return UI_IGNORED;
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
    pthread_mutex_init(&app->run.lock, NULL);
    int rc = 0;
    if (mx_samples_load_manifest(manifest, &app->samples, &app->n_samples, &err)) {
        fprintf(stderr, "mxbench: %s\n", err.msg);
        rc = err.code == MX_EFAIL ? 1 : 2;
        goto out;
    }
    app->selected = calloc(app->n_samples, 1);
    if (!app->selected) {
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
    mx_pipeline_parse("bfctx", &app->builder, &err); /* a concrete start for the builder */
    app->focus = FOCUS_SAMPLES;
    if (crt_init()) {
        fprintf(stderr, "mxbench: the workbench needs a terminal (try --batch)\n");
        rc = 2;
        goto out;
    }
    ui_status(app, 0, "%zu samples from %s. Space selects, t/n build a pipeline, Enter queues it, "
                      "r runs. ? for help.", app->n_samples, manifest);
    app->sort_column = 6; /* raw score, best first */
    for (;;) {
        if (app->run.started && !app->run.running && !app->run.reported) {
            app->run.reported = 1;
            ui_status(app, 0, "run %s: %zu of %zu cells; Enter on a row for detail, e exports",
                      app->run.cancel ? "cancelled" : "finished", app->run.done, app->run.total);
        }
        draw(app);
        int key = crt_read_key(TICK_MS);
        if (key == ERR)
            continue;
        if (handle_key(app, key) & UI_QUIT)
            break;
    }
    crt_done();
out:
    ui_run_cancel(app);
    ui_run_join(app);
    mx_batch_free(&app->run.batch);
    free(app->run.samples);
    pthread_mutex_destroy(&app->run.lock);
    mx_samples_free(app->samples, app->n_samples);
    free(app->selected);
    mx_ctx_free(app->ctx);
    mx_ctx_free(app->run.ctx);
    free(app);
    return rc;
}
