/* panel_samples.c - the sample list: shape, kind, size; Space or Enter
 * selects. Names are cut to the width so that two never look alike (the
 * tail every name shares goes first, then the middle). */
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "crt.h"
#include "draw.h"
#include "fit.h"
#include "panels.h"

#define NAME_MAX_W 96

typedef struct {
    ui_panel super;
    size_t cursor, scroll;
    char *names;       /* n x (NAME_MAX_W + 1): the names fitted to name_w */
    int name_w;        /* 0: not fitted yet */
    size_t cut_tail;   /* bytes every name shares at its end, not shown */
    size_t cut_head;
} samples_panel;

/* "[x] " name " shape kind size": the fixed columns take 24 */
#define FIXED_W 24

static void fit_names(samples_panel *sp, ui_app *app)
{
    int w = sp->super.w - FIXED_W;
    w = w < 6 ? 6 : w > NAME_MAX_W ? NAME_MAX_W : w;
    if (w == sp->name_w || !app->n_samples)
        return;
    free(sp->names);
    sp->names = malloc(app->n_samples * (NAME_MAX_W + 1));
    sp->name_w = 0;
    if (!sp->names)
        return; /* drawn unfitted, cut at the width */
    const char **names = malloc(app->n_samples * sizeof *names);
    if (!names)
        return;
    for (size_t i = 0; i < app->n_samples; i++)
        names[i] = app->samples[i].name;
    ui_fit_names(names, app->n_samples, w, sp->names, NAME_MAX_W + 1, &sp->cut_head,
                 &sp->cut_tail);
    free(names);
    sp->name_w = w;
}

static void draw(ui_panel *self, ui_app *app, int focused)
{
    samples_panel *sp = (samples_panel *)self;
    int y = self->y, x = self->x, h = self->h, w = self->w;
    fit_names(sp, app);
    size_t n_sel = 0;
    for (size_t i = 0; i < app->n_samples; i++)
        n_sel += app->selected[i];
    const char *tail = sp->name_w && sp->cut_tail && app->n_samples
                           ? app->samples[0].name + strlen(app->samples[0].name) - sp->cut_tail
                           : "";
    ui_title(y, x, w, focused, "Samples (%zu/%zu selected)%s%s", n_sel, app->n_samples,
             tail[0] ? "  all *" : "", tail);
    int rows = h - 1;
    ui_list_scroll(&sp->scroll, sp->cursor, app->n_samples, rows);
    int nw = sp->name_w ? sp->name_w : (w - FIXED_W < 6 ? 6 : w - FIXED_W);
    for (int r = 0; r < rows; r++) {
        size_t i = sp->scroll + (size_t)r;
        if (i >= app->n_samples)
            break;
        const mx_sample *s = &app->samples[i];
        int attr = app->selected[i] ? crt_attr(CRT_SELECTED) : 0;
        if (focused && i == sp->cursor)
            attr |= crt_attr(CRT_CURSOR);
        char shape[48];
        snprintf(shape, sizeof shape, "%llux%llu", (unsigned long long)s->m.rows,
                 (unsigned long long)s->m.cols);
        double kib = (double)(s->m.rows * s->m.cols * 2) / 1024.0;
        const char *kind = !strcmp(s->kind, "forward") ? "fwd" : !strcmp(s->kind, "backward") ? "bwd"
                           : s->kind[0] ? s->kind : "-";
        const char *name = sp->name_w ? sp->names + i * (NAME_MAX_W + 1) : s->name;
        char size[16];
        if (kib < 99999.5)
            snprintf(size, sizeof size, "%.0fK", kib);
        else
            snprintf(size, sizeof size, "%.0fM", kib / 1024.0);
        ui_fill(y + 1 + r, x, w, attr);
        ui_put(y + 1 + r, x, w, attr, "[%c] %-*.*s %8s %-3.3s %6s", app->selected[i] ? 'x' : ' ',
               nw, nw, name, shape, kind, size);
    }
}

static int event(ui_panel *self, ui_app *app, ui_event *ev)
{
    samples_panel *sp = (samples_panel *)self;
    if (ui_list_nav(&sp->cursor, app->n_samples, self->h - 1, ev))
        return UI_HANDLED;
    if (ui_is_click(ev)) {
        if (ui_list_click(&sp->cursor, app->n_samples, sp->scroll, ev->y - 1) && ev->x < 3)
            app->selected[sp->cursor] ^= 1; /* the [x] box */
        return UI_HANDLED;
    }
    if (ev->key == ' ' || ui_is_enter(ev->key)) {
        if (app->n_samples) {
            app->selected[sp->cursor] ^= 1;
            if (sp->cursor + 1 < app->n_samples)
                sp->cursor++;
        }
        return UI_HANDLED;
    }
    return UI_IGNORED;
}

static void destroy(ui_panel *self)
{
    free(((samples_panel *)self)->names);
    free(self);
}

static const ui_key_help keys[] = {
    {"j k", NULL, "move (arrows, PgUp/PgDn)"},
    {"Space Enter", "Select", "select the sample, or not"},
    {"a", "All", "all samples, or none"},
    {NULL, NULL, NULL},
};

static const ui_panel_class samples_class = {
    .name = "Samples", .draw = draw, .event = event, .destroy = destroy,
    .keys = keys,
};

ui_panel *ui_samples_new(void)
{
    samples_panel *sp = calloc(1, sizeof *sp);
    if (!sp)
        return NULL;
    sp->super.cls = &samples_class;
    return &sp->super;
}
