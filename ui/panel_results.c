/* panel_results.c - per-pipeline means, live while a run goes on. Green
 * rows beat the score to beat by the 1% margin, red ones miss, dimmed ones
 * are rejected or failed. The title says what the means cover (after a
 * cancel, only the samples every pipeline finished). It sorts, as htop
 * does, with < and > (or s), F6 or a click on a column's title; Enter
 * opens the per-sample detail. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "crt.h"
#include "draw.h"
#include "fit.h"
#include "panels.h"

enum { COL_PIPE, COL_RATIO, COL_CMS, COL_DMS, COL_MBS, COL_SIM, COL_RAW, COL_NORM, COL_GAP, N_COLS };

typedef struct {
    const char *title;
    int width;
    int min_screen; /* shown only when the panel is at least this wide */
} column;

/* Laid out for 80 columns: the pipeline keeps 25 ("baseline:zstd:3" and
 * most specs whole); MB/s and the raw score come with room. */
static const column columns[N_COLS] = {
    {"pipeline", 0, 0},  {"ratio", 6, 0},    {"comp ms", 8, 0},      {"dec ms", 7, 0},
    {"MB/s", 6, 104},    {"sim lower", 9, 0}, {"raw", 12, 104},      {"normalized", 10, 0},
    {"gap", 8, 0},
};

typedef struct {
    ui_panel super;
    size_t cursor, scroll;
    int sort;          /* a COL_ */
    int col_x[N_COLS]; /* where each column was drawn (-1: hidden), for clicks */
} results_panel;

static void format_cell(const mx_batch *b, const mx_summary *m, int col, char *buf, size_t n)
{
    if (col == COL_PIPE) {
        snprintf(buf, n, "%s%s", m->spec, m->failed ? " (FAILED)" : m->rejected ? " (rejected)" : "");
        return;
    }
    if (m->n == 0) {
        snprintf(buf, n, "...");
        return;
    }
    double mb = (double)m->original_bytes / (double)m->n / 1e6;
    int seed = b->rules == MX_RULES_SEED;
    switch (col) {
    case COL_RATIO: snprintf(buf, n, "%.4f", m->ratio); break;
    case COL_CMS: snprintf(buf, n, "%.2f", m->ms_compress); break;
    case COL_DMS: snprintf(buf, n, "%.2f", m->ms_decompress); break;
    case COL_MBS: snprintf(buf, n, "%.1f", m->ms_compress > 0 ? mb / (m->ms_compress / 1e3) : 0); break;
    case COL_SIM: snprintf(buf, n, "%.7f", m->similarity_lower); break; /* of f64, f32 */
    /* the later rule sets have one score: it goes in the column every
     * width shows, titled "score"; the seed's raw score has none there */
    case COL_RAW: seed ? snprintf(buf, n, "%.1f", m->raw) : snprintf(buf, n, "-"); break;
    case COL_NORM:
        seed ? snprintf(buf, n, "%.7f", m->normalized) : snprintf(buf, n, "%.7f", m->score);
        break;
    case COL_GAP: /* none for a row that does not count (batch: sorted last) */
        if (m->column == 0 || !b->have_raw_to_beat || b->raw_to_beat == 0 || m->failed ||
            m->rejected)
            snprintf(buf, n, "-");
        else
            snprintf(buf, n, "%+.2f%%", 100.0 * (m->score / (1.01 * b->raw_to_beat) - 1.0));
        break;
    default: buf[0] = 0;
    }
}

/* A row and what it sorts by (the comparator needs nothing else). */
typedef struct {
    mx_summary m;
    double key;
    int col;
} row;

static double sort_value(const mx_summary *m, int col)
{
    switch (col) {
    case COL_RATIO: return m->ratio;
    case COL_CMS: return -m->ms_compress;
    case COL_DMS: return -m->ms_decompress;
    case COL_MBS: return m->ms_compress > 0 ? 1.0 / m->ms_compress : 0;
    case COL_SIM: return m->similarity_lower;
    default: return m->score;
    }
}

/* A column's title under the rules of the run shown. */
static const char *title_of(int col, int rules)
{
    return col == COL_NORM && rules != MX_RULES_SEED ? "score" : columns[col].title;
}

static int cmp_rows(const void *a, const void *b)
{
    const row *x = a, *y = b;
    if (x->col == COL_PIPE)
        return strcmp(x->m.spec, y->m.spec);
    if ((x->m.n == 0) != (y->m.n == 0))
        return (x->m.n == 0) - (y->m.n == 0);
    /* failed and rejected rows sink, as in --batch's table, whatever the
     * column: a lossy row below the bar must not read as the winner */
    int xo = x->m.failed || x->m.rejected, yo = y->m.failed || y->m.rejected;
    if (xo != yo)
        return xo - yo;
    if (isnan(x->key) != isnan(y->key))
        return isnan(x->key) - isnan(y->key);
    if (x->key != y->key)
        return x->key < y->key ? 1 : -1; /* best first */
    return (x->m.column > y->m.column) - (x->m.column < y->m.column);
}

/* The rows in display order (the caller holds the run lock). */
static size_t rows_in_order(const results_panel *rp, ui_app *app, row *out)
{
    const mx_batch *b = &app->run.batch;
    size_t n = b->n_columns;
    for (size_t c = 0; c < n; c++) {
        out[c].m = b->summary[c];
        if (!out[c].m.n) { /* not run yet: name it from the run's pipelines */
            if (c == 0)
                snprintf(out[c].m.spec, sizeof out[c].m.spec, "%s", MX_BASELINE_NAME);
            else if (c > app->run.n_pipes) /* the solution's column */
                mx_strlcpy(out[c].m.spec, app->run.coder.name, sizeof out[c].m.spec);
            else
                mx_pipeline_format(&app->run.pipes[c - 1], out[c].m.spec, sizeof out[c].m.spec);
        }
        out[c].col = rp->sort;
        out[c].key = sort_value(&out[c].m, rp->sort);
    }
    qsort(out, n, sizeof *out, cmp_rows);
    return n;
}

static int row_attr(const mx_summary *m)
{
    if (m->n == 0)
        return crt_attr(CRT_DIM);
    if (m->failed || m->rejected)
        return crt_attr(CRT_REJECTED);
    if (m->column == 0)
        return A_NORMAL;
    return m->beats ? crt_attr(CRT_BEATS) : crt_attr(CRT_MISSES);
}

static void draw_title(results_panel *rp, ui_app *app, int focused)
{
    ui_panel *self = &rp->super;
    ui_run *r = &app->run;
    char what[128];
    if (!r->have_results)
        snprintf(what, sizeof what, "Results");
    else if (r->running)
        snprintf(what, sizeof what, "Results: running, %zu of %zu samples done, %d threads",
                 r->samples_done, r->n_samples, app->threads);
    else if (r->samples_done < r->n_samples)
        snprintf(what, sizeof what, "Results: means over %zu of %zu samples, cancelled, %d threads",
                 r->samples_done, r->n_samples, app->threads);
    else
        snprintf(what, sizeof what, "Results: means over %zu sample%s, %d threads", r->n_samples,
                 r->n_samples == 1 ? "" : "s", app->threads);
    ui_title(self->y, self->x, self->w, focused, "%s", what);
}

static void draw(ui_panel *self, ui_app *app, int focused)
{
    results_panel *rp = (results_panel *)self;
    int y = self->y, x = self->x, h = self->h, w = self->w;
    pthread_mutex_lock(&app->run.lock);
    draw_title(rp, app, focused);
    if (!app->run.have_results) {
        pthread_mutex_unlock(&app->run.lock);
        ui_put(y + 2, x + 1, w - 1, crt_attr(CRT_DIM),
               "No results yet. Select samples (Space/a), queue pipelines (Enter), run (r).");
        return;
    }
    /* the columns that fit; the pipeline takes what the others leave */
    int fixed = 0;
    for (int c = 1; c < N_COLS; c++)
        fixed += w >= columns[c].min_screen ? columns[c].width + 1 : 0;
    int pw = w - fixed - 1 < 12 ? 12 : w - fixed - 1;
    int cx = x;
    for (int c = 0; c < N_COLS; c++) {
        rp->col_x[c] = -1;
        if (c && w < columns[c].min_screen)
            continue;
        int cw = c ? columns[c].width : pw;
        int attr = crt_attr(CRT_HEADER) | (c == rp->sort ? A_REVERSE : 0);
        ui_put(y + 1, cx, x + w - cx, attr, c ? "%*s" : "%-*s", cw,
               title_of(c, app->run.batch.rules));
        rp->col_x[c] = cx - x;
        cx += cw + 1;
    }
    row rows[UI_MAX_QUEUE + 2];
    size_t n = rows_in_order(rp, app, rows);
    if (rp->cursor >= n)
        rp->cursor = n ? n - 1 : 0;
    int body = h - 2;
    ui_list_scroll(&rp->scroll, rp->cursor, n, body);
    for (int r = 0; r < body; r++) {
        size_t i = rp->scroll + (size_t)r;
        if (i >= n)
            break;
        const mx_summary *m = &rows[i].m;
        int attr = row_attr(m) | (focused && i == rp->cursor ? crt_attr(CRT_CURSOR) : 0);
        ui_fill(y + 2 + r, x, w, attr);
        cx = x;
        for (int c = 0; c < N_COLS; c++) {
            if (rp->col_x[c] < 0)
                continue;
            char cell[MX_SPEC_MAX + 32], fitted[MX_SPEC_MAX + 32];
            int cw = c ? columns[c].width : pw;
            format_cell(&app->run.batch, m, c, cell, sizeof cell);
            if (c == 0) { /* keep the tail: "baseline:zstd:3", "(FAILED)" */
                ui_fit_middle(cell, cw, fitted, sizeof fitted);
                ui_put(y + 2 + r, cx, x + w - cx, attr, "%-*s", cw, fitted);
            } else {
                ui_put(y + 2 + r, cx, x + w - cx, attr, "%*s", cw, cell);
            }
            cx += cw + 1;
        }
    }
    pthread_mutex_unlock(&app->run.lock);
}

static void set_sort(results_panel *rp, ui_app *app, int col)
{
    rp->sort = (col + N_COLS) % N_COLS;
    ui_status(app, 0, "sorted by %s", columns[rp->sort].title);
}

static int pick_sort(ui_app *app, void *owner, size_t index)
{
    set_sort(owner, app, (int)index);
    return UI_HANDLED;
}

/* The column whose title is under x. */
static int column_at(const results_panel *rp, int x)
{
    int best = -1;
    for (int c = 0; c < N_COLS; c++)
        if (rp->col_x[c] >= 0 && x >= rp->col_x[c] && (best < 0 || rp->col_x[c] > rp->col_x[best]))
            best = c;
    return best;
}

/* The summary column (grid index) of the highlighted row, or -1. */
static long highlighted(results_panel *rp, ui_app *app, char *spec, size_t n)
{
    row rows[UI_MAX_QUEUE + 2];
    long col = -1;
    pthread_mutex_lock(&app->run.lock);
    if (app->run.have_results) {
        size_t nr = rows_in_order(rp, app, rows);
        if (rp->cursor < nr) {
            col = (long)rows[rp->cursor].m.column;
            if (spec) {
                if (col == 0)
                    snprintf(spec, n, "%s", MX_BASELINE_SPEC);
                else if ((size_t)col <= app->run.n_pipes)
                    mx_pipeline_format(&app->run.pipes[col - 1], spec, n);
                else
                    col = -1; /* a solution is no pipeline of ours */
            }
        }
    }
    pthread_mutex_unlock(&app->run.lock);
    return col;
}

static int event(ui_panel *self, ui_app *app, ui_event *ev)
{
    results_panel *rp = (results_panel *)self;
    size_t n = app->run.have_results ? app->run.batch.n_columns : 0;
    if (ui_list_nav(&rp->cursor, n, self->h - 2, ev))
        return UI_HANDLED;
    if (ui_is_click(ev)) {
        if (ev->y == 1 && n && column_at(rp, ev->x) >= 0)
            set_sort(rp, app, column_at(rp, ev->x));
        else
            ui_list_click(&rp->cursor, n, rp->scroll, ev->y - 2);
        return UI_HANDLED;
    }
    switch (ev->key) {
    case '>':
    case 's': set_sort(rp, app, rp->sort + 1); return UI_HANDLED;
    case '<': set_sort(rp, app, rp->sort - 1); return UI_HANDLED;
    case KEY_F(6): {
        const char *titles[N_COLS];
        for (int c = 0; c < N_COLS; c++)
            titles[c] = columns[c].title;
        return ui_push(app, ev,
                       ui_menu_new("sort by", titles, NULL, N_COLS, (size_t)rp->sort, pick_sort, rp));
    }
    }
    if (ui_is_enter(ev->key) && n) {
        long col = highlighted(rp, app, NULL, 0);
        return col < 0 ? UI_HANDLED : ui_push(app, ev, ui_detail_new(app, (size_t)col));
    }
    return UI_IGNORED;
}

static int selected_spec(ui_panel *self, ui_app *app, char *buf, size_t n)
{
    return highlighted((results_panel *)self, app, buf, n) >= 0;
}

static const ui_key_help keys[] = {
    {"< > s", "Sort", "previous/next sort column"},
    {"F6", NULL, "choose the sort column"},
    {"Enter", "Detail", "per-sample detail"},
    {"green red", NULL, "beat / miss the score +1%"},
    {"dim", NULL, "rejected or failed"},
    {NULL, NULL, NULL},
};

static const ui_panel_class results_class = {
    .name = "Results", .draw = draw, .event = event, .selected_spec = selected_spec, .keys = keys,
};

ui_panel *ui_results_new(void)
{
    results_panel *rp = calloc(1, sizeof *rp);
    if (!rp)
        return NULL;
    rp->super.cls = &results_class;
    rp->sort = COL_NORM; /* the score, best first */
    return &rp->super;
}
