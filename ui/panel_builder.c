/* panel_builder.c - the pipeline being built: one chip per stage. It owns
 * that pipeline and starts at the app's default, auto. Left/Right pick a
 * stage, +/- change its parameter in place (auto <-> auto:max), x removes
 * it, Enter queues the pipeline; t and n (global keys) open the stage menu
 * for it. Parameters step through each stage's own parser, and every
 * change must make a pipeline worth running, so the builder knows no stage
 * by name. */
#include <stdlib.h>
#include <string.h>
#include "../src/presets.h"
#include "app.h"
#include "crt.h"
#include "draw.h"
#include "fit.h"
#include "panels.h"

typedef struct {
    ui_panel super;
    mx_pipeline p;
    size_t cursor; /* 0..n_transforms (the last is the entropy stage) */
    int scroll;    /* the column of the chips' row shown first */
} builder_panel;

#define MAX_CHIPS (MX_MAX_TRANSFORMS + 1)

static size_t n_steps(const builder_panel *b)
{
    return b->p.automatic ? 1 : b->p.n_transforms + 1;
}

static mx_step *step_at(builder_panel *b, size_t i)
{
    return i < b->p.n_transforms ? &b->p.transforms[i] : &b->p.entropy;
}

void ui_builder_spec(const ui_panel *self, char *buf, size_t n)
{
    mx_pipeline_format(&((const builder_panel *)self)->p, buf, n);
}

/* Takes p when it is a valid pipeline worth running (else says why). */
static int commit(builder_panel *b, ui_app *app, const mx_pipeline *p, size_t cursor)
{
    char spec[MX_SPEC_MAX];
    mx_pipeline tmp;
    mx_pipeline_format(p, spec, sizeof spec);
    if (ui_spec_check(app, spec, &tmp)) /* e.g. lossy first; a coder starved of values */
        return -1;
    b->p = *p;
    b->cursor = cursor < n_steps(b) ? cursor : n_steps(b) - 1;
    return 0;
}

int ui_builder_load(ui_panel *self, ui_app *app, const mx_pipeline *p)
{
    builder_panel *b = (builder_panel *)self;
    return commit(b, app, p, p->automatic ? 0 : p->n_transforms);
}

/* The separator before chip i: the entropy stage stands apart. */
static const char *separator(const builder_panel *b, size_t i)
{
    return i == 0 ? "" : i == b->p.n_transforms ? " | " : ", ";
}

/* The chips' row as if it had no edge: where each chip starts (at[i]) and
 * how wide it is (len[i]); returns the row's width. One layout serves the
 * drawing, the scrolling and the mouse, so a click hits what is shown. */
static int layout(builder_panel *b, int *at, int *len)
{
    int cx = 0;
    for (size_t i = 0; i < n_steps(b); i++) {
        char text[64];
        mx_step *st = step_at(b, i);
        mx_stage_format(st->stage, &st->params, text, sizeof text);
        cx += (int)strlen(separator(b, i));
        at[i] = cx;
        len[i] = (int)strlen(text) + 2;
        cx += len[i];
    }
    return cx;
}

/* Scrolls the row so the highlighted chip is whole in w columns, clear of
 * the marks at a cut edge, as htop keeps its cursor in view; a row that
 * fits is not scrolled, and a row that grew wider (a resize) shows no
 * blank tail. A chip wider than the panel shows its head. */
static void keep_in_view(builder_panel *b, int from, int to, int total, int w)
{
    if (total <= w) {
        b->scroll = 0;
        return;
    }
    if (b->scroll > total - w)
        b->scroll = total - w;
    int right = to < total ? to + 1 : to; /* the chip, and the mark after it */
    if (right > b->scroll + w)
        b->scroll = right - w;
    if (from < b->scroll + (b->scroll > 0)) /* the mark before it */
        b->scroll = from > 0 ? from - 1 : 0;
}

/* s drawn at column vx of the row scrolled to b->scroll, cut at either
 * edge of the panel. */
static void put_at(const builder_panel *b, int vx, int attr, const char *s)
{
    const ui_panel *p = &b->super;
    int skip = b->scroll - vx, len = (int)strlen(s);
    if (skip >= len || vx - b->scroll >= p->w)
        return;
    if (skip < 0)
        skip = 0;
    int col = vx + skip - b->scroll;
    ui_put(p->y + 1, p->x + col, p->w - col, attr, "%s", s + skip);
}

static void draw(ui_panel *self, ui_app *app, int focused)
{
    (void)app;
    builder_panel *b = (builder_panel *)self;
    int y = self->y, x = self->x, w = self->w;
    char spec[MX_SPEC_MAX];
    mx_pipeline_format(&b->p, spec, sizeof spec);
    char fitted[MX_SPEC_MAX]; /* the entropy stage at the end stays in view */
    ui_fit_middle(spec, w - 10, fitted, sizeof fitted);
    ui_title(y, x, w, focused, "Pipeline  %s", fitted);
    if (b->p.automatic) {
        ui_put(y + 1, x, w, focused ? crt_attr(CRT_CURSOR) : crt_attr(CRT_SELECTED), "[%s]", spec);
        ui_put(y + 2, x, w, crt_attr(CRT_DIM), "picks per matrix (+/- auto:max)");
        return;
    }
    int at[MAX_CHIPS], len[MAX_CHIPS], total = layout(b, at, len);
    keep_in_view(b, at[b->cursor], at[b->cursor] + len[b->cursor], total, w);
    for (size_t i = 0; i < n_steps(b); i++) {
        char name[64], text[68];
        mx_step *st = step_at(b, i);
        mx_stage_format(st->stage, &st->params, name, sizeof name);
        snprintf(text, sizeof text, "[%s]", name);
        int attr = (focused && i == b->cursor) ? crt_attr(CRT_CURSOR)
                   : st->stage->lossy           ? crt_attr(CRT_MISSES)
                                                : crt_attr(CRT_SELECTED);
        const char *sep = separator(b, i);
        put_at(b, at[i] - (int)strlen(sep), i == b->p.n_transforms ? A_BOLD : A_NORMAL, sep);
        put_at(b, at[i], attr, text);
    }
    /* the row goes on past a cut edge */
    if (b->scroll > 0)
        ui_put(y + 1, x, 1, A_BOLD, "%c", UI_ELIDE);
    if (total - b->scroll > w)
        ui_put(y + 1, x + w - 1, 1, A_BOLD, "%c", UI_ELIDE);
    ui_put(y + 2, x, w, crt_attr(CRT_DIM), "+/- param  x remove  Enter queue");
}

/* Steps the parameter of the highlighted stage through its own parser. */
static void adjust(builder_panel *b, ui_app *app, int dir)
{
    mx_pipeline p = b->p;
    mx_error err = {0};
    if (p.automatic) {
        p.automatic = p.automatic == MX_AUTO_FAST ? MX_AUTO_MAX : MX_AUTO_FAST;
        commit(b, app, &p, 0);
        return;
    }
    mx_step *st = b->cursor < p.n_transforms ? &p.transforms[b->cursor] : &p.entropy;
    char text[64], arg[64];
    mx_stage_format(st->stage, &st->params, text, sizeof text);
    const char *colon = strchr(text, ':');
    if (!colon) {
        ui_status(app, 0, "%s has no parameter", st->stage->name);
        return;
    }
    const char *cur = colon + 1;
    mx_params np;
    if (!strcmp(cur, "rows") || !strcmp(cur, "cols")) {
        memset(&np, 0, sizeof np);
        if (mx_stage_parse(st->stage, !strcmp(cur, "rows") ? "cols" : "rows", &np, &err) == 0) {
            st->params = np;
            commit(b, app, &p, b->cursor);
        }
        return;
    }
    int which = st->stage->alternatives ? st->params.which : 0; /* the parameter shown */
    const mx_param *d = &st->stage->params[which];
    if (d->type == MX_PARAM_DECIMAL) { /* by 0.001 (sim=0.99 -> 0.991), as text to the parser */
        int64_t step = 1;
        for (int k = 3; k < d->digits; k++)
            step *= 10;
        mx_params stepped = st->params;
        stepped.v[which] += dir * step;
        mx_stage_format(st->stage, &stepped, text, sizeof text);
        colon = strchr(text, ':');
        memset(&np, 0, sizeof np);
        if (colon && mx_stage_parse(st->stage, colon + 1, &np, &err) == 0) {
            st->params = np;
            commit(b, app, &p, b->cursor);
            return;
        }
        ui_status(app, 1, "%s", err.msg);
        return;
    }
    long v = strtol(cur, NULL, 10);
    for (int k = 1; k <= 2; k++) { /* skip one invalid value (zstd has no level 0) */
        snprintf(arg, sizeof arg, "%ld", v + dir * k);
        memset(&np, 0, sizeof np);
        if (mx_stage_parse(st->stage, arg, &np, &err) == 0) {
            st->params = np;
            commit(b, app, &p, b->cursor);
            return;
        }
    }
    ui_status(app, 1, "%s", err.msg);
}

static void remove_step(builder_panel *b, ui_app *app)
{
    size_t i = b->cursor;
    if (b->p.automatic || i >= b->p.n_transforms) {
        ui_status(app, 1, "the entropy stage can be replaced (n) but not removed");
        return;
    }
    mx_pipeline p = b->p;
    memmove(&p.transforms[i], &p.transforms[i + 1], (p.n_transforms - i - 1) * sizeof p.transforms[0]);
    p.n_transforms--;
    commit(b, app, &p, i);
}

/* The chip under column x of the chips' row, as scrolled. */
static void click(builder_panel *b, int x)
{
    if (b->p.automatic)
        return;
    int at[MAX_CHIPS], len[MAX_CHIPS];
    layout(b, at, len);
    for (size_t i = 0; i < n_steps(b); i++)
        if (b->scroll + x < at[i] + len[i]) {
            b->cursor = i;
            return;
        }
}

static int event(ui_panel *self, ui_app *app, ui_event *ev)
{
    builder_panel *b = (builder_panel *)self;
    if (ui_is_click(ev)) {
        if (ev->y == 1)
            click(b, ev->x);
        return UI_HANDLED;
    }
    if (ui_is_enter(ev->key)) {
        char spec[MX_SPEC_MAX];
        mx_pipeline_format(&b->p, spec, sizeof spec);
        ui_queue_add(app, spec);
        return UI_HANDLED;
    }
    switch (ev->key) {
    case KEY_LEFT:
        if (b->cursor)
            b->cursor--;
        return UI_HANDLED;
    case KEY_RIGHT:
        if (b->cursor + 1 < n_steps(b))
            b->cursor++;
        return UI_HANDLED;
    case '+':
    case '-':
        adjust(b, app, ev->key == '+' ? 1 : -1);
        return UI_HANDLED;
    case 'x':
    case KEY_DC:
        remove_step(b, app);
        return UI_HANDLED;
    }
    return UI_IGNORED;
}

static int selected_spec(ui_panel *self, ui_app *app, char *buf, size_t n)
{
    (void)app;
    ui_builder_spec(self, buf, n);
    return 1;
}

/* Adds a stage picked in the menu: a transform goes after the cursor, an
 * entropy stage replaces the current one. Auto has no stages: a transform
 * starts a pipeline with the baseline's coder. */
static int insert(ui_app *app, void *owner, const mx_stage *stage)
{
    builder_panel *b = owner;
    mx_step st;
    mx_error err = {0};
    memset(&st, 0, sizeof st);
    st.stage = stage;
    if (mx_stage_parse(stage, NULL, &st.params, &err)) {
        ui_status(app, 1, "%s", err.msg);
        return -1;
    }
    mx_pipeline p = b->p;
    if (p.automatic)
        mx_pipeline_parse(MX_BASELINE_SPEC, &p, &err);
    if (stage->kind == MX_STAGE_ENTROPY) {
        p.entropy = st;
        return commit(b, app, &p, p.n_transforms);
    }
    if (p.n_transforms == MX_MAX_TRANSFORMS) {
        ui_status(app, 1, "a pipeline has at most %d transforms", MX_MAX_TRANSFORMS);
        return -1;
    }
    size_t at = b->p.automatic || p.n_transforms == 0 ? 0
                : b->cursor < p.n_transforms        ? b->cursor + 1
                                                    : p.n_transforms;
    memmove(&p.transforms[at + 1], &p.transforms[at], (p.n_transforms - at) * sizeof st);
    p.transforms[at] = st;
    p.n_transforms++;
    return commit(b, app, &p, at);
}

/* The stage menu: the stages of one kind, straight from the stage table. */
typedef struct {
    const mx_stage *list[64];
    size_t n;
} stage_list;

static void stages_of(int entropy, stage_list *l)
{
    mx_stage_kind want = entropy ? MX_STAGE_ENTROPY : MX_STAGE_TRANSFORM;
    l->n = 0;
    for (size_t i = 0; mx_stages[i] && l->n < 64; i++)
        if (mx_stages[i]->kind == want)
            l->list[l->n++] = mx_stages[i];
}

static int pick(ui_app *app, void *owner, size_t index, int entropy)
{
    stage_list l;
    stages_of(entropy, &l);
    if (index < l.n && insert(app, owner, l.list[index]) == 0)
        ui_status(app, 0, "added %s; +/- change its parameter, Enter queues the pipeline",
                  l.list[index]->name);
    return UI_HANDLED;
}

static int pick_transform(ui_app *app, void *owner, size_t index)
{
    return pick(app, owner, index, 0);
}

static int pick_entropy(ui_app *app, void *owner, size_t index)
{
    return pick(app, owner, index, 1);
}

ui_panel *ui_builder_picker(ui_panel *self, int entropy)
{
    stage_list l;
    const char *names[64], *lines[64];
    stages_of(entropy, &l);
    for (size_t i = 0; i < l.n; i++) {
        names[i] = l.list[i]->name;
        lines[i] = l.list[i]->summary;
    }
    return ui_menu_new(entropy ? "entropy stage" : "transform", names, lines, l.n, 0,
                       entropy ? pick_entropy : pick_transform, self);
}

static const ui_key_help keys[] = {
    {"Left Right", NULL, "pick a stage"},
    {"+ -", "Param", "change its parameter"},
    {"x Del", "Remove", "remove the stage"},
    {"Enter", "Queue", "queue the pipeline"},
    {NULL, NULL, NULL},
};

static const ui_panel_class builder_class = {
    .name = "Pipeline", .draw = draw, .event = event, .selected_spec = selected_spec, .keys = keys,
};

ui_panel *ui_builder_new(void)
{
    builder_panel *b = calloc(1, sizeof *b);
    mx_error err = {0};
    if (!b)
        return NULL;
    b->super.cls = &builder_class;
    if (mx_pipeline_parse(MX_DEFAULT_SPEC, &b->p, &err)) { /* the README's default: auto */
        free(b);
        return NULL;
    }
    return &b->super;
}
