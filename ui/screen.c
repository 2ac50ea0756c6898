/* screen.c - the tiles, the stack and who gets an event. */
#include "screen.h"
#include <curses.h>
#include <stdlib.h>
#include "crt.h"

void ui_panel_place(ui_panel *p, int y, int x, int h, int w)
{
    p->y = y, p->x = x, p->h = h, p->w = w;
}

void ui_panel_free(ui_panel *p)
{
    if (!p)
        return;
    if (p->cls->destroy)
        p->cls->destroy(p);
    else
        free(p);
}

int ui_panel_contains(const ui_panel *p, int y, int x)
{
    return y >= p->y && y < p->y + p->h && x >= p->x && x < p->x + p->w;
}

void ui_screen_body(int h, int w, int *y, int *x, int *bh, int *bw)
{
    *y = 2;
    *x = 0;
    *bh = h - 4;
    *bw = w;
}

void ui_place_body(ui_panel *p, int y, int x, int h, int w)
{
    (void)y, (void)x;
    int by, bx, bh, bw;
    ui_screen_body(h, w, &by, &bx, &bh, &bw);
    ui_panel_place(p, by, bx, bh, bw);
}

void ui_place_status(ui_panel *p, int y, int x, int h, int w)
{
    (void)y, (void)x;
    ui_panel_place(p, h - 2, 0, 1, w);
}

int ui_screen_add_tile(ui_screen *s, ui_panel *p)
{
    if (!p || s->n_tiles == UI_MAX_TILES) {
        ui_panel_free(p);
        return -1;
    }
    s->tile[s->n_tiles++] = p;
    s->h = 0;
    return 0;
}

static void place(ui_panel *p, int h, int w)
{
    if (p->cls->resize)
        p->cls->resize(p, 0, 0, h, w);
    else
        ui_panel_place(p, 0, 0, h, w);
}

int ui_screen_push(ui_screen *s, ui_panel *p)
{
    if (!p)
        return -1;
    if (s->depth == UI_MAX_STACK) {
        ui_panel_free(p);
        return -1;
    }
    s->stack[s->depth++] = p;
    if (s->h)
        place(p, s->h, s->w);
    return 0;
}

void ui_screen_pop(ui_screen *s)
{
    if (s->depth)
        ui_panel_free(s->stack[--s->depth]);
}

ui_panel *ui_screen_top(const ui_screen *s)
{
    return s->depth ? s->stack[s->depth - 1] : NULL;
}

int ui_screen_covered(const ui_screen *s)
{
    for (size_t i = 0; i < s->depth; i++)
        if (s->stack[i]->cls->covers)
            return 1;
    return 0;
}

ui_panel *ui_screen_focused(const ui_screen *s)
{
    return s->n_tiles ? s->tile[s->focus] : NULL;
}

void ui_screen_focus(ui_screen *s, const ui_panel *tile)
{
    for (size_t i = 0; i < s->n_tiles; i++)
        if (s->tile[i] == tile)
            s->focus = i;
}

void ui_screen_cycle(ui_screen *s, int dir)
{
    if (s->n_tiles)
        s->focus = (s->focus + s->n_tiles + (size_t)(dir < 0 ? -1 : 1)) % s->n_tiles;
}

void ui_screen_draw(ui_screen *s, ui_app *app, int h, int w,
                    void (*between)(ui_app *app, int h, int w))
{
    if (h != s->h || w != s->w) {
        s->h = h, s->w = w;
        if (s->layout)
            s->layout(s->tile, s->n_tiles, h, w);
        for (size_t i = 0; i < s->depth; i++)
            place(s->stack[i], h, w);
    }
    size_t from = 0; /* the topmost covering panel hides everything under it */
    for (size_t i = s->depth; i-- > 0;)
        if (s->stack[i]->cls->covers) {
            from = i;
            break;
        }
    if (!s->depth || !s->stack[from]->cls->covers)
        for (size_t i = 0; i < s->n_tiles; i++)
            s->tile[i]->cls->draw(s->tile[i], app, i == s->focus && !s->depth);
    if (between)
        between(app, h, w);
    for (size_t i = from; i < s->depth; i++)
        s->stack[i]->cls->draw(s->stack[i], app, i + 1 == s->depth);
    ui_panel *top = ui_screen_top(s);
    crt_cursor(top && top->cls->edits); /* the editor drew last: the cursor is where it left it */
}

int ui_screen_event(ui_screen *s, ui_app *app, ui_event *ev)
{
    ui_panel *target = s->depth ? s->stack[s->depth - 1] : ui_screen_focused(s);
    if (!target)
        return UI_IGNORED;
    if (ev->key == KEY_MOUSE) {
        if (!s->depth) {
            target = NULL;
            for (size_t i = 0; i < s->n_tiles; i++)
                if (ui_panel_contains(s->tile[i], ev->y, ev->x)) {
                    s->focus = i;
                    target = s->tile[i];
                }
            if (!target)
                return UI_IGNORED; /* the title, status or footer: the app's */
        } else if (!ui_panel_contains(target, ev->y, ev->x)) {
            return UI_HANDLED;
        }
        ev->y -= target->y;
        ev->x -= target->x;
    }
    ev->push = NULL;
    int r = target->cls->event(target, app, ev);
    if ((r & UI_POP) && s->depth && target == s->stack[s->depth - 1])
        ui_screen_pop(s);
    if (r & UI_PUSH)
        ui_screen_push(s, ev->push);
    return r;
}

void ui_screen_free(ui_screen *s)
{
    while (s->depth)
        ui_screen_pop(s);
    for (size_t i = 0; i < s->n_tiles; i++)
        ui_panel_free(s->tile[i]);
    s->n_tiles = 0;
}
