/* picker.c - a popup list of the stages of one kind, straight from the
 * stage table. Typing filters by prefix, Up/Down move, Enter picks. */
#include <string.h>
#include "app.h"
#include "crt.h"

static size_t matches(ui_app *app, const mx_stage **out)
{
    size_t n = 0;
    mx_stage_kind want = app->picker_entropy ? MX_STAGE_ENTROPY : MX_STAGE_TRANSFORM;
    for (size_t i = 0; mx_stages[i]; i++)
        if (mx_stages[i]->kind == want &&
            strncmp(mx_stages[i]->name, app->picker_filter, strlen(app->picker_filter)) == 0)
            out[n++] = mx_stages[i];
    return n;
}

void ui_picker_open(ui_app *app, int entropy)
{
    app->mode = MODE_PICKER;
    app->picker_entropy = entropy;
    app->picker_filter[0] = 0;
    app->picker_cursor = 0;
}

int ui_picker_key(ui_app *app, int k)
{
    const mx_stage *list[64];
    size_t n = matches(app, list);
    size_t f = strlen(app->picker_filter);
    if (ui_list_nav(&app->picker_cursor, n, 5, k))
        return UI_HANDLED;
    switch (k) {
    case 27:
        app->mode = MODE_NORMAL;
        return UI_HANDLED;
    case '\n':
    case '\r':
    case KEY_ENTER:
        app->mode = MODE_NORMAL;
        if (n && ui_builder_insert(app, list[app->picker_cursor]) == 0) {
            app->focus = FOCUS_BUILDER;
            ui_status(app, 0, "added %s; +/- change its parameter", list[app->picker_cursor]->name);
        }
        return UI_HANDLED;
    case KEY_BACKSPACE:
    case 127:
    case 8:
        if (f)
            app->picker_filter[f - 1] = 0;
        app->picker_cursor = 0;
        return UI_HANDLED;
    case KEY_RESIZE:
        clear();
        return UI_HANDLED;
    }
    if (k > 32 && k < 127 && f + 1 < sizeof app->picker_filter) {
        app->picker_filter[f] = (char)k;
        app->picker_filter[f + 1] = 0;
        app->picker_cursor = 0;
    }
    return UI_HANDLED;
}

void ui_picker_draw(ui_app *app, int h, int w)
{
    /* drawn straight on stdscr (a separate window would be painted over by
     * the next full refresh of the screen) */
    const mx_stage *list[64];
    size_t n = matches(app, list);
    int pw = w - 8 < 76 ? w - 8 : 76, ph = (int)(n ? n : 1) + 2;
    if (ph > h - 4)
        ph = h - 4;
    int y = (h - ph) / 2, x = (w - pw) / 2;
    for (int r = 0; r < ph; r++)
        mvhline(y + r, x, ' ', pw);
    mvhline(y, x, ACS_HLINE, pw);
    mvhline(y + ph - 1, x, ACS_HLINE, pw);
    mvvline(y, x, ACS_VLINE, ph);
    mvvline(y, x + pw - 1, ACS_VLINE, ph);
    mvaddch(y, x, ACS_ULCORNER);
    mvaddch(y, x + pw - 1, ACS_URCORNER);
    mvaddch(y + ph - 1, x, ACS_LLCORNER);
    mvaddch(y + ph - 1, x + pw - 1, ACS_LRCORNER);
    ui_put(y, x + 2, pw - 4, A_BOLD, " %s: %s_ ", app->picker_entropy ? "entropy stage" : "transform",
           app->picker_filter);
    if (app->picker_cursor >= n && n)
        app->picker_cursor = n - 1;
    size_t scroll = 0;
    ui_list_scroll(&scroll, app->picker_cursor, ph - 2);
    for (int r = 0; r < ph - 2; r++) {
        size_t i = scroll + (size_t)r;
        if (i >= n)
            break;
        int attr = i == app->picker_cursor ? crt_attr(CRT_CURSOR) : 0;
        ui_put(y + 1 + r, x + 1, pw - 2, attr, " %-11s %-*.*s", list[i]->name, pw - 16, pw - 16,
               list[i]->summary);
    }
    if (!n)
        ui_put(y + 1, x + 2, pw - 4, A_NORMAL, "no stage starts with '%s'", app->picker_filter);
}
