/* draw.h - drawing helpers every panel uses, and the list behaviour the
 * list panels share (moving, scrolling, clicking a row). Internal to ui/. */
#ifndef MX_UI_DRAW_H
#define MX_UI_DRAW_H
#include <stddef.h>
#include "panel.h"

/* Text clipped to w columns at (y, x). */
void ui_put(int y, int x, int w, int attr, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* A row of w blanks in attr. */
void ui_fill(int y, int x, int w, int attr);
/* A panel's title line, highlighted when the panel has the focus. */
void ui_title(int y, int x, int w, int focused, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* A cleared rectangle with a frame. */
void ui_box(int y, int x, int h, int w);

/* Moves *cursor for Up/Down, j/k, PgUp/PgDn, Home/End and the wheel (a
 * KEY_MOUSE event); returns UI_HANDLED when ev was one of those. */
int ui_list_nav(size_t *cursor, size_t n, int page, const ui_event *ev);
/* Keeps the cursor of a list of n items in a window of rows rows starting
 * at *scroll, and the window full when the list allows. */
void ui_list_scroll(size_t *scroll, size_t cursor, size_t n, int rows);
/* A click on row `row` of a list's window (0: its first row) scrolled to
 * scroll: moves *cursor there; 1 when it hit an item. */
int ui_list_click(size_t *cursor, size_t n, size_t scroll, int row);
/* 1 for a left-button click (not the wheel). */
int ui_is_click(const ui_event *ev);
/* 1 for Enter, whichever key the terminal sends. */
int ui_is_enter(int key);
#endif
