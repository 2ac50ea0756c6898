/* draw.c - text, titles, frames and list behaviour for the panels. */
#include "draw.h"
#include <stdarg.h>
#include <stdio.h>
#include "crt.h"

void ui_put(int y, int x, int w, int attr, const char *fmt, ...)
{
    if (w <= 0)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    attron(attr);
    mvaddnstr(y, x, buf, w);
    attroff(attr);
}

void ui_fill(int y, int x, int w, int attr)
{
    if (w <= 0)
        return;
    attron(attr);
    mvhline(y, x, ' ', w);
    attroff(attr);
}

void ui_title(int y, int x, int w, int focused, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    int attr = focused ? crt_attr(CRT_TITLE) : crt_attr(CRT_HEADER);
    ui_fill(y, x, w, attr);
    ui_put(y, x, w, attr, "%s", buf);
}

void ui_box(int y, int x, int h, int w)
{
    if (h < 2 || w < 2)
        return;
    for (int r = 0; r < h; r++)
        mvhline(y + r, x, ' ', w);
    mvhline(y, x, ACS_HLINE, w);
    mvhline(y + h - 1, x, ACS_HLINE, w);
    mvvline(y, x, ACS_VLINE, h);
    mvvline(y, x + w - 1, ACS_VLINE, h);
    mvaddch(y, x, ACS_ULCORNER);
    mvaddch(y, x + w - 1, ACS_URCORNER);
    mvaddch(y + h - 1, x, ACS_LLCORNER);
    mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
}

int ui_is_click(const ui_event *ev)
{
    return ev->key == KEY_MOUSE && (ev->button & (BUTTON1_PRESSED | BUTTON1_CLICKED));
}

int ui_is_enter(int key)
{
    return key == '\n' || key == '\r' || key == KEY_ENTER;
}

int ui_list_nav(size_t *cursor, size_t n, int page, const ui_event *ev)
{
    int key = ev->key;
    if (key == KEY_MOUSE) /* the wheel moves like the arrows */
        key = ev->button & BUTTON4_PRESSED ? KEY_UP : ev->button & BUTTON5_PRESSED ? KEY_DOWN : 0;
    if (n == 0)
        return key == KEY_UP || key == KEY_DOWN || key == 'j' || key == 'k' ? UI_HANDLED
                                                                             : UI_IGNORED;
    size_t c = *cursor, p = page > 1 ? (size_t)page - 1 : 1;
    switch (key) {
    case KEY_UP: case 'k': c = c ? c - 1 : 0; break;
    case KEY_DOWN: case 'j': c = c + 1 < n ? c + 1 : n - 1; break;
    case KEY_PPAGE: c = c > p ? c - p : 0; break;
    case KEY_NPAGE: c = c + p < n ? c + p : n - 1; break;
    case KEY_HOME: c = 0; break;
    case KEY_END: c = n - 1; break;
    default: return UI_IGNORED;
    }
    *cursor = c;
    return UI_HANDLED;
}

void ui_list_scroll(size_t *scroll, size_t cursor, size_t n, int rows)
{
    size_t r = rows > 0 ? (size_t)rows : 1;
    if (cursor < *scroll)
        *scroll = cursor;
    else if (cursor >= *scroll + r)
        *scroll = cursor - r + 1;
    if (*scroll + r > n) /* a window grown (resize) shows the top, not blank rows */
        *scroll = n > r ? n - r : 0;
}

int ui_list_click(size_t *cursor, size_t n, size_t scroll, int row)
{
    if (row < 0 || scroll + (size_t)row >= n)
        return 0;
    *cursor = scroll + (size_t)row;
    return 1;
}
