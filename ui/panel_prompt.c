/* panel_prompt.c - a one-line editor on the status line: a spec (Up/Down
 * walk the history) or a file name. Enter accepts, Esc cancels; what the
 * answer means is the accept function's (given by who opened it). */
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "crt.h"
#include "draw.h"
#include "panels.h"

typedef struct {
    ui_panel super;
    char label[MX_SPEC_MAX + 64];
    char text[MX_SPEC_MAX];
    size_t len;
    int history;       /* walks app->history */
    long history_pos;  /* -1: not started */
    ui_accept_fn accept;
    char arg[MX_SPEC_MAX];
} prompt_panel;

static void draw(ui_panel *self, ui_app *app, int focused)
{
    (void)app, (void)focused;
    prompt_panel *p = (prompt_panel *)self;
    int y = self->y, w = self->w;
    int lw = (int)strlen(p->label);
    if (lw > w / 2)
        lw = w / 2;
    ui_fill(y, 0, w, A_NORMAL);
    ui_put(y, 0, lw, A_BOLD, "%s", p->label);
    const char *t = p->text; /* show the end of a long line */
    int room = w - lw - 1;
    if ((int)p->len > room && room > 0)
        t += p->len - (size_t)room;
    ui_put(y, lw, w - lw, A_NORMAL, "%s", t);
    move(y, lw + (int)strlen(t));
}

static void set_text(prompt_panel *p, const char *t)
{
    snprintf(p->text, sizeof p->text, "%s", t);
    p->len = strlen(p->text);
}

static int event(ui_panel *self, ui_app *app, ui_event *ev)
{
    prompt_panel *p = (prompt_panel *)self;
    int k = ev->key;
    if (ui_is_enter(k)) {
        char text[MX_SPEC_MAX];
        snprintf(text, sizeof text, "%s", p->text); /* the panel goes when this returns */
        return UI_POP | p->accept(app, text, p->arg[0] ? p->arg : NULL, ev);
    }
    switch (k) {
    case 27:
        ui_status(app, 0, "cancelled");
        return UI_HANDLED | UI_POP;
    case KEY_BACKSPACE:
    case 127:
    case 8:
        if (p->len)
            p->text[--p->len] = 0;
        return UI_HANDLED;
    case 21: /* Ctrl-U */
        set_text(p, "");
        return UI_HANDLED;
    case KEY_UP:
    case KEY_DOWN:
        if (!p->history || !app->n_history)
            return UI_HANDLED;
        if (p->history_pos < 0)
            p->history_pos = (long)app->n_history;
        p->history_pos += k == KEY_UP ? -1 : 1;
        if (p->history_pos < 0)
            p->history_pos = 0;
        if (p->history_pos >= (long)app->n_history) {
            p->history_pos = (long)app->n_history;
            set_text(p, "");
        } else {
            set_text(p, app->history[p->history_pos]);
        }
        return UI_HANDLED;
    }
    if (k >= 32 && k < 127 && p->len + 1 < sizeof p->text) {
        p->text[p->len++] = (char)k;
        p->text[p->len] = 0;
    }
    return UI_HANDLED;
}

static const ui_key_help keys[] = {
    {"Enter", "OK", "accept"},
    {"Esc", "Cancel", "cancel"},
    {"^U", "Clear", "clear the line"},
    {"Up Down", "History", "earlier specs"},
    {"Bksp", NULL, "delete a character"},
    {NULL, NULL, NULL},
};

static const ui_panel_class prompt_class = {
    .name = "Prompt", .draw = draw, .event = event, .resize = ui_place_status, .keys = keys, .edits = 1,
};

ui_panel *ui_prompt_new(const char *label, const char *initial, int history, ui_accept_fn accept,
                        const char *arg)
{
    prompt_panel *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->super.cls = &prompt_class;
    snprintf(p->label, sizeof p->label, "%s", label);
    set_text(p, initial);
    p->history = history;
    p->history_pos = -1;
    p->accept = accept;
    snprintf(p->arg, sizeof p->arg, "%s", arg ? arg : "");
    return &p->super;
}
