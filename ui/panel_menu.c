/* panel_menu.c - a popup list to pick from (stages, sort columns): typing
 * filters by prefix, Up/Down or a click move, Enter picks, Esc closes. */
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "crt.h"
#include "draw.h"
#include "panels.h"

#define MAX_ITEMS 64

typedef struct {
    ui_panel super;
    char title[64];
    const char *labels[MAX_ITEMS], *lines[MAX_ITEMS]; /* static strings */
    size_t n;
    char filter[32];
    size_t cursor, scroll;
    ui_pick_fn pick;
    void *owner;
} menu_panel;

/* The items the filter lets through, as indices into labels. */
static size_t matches(const menu_panel *m, size_t *out)
{
    size_t n = 0, f = strlen(m->filter);
    for (size_t i = 0; i < m->n; i++)
        if (strncmp(m->labels[i], m->filter, f) == 0)
            out[n++] = i;
    return n;
}

/* Centred, one row per item and a frame, as wide as the screen allows. */
static void resize(ui_panel *self, int y, int x, int h, int w)
{
    (void)y, (void)x;
    menu_panel *m = (menu_panel *)self;
    int pw = w - 8 < 76 ? w - 8 : 76, ph = (int)(m->n ? m->n : 1) + 2;
    if (!m->lines[0])
        pw = pw < 32 ? pw : 32;
    if (ph > h - 4)
        ph = h - 4;
    ui_panel_place(self, (h - ph) / 2, (w - pw) / 2, ph, pw);
}

static void draw(ui_panel *self, ui_app *app, int focused)
{
    (void)app, (void)focused;
    menu_panel *m = (menu_panel *)self;
    int y = self->y, x = self->x, ph = self->h, pw = self->w;
    size_t idx[MAX_ITEMS];
    size_t n = matches(m, idx);
    ui_box(y, x, ph, pw);
    ui_put(y, x + 2, pw - 4, A_BOLD, " %s: %s_ ", m->title, m->filter);
    if (m->cursor >= n && n)
        m->cursor = n - 1;
    ui_list_scroll(&m->scroll, m->cursor, n, ph - 2);
    for (int r = 0; r < ph - 2; r++) {
        size_t i = m->scroll + (size_t)r;
        if (i >= n)
            break;
        int attr = i == m->cursor ? crt_attr(CRT_CURSOR) : 0;
        const char *line = m->lines[idx[i]] ? m->lines[idx[i]] : "";
        ui_put(y + 1 + r, x + 1, pw - 2, attr, " %-11s %-*.*s", m->labels[idx[i]], pw - 16, pw - 16,
               line);
    }
    if (!n)
        ui_put(y + 1, x + 2, pw - 4, A_NORMAL, "nothing starts with '%s'", m->filter);
}

static int event(ui_panel *self, ui_app *app, ui_event *ev)
{
    menu_panel *m = (menu_panel *)self;
    size_t idx[MAX_ITEMS];
    size_t n = matches(m, idx), f = strlen(m->filter);
    if (ev->key != 'j' && ev->key != 'k' && ui_list_nav(&m->cursor, n, self->h - 2, ev))
        return UI_HANDLED; /* j and k are text here */
    if (ui_is_click(ev)) {
        ui_list_click(&m->cursor, n, m->scroll, ev->y - 1);
        return UI_HANDLED;
    }
    if (ui_is_enter(ev->key))
        return UI_HANDLED | UI_POP | (n ? m->pick(app, m->owner, idx[m->cursor]) : 0);
    switch (ev->key) {
    case 27: return UI_HANDLED | UI_POP;
    case KEY_BACKSPACE:
    case 127:
    case 8:
        if (f)
            m->filter[f - 1] = 0;
        m->cursor = 0;
        return UI_HANDLED;
    }
    if (ev->key > 32 && ev->key < 127 && f + 1 < sizeof m->filter) {
        m->filter[f] = (char)ev->key;
        m->filter[f + 1] = 0;
        m->cursor = 0;
    }
    return UI_HANDLED;
}

static const ui_key_help keys[] = {
    {"Enter", "Pick", "pick"},
    {"Esc", "Close", "close"},
    {"abc Bksp", NULL, "filter by the first letters"},
    {NULL, NULL, NULL},
};

static const ui_panel_class menu_class = {
    .name = "Menu", .draw = draw, .event = event, .resize = resize, .keys = keys,
};

ui_panel *ui_menu_new(const char *title, const char *const *labels, const char *const *lines,
                      size_t n, size_t cursor, ui_pick_fn pick, void *owner)
{
    menu_panel *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->super.cls = &menu_class;
    snprintf(m->title, sizeof m->title, "%s", title);
    m->n = n < MAX_ITEMS ? n : MAX_ITEMS;
    for (size_t i = 0; i < m->n; i++) {
        m->labels[i] = labels[i];
        m->lines[i] = lines ? lines[i] : NULL;
    }
    m->cursor = cursor < m->n ? cursor : 0;
    m->pick = pick;
    m->owner = owner;
    return &m->super;
}
