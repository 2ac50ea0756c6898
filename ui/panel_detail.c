/* panel_detail.c - one pipeline, sample by sample, and where the bits go
 * for the highlighted sample: its exponent histogram and the bytes each
 * stream takes after the pipeline. Esc or q goes back. */
#include <math.h>
#include <string.h>
#include "app.h"
#include "crt.h"

static const mx_pipeline *detail_pipeline(ui_app *app, mx_pipeline *tmp)
{
    if (app->detail_column == 0) {
        mx_error err = {0};
        mx_pipeline_parse(MX_BASELINE_SPEC, tmp, &err);
        return tmp;
    }
    return &app->run.pipes[app->detail_column - 1];
}

static void draw_histogram(ui_app *app, const mx_sample *s, int y, int x, int h, int w)
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
    int rows = h - 1;
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
        attron(crt_attr(CRT_BAR));
        mvhline(y + 1 + r, x + 14, ' ', len);
        attroff(crt_attr(CRT_BAR));
    }
    (void)app;
}

static void draw_streams(ui_app *app, const mx_sample *s, size_t si, int y, int x, int h, int w)
{
    if (app->detail_column > app->run.n_pipes) {
        ui_put(y, x, w, crt_attr(CRT_DIM), "a solution: its streams are its own");
        return;
    }
    mx_pipeline tmp;
    const mx_pipeline *p = detail_pipeline(app, &tmp);
    if (app->detail_streams_for != si + 1) {
        mx_error err = {0};
        app->detail_error[0] = 0;
        if (mx_analyze_streams(app->ctx, p, &s->m, &app->detail_streams, &err))
            mx_strlcpy(app->detail_error, err.msg, sizeof app->detail_error);
        app->detail_streams_for = si + 1;
    }
    const mx_stream_report *rep = &app->detail_streams;
    ui_put(y, x, w, crt_attr(CRT_HEADER), "bytes per stream (%zu in all)", rep->total_bytes);
    if (app->detail_error[0]) {
        ui_put(y + 1, x, w, crt_attr(CRT_STATUS_ERROR), "%s", app->detail_error);
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
            ui_put(y + 1 + (int)j, x, w, A_NORMAL, "#%-2zu %2ub %8zu %5.1f%%", j,
                   rep->d[j].bits, bytes,
                   rep->raw_bytes[j] ? 100.0 * (double)bytes / (double)rep->raw_bytes[j] : 0.0);
        else
            ui_put(y + 1 + (int)j, x, w, A_NORMAL, "hdr     %8zu", bytes);
        attron(crt_attr(j % 2 ? CRT_BAR2 : CRT_BAR));
        mvhline(y + 1 + (int)j, x + 28, ' ', len);
        attroff(crt_attr(j % 2 ? CRT_BAR2 : CRT_BAR));
    }
}

static void draw(ui_app *app, int y, int x, int h, int w, int focused)
{
    (void)focused;
    const mx_batch *b = &app->run.batch;
    pthread_mutex_lock(&app->run.lock);
    size_t nc = b->n_columns, ns = b->n_samples, col = app->detail_column;
    char spec[MX_SPEC_MAX + 16];
    if (col == 0)
        snprintf(spec, sizeof spec, "%s", MX_BASELINE_NAME);
    else if (col > app->run.n_pipes)
        mx_strlcpy(spec, app->run.coder.name, sizeof spec);
    else
        mx_pipeline_format(&app->run.pipes[col - 1], spec, sizeof spec);
    ui_panel_title(y, x, w, 1, "Detail: %s  (Up/Down sample, Esc back)", spec);
    int table_h = h / 2 < 4 ? 4 : h / 2;
    ui_put(y + 1, x, w, crt_attr(CRT_HEADER), "%-*s %8s %9s %8s %10s %10s  %s", w - 62 > 10 ? w - 62 : 10,
           "sample", "ratio", "comp ms", "dec ms", "sim lower", "normalized", "beats");
    size_t scroll = 0;
    ui_list_scroll(&scroll, app->detail_cursor, table_h - 2);
    for (int r = 0; r < table_h - 2; r++) {
        size_t s = scroll + (size_t)r;
        if (s >= ns)
            break;
        const mx_result *res = &b->cell[s * nc + col];
        int attr = !res->done ? crt_attr(CRT_DIM)
                   : (res->failed || res->rejected) ? crt_attr(CRT_REJECTED)
                   : col == 0  ? 0
                   : res->beats ? crt_attr(CRT_BEATS)
                                : crt_attr(CRT_MISSES);
        if (s == app->detail_cursor)
            attr |= crt_attr(CRT_CURSOR);
        int nw = w - 62 > 10 ? w - 62 : 10;
        if (!res->done)
            ui_put(y + 2 + r, x, w, attr, "%-*.*s %8s", nw, nw, app->run.samples[s].name, "...");
        else if (res->failed)
            ui_put(y + 2 + r, x, w, attr, "%-*.*s FAILED: %s", nw, nw, app->run.samples[s].name,
                   res->error);
        else
            ui_put(y + 2 + r, x, w, attr, "%-*.*s %8.4f %9.2f %8.2f %10.7f %10.7f  %s", nw, nw,
                   app->run.samples[s].name, res->ratio, res->ms_compress, res->ms_decompress,
                   res->similarity_lower, res->normalized,
                   res->rejected ? "rejected" : col == 0 ? "-" : res->beats ? "yes" : "no");
    }
    pthread_mutex_unlock(&app->run.lock);
    if (ns == 0)
        return;
    const mx_sample *s = &app->run.samples[app->detail_cursor];
    int by = y + table_h, bh = h - table_h;
    int lw = w / 2;
    draw_histogram(app, s, by, x, bh, lw - 1);
    draw_streams(app, s, app->detail_cursor, by, x + lw, bh, w - lw);
}

static int key(ui_app *app, int k)
{
    size_t ns = app->run.batch.n_samples;
    size_t before = app->detail_cursor;
    if (ui_list_nav(&app->detail_cursor, ns, 5, k)) {
        if (before != app->detail_cursor)
            app->detail_streams_for = 0;
        return UI_HANDLED;
    }
    switch (k) {
    case 27:
    case 'q':
    case KEY_LEFT:
    case KEY_BACKSPACE:
        app->mode = MODE_NORMAL;
        return UI_HANDLED;
    case KEY_RESIZE:
        clear();
        return UI_HANDLED;
    }
    return UI_HANDLED; /* modal: other keys do nothing here */
}

const ui_panel_class ui_detail_panel = {draw, key};
