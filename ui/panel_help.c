/* panel_help.c - every key, from the same tables the footer uses: the
 * global keys, then each tile's. Two columns when the screen is 80 wide,
 * so all of it shows at 80 x 24; on a smaller screen it scrolls. Any other
 * key closes it. */
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "crt.h"
#include "draw.h"
#include "panels.h"

#define MAX_LINES 96
#define LABEL_W 12
#define COLUMN_W 40

typedef struct {
    const char *label, *text; /* a section title has no text */
} line;

typedef struct {
    ui_panel super;
    line lines[MAX_LINES];
    size_t n;
    size_t top;  /* first line shown when it scrolls */
    int scrolls; /* it does not fit: one column that scrolls */
} help_panel;

static void add_section(help_panel *hp, const char *name, const ui_key_help *keys)
{
    if (hp->n < MAX_LINES)
        hp->lines[hp->n++] = (line){name, NULL};
    for (const ui_key_help *k = keys; k && k->label && hp->n < MAX_LINES; k++)
        hp->lines[hp->n++] = (line){k->label, k->help};
}

/* Lines in the first column, and columns (0: one that scrolls) for a
 * body of rows x w: a new column starts at a section when it can. */
static int columns_for(const help_panel *hp, int rows, int w, size_t *split)
{
    size_t r = (size_t)rows;
    if (hp->n <= r) {
        *split = hp->n;
        return 1;
    }
    if (w < 2 * COLUMN_W || hp->n > 2 * r)
        return 0;
    for (size_t s = r; s >= hp->n - r && s > 0; s--)
        if (!hp->lines[s].text) { /* a section starts the second column */
            *split = s;
            return 2;
        }
    size_t s = r;
    if (!hp->lines[s - 1].text) /* no title alone at the foot of a column */
        s--;
    *split = s;
    return hp->n - s <= r ? 2 : 0;
}

static void draw_line(const line *l, int y, int x, int w)
{
    if (!l->text)
        ui_put(y, x, w, A_BOLD, "%s", l->label);
    else
        ui_put(y, x, w, A_NORMAL, " %-*s %s", LABEL_W - 1, l->label, l->text);
}

static void draw(ui_panel *self, ui_app *app, int focused)
{
    (void)app, (void)focused;
    help_panel *hp = (help_panel *)self;
    int y = self->y, x = self->x, h = self->h, w = self->w;
    int rows = h - 2;
    ui_title(y, x, w, 1, "Help: every key (the footer shows the focused panel's)");
    size_t split;
    int cols = columns_for(hp, rows, w, &split);
    hp->scrolls = cols == 0;
    if (cols) {
        for (size_t i = 0; i < hp->n; i++) {
            int c = i >= split, r = (int)(c ? i - split : i);
            draw_line(&hp->lines[i], y + 1 + r, x + 1 + c * (w / 2), w / 2 - 1);
        }
        ui_put(y + h - 1, x + 1, w - 1, A_BOLD, "Press any key to close.");
        return;
    }
    if (hp->top + (size_t)rows > hp->n)
        hp->top = hp->n > (size_t)rows ? hp->n - (size_t)rows : 0;
    for (int r = 0; r < rows && hp->top + (size_t)r < hp->n; r++)
        draw_line(&hp->lines[hp->top + (size_t)r], y + 1 + r, x + 1, w - 1);
    ui_put(y + h - 1, x + 1, w - 1, A_BOLD, "Lines %zu-%zu of %zu: j k scroll. Press any key to close.",
           hp->top + 1, hp->top + (size_t)rows < hp->n ? hp->top + (size_t)rows : hp->n, hp->n);
}

static int event(ui_panel *self, ui_app *app, ui_event *ev)
{
    (void)app;
    help_panel *hp = (help_panel *)self;
    if (hp->scrolls) {
        size_t last = hp->n ? hp->n - 1 : 0;
        if (ui_list_nav(&hp->top, last + 1, self->h - 2, ev))
            return UI_HANDLED;
    }
    if (ev->key == KEY_MOUSE)
        return UI_HANDLED;
    return UI_HANDLED | UI_POP;
}

static const ui_key_help keys[] = {
    {"Esc", "Close", "close the help"},
    {NULL, NULL, NULL},
};

static const ui_panel_class help_class = {
    .name = "Help", .draw = draw, .event = event, .resize = ui_place_body, .keys = keys, .covers = 1,
};

ui_panel *ui_help_new(ui_app *app)
{
    help_panel *hp = calloc(1, sizeof *hp);
    if (!hp)
        return NULL;
    hp->super.cls = &help_class;
    add_section(hp, "Global", ui_global_keys);
    for (size_t i = 0; i < app->screen.n_tiles; i++)
        add_section(hp, app->screen.tile[i]->cls->name, app->screen.tile[i]->cls->keys);
    return &hp->super;
}
