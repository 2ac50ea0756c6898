/* panel.h - a panel, htop style: an object of a class (a small vtable) with
 * its own state. A panel type embeds ui_panel first and keeps its cursor,
 * scroll, text or cache beside it; the app's data (samples, queue, run)
 * stays in ui_app. Panels either tile the screen or sit on its stack
 * (screen.h). Internal to ui/. */
#ifndef MX_UI_PANEL_H
#define MX_UI_PANEL_H
#include <stddef.h>

/* What an event handler did: a mask. */
enum {
    UI_IGNORED = 0,
    UI_HANDLED = 1 << 0, /* the event was for this panel */
    UI_REDRAW = 1 << 1,  /* repaint the whole terminal, not just what changed */
    UI_QUIT = 1 << 2,
    UI_PUSH = 1 << 3,    /* put ev->push on the stack */
    UI_POP = 1 << 4,     /* take this panel off the stack (first, with UI_PUSH) */
};

typedef struct ui_app ui_app;
typedef struct ui_panel ui_panel;

/* A key, or KEY_MOUSE with where (relative to the panel) and which button. */
typedef struct {
    int key;
    int y, x;
    unsigned long button; /* ncurses mmask_t bits */
    ui_panel *push;       /* out: what to push with UI_PUSH */
} ui_event;

/* One line of a class's keys: the help lists them all, the footer those
 * with a footer name. Tables end with a NULL label. */
typedef struct {
    const char *label;  /* the key(s), as the user types them */
    const char *footer; /* short name in the footer, or NULL */
    const char *help;   /* what it does, in a few words */
} ui_key_help;

typedef struct {
    const char *name; /* section of the help */
    void (*draw)(ui_panel *self, ui_app *app, int focused);
    int (*event)(ui_panel *self, ui_app *app, ui_event *ev);
    /* Given the screen (stacked panels) or its tile (tiles): takes its
     * place. NULL: the rectangle as given. */
    void (*resize)(ui_panel *self, int y, int x, int h, int w);
    /* The pipeline this panel has selected, for keys that act on "the
     * selected pipeline" (export); NULL or 0: none here. */
    int (*selected_spec)(ui_panel *self, ui_app *app, char *buf, size_t n);
    void (*destroy)(ui_panel *self); /* NULL: free() */
    const ui_key_help *keys;
    int covers;    /* a stacked panel hiding the tiles (help, detail) */
    int edits;     /* shows the text cursor (a line editor) */
} ui_panel_class;

struct ui_panel {
    const ui_panel_class *cls;
    int y, x, h, w;
};

/* Stores the rectangle: the default resize. */
void ui_panel_place(ui_panel *p, int y, int x, int h, int w);
void ui_panel_free(ui_panel *p);
/* 1 when the screen cell (y, x) is inside p. */
int ui_panel_contains(const ui_panel *p, int y, int x);
#endif
