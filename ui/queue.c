/* queue.c - the queue of pipelines to run side by side, and the history of
 * typed specs. A spec enters the queue in its canonical form, once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../src/fileio.h"
#include "../src/sweep.h"
#include "app.h"

int ui_spec_check(ui_app *app, const char *spec, mx_pipeline *p)
{
    mx_error err = {0};
    char why[256];
    if (mx_pipeline_parse(spec, p, &err)) {
        ui_status(app, 1, "%s", err.msg);
        return -1;
    }
    if (ui_pipeline_check(p, why, sizeof why)) {
        ui_status(app, 1, "%s", why);
        return -1;
    }
    return 0;
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
    if (ui_spec_check(app, spec, &p))
        return -1;
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

void ui_queue_remove(ui_app *app, size_t i)
{
    if (i >= app->n_queue)
        return;
    ui_status(app, 0, "removed %s from the queue", app->queue[i]);
    memmove(app->queue[i], app->queue[i + 1], (app->n_queue - i - 1) * sizeof app->queue[0]);
    app->n_queue--;
}

int ui_queue_save(ui_app *app, const char *path, int force)
{
    char buf[UI_MAX_QUEUE * (MX_SPEC_MAX + 1) + 1];
    size_t off = 0;
    for (size_t i = 0; i < app->n_queue; i++)
        off += (size_t)snprintf(buf + off, sizeof buf - off, "%s\n", app->queue[i]);
    mx_error err = {0};
    if (mx_write_file_atomic(path, buf, off, force, &err)) {
        ui_status(app, 1, "%s", err.msg);
        return -1;
    }
    ui_status(app, 0, "saved %zu pipelines to %s", app->n_queue, path);
    return 0;
}

/* A queue file's line without its blanks at either end and without a
 * comment: one that starts the line, or follows a blank (a spec has neither
 * '#' nor blanks). */
static char *trim_line(char *l)
{
    l += strspn(l, " \t");
    for (char *c = l; (c = strchr(c, '#')) != NULL; c++)
        if (c == l || c[-1] == ' ' || c[-1] == '\t') {
            *c = 0;
            break;
        }
    size_t n = strlen(l);
    while (n && strchr(" \t\r", l[n - 1]))
        l[--n] = 0;
    return l;
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
    char *text = malloc(len + 1);
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
    for (char *l = text, *next; l; l = next) {
        line++; /* every line counts, blank ones too, so errors name the right one */
        next = strchr(l, '\n');
        if (next)
            *next++ = 0;
        l = trim_line(l);
        if (!*l)
            continue;
        mx_pipeline p;
        if (ui_spec_check(app, l, &p)) {
            char why[sizeof app->status];
            snprintf(why, sizeof why, "%s", app->status);
            ui_status(app, 1, "%s:%zu: %s", path, line, why);
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
    ui_status(app, 0, "loaded %zu pipelines from %s", n, path);
    return 0;
}

int ui_queue_sweep(ui_app *app, const char *text)
{
    char tmpl[MX_SWEEP_SPEC_MAX];
    const char *sp = strrchr(text, ' ');
    mx_error err = {0};
    double v[MX_SWEEP_MAX];
    size_t n;
    int integer;
    if (!sp || (size_t)(sp - text) >= sizeof tmpl) {
        ui_status(app, 1, "sweep wants TEMPLATE{} START:END:STEPS, e.g. quant:sim={} 0.95:0.999:5");
        return -1;
    }
    snprintf(tmpl, sizeof tmpl, "%.*s", (int)(sp - text), text);
    if (mx_sweep_values(sp + 1, v, &n, &integer, &err)) {
        ui_status(app, 1, "%s", err.msg);
        return -1;
    }
    char specs[MX_SWEEP_MAX][MX_SWEEP_SPEC_MAX];
    for (size_t i = 0; i < n; i++) { /* every value must make a valid pipeline first */
        mx_pipeline p;
        if (mx_sweep_spec(tmpl, v[i], integer, specs[i], sizeof specs[i], &err)) {
            ui_status(app, 1, "%s", err.msg);
            return -1;
        }
        if (ui_spec_check(app, specs[i], &p))
            return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (ui_queue_add(app, specs[i]))
            return -1; /* the queue is full: ui_queue_add said so */
    ui_status(app, 0, "queued %zu pipelines of the sweep; r runs them (ratio and similarity "
                      "per value in Results)", n);
    return 0;
}
