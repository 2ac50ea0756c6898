/* panel_confirm.c - a yes/no question on the status line, before a file
 * is overwritten: y does it, n or Esc leaves the file alone. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "crt.h"
#include "draw.h"
#include "panels.h"

typedef struct {
    ui_panel super;
    char question[PATH_MAX + 64];
    char path[PATH_MAX];
    char arg[MX_SPEC_MAX];
    ui_yes_fn yes; /* NULL: the question is whether to quit */
    char no[160];  /* what n says; "" for a file left as it was */
} confirm_panel;

static void draw(ui_panel *self, ui_app *app, int focused)
{
    (void)app, (void)focused;
    confirm_panel *c = (confirm_panel *)self;
    ui_fill(self->y, 0, self->w, crt_attr(CRT_STATUS_ERROR));
    ui_put(self->y, 0, self->w, crt_attr(CRT_STATUS_ERROR), "%s", c->question);
}

static int event(ui_panel *self, ui_app *app, ui_event *ev)
{
    confirm_panel *c = (confirm_panel *)self;
    switch (ev->key) {
    case 'y':
        if (!c->yes)
            return UI_HANDLED | UI_POP | UI_QUIT;
        c->yes(app, c->path, c->arg, 1);
        return UI_HANDLED | UI_POP;
    case 'n':
    case 27:
        if (c->no[0])
            ui_status(app, 0, "%s", c->no);
        else
            ui_status(app, 0, "%s left as it was: nothing written", c->path);
        return UI_HANDLED | UI_POP;
    }
    return UI_HANDLED; /* an answer is wanted */
}

static const ui_key_help keys[] = {
    {"y", "Yes", "overwrite"},
    {"n Esc", "No", "keep the file"},
    {NULL, NULL, NULL},
};

static const ui_panel_class confirm_class = {
    .name = "Question", .draw = draw, .event = event, .resize = ui_place_status, .keys = keys,
};

ui_panel *ui_confirm_new(const char *question, const char *path, const char *arg, ui_yes_fn yes)
{
    confirm_panel *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->super.cls = &confirm_class;
    snprintf(c->question, sizeof c->question, "%s", question);
    snprintf(c->path, sizeof c->path, "%s", path);
    snprintf(c->arg, sizeof c->arg, "%s", arg ? arg : "");
    c->yes = yes;
    return &c->super;
}

ui_panel *ui_confirm_ask_new(const char *question, const char *path, const char *arg, ui_yes_fn yes,
                             const char *no)
{
    confirm_panel *c = (confirm_panel *)ui_confirm_new(question, path, arg, yes);
    if (!c)
        return NULL;
    snprintf(c->no, sizeof c->no, "%s", no);
    return &c->super;
}

ui_panel *ui_confirm_quit_new(const char *question)
{
    return ui_confirm_ask_new(question, "", NULL, NULL, "the run goes on (c cancels it)");
}
