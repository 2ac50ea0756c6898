/* keys.c - the keys that work whichever tile has the focus (the tiles see
 * each key first). Every key here is in ui_global_keys, which the help and
 * the footer show: a key missing from the table is a key nobody finds. */
#include <string.h>
#include <unistd.h>
#include "app.h"
#include "crt.h"
#include "panels.h"
#include "../src/presets.h"

const ui_key_help ui_global_keys[] = {
    {"?  F1", "Help", "this help"},
    {"Tab S-Tab", "Panel", "next / previous panel"},
    {"click", NULL, "focus a panel, pick a row"},
    {":  /", NULL, "type a pipeline spec"},
    {"t  n", "Stage", "add transform / entropy"},
    {"r", "Run", "run queue on the samples"},
    {"c", NULL, "cancel after this cell"},
    {"e", "CSV", "export the results as CSV"},
    {"X", "Solution", "export the pipeline as .py"},
    {"w  l", NULL, "save / load the queue"},
    {"S", NULL, "sweep a parameter's values"},
    {"E", NULL, "score a solution .py too"},
    {"R", NULL, "rules: seed/lossless/lossy"},
    {"C", NULL, "as submitted / shape known"},
    {"F10  q", "Quit", "quit (during a run: after y)"},
    {NULL, NULL, NULL},
};

static int accept_spec(ui_app *app, const char *t, const char *arg, ui_event *ev)
{
    (void)arg, (void)ev;
    if (!*t) {
        ui_status(app, 0, "cancelled");
        return UI_HANDLED;
    }
    ui_history_add(app, t);
    mx_pipeline p;
    if (ui_spec_check(app, t, &p))
        return UI_HANDLED;
    ui_builder_load(app->builder, app, &p);
    ui_queue_add(app, t);
    return UI_HANDLED;
}

static void load_yes(ui_app *app, const char *path, const char *arg, int force)
{
    (void)arg, (void)force;
    ui_queue_load(app, path);
}

static int accept_load(ui_app *app, const char *t, const char *arg, ui_event *ev)
{
    (void)arg;
    char full[4096], q[4200];
    if (!*t) {
        ui_status(app, 0, "cancelled");
        return UI_HANDLED;
    }
    t = ui_expand_home(t, full, sizeof full);
    if (app->n_queue == 0) {
        ui_queue_load(app, t);
        return UI_HANDLED;
    }
    /* loading replaces the queue: what is queued is not lost to one key */
    const char *base = strrchr(t, '/'); /* the question must fit: the file's name */
    snprintf(q, sizeof q, "replace the %zu queued pipeline%s with %s's? (y/n) ", app->n_queue,
             app->n_queue == 1 ? "" : "s", base ? base + 1 : t);
    return ui_push(app, ev, ui_confirm_ask_new(q, t, NULL, load_yes, "the queue is kept as it was"));
}

static int accept_sweep(ui_app *app, const char *t, const char *arg, ui_event *ev)
{
    (void)arg, (void)ev;
    if (!*t) {
        ui_status(app, 0, "cancelled");
        return UI_HANDLED;
    }
    ui_history_add(app, t);
    ui_queue_sweep(app, t);
    return UI_HANDLED;
}

static int accept_solution(ui_app *app, const char *t, const char *arg, ui_event *ev)
{
    (void)arg, (void)ev;
    char full[4096];
    t = ui_expand_home(t, full, sizeof full);
    if (*t && access(t, R_OK) != 0) {
        ui_status(app, 1, "%s: no such file", t);
        return UI_HANDLED;
    }
    snprintf(app->solution, sizeof app->solution, "%s", t);
    if (*t)
        ui_status(app, 0, "next run scores %s beside the pipelines, as the validator "
                          "drives it (r runs)", t);
    else
        ui_status(app, 0, "no solution in the next run");
    return UI_HANDLED;
}

static int cycle_rules(ui_app *app)
{
    mx_rules next = (mx_rules)((app->opts.rules + 1) % 3);
    /* a threshold the user did not choose follows the rules (presets.h) */
    if (app->opts.min_similarity == mx_default_min_similarity(app->opts.rules))
        app->opts.min_similarity = mx_default_min_similarity(next);
    app->opts.rules = next;
    pthread_mutex_lock(&app->run.lock); /* the table re-scores at once */
    app->run.opts.rules = next;
    app->run.opts.min_similarity = app->opts.min_similarity;
    pthread_mutex_unlock(&app->run.lock);
    ui_status(app, 0, "scoring with the %s rules", mx_rules_name(next));
    return UI_HANDLED;
}

static int toggle_condition(ui_app *app)
{
    /* the next run's; results on screen keep the one they ran under */
    app->opts.condition = app->opts.condition == MX_SUBMITTED ? MX_SHAPE_KNOWN : MX_SUBMITTED;
    ui_status(app, 0, "next run: %s (r runs it)%s", mx_condition_name(app->opts.condition),
              app->opts.condition == MX_SHAPE_KNOWN
                  ? "; the competition sends no shape, so this overstates a submission"
                  : "; pipelines get raw bytes and infer the width, as submitted");
    return UI_HANDLED;
}

int ui_key_always_global(int key)
{
    return key == '?' || key == KEY_F(1) || key == KEY_F(10);
}

int ui_global_event(ui_app *app, ui_event *ev)
{
    switch (ev->key) {
    case 'q':
    case KEY_F(10): {
        pthread_mutex_lock(&app->run.lock);
        int running = app->run.running;
        pthread_mutex_unlock(&app->run.lock);
        if (!running)
            return UI_QUIT;
        /* a long run is work: not lost to one key */
        return ui_push(app, ev, ui_confirm_quit_new("a run is in progress: quit and lose it? (y/n)"));
    }
    case '\t': ui_screen_cycle(&app->screen, 1); return UI_HANDLED;
    case KEY_BTAB: ui_screen_cycle(&app->screen, -1); return UI_HANDLED;
    case '?':
    case KEY_F(1): return ui_push(app, ev, ui_help_new(app));
    case ':':
    case '/': return ui_push(app, ev, ui_prompt_new("spec: ", "", 1, accept_spec, NULL));
    case 't':
    case 'n':
        ui_screen_focus(&app->screen, app->builder);
        return ui_push(app, ev, ui_builder_picker(app->builder, ev->key == 'n'));
    case 'a': ui_select_all(app); return UI_HANDLED;
    case 'R': return cycle_rules(app);
    case 'C': return toggle_condition(app);
    case 'r':
        if (ui_run_start(app) == 0)
            ui_screen_focus(&app->screen, app->results);
        return UI_HANDLED;
    case 'c': ui_run_cancel(app); return UI_HANDLED;
    case 'e': return ui_export_results(app, ev);
    case 'X': return ui_export_solution(app, ev);
    case 'w': return ui_save_queue(app, ev);
    case 'l':
        return ui_push(app, ev, ui_prompt_new("load queue from: ", "mxbench-queue.txt", 0, accept_load, NULL));
    case 'S':
        return ui_push(app, ev, ui_prompt_new("sweep (TEMPLATE{} START:END:STEPS): ",
                                           "quant:sim={} 0.95:0.999:5", 1, accept_sweep, NULL));
    case 'E':
        return ui_push(app, ev, ui_prompt_new("solution .py to score beside the pipelines (empty: none): ",
                                           app->solution, 0, accept_solution, NULL));
    }
    return UI_IGNORED;
}
