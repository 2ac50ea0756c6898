/* app.h - the workbench's state, shared by its panels (internal to ui/).
 *
 * Threads: the main thread owns everything here except `run`'s grid, which
 * the worker fills; both touch the grid only under run.lock. */
#ifndef MX_UI_APP_H
#define MX_UI_APP_H
#include <pthread.h>
#include <stddef.h>
#include "../src/analysis.h"
#include "../src/eval.h"
#include "../src/runner.h"
#include "../src/samples.h"

#define UI_MAX_QUEUE 32
#define UI_MAX_HISTORY 64
#define UI_MAX_STEPS (MX_MAX_TRANSFORMS + 1)

/* Key handlers return a mask of these. */
enum { UI_IGNORED = 0, UI_HANDLED = 1, UI_QUIT = 2 };

typedef enum { FOCUS_SAMPLES, FOCUS_BUILDER, FOCUS_QUEUE, FOCUS_RESULTS, FOCUS_N } ui_focus;

typedef enum { MODE_NORMAL, MODE_PROMPT, MODE_PICKER, MODE_HELP, MODE_DETAIL } ui_mode;

typedef enum {
    PROMPT_SPEC, PROMPT_EXPORT, PROMPT_SAVE, PROMPT_LOAD, PROMPT_SWEEP, PROMPT_SOLUTION
} ui_prompt_kind;

/* A background run of the queue over the selected samples. */
typedef struct {
    pthread_t thread;
    pthread_mutex_t lock;
    int started;            /* thread exists (join it) */
    volatile int running;   /* worker still going */
    volatile int cancel;    /* ask the worker to stop */
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
    size_t done, total;
    int have_results;
    int reported;           /* the end of this run was announced */
} ui_run;

typedef struct ui_app ui_app;

/* A panel, htop style: a small vtable plus its own cursor. */
typedef struct {
    void (*draw)(ui_app *app, int y, int x, int h, int w, int focused);
    int (*key)(ui_app *app, int key);
} ui_panel_class;

struct ui_app {
    mx_sample *samples;
    size_t n_samples;
    unsigned char *selected;
    const char *manifest;

    /* builder: the pipeline being edited, one step per transform + entropy */
    mx_pipeline builder;
    size_t builder_cursor; /* 0..n_transforms (last = entropy) */

    char queue[UI_MAX_QUEUE][MX_SPEC_MAX];
    size_t n_queue;
    char history[UI_MAX_HISTORY][MX_SPEC_MAX];
    size_t n_history;

    ui_run run;
    mx_batch_opts opts;
    mx_ctx *ctx;                  /* the main thread's (the detail view's streams) */
    mx_eval_opts eval;            /* how to start a solution (python, timeout) */
    char solution[MX_SPEC_MAX];   /* scored beside the pipelines when set (E) */

    ui_focus focus;
    ui_mode mode;
    size_t cursor[FOCUS_N], scroll[FOCUS_N];
    int sort_column; /* index into the results columns */

    /* prompt (line editor) */
    ui_prompt_kind prompt_kind;
    char prompt_text[MX_SPEC_MAX];
    size_t prompt_len;
    long history_pos;

    /* picker of stages */
    int picker_entropy; /* picking the entropy stage (else a transform) */
    char picker_filter[32];
    size_t picker_cursor;

    /* detail view */
    size_t detail_column;  /* batch column shown */
    size_t detail_cursor;  /* sample row */
    mx_stream_report detail_streams;
    size_t detail_streams_for; /* sample index + 1 it was computed for, 0 none */
    char detail_error[256];

    char status[512];
    int status_error;
};

void ui_status(ui_app *app, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Panels (one file each). */
extern const ui_panel_class ui_samples_panel, ui_builder_panel, ui_queue_panel,
    ui_results_panel, ui_detail_panel, ui_help_panel;

/* Prompt and picker: drawn over the bottom lines / as a popup. */
void ui_prompt_open(ui_app *app, ui_prompt_kind kind, const char *initial);
int ui_prompt_key(ui_app *app, int key);
void ui_prompt_draw(ui_app *app, int y, int w);
void ui_picker_open(ui_app *app, int entropy);
int ui_picker_key(ui_app *app, int key);
void ui_picker_draw(ui_app *app, int h, int w);

/* Adds a stage chosen in the picker to the builder (panel_builder.c). */
int ui_builder_insert(ui_app *app, const mx_stage *stage);

/* Queue and runs (app.c / worker.c). */
int ui_queue_add(ui_app *app, const char *spec);
void ui_history_add(ui_app *app, const char *spec);
int ui_queue_save(ui_app *app, const char *path);
int ui_queue_load(ui_app *app, const char *path);
void ui_run_start(ui_app *app);
void ui_run_cancel(ui_app *app);
void ui_run_join(ui_app *app);
int ui_export_csv(ui_app *app, const char *path);

/* List navigation shared by the list panels: Up/Down/PgUp/PgDn/Home/End.
 * Returns UI_HANDLED when the key moved the cursor. */
int ui_list_nav(size_t *cursor, size_t n, int page, int key);
/* Keeps cursor inside a window of h rows starting at *scroll. */
void ui_list_scroll(size_t *scroll, size_t cursor, int h);
/* A framed panel title: "Name" underlined, highlighted when focused. */
void ui_panel_title(int y, int x, int w, int focused, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Results columns, shared by the results and detail panels. */
typedef struct {
    const char *title;
    int width;
    int min_screen; /* shown only when the screen is at least this wide */
} ui_column;
extern const ui_column ui_result_columns[];
extern const size_t ui_n_result_columns;
/* Formats column `col` of a summary into buf. */
void ui_format_summary(const ui_app *app, const mx_summary *m, size_t col, char *buf, size_t n);
/* Draws text clipped to width w at (y, x). */
void ui_put(int y, int x, int w, int attr, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
#endif
