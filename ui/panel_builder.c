/* panel_builder.c - the pipeline being built: one chip per stage. Left/Right
 * pick a stage, +/- change its parameter in place, x removes it, Enter
 * queues the pipeline. Parameters are stepped through each stage's own
 * parser, so the builder knows no stage by name. */
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "crt.h"

static size_t n_steps(const ui_app *app)
{
    return app->builder.n_transforms + 1;
}

static mx_step *step_at(ui_app *app, size_t i)
{
    return i < app->builder.n_transforms ? &app->builder.transforms[i] : &app->builder.entropy;
}

static void draw(ui_app *app, int y, int x, int h, int w, int focused)
{
    (void)h;
    char spec[MX_SPEC_MAX];
    mx_pipeline_format(&app->builder, spec, sizeof spec);
    ui_panel_title(y, x, w, focused, "Pipeline  %s", spec);
    int cx = x;
    for (size_t i = 0; i < n_steps(app) && cx < x + w; i++) {
        char text[64];
        mx_step *st = step_at(app, i);
        mx_stage_format(st->stage, &st->params, text, sizeof text);
        if (i == app->builder.n_transforms && cx > x) {
            ui_put(y + 1, cx, x + w - cx, A_BOLD, " | ");
            cx += 3;
        } else if (i) {
            ui_put(y + 1, cx, x + w - cx, A_NORMAL, ", ");
            cx += 2;
        }
        int attr = (focused && i == app->builder_cursor) ? crt_attr(CRT_CURSOR)
                   : st->stage->lossy                   ? crt_attr(CRT_MISSES)
                                                        : crt_attr(CRT_SELECTED);
        ui_put(y + 1, cx, x + w - cx, attr, "[%s]", text);
        cx += (int)strlen(text) + 2;
    }
    ui_put(y + 2, x, w, crt_attr(CRT_DIM), "t add transform  n entropy  +/- param  x remove  Enter queue");
}

/* Steps the parameter of a stage through its own parser. */
static void adjust(ui_app *app, int dir)
{
    mx_step *st = step_at(app, app->builder_cursor);
    char text[64], arg[64];
    mx_stage_format(st->stage, &st->params, text, sizeof text);
    const char *colon = strchr(text, ':');
    if (!colon) {
        ui_status(app, 0, "%s has no parameter", st->stage->name);
        return;
    }
    const char *cur = colon + 1;
    mx_params np;
    mx_error err = {0};
    if (!strcmp(cur, "rows") || !strcmp(cur, "cols")) {
        memset(&np, 0, sizeof np);
        if (mx_stage_parse(st->stage, !strcmp(cur, "rows") ? "cols" : "rows", &np, &err) == 0)
            st->params = np;
        return;
    }
    long v = strtol(cur, NULL, 10);
    for (int k = 1; k <= 2; k++) { /* skip one invalid value (zstd has no level 0) */
        snprintf(arg, sizeof arg, "%ld", v + dir * k);
        memset(&np, 0, sizeof np);
        if (mx_stage_parse(st->stage, arg, &np, &err) == 0) {
            st->params = np;
            return;
        }
    }
    ui_status(app, 1, "%s", err.msg);
}

/* Checks the edited pipeline is still a valid spec (e.g. lossy first). */
static int valid(ui_app *app, const mx_pipeline *p)
{
    char spec[MX_SPEC_MAX];
    mx_pipeline tmp;
    mx_error err = {0};
    mx_pipeline_format(p, spec, sizeof spec);
    if (mx_pipeline_parse(spec, &tmp, &err)) {
        ui_status(app, 1, "%s", err.msg);
        return 0;
    }
    return 1;
}

static int key(ui_app *app, int k)
{
    switch (k) {
    case KEY_LEFT:
        if (app->builder_cursor)
            app->builder_cursor--;
        return UI_HANDLED;
    case KEY_RIGHT:
        if (app->builder_cursor + 1 < n_steps(app))
            app->builder_cursor++;
        return UI_HANDLED;
    case '+':
    case '=':
        adjust(app, 1);
        return UI_HANDLED;
    case '-':
        adjust(app, -1);
        return UI_HANDLED;
    case 'x':
    case KEY_DC:
    case KEY_BACKSPACE: {
        size_t i = app->builder_cursor;
        if (i >= app->builder.n_transforms) {
            ui_status(app, 1, "the entropy stage can be replaced (n) but not removed");
            return UI_HANDLED;
        }
        mx_pipeline p = app->builder;
        memmove(&p.transforms[i], &p.transforms[i + 1],
                (p.n_transforms - i - 1) * sizeof p.transforms[0]);
        p.n_transforms--;
        if (valid(app, &p))
            app->builder = p;
        if (app->builder_cursor >= n_steps(app))
            app->builder_cursor = n_steps(app) - 1;
        return UI_HANDLED;
    }
    case '\n':
    case '\r':
    case KEY_ENTER: {
        char spec[MX_SPEC_MAX];
        mx_pipeline_format(&app->builder, spec, sizeof spec);
        ui_queue_add(app, spec);
        return UI_HANDLED;
    }
    }
    return UI_IGNORED;
}

/* Inserts a stage chosen in the picker: a transform goes after the cursor,
 * an entropy stage replaces the current one. */
int ui_builder_insert(ui_app *app, const mx_stage *stage)
{
    mx_step st;
    mx_error err = {0};
    memset(&st, 0, sizeof st);
    st.stage = stage;
    if (mx_stage_parse(stage, NULL, &st.params, &err)) {
        ui_status(app, 1, "%s", err.msg);
        return -1;
    }
    mx_pipeline p = app->builder;
    if (stage->kind == MX_STAGE_ENTROPY) {
        p.entropy = st;
        app->builder = p;
        app->builder_cursor = p.n_transforms;
        return 0;
    }
    if (p.n_transforms == MX_MAX_TRANSFORMS) {
        ui_status(app, 1, "a pipeline has at most %d transforms", MX_MAX_TRANSFORMS);
        return -1;
    }
    size_t at = app->builder_cursor < p.n_transforms ? app->builder_cursor + 1 : p.n_transforms;
    if (p.n_transforms == 0)
        at = 0;
    memmove(&p.transforms[at + 1], &p.transforms[at], (p.n_transforms - at) * sizeof st);
    p.transforms[at] = st;
    p.n_transforms++;
    if (!valid(app, &p))
        return -1;
    app->builder = p;
    app->builder_cursor = at;
    return 0;
}

const ui_panel_class ui_builder_panel = {draw, key};
