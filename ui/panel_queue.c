/* panel_queue.c - the pipelines queued to run side by side. Enter copies
 * the highlighted one into the pipeline panel and moves there to change
 * it; d or Del removes it (and says so). */
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "crt.h"
#include "draw.h"
#include "fit.h"
#include "panels.h"

typedef struct {
    ui_panel super;
    size_t cursor, scroll;
} queue_panel;

static void draw(ui_panel *self, ui_app *app, int focused)
{
    queue_panel *q = (queue_panel *)self;
    int y = self->y, x = self->x, h = self->h, w = self->w;
    ui_title(y, x, w, focused, "Queue (%zu)  w save  l load", app->n_queue);
    if (q->cursor >= app->n_queue)
        q->cursor = app->n_queue ? app->n_queue - 1 : 0;
    int rows = h - 1;
    ui_list_scroll(&q->scroll, q->cursor, app->n_queue, rows);
    if (app->n_queue == 0)
        ui_put(y + 1, x, w, crt_attr(CRT_DIM), "empty: Enter on the pipeline queues it");
    int r = 0;
    for (; r < rows; r++) {
        size_t i = q->scroll + (size_t)r;
        if (i >= app->n_queue)
            break;
        int attr = focused && i == q->cursor ? crt_attr(CRT_CURSOR) : 0;
        ui_fill(y + 1 + r, x, w, attr);
        char fitted[MX_SPEC_MAX]; /* the tail kept: specs that differ at the end stay apart */
        ui_fit_middle(app->queue[i], w - 3, fitted, sizeof fitted);
        ui_put(y + 1 + r, x, w, attr, "%2zu %s", i + 1, fitted);
    }
    if (app->solution[0] && r + (app->n_queue == 0) < rows) { /* E sets it */
        /* the file's name, as its results row names it: a long directory
         * would push the name itself past the panel's edge */
        const char *base = strrchr(app->solution, '/');
        ui_put(y + 1 + r + (app->n_queue == 0), x, w, crt_attr(CRT_HEADER), " + solution %s",
               base ? base + 1 : app->solution);
    }
}

static int event(ui_panel *self, ui_app *app, ui_event *ev)
{
    queue_panel *q = (queue_panel *)self;
    if (ui_list_nav(&q->cursor, app->n_queue, self->h - 1, ev))
        return UI_HANDLED;
    if (ui_is_click(ev)) {
        ui_list_click(&q->cursor, app->n_queue, q->scroll, ev->y - 1);
        return UI_HANDLED;
    }
    if (app->n_queue == 0)
        return UI_IGNORED;
    if (ev->key == 'd' || ev->key == KEY_DC) {
        ui_queue_remove(app, q->cursor);
        if (q->cursor >= app->n_queue && q->cursor)
            q->cursor--;
        return UI_HANDLED;
    }
    if (ui_is_enter(ev->key)) {
        mx_pipeline p;
        const char *spec = app->queue[q->cursor];
        if (ui_spec_check(app, spec, &p) == 0 && ui_builder_load(app->builder, app, &p) == 0) {
            ui_screen_focus(&app->screen, app->builder);
            ui_status(app, 0, "%s is in the pipeline panel: change it there, Enter queues the "
                              "result", spec);
        }
        return UI_HANDLED;
    }
    return UI_IGNORED;
}

static int selected_spec(ui_panel *self, ui_app *app, char *buf, size_t n)
{
    queue_panel *q = (queue_panel *)self;
    if (q->cursor >= app->n_queue)
        return 0;
    snprintf(buf, n, "%s", app->queue[q->cursor]);
    return 1;
}

static const ui_key_help keys[] = {
    {"Enter", "Edit", "copy to the pipeline panel"},
    {"d Del", "Remove", "remove it from the queue"},
    {NULL, NULL, NULL},
};

static const ui_panel_class queue_class = {
    .name = "Queue", .draw = draw, .event = event, .selected_spec = selected_spec, .keys = keys,
};

ui_panel *ui_queue_new(void)
{
    queue_panel *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->super.cls = &queue_class;
    return &q->super;
}
