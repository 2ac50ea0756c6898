/* screen.h - what is on the screen, like htop's ScreenManager: tiles side
 * by side (one has the focus) and a stack of panels above them (help,
 * detail, prompts, menus, questions). Events go to the top of the stack,
 * else to the focused tile; a handler's UI_PUSH / UI_POP change the stack.
 * The screen owns every panel on it. Internal to ui/. */
#ifndef MX_UI_SCREEN_H
#define MX_UI_SCREEN_H
#include "panel.h"

#define UI_MAX_TILES 4
#define UI_MAX_STACK 8

typedef struct ui_screen {
    ui_panel *tile[UI_MAX_TILES];
    size_t n_tiles, focus;
    ui_panel *stack[UI_MAX_STACK];
    size_t depth;
    /* places the tiles on a screen of h x w */
    void (*layout)(ui_panel *const *tile, size_t n, int h, int w);
    int h, w; /* the size last laid out for; 0 forces a new layout */
} ui_screen;

/* The rows between the title (and its progress bar) and the status line. */
void ui_screen_body(int h, int w, int *y, int *x, int *bh, int *bw);

/* resize functions for stacked panels, given the whole screen: the body
 * (help, detail), or the status line (prompts, questions). */
void ui_place_body(ui_panel *p, int y, int x, int h, int w);
void ui_place_status(ui_panel *p, int y, int x, int h, int w);

int ui_screen_add_tile(ui_screen *s, ui_panel *p);
/* Pushes p (the screen then owns it); when the stack is full p is freed
 * and -1 returned. */
int ui_screen_push(ui_screen *s, ui_panel *p);
void ui_screen_pop(ui_screen *s);
ui_panel *ui_screen_top(const ui_screen *s);
/* 1 when a stacked panel hides the tiles. */
int ui_screen_covered(const ui_screen *s);
ui_panel *ui_screen_focused(const ui_screen *s);
void ui_screen_focus(ui_screen *s, const ui_panel *tile);
void ui_screen_cycle(ui_screen *s, int dir);

/* Lays out (when the size changed) and draws the tiles, or from the
 * topmost covering panel up, then between(app, h, w), then the stack. */
void ui_screen_draw(ui_screen *s, ui_app *app, int h, int w,
                    void (*between)(ui_app *app, int h, int w));
/* Delivers ev (screen coordinates for a mouse event) and applies the
 * stack changes; returns the handler's mask. A click on a tile focuses
 * it; a click outside the top of the stack is swallowed. */
int ui_screen_event(ui_screen *s, ui_app *app, ui_event *ev);
void ui_screen_free(ui_screen *s);
#endif
