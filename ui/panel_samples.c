/* panel_samples.c - the sample list: shape, kind, size; Space selects. */
#include <curses.h>
#include <string.h>
#include "app.h"
#include "crt.h"

static void draw(ui_app *app, int y, int x, int h, int w, int focused)
{
    size_t n_sel = 0;
    for (size_t i = 0; i < app->n_samples; i++)
        n_sel += app->selected[i];
    ui_panel_title(y, x, w, focused, "Samples (%zu/%zu selected)", n_sel, app->n_samples);
    size_t *cur = &app->cursor[FOCUS_SAMPLES], *scroll = &app->scroll[FOCUS_SAMPLES];
    int rows = h - 1;
    ui_list_scroll(scroll, *cur, rows);
    for (int r = 0; r < rows; r++) {
        size_t i = *scroll + (size_t)r;
        if (i >= app->n_samples)
            break;
        const mx_sample *s = &app->samples[i];
        int attr = app->selected[i] ? crt_attr(CRT_SELECTED) : 0;
        if (focused && i == *cur)
            attr |= crt_attr(CRT_CURSOR);
        char shape[48];
        snprintf(shape, sizeof shape, "%llux%llu", (unsigned long long)s->m.rows,
                 (unsigned long long)s->m.cols);
        double kib = (double)(s->m.rows * s->m.cols * 2) / 1024.0;
        int namew = w - 25 > 8 ? w - 25 : 8;
        const char *kind = !strcmp(s->kind, "forward") ? "fwd" : !strcmp(s->kind, "backward") ? "bwd"
                           : s->kind[0] ? s->kind : "-";
        attron(attr);
        mvhline(y + 1 + r, x, ' ', w);
        attroff(attr);
        ui_put(y + 1 + r, x, w, attr, "[%c] %-*.*s %9s %-3.3s %5.0fK",
               app->selected[i] ? 'x' : ' ', namew, namew, s->name, shape, kind, kib);
    }
}

static int key(ui_app *app, int k)
{
    size_t *cur = &app->cursor[FOCUS_SAMPLES];
    int h = getmaxy(stdscr);
    if (ui_list_nav(cur, app->n_samples, h / 3, k))
        return UI_HANDLED;
    switch (k) {
    case ' ':
        if (app->n_samples) {
            app->selected[*cur] ^= 1;
            if (*cur + 1 < app->n_samples)
                (*cur)++;
        }
        return UI_HANDLED;
    case 'a': {
        int all = 1;
        for (size_t i = 0; i < app->n_samples; i++)
            all &= app->selected[i];
        for (size_t i = 0; i < app->n_samples; i++)
            app->selected[i] = (unsigned char)!all;
        return UI_HANDLED;
    }
    }
    return UI_IGNORED;
}

const ui_panel_class ui_samples_panel = {draw, key};
