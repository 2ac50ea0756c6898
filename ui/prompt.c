/* prompt.c - the one-line editor on the status line: a spec (with history)
 * or a file name. Enter accepts, Esc cancels; errors stay on the status
 * line and the app goes on. */
#include <string.h>
#include <unistd.h>
#include "app.h"
#include "crt.h"
#include "../src/sweep.h"

static const char *label(ui_prompt_kind k)
{
    switch (k) {
    case PROMPT_SPEC: return "spec: ";
    case PROMPT_EXPORT: return "export CSV to: ";
    case PROMPT_SAVE: return "save queue to: ";
    case PROMPT_LOAD: return "load queue from: ";
    case PROMPT_SWEEP: return "sweep (TEMPLATE{} START:END:STEPS): ";
    case PROMPT_SOLUTION: return "solution .py to score beside the pipelines (empty: none): ";
    }
    return "";
}

void ui_prompt_open(ui_app *app, ui_prompt_kind kind, const char *initial)
{
    app->mode = MODE_PROMPT;
    app->prompt_kind = kind;
    snprintf(app->prompt_text, sizeof app->prompt_text, "%s", initial);
    app->prompt_len = strlen(app->prompt_text);
    app->history_pos = (long)app->n_history;
    curs_set(1);
}

static void close_prompt(ui_app *app)
{
    app->mode = MODE_NORMAL;
    curs_set(0);
}

/* "quant:sim={} 0.95:0.999:5": one queued pipeline per value */
static void queue_sweep(ui_app *app, const char *text)
{
    char tmpl[MX_SWEEP_SPEC_MAX];
    const char *sp = strrchr(text, ' ');
    mx_error err = {0};
    double v[MX_SWEEP_MAX];
    size_t n;
    int integer;
    if (!sp || (size_t)(sp - text) >= sizeof tmpl) {
        ui_status(app, 1, "sweep wants TEMPLATE{} START:END:STEPS, e.g. quant:sim={} 0.95:0.999:5");
        return;
    }
    snprintf(tmpl, sizeof tmpl, "%.*s", (int)(sp - text), text);
    if (mx_sweep_values(sp + 1, v, &n, &integer, &err)) {
        ui_status(app, 1, "%s", err.msg);
        return;
    }
    char specs[MX_SWEEP_MAX][MX_SWEEP_SPEC_MAX];
    for (size_t i = 0; i < n; i++) { /* every value must make a valid pipeline first */
        mx_pipeline p;
        if (mx_sweep_spec(tmpl, v[i], integer, specs[i], sizeof specs[i], &err) ||
            mx_pipeline_parse(specs[i], &p, &err)) {
            ui_status(app, 1, "%s", err.msg);
            return;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (ui_queue_add(app, specs[i]))
            return; /* the queue is full: ui_queue_add said so */
    ui_status(app, 0, "queued %zu pipelines of the sweep; r runs them (ratio and similarity "
                      "per value in Results)", n);
}

static void accept(ui_app *app)
{
    const char *t = app->prompt_text;
    close_prompt(app);
    if (app->prompt_kind == PROMPT_SOLUTION) {
        if (*t && access(t, R_OK) != 0) {
            ui_status(app, 1, "%s: no such file", t);
            return;
        }
        snprintf(app->solution, sizeof app->solution, "%s", t);
        if (*t)
            ui_status(app, 0, "next run scores %s beside the pipelines, as the validator "
                              "drives it (r runs)", t);
        else
            ui_status(app, 0, "no solution in the next run");
        return;
    }
    if (!*t) {
        ui_status(app, 0, "cancelled");
        return;
    }
    switch (app->prompt_kind) {
    case PROMPT_SPEC: {
        mx_pipeline p;
        mx_error err = {0};
        ui_history_add(app, t);
        if (mx_pipeline_parse(t, &p, &err)) {
            ui_status(app, 1, "%s", err.msg);
            return;
        }
        if (!p.automatic) { /* auto has no stages to show in the builder */
            app->builder = p;
            app->builder_cursor = p.n_transforms;
        }
        ui_queue_add(app, t);
        break;
    }
    case PROMPT_EXPORT: ui_export_csv(app, t); break;
    case PROMPT_SAVE: ui_queue_save(app, t); break;
    case PROMPT_LOAD: ui_queue_load(app, t); break;
    case PROMPT_SWEEP: ui_history_add(app, t), queue_sweep(app, t); break;
    case PROMPT_SOLUTION: break; /* above */
    }
}

int ui_prompt_key(ui_app *app, int k)
{
    switch (k) {
    case 27:
        close_prompt(app);
        ui_status(app, 0, "cancelled");
        return UI_HANDLED;
    case '\n':
    case '\r':
    case KEY_ENTER:
        accept(app);
        return UI_HANDLED;
    case KEY_BACKSPACE:
    case 127:
    case 8:
        if (app->prompt_len)
            app->prompt_text[--app->prompt_len] = 0;
        return UI_HANDLED;
    case 21: /* Ctrl-U */
        app->prompt_len = 0;
        app->prompt_text[0] = 0;
        return UI_HANDLED;
    case KEY_UP:
    case KEY_DOWN:
        if (app->prompt_kind != PROMPT_SPEC || !app->n_history)
            return UI_HANDLED;
        app->history_pos += k == KEY_UP ? -1 : 1;
        if (app->history_pos < 0)
            app->history_pos = 0;
        if (app->history_pos >= (long)app->n_history) {
            app->history_pos = (long)app->n_history;
            app->prompt_text[0] = 0;
        } else {
            snprintf(app->prompt_text, sizeof app->prompt_text, "%s",
                     app->history[app->history_pos]);
        }
        app->prompt_len = strlen(app->prompt_text);
        return UI_HANDLED;
    case KEY_RESIZE:
        clear();
        return UI_HANDLED;
    }
    if (k >= 32 && k < 127 && app->prompt_len + 1 < sizeof app->prompt_text) {
        app->prompt_text[app->prompt_len++] = (char)k;
        app->prompt_text[app->prompt_len] = 0;
    }
    return UI_HANDLED;
}

void ui_prompt_draw(ui_app *app, int y, int w)
{
    const char *l = label(app->prompt_kind);
    int lw = (int)strlen(l);
    ui_put(y, 0, w, A_BOLD, "%s", l);
    /* show the end of a long line */
    const char *t = app->prompt_text;
    int room = w - lw - 1;
    if ((int)app->prompt_len > room && room > 0)
        t += app->prompt_len - (size_t)room;
    ui_put(y, lw, w - lw, A_NORMAL, "%s", t);
    move(y, lw + (int)strlen(t));
}
