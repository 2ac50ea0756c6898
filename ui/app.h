/* app.h - the workbench's data, which its panels show and change: the
 * samples and which are selected, the queue, the history of typed specs,
 * the run and its settings, the status line. What belongs to one panel
 * (cursors, scroll, sort, text being typed, the pipeline being built) is
 * that panel's own (panels.h). Internal to ui/.
 *
 * Threads: the main thread owns everything here except `run`'s grid and
 * progress, which the worker fills; both touch those only under run.lock. */
#ifndef MX_UI_APP_H
#define MX_UI_APP_H
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include "../src/eval.h"
#include "../src/runner.h"
#include "../src/samples.h"
#include "screen.h"

#define UI_MAX_QUEUE 32
#define UI_MAX_HISTORY 64

/* A background run of the queue over the selected samples. */
typedef struct {
    pthread_t thread;
    pthread_mutex_t lock;
    int started;            /* thread exists (join it) */
    int running;            /* worker still going (under lock) */
    atomic_int cancel;      /* ask the worker to stop after the current cell */
    mx_batch batch;         /* grid; cells written under lock */
    mx_sample *samples;     /* shallow copies of the selected samples */
    size_t n_samples;
    mx_pipeline pipes[UI_MAX_QUEUE];
    size_t n_pipes;
    mx_batch_opts opts;
    mx_ctx *ctx;            /* the worker's, kept from run to run (-T threads) */
    /* a solution scored beside the pipelines: the worker starts it, then
     * coder becomes its column (opts.coders points here), and stops it */
    mx_eval_opts eval;
    char solution[MX_SPEC_MAX];
    mx_coder coder;
    size_t done, total;     /* cells */
    size_t samples_done;    /* samples with every cell done; after a cancel,
                             * the only ones the grid keeps */
    int have_results;
    int reported;           /* the end of this run was announced */
} ui_run;

struct ui_app {
    const char *manifest;
    mx_sample *samples;
    size_t n_samples;
    unsigned char *selected;

    char queue[UI_MAX_QUEUE][MX_SPEC_MAX];
    size_t n_queue;
    char history[UI_MAX_HISTORY][MX_SPEC_MAX];
    size_t n_history;

    ui_run run;
    mx_batch_opts opts;           /* of the next run */
    mx_ctx *ctx;                  /* the main thread's (the detail view's streams) */
    mx_eval_opts eval;            /* how to start a solution (python, timeout) */
    char solution[MX_SPEC_MAX];   /* scored beside the pipelines when set (E) */
    int threads;                  /* coding threads of a run (-T; all cores by default) */

    ui_screen screen;
    ui_panel *builder;            /* the tile other panels feed (owned by screen) */
    ui_panel *results;            /* the tile a run shows in */

    char status[512];
    int status_error;
};

void ui_status(ui_app *app, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Returns what a handler returns to push p (made by a constructor that
 * may have failed: then it says so on the status line). */
int ui_push(ui_app *app, ui_event *ev, ui_panel *p);
/* Toggles every sample: all selected, or none when all were. */
void ui_select_all(ui_app *app);

/* queue.c: the queue and the history. Every spec that enters the queue
 * passes ui_spec_check. */
int ui_spec_check(ui_app *app, const char *spec, mx_pipeline *p);
int ui_queue_add(ui_app *app, const char *spec);
void ui_queue_remove(ui_app *app, size_t i);
void ui_history_add(ui_app *app, const char *spec);
/* force: the file may be there already (the user said so). */
int ui_queue_save(ui_app *app, const char *path, int force);
int ui_queue_load(ui_app *app, const char *path);
/* "quant:sim={} 0.95:0.999:5": one queued pipeline per value. */
int ui_queue_sweep(ui_app *app, const char *text);

/* check.c: 0 when p is worth running, else 1 with the reason in why:
 * a coder of bf16 values that no 16-bit stream would reach. */
int ui_pipeline_check(const mx_pipeline *p, char *why, size_t n);

/* files.c: the keys that write files, each through a prompt that offers a
 * name no file has and asks before overwriting one. Return a handler mask. */
int ui_export_results(ui_app *app, ui_event *ev);
int ui_export_solution(ui_app *app, ui_event *ev);
int ui_save_queue(ui_app *app, ui_event *ev);
/* path with a leading "~/" read as $HOME's, as a shell would (in buf);
 * else path itself. */
const char *ui_expand_home(const char *path, char *buf, size_t n);

/* worker.c */
/* 0 when the run started (the status line says why not). */
int ui_run_start(ui_app *app);
void ui_run_cancel(ui_app *app);
void ui_run_join(ui_app *app);
/* Announces the end of a run on the status line, once. */
void ui_run_report(ui_app *app);

/* keys.c: the keys that work in every tile. */
extern const ui_key_help ui_global_keys[];
int ui_global_event(ui_app *app, ui_event *ev);
/* Help and quit (?, F1, F10): global even over a stacked panel that passes
 * them on (UI_IGNORED), as the detail view does; a prompt types '?'. */
int ui_key_always_global(int key);

/* chrome.c: the title (condition, score to beat, progress) and the footer
 * of keys; a click on a footer key gives that key. The status line is
 * drawn over the tiles: a long message takes the row above it too. */
void ui_chrome_draw(ui_app *app, int h, int w);
void ui_chrome_status(ui_app *app, int h, int w);
int ui_chrome_click(ui_app *app, int y, int x);
#endif
