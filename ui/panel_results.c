/* panel_results.c - per-pipeline means, live while a run goes on. Green
 * rows beat the score to beat by the 1% margin, red ones miss, dimmed ones
 * are rejected or failed. s cycles the sort column, Enter opens the
 * per-sample detail. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "crt.h"

enum { COL_PIPE, COL_RATIO, COL_CMS, COL_DMS, COL_MBS, COL_SIM, COL_RAW, COL_NORM, COL_GAP };

const ui_column ui_result_columns[] = {
    {"pipeline", 0, 0},    {"ratio", 7, 0},      {"comp ms", 9, 0},
    {"dec ms", 8, 0},      {"MB/s", 7, 0},       {"sim lower", 10, 0},
    {"raw", 12, 104},      {"normalized", 10, 0}, {"gap", 8, 0},
};
const size_t ui_n_result_columns = sizeof ui_result_columns / sizeof ui_result_columns[0];

void ui_format_summary(const ui_app *app, const mx_summary *m, size_t col, char *buf, size_t n)
{
    const mx_batch *b = &app->run.batch;
    if (col == COL_PIPE) {
        snprintf(buf, n, "%s", m->spec);
        return;
    }
    if (m->n == 0) {
        snprintf(buf, n, "...");
        return;
    }
    double mb = m->n ? (double)m->original_bytes / (double)m->n / 1e6 : 0;
    switch (col) {
    case COL_RATIO: snprintf(buf, n, "%.4f", m->ratio); break;
    case COL_CMS: snprintf(buf, n, "%.2f", m->ms_compress); break;
    case COL_DMS: snprintf(buf, n, "%.2f", m->ms_decompress); break;
    case COL_MBS: snprintf(buf, n, "%.1f", m->ms_compress > 0 ? mb / (m->ms_compress / 1e3) : 0); break;
    case COL_SIM: snprintf(buf, n, "%.7f", m->similarity_lower); break; /* of f64, f32 */
    case COL_RAW:
        if (b->rules == MX_RULES_SEED)
            snprintf(buf, n, "%.1f", m->raw);
        else
            snprintf(buf, n, "%.7f", m->score);
        break;
    case COL_NORM:
        if (b->rules == MX_RULES_SEED)
            snprintf(buf, n, "%.7f", m->normalized);
        else
            snprintf(buf, n, "%.7f", m->score);
        break;
    case COL_GAP:
        if (m->column == 0 || !b->have_raw_to_beat || b->raw_to_beat == 0)
            snprintf(buf, n, "-");
        else
            snprintf(buf, n, "%+.2f%%", 100.0 * (m->score / (1.01 * b->raw_to_beat) - 1.0));
        break;
    default: buf[0] = 0;
    }
}

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

static int sort_col;
static int cmp_rows(const void *a, const void *b)
{
    const mx_summary *x = a, *y = b;
    if (sort_col == COL_PIPE)
        return strcmp(x->spec, y->spec);
    if ((x->n == 0) != (y->n == 0))
        return (x->n == 0) - (y->n == 0);
    double vx = sort_value(x, sort_col), vy = sort_value(y, sort_col);
    if (isnan(vx) != isnan(vy))
        return isnan(vx) - isnan(vy);
    return vx < vy ? 1 : vx > vy ? -1 : (x->column > y->column) - (x->column < y->column);
}

/* The rows in display order (caller holds the run lock). */
static size_t rows_in_order(ui_app *app, mx_summary *out)
{
    const mx_batch *b = &app->run.batch;
    size_t n = b->n_columns;
    memcpy(out, b->summary, n * sizeof *out);
    for (size_t c = 0; c < n; c++)
        if (!out[c].n) { /* not run yet: name it from the run's pipelines */
            if (c == 0)
                snprintf(out[c].spec, sizeof out[c].spec, "%s", MX_BASELINE_NAME);
            else if (c > app->run.n_pipes) /* the solution's column */
                mx_strlcpy(out[c].spec, app->run.coder.name, sizeof out[c].spec);
            else
                mx_pipeline_format(&app->run.pipes[c - 1], out[c].spec, sizeof out[c].spec);
        }
    sort_col = app->sort_column;
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

static void draw(ui_app *app, int y, int x, int h, int w, int focused)
{
    ui_panel_title(y, x, w, focused, "Results: means over the selected samples (s sort, Enter detail)");
    if (!app->run.have_results) {
        ui_put(y + 2, x + 1, w - 1, crt_attr(CRT_DIM),
               "No results yet. Select samples (Space/a), queue pipelines (Enter), run (r).");
        return;
    }
    /* columns that fit: pipeline takes what the others leave */
    int fixed = 0;
    int show[16];
    for (size_t c = 1; c < ui_n_result_columns; c++) {
        show[c] = w >= ui_result_columns[c].min_screen;
        fixed += show[c] ? ui_result_columns[c].width + 1 : 0;
    }
    int pw = w - fixed - 1 < 12 ? 12 : w - fixed - 1;
    int cx = x;
    for (size_t c = 0; c < ui_n_result_columns; c++) {
        if (c && !show[c])
            continue;
        int cw = c ? ui_result_columns[c].width : pw;
        int attr = crt_attr(CRT_HEADER) | ((int)c == app->sort_column ? A_REVERSE : 0);
        if (c)
            ui_put(y + 1, cx, x + w - cx, attr, "%*s", cw, ui_result_columns[c].title);
        else
            ui_put(y + 1, cx, x + w - cx, attr, "%-*s", cw, ui_result_columns[c].title);
        cx += cw + 1;
    }
    pthread_mutex_lock(&app->run.lock);
    mx_summary rows[UI_MAX_QUEUE + 1];
    size_t n = rows_in_order(app, rows);
    size_t *cur = &app->cursor[FOCUS_RESULTS], *scroll = &app->scroll[FOCUS_RESULTS];
    if (*cur >= n)
        *cur = n ? n - 1 : 0;
    int body = h - 2;
    ui_list_scroll(scroll, *cur, body);
    for (int r = 0; r < body; r++) {
        size_t i = *scroll + (size_t)r;
        if (i >= n)
            break;
        int attr = row_attr(&rows[i]) | (focused && i == *cur ? crt_attr(CRT_CURSOR) : 0);
        cx = x;
        attron(attr);
        mvhline(y + 2 + r, x, ' ', w);
        attroff(attr);
        for (size_t c = 0; c < ui_n_result_columns; c++) {
            if (c && !show[c])
                continue;
            char cell[MX_SPEC_MAX + 16];
            int cw = c ? ui_result_columns[c].width : pw;
            ui_format_summary(app, &rows[i], c, cell, sizeof cell);
            if (c == 0 && (rows[i].failed || rows[i].rejected))
                snprintf(cell + strlen(cell), sizeof cell - strlen(cell), " (%s)",
                         rows[i].failed ? "FAILED" : "rejected");
            if (c)
                ui_put(y + 2 + r, cx, x + w - cx, attr, "%*s", cw, cell);
            else
                ui_put(y + 2 + r, cx, x + w - cx, attr, "%-*.*s", cw, cw, cell);
            cx += cw + 1;
        }
    }
    pthread_mutex_unlock(&app->run.lock);
}

static int key(ui_app *app, int k)
{
    size_t n = app->run.have_results ? app->run.batch.n_columns : 0;
    if (ui_list_nav(&app->cursor[FOCUS_RESULTS], n, 5, k))
        return UI_HANDLED;
    switch (k) {
    case 's':
        app->sort_column = (app->sort_column + 1) % (int)ui_n_result_columns;
        ui_status(app, 0, "sorted by %s", ui_result_columns[app->sort_column].title);
        return UI_HANDLED;
    case '\n':
    case '\r':
    case KEY_ENTER: {
        if (!n)
            return UI_HANDLED;
        mx_summary rows[UI_MAX_QUEUE + 1];
        pthread_mutex_lock(&app->run.lock);
        rows_in_order(app, rows);
        pthread_mutex_unlock(&app->run.lock);
        app->detail_column = rows[app->cursor[FOCUS_RESULTS]].column;
        app->detail_cursor = 0;
        app->detail_streams_for = 0;
        app->mode = MODE_DETAIL;
        return UI_HANDLED;
    }
    }
    return UI_IGNORED;
}

const ui_panel_class ui_results_panel = {draw, key};
