/* files.c - the keys that write files: e (the results as CSV), X (the
 * selected pipeline as a miner solution, as `mxbench export`), w (the
 * queue). Each offers a name in a prompt, says where it wrote, and asks
 * before it overwrites a file: the CLI refuses without -f, and the app
 * must not lose a user's file either. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "../src/export.h"
#include "../src/fileio.h"
#include "../src/report.h"
#include "app.h"
#include "panels.h"

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* base + ext, or base-2 + ext, base-3 + ext ...: a name no file has. */
static void free_name(const char *base, const char *ext, char *buf, size_t n)
{
    snprintf(buf, n, "%s%s", base, ext);
    for (int i = 2; exists(buf) && i < 1000; i++)
        snprintf(buf, n, "%s-%d%s", base, i, ext);
}

/* The path as the user should read it: absolute. */
static const char *shown(const char *path, char *buf)
{
    return realpath(path, buf) ? buf : path;
}

const char *ui_expand_home(const char *path, char *buf, size_t n)
{
    const char *home = getenv("HOME");
    if (strncmp(path, "~/", 2) || !home || !*home)
        return path;
    int k = snprintf(buf, n, "%s/%s", home, path + 2);
    return k < 0 || (size_t)k >= n ? path : buf;
}

/* Asks before write(path) when the file is there. */
static int write_or_ask(ui_app *app, const char *path, const char *arg, ui_yes_fn write,
                        ui_event *ev)
{
    char full[PATH_MAX];
    path = ui_expand_home(path, full, sizeof full);
    if (!*path) {
        ui_status(app, 0, "cancelled: nothing written");
        return UI_HANDLED;
    }
    if (!exists(path)) {
        write(app, path, arg, 0); /* 0: should the file appear meanwhile, fail */
        return UI_HANDLED;
    }
    char q[PATH_MAX + 64];
    snprintf(q, sizeof q, "%s exists: overwrite it? (y/n) ", path);
    return ui_push(app, ev, ui_confirm_new(q, path, arg, write));
}

/* --- e: the results --- */
static void write_results(ui_app *app, const char *path, const char *arg, int force)
{
    (void)arg;
    mx_error err = {0};
    char abs[PATH_MAX];
    pthread_mutex_lock(&app->run.lock);
    int rc = app->run.running
                 ? mx_fail(&err, MX_EINPUT, "a run is in progress: wait for it or cancel it (c)")
                 : mx_report_csv(path, &app->run.batch, app->run.samples, force, &err);
    pthread_mutex_unlock(&app->run.lock);
    if (rc)
        ui_status(app, 1, "%s", err.msg);
    else
        ui_status(app, 0, "exported the results to %s", shown(path, abs));
}

static int accept_results(ui_app *app, const char *t, const char *arg, ui_event *ev)
{
    return write_or_ask(app, t, arg, write_results, ev);
}

int ui_export_results(ui_app *app, ui_event *ev)
{
    if (!app->run.have_results) {
        ui_status(app, 1, "nothing to export yet: run the queue first (r)");
        return UI_HANDLED;
    }
    char name[PATH_MAX];
    free_name("mxbench-results", ".csv", name, sizeof name);
    return ui_push(app, ev, ui_prompt_new("export CSV to: ", name, 0, accept_results, NULL));
}

/* --- X: a solution --- */
static void write_solution(ui_app *app, const char *path, const char *spec, int force)
{
    mx_pipeline p;
    mx_error err = {0};
    char *text = NULL, abs[PATH_MAX];
    size_t len = 0;
    if (mx_pipeline_parse(spec, &p, &err) || mx_export_python(&p, &text, &len, &err) ||
        mx_write_file_atomic(path, text, len, force, &err)) {
        free(text);
        ui_status(app, 1, "%s", err.msg);
        return;
    }
    free(text);
    ui_status(app, 0, "wrote %s: %s as a solution, %zu bytes (limit %d); E scores it", shown(path, abs),
              spec, len, MX_EXPORT_MAX_BYTES);
}

static int accept_solution(ui_app *app, const char *t, const char *spec, ui_event *ev)
{
    return write_or_ask(app, t, spec, write_solution, ev);
}

int ui_export_solution(ui_app *app, ui_event *ev)
{
    char spec[MX_SPEC_MAX] = "";
    ui_panel *focus = ui_screen_focused(&app->screen);
    if (!focus || !focus->cls->selected_spec ||
        !focus->cls->selected_spec(focus, app, spec, sizeof spec))
        ui_builder_spec(app->builder, spec, sizeof spec);
    /* refuse now what cannot be exported, before asking for a name */
    mx_pipeline p;
    mx_error err = {0};
    char *text = NULL;
    size_t len;
    if (mx_pipeline_parse(spec, &p, &err) || mx_export_python(&p, &text, &len, &err)) {
        ui_status(app, 1, "cannot export %s: %s", spec, err.msg);
        return UI_HANDLED;
    }
    free(text);
    char name[PATH_MAX], label[MX_SPEC_MAX + 32];
    free_name("solution", ".py", name, sizeof name);
    snprintf(label, sizeof label, "export %s to: ", spec);
    return ui_push(app, ev, ui_prompt_new(label, name, 0, accept_solution, spec));
}

/* --- w: the queue --- */
static void write_queue(ui_app *app, const char *path, const char *arg, int force)
{
    (void)arg;
    ui_queue_save(app, path, force);
}

static int accept_queue(ui_app *app, const char *t, const char *arg, ui_event *ev)
{
    return write_or_ask(app, t, arg, write_queue, ev);
}

int ui_save_queue(ui_app *app, ui_event *ev)
{
    if (app->n_queue == 0) { /* an empty file would replace a saved queue */
        ui_status(app, 1, "the queue is empty: nothing to save");
        return UI_HANDLED;
    }
    return ui_push(app, ev, ui_prompt_new("save queue to: ", "mxbench-queue.txt", 0, accept_queue, NULL));
}
