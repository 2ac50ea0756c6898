/* panels.h - the panel classes (one file each) and what other parts of the
 * app may ask of them. Internal to ui/.
 *
 * Tiles:   samples, pipeline (the builder), queue, results.
 * Stacked: help, detail, prompt (a line editor), menu (a list to pick
 *          from: stages, sort columns), confirm (a yes/no question). */
#ifndef MX_UI_PANELS_H
#define MX_UI_PANELS_H
#include <stddef.h>
#include "../src/pipeline.h"
#include "panel.h"

ui_panel *ui_samples_new(void);
ui_panel *ui_queue_new(void);
ui_panel *ui_results_new(void);

/* The builder starts at the app's default pipeline (auto). */
ui_panel *ui_builder_new(void);
/* The pipeline in the builder, as a spec. */
void ui_builder_spec(const ui_panel *builder, char *buf, size_t n);
/* Puts p in the builder (when it is worth running); 0 or -1. */
int ui_builder_load(ui_panel *builder, ui_app *app, const mx_pipeline *p);
/* Opens the stage menu for the builder: a transform, or the entropy stage. */
ui_panel *ui_builder_picker(ui_panel *builder, int entropy);

ui_panel *ui_help_new(ui_app *app);
ui_panel *ui_detail_new(ui_app *app, size_t column);

/* Accepting a prompt: the text typed and the prompt's arg; returns a
 * handler mask (it may push a question). */
typedef int (*ui_accept_fn)(ui_app *app, const char *text, const char *arg, ui_event *ev);
/* history: Up/Down walk the typed specs; arg (may be NULL) goes to accept. */
ui_panel *ui_prompt_new(const char *label, const char *initial, int history, ui_accept_fn accept,
                        const char *arg);

/* Picking an item of a menu; owner is the panel that opened it. */
typedef int (*ui_pick_fn)(ui_app *app, void *owner, size_t index);
/* A menu of n items (label and one line each); typing filters by prefix. */
ui_panel *ui_menu_new(const char *title, const char *const *labels, const char *const *lines,
                      size_t n, size_t cursor, ui_pick_fn pick, void *owner);

/* A yes/no question on the status line about a file; y runs
 * yes(app, path, arg, 1): force, the file may be overwritten. */
typedef void (*ui_yes_fn)(ui_app *app, const char *path, const char *arg, int force);
ui_panel *ui_confirm_new(const char *question, const char *path, const char *arg, ui_yes_fn yes);
/* The same with what n or Esc says (about something other than a file). */
ui_panel *ui_confirm_ask_new(const char *question, const char *path, const char *arg, ui_yes_fn yes,
                             const char *no);
/* The same question whether to quit: y quits, n or Esc goes on. */
ui_panel *ui_confirm_quit_new(const char *question);
#endif
