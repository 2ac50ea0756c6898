/* panel_detail.c - one pipeline, sample by sample, and where the bits go
 * for the highlighted sample: its exponent histogram and the bytes each
 * stream takes after the pipeline. A stacked panel over the tiles; Esc, q
 * or Left goes back. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../src/analysis.h"
#include "app.h"
#include "crt.h"
#include "draw.h"
#include "fit.h"
#include "panels.h"

#define NAME_W 64

typedef struct {
    ui_panel super;
    size_t column;          /* the batch column shown */
    size_t cursor, scroll;  /* the sample row */
    mx_stream_report streams;
    size_t streams_for;     /* sample index + 1 they were computed for, 0: none */
    char error[256];
    char *names;            /* the run's sample names fitted to names_w */
    int names_w;
    int rows;               /* sample rows shown at the last draw (a page) */
} detail_panel;

#define WHY_LINES 32 /* of a failure's reason and hint, at most */

/* Why the highlighted sample failed, word-wrapped to the panel: the reason
 * whole (its row cuts it), and for a solution how to pick its interpreter,
 * which is what a solution that cannot import its modules needs. */
typedef struct {
    char reason[300], hint[512];
    size_t start[WHY_LINES], len[WHY_LINES];
    size_t n_reason, n; /* lines of the reason, of both */
} why_text;

static void draw_histogram(const mx_sample *s, int y, int x, int h, int w)
{
    uint64_t hist[256];
    mx_exponent_histogram(&s->m, hist);
    int lo = 255, hi = 0;
    uint64_t total = 0;
    for (int e = 0; e < 256; e++)
        if (hist[e]) {
            lo = e < lo ? e : lo;
            hi = e > hi ? e : hi;
            total += hist[e];
        }
    ui_put(y, x, w, crt_attr(CRT_HEADER), "exponents of %s", s->name);
    if (!total) {
        ui_put(y + 1, x, w, crt_attr(CRT_DIM), "(empty matrix)");
        return;
    }
    int rows = h - 1 > 0 ? h - 1 : 1;
    int span = hi - lo + 1;
    int per = (span + rows - 1) / rows; /* exponents per bar */
    uint64_t peak = 0;
    for (int b = lo; b <= hi; b += per) {
        uint64_t c = 0;
        for (int e = b; e < b + per && e <= hi; e++)
            c += hist[e];
        peak = c > peak ? c : peak;
    }
    int r = 0;
    for (int b = lo; b <= hi && r < rows; b += per, r++) {
        uint64_t c = 0;
        for (int e = b; e < b + per && e <= hi; e++)
            c += hist[e];
        int bw = w - 16 > 1 ? w - 16 : 1;
        int len = (int)((double)bw * (double)c / (double)peak + 0.5);
        if (b == 0)
            ui_put(y + 1 + r, x, w, A_NORMAL, "  zero/sub %5.1f%%", 100.0 * (double)c / (double)total);
        else
            ui_put(y + 1 + r, x, w, A_NORMAL, "2^%-4d %5.1f%%", b - 127,
                   100.0 * (double)c / (double)total);
        ui_fill(y + 1 + r, x + 14, len, crt_attr(CRT_BAR));
    }
}

static void draw_streams(detail_panel *d, ui_app *app, const mx_sample *s, int y, int x, int h, int w)
{
    if (d->column > app->run.n_pipes) {
        ui_put(y, x, w, crt_attr(CRT_DIM), "a solution: its streams are its own");
        return;
    }
    if (d->streams_for != d->cursor + 1) {
        mx_pipeline base;
        mx_error err = {0};
        const mx_pipeline *p = &base; /* column 0 is the baseline's */
        if (d->column == 0)
            mx_pipeline_parse(MX_BASELINE_SPEC, &base, &err);
        else
            p = &app->run.pipes[d->column - 1];
        d->error[0] = 0;
        if (mx_analyze_streams(app->ctx, p, &s->m, &d->streams, &err))
            mx_strlcpy(d->error, err.msg, sizeof d->error);
        d->streams_for = d->cursor + 1;
    }
    const mx_stream_report *rep = &d->streams;
    if (d->column == 0) /* scored as the bare zstd frame, as the competition codes it */
        ui_put(y, x, w, crt_attr(CRT_HEADER),
               "bytes per stream (%zu in all; scored without the %zu of the header)",
               rep->total_bytes, rep->header_bytes);
    else
        ui_put(y, x, w, crt_attr(CRT_HEADER), "bytes per stream (%zu in all)", rep->total_bytes);
    if (d->error[0]) {
        ui_put(y + 1, x, w, crt_attr(CRT_STATUS_ERROR), "%s", d->error);
        return;
    }
    size_t peak = rep->header_bytes;
    for (size_t j = 0; j < rep->n; j++)
        peak = rep->coded_bytes[j] > peak ? rep->coded_bytes[j] : peak;
    int bw = w - 30 > 1 ? w - 30 : 1;
    for (size_t j = 0; j <= rep->n && (int)j < h - 1; j++) {
        size_t bytes = j < rep->n ? rep->coded_bytes[j] : rep->header_bytes;
        int len = peak ? (int)((double)bw * (double)bytes / (double)peak + 0.5) : 0;
        if (j < rep->n)
            ui_put(y + 1 + (int)j, x, w, A_NORMAL, "#%-2zu %2ub %8zu %5.1f%%", j, rep->d[j].bits,
                   bytes,
                   rep->raw_bytes[j] ? 100.0 * (double)bytes / (double)rep->raw_bytes[j] : 0.0);
        else
            ui_put(y + 1 + (int)j, x, w, A_NORMAL, "hdr     %8zu", bytes);
        ui_fill(y + 1 + (int)j, x + 28, len, crt_attr(j % 2 ? CRT_BAR2 : CRT_BAR));
    }
}

/* The why of a failed cell res in column col (under the run's lock),
 * wrapped to w; n is 0 when the cell did not fail. The detail cannot tell
 * a solution's missing module from its other failures, so the hint is
 * there for any failed solution, and says when it applies. */
static void why_of(ui_app *app, const mx_result *res, size_t col, int w, why_text *t)
{
    t->n = t->n_reason = 0;
    if (!res->done || !res->failed)
        return;
    snprintf(t->reason, sizeof t->reason, "FAILED: %s", res->error);
    t->hint[0] = 0;
    if (col > app->run.n_pipes) /* as mxbench eval's --python says it */
        snprintf(t->hint, sizeof t->hint,
                 "The solution ran under %s. If the interpreter is why (a module it lacks, "
                 "another Python): --python PATH chooses the interpreter (default python3), "
                 "for the app as for mxbench eval.",
                 app->run.eval.python ? app->run.eval.python : "python3");
    t->n_reason = ui_wrap(t->reason, w, t->start, t->len, WHY_LINES);
    if (t->n_reason > WHY_LINES)
        t->n_reason = WHY_LINES;
    t->n = t->n_reason + ui_wrap(t->hint, w, t->start + t->n_reason, t->len + t->n_reason,
                                 WHY_LINES - t->n_reason);
    if (t->n > WHY_LINES)
        t->n = WHY_LINES;
}

/* The why in h rows at (y, x): the reason in the error colour. */
static void draw_why(const why_text *t, int y, int x, int h, int w)
{
    for (size_t i = 0; i < t->n && (int)i < h; i++) {
        int reason = i < t->n_reason;
        ui_put(y + (int)i, x, w, crt_attr(reason ? CRT_STATUS_ERROR : CRT_NORMAL), "%.*s",
               (int)t->len[i], (reason ? t->reason : t->hint) + t->start[i]);
    }
}

/* The rows of the sample table (its title and header included): the top
 * half, less when a failure's why needs the room, but never less than
 * one sample row. */
static int table_height(int h, int why_lines)
{
    int table_h = h / 2 < 4 ? 4 : h / 2;
    if (h - table_h < why_lines)
        table_h = h - why_lines > 3 ? h - why_lines : 3;
    return table_h;
}

/* The run's sample names, fitted to w so two never look alike. */
static const char *name_of(detail_panel *d, ui_app *app, size_t s, int w)
{
    size_t n = app->run.n_samples;
    w = w > NAME_W ? NAME_W : w;
    if (d->names_w != w) {
        free(d->names);
        d->names = malloc(n * (NAME_W + 1));
        const char **names = malloc(n * sizeof *names);
        d->names_w = d->names && names ? w : 0;
        if (d->names_w) {
            size_t head, tail;
            for (size_t i = 0; i < n; i++)
                names[i] = app->run.samples[i].name;
            ui_fit_names(names, n, w, d->names, NAME_W + 1, &head, &tail);
        }
        free(names);
    }
    return d->names_w ? d->names + s * (NAME_W + 1) : app->run.samples[s].name;
}

static void draw(ui_panel *self, ui_app *app, int focused)
{
    (void)focused;
    detail_panel *d = (detail_panel *)self;
    int y = self->y, x = self->x, h = self->h, w = self->w;
    const mx_batch *b = &app->run.batch;
    pthread_mutex_lock(&app->run.lock);
    size_t nc = b->n_columns, ns = b->n_samples, col = d->column;
    char spec[MX_SPEC_MAX + 16];
    if (col == 0)
        snprintf(spec, sizeof spec, "%s", MX_BASELINE_NAME);
    else if (col > app->run.n_pipes)
        mx_strlcpy(spec, app->run.coder.name, sizeof spec);
    else
        mx_pipeline_format(&app->run.pipes[col - 1], spec, sizeof spec);
    ui_title(y, x, w, 1, "Detail: %s  (Up/Down sample, Esc back)", spec);
    why_text why = {.n = 0};
    if (d->cursor < ns)
        why_of(app, &b->cell[d->cursor * nc + col], col, w, &why);
    int table_h = table_height(h, (int)why.n);
    d->rows = table_h - 2;
    int nw = w - 62 > 10 ? w - 62 : 10;
    ui_put(y + 1, x, w, crt_attr(CRT_HEADER), "%-*s %8s %9s %8s %10s %10s  %s", nw, "sample",
           "ratio", "comp ms", "dec ms", "sim lower", "normalized", "beats");
    ui_list_scroll(&d->scroll, d->cursor, ns, table_h - 2);
    for (int r = 0; r < table_h - 2; r++) {
        size_t s = d->scroll + (size_t)r;
        if (s >= ns)
            break;
        const mx_result *res = &b->cell[s * nc + col];
        int attr = !res->done                   ? crt_attr(CRT_DIM)
                   : res->failed || res->rejected ? crt_attr(CRT_REJECTED)
                   : col == 0                     ? 0
                   : res->beats                   ? crt_attr(CRT_BEATS)
                                                  : crt_attr(CRT_MISSES);
        if (s == d->cursor)
            attr |= crt_attr(CRT_CURSOR);
        const char *name = name_of(d, app, s, nw);
        if (!res->done)
            ui_put(y + 2 + r, x, w, attr, "%-*.*s %8s", nw, nw, name, "...");
        else if (res->failed)
            ui_put(y + 2 + r, x, w, attr, "%-*.*s FAILED: %s", nw, nw, name, res->error);
        else
            ui_put(y + 2 + r, x, w, attr, "%-*.*s %8.4f %9.2f %8.2f %10.7f %10.7f  %s", nw, nw,
                   name, res->ratio, res->ms_compress, res->ms_decompress, res->similarity_lower,
                   res->normalized,
                   res->rejected ? "rejected" : col == 0 ? "-" : res->beats ? "yes" : "no");
    }
    pthread_mutex_unlock(&app->run.lock);
    if (ns == 0)
        return;
    const mx_sample *s = &app->run.samples[d->cursor];
    draw_why(&why, y + table_h, x, h - table_h, w);
    int by = y + table_h + (int)why.n, bh = h - table_h - (int)why.n, lw = w / 2;
    if (bh < 2) /* the why took the room */
        return;
    draw_histogram(s, by, x, bh, lw - 1);
    draw_streams(d, app, s, by, x + lw, bh, w - lw);
}

static int event(ui_panel *self, ui_app *app, ui_event *ev)
{
    detail_panel *d = (detail_panel *)self;
    size_t ns = app->run.batch.n_samples, before = d->cursor;
    if (ui_list_nav(&d->cursor, ns, d->rows, ev) ||
        (ui_is_click(ev) && ui_list_click(&d->cursor, ns, d->scroll, ev->y - 2))) {
        if (before != d->cursor)
            d->streams_for = 0;
        return UI_HANDLED;
    }
    switch (ev->key) {
    case 27:
    case 'q':
    case KEY_LEFT: return UI_HANDLED | UI_POP;
    }
    /* help and quit stay global; other keys do nothing here */
    return ui_key_always_global(ev->key) ? UI_IGNORED : UI_HANDLED;
}

static void destroy(ui_panel *self)
{
    free(((detail_panel *)self)->names);
    free(self);
}

static const ui_key_help keys[] = {
    {"j k", "Sample", "the sample (arrows, PgUp PgDn)"},
    {"Esc q Left", "Back", "back to the results"},
    {NULL, NULL, NULL},
};

static const ui_panel_class detail_class = {
    .name = "Detail", .draw = draw, .event = event, .resize = ui_place_body, .destroy = destroy,
    .keys = keys, .covers = 1,
};

ui_panel *ui_detail_new(ui_app *app, size_t column)
{
    (void)app;
    detail_panel *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->super.cls = &detail_class;
    d->column = column;
    return &d->super;
}
