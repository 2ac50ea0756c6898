/* panel_queue.c - the pipelines queued to run side by side. Enter loads one
 * into the builder, d removes it, w/l save and load the queue. */
#include <string.h>
#include "app.h"
#include "crt.h"

static void draw(ui_app *app, int y, int x, int h, int w, int focused)
{
    ui_panel_title(y, x, w, focused, "Queue (%zu)  w save  l load  d remove", app->n_queue);
    size_t *cur = &app->cursor[FOCUS_QUEUE], *scroll = &app->scroll[FOCUS_QUEUE];
    int rows = h - 1;
    ui_list_scroll(scroll, *cur, rows);
    if (app->n_queue == 0)
        ui_put(y + 1, x, w, crt_attr(CRT_DIM), "empty: Enter on the pipeline queues it");
    int r = 0;
    for (; r < rows; r++) {
        size_t i = *scroll + (size_t)r;
        if (i >= app->n_queue)
            break;
        int attr = focused && i == *cur ? crt_attr(CRT_CURSOR) : 0;
        ui_put(y + 1 + r, x, w, attr, "%2zu %s", i + 1, app->queue[i]);
    }
    if (app->solution[0] && r + (app->n_queue == 0) < rows) /* E sets it */
        ui_put(y + 1 + r + (app->n_queue == 0), x, w, crt_attr(CRT_HEADER), " + solution %s",
               app->solution);
}

static int key(ui_app *app, int k)
{
    size_t *cur = &app->cursor[FOCUS_QUEUE];
    if (ui_list_nav(cur, app->n_queue, 5, k))
        return UI_HANDLED;
    if (app->n_queue == 0)
        return UI_IGNORED;
    switch (k) {
    case 'd':
    case 'x':
    case KEY_DC:
        memmove(app->queue[*cur], app->queue[*cur + 1],
                (app->n_queue - *cur - 1) * sizeof app->queue[0]);
        app->n_queue--;
        if (*cur >= app->n_queue && *cur)
            (*cur)--;
        return UI_HANDLED;
    case '\n':
    case '\r':
    case KEY_ENTER: {
        mx_error err = {0};
        mx_pipeline p;
        if (mx_pipeline_parse(app->queue[*cur], &p, &err) == 0 && p.automatic) {
            ui_status(app, 0, "auto picks its pipeline per matrix: nothing to edit");
        } else if (err.msg[0] == 0) {
            app->builder = p;
            app->builder_cursor = 0;
            ui_status(app, 0, "editing %s", app->queue[*cur]);
        }
        return UI_HANDLED;
    }
    }
    return UI_IGNORED;
}

const ui_panel_class ui_queue_panel = {draw, key};
