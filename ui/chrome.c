/* chrome.c - the lines around the panels: the title (condition, rules,
 * score to beat, threshold, progress), the status line and the footer of
 * keys (the focused panel's, then the global ones, quit always last).
 * Laid out for 80 columns first: what does not fit is shortened, then
 * dropped, least useful first; the progress counter is never dropped. */
#include <stdio.h>
#include <string.h>
#include "app.h"
#include "crt.h"
#include "draw.h"

/* The title's parts, each long and short. */
typedef struct {
    char cond[2][96], beat[2][96], thr[2][64], right[48];
} title_parts;

static void title_text(ui_app *app, title_parts *t)
{
    ui_run *r = &app->run;
    memset(t, 0, sizeof *t);
    /* the condition of the results shown, and of the next run if it differs */
    mx_condition shown = r->have_results ? r->opts.condition : app->opts.condition;
    const char *cs = mx_condition_name(shown), *cn = mx_condition_name(app->opts.condition);
    if (shown != app->opts.condition) {
        snprintf(t->cond[0], sizeof t->cond[0], "%s (next run: %s)", cs, cn);
        snprintf(t->cond[1], sizeof t->cond[1], "%s (next: %s)", cs, cn);
    } else {
        snprintf(t->cond[0], sizeof t->cond[0], "%s", cs);
        snprintf(t->cond[1], sizeof t->cond[1], "%s", cs);
    }
    const char *rules = app->opts.rules == MX_RULES_SEED ? "" : mx_rules_name(app->opts.rules);
    int have = r->have_results && r->batch.have_raw_to_beat;
    double beat = have ? r->batch.raw_to_beat : app->opts.raw_to_beat;
    const char *from = app->opts.have_raw_to_beat ? "" : " (zstd:3)";
    if (!have && !app->opts.have_raw_to_beat) {
        snprintf(t->beat[0], sizeof t->beat[0], "%s%s%sto beat: baseline zstd:3 (run to measure)",
                 rules[0] ? "rules " : "", rules, rules[0] ? "  " : "");
        snprintf(t->beat[1], sizeof t->beat[1], "%s%sto beat: zstd:3", rules, rules[0] ? "  " : "");
    } else if (rules[0]) {
        snprintf(t->beat[0], sizeof t->beat[0], "rules %s  to beat: %.7f%s", rules, beat, from);
        snprintf(t->beat[1], sizeof t->beat[1], "%s  to beat %.7f", rules, beat);
        snprintf(t->thr[0], sizeof t->thr[0], "threshold (1.01x): %.7f", beat * 1.01);
        snprintf(t->thr[1], sizeof t->thr[1], "x1.01: %.7f", beat * 1.01);
    } else {
        snprintf(t->beat[0], sizeof t->beat[0], "to beat: raw %.1f%s", beat, from);
        snprintf(t->beat[1], sizeof t->beat[1], "to beat %.1f", beat);
        snprintf(t->thr[0], sizeof t->thr[0], "threshold (1.01x): %.1f", beat * 1.01);
        snprintf(t->thr[1], sizeof t->thr[1], "x1.01: %.1f", beat * 1.01);
    }
    if (r->running)
        snprintf(t->right, sizeof t->right, "running %zu/%zu ", r->done, r->total);
    else if (r->have_results && r->samples_done < r->n_samples)
        snprintf(t->right, sizeof t->right, "cancelled %zu/%zu ", r->done, r->total);
    else if (r->have_results)
        snprintf(t->right, sizeof t->right, "done %zu/%zu ", r->done, r->total);
}

static void draw_title(ui_app *app, int w)
{
    title_parts t;
    pthread_mutex_lock(&app->run.lock);
    title_text(app, &t);
    int running = app->run.running;
    size_t done = app->run.done, total = app->run.total;
    pthread_mutex_unlock(&app->run.lock);
    /* the variants tried in turn: shorter parts first, then fewer */
    static const signed char plan[][3] = {
        /* cond, beat, threshold: 0 long, 1 short, -1 left out */
        {0, 0, 0}, {0, 0, 1}, {0, 1, 1}, {1, 1, 1}, {1, 1, -1}, {1, -1, -1}, {-1, -1, -1},
    };
    char left[320] = "";
    int room = w - (int)strlen(t.right) - 1;
    for (size_t i = 0; i < sizeof plan / sizeof plan[0]; i++) {
        const signed char *v = plan[i];
        int n = snprintf(left, sizeof left, " mxbench");
        if (v[0] >= 0)
            n += snprintf(left + n, sizeof left - (size_t)n, "  %s", t.cond[v[0]]);
        if (v[1] >= 0 && t.beat[v[1]][0])
            n += snprintf(left + n, sizeof left - (size_t)n, "  %s", t.beat[v[1]]);
        if (v[2] >= 0 && t.thr[v[2]][0])
            snprintf(left + n, sizeof left - (size_t)n, "  %s", t.thr[v[2]]);
        if ((int)strlen(left) <= room)
            break;
    }
    int attr = crt_attr(CRT_TITLE);
    ui_fill(0, 0, w, attr);
    ui_put(0, 0, w, attr, "%s", left);
    int rl = (int)strlen(t.right);
    if (rl < w)
        ui_put(0, w - rl, rl, attr, "%s", t.right);
    if (running && total) { /* progress under the title */
        int filled = (int)((double)w * (double)done / (double)total);
        ui_fill(1, 0, filled, crt_attr(CRT_BAR));
    }
}

/* The footer: the keys of the panel events go to, then the global ones
 * that have a footer name; quit is always shown, at the end. */
#define MAX_ITEMS 24
typedef struct {
    const char *label, *name;
    int key, x;
} footer_item;

/* The key a footer label stands for. */
static int label_key(const char *label)
{
    if (!strncmp(label, "F10", 3))
        return KEY_F(10);
    if (!strncmp(label, "F6", 2))
        return KEY_F(6);
    if (!strncmp(label, "Tab", 3))
        return '\t';
    if (!strncmp(label, "Space", 5))
        return ' ';
    if (!strncmp(label, "Enter", 5))
        return '\n';
    if (!strncmp(label, "Esc", 3))
        return 27;
    if (!strncmp(label, "Del", 3))
        return KEY_DC;
    return (unsigned char)label[0];
}

/* The first word of a label, as the footer shows it. */
static void short_label(const char *label, char *buf, size_t n)
{
    size_t l = strcspn(label, " ");
    snprintf(buf, n, "%.*s", (int)l, label);
}

static size_t footer_items(ui_app *app, int w, footer_item *it)
{
    const ui_key_help *lists[2] = {NULL, NULL};
    ui_panel *top = ui_screen_top(&app->screen), *focus = ui_screen_focused(&app->screen);
    lists[0] = top ? top->cls->keys : focus ? focus->cls->keys : NULL;
    lists[1] = top ? NULL : ui_global_keys; /* a stacked panel takes every key */
    footer_item all[MAX_ITEMS], quit = {NULL, NULL, 0, 0};
    size_t n = 0;
    for (int l = 0; l < 2; l++)
        for (const ui_key_help *k = lists[l]; k && k->label && n < MAX_ITEMS; k++) {
            if (!k->footer)
                continue;
            footer_item f = {k->label, k->footer, label_key(k->label), 0};
            if (f.key == KEY_F(10))
                quit = f;
            else
                all[n++] = f;
        }
    /* fit: items in order while they fit beside quit */
    char lab[16];
    int quit_w = 0;
    if (quit.label) {
        short_label(quit.label, lab, sizeof lab);
        quit_w = (int)(strlen(lab) + strlen(quit.name)) + 1;
    }
    int x = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        short_label(all[i].label, lab, sizeof lab);
        int iw = (int)(strlen(lab) + strlen(all[i].name)) + 1;
        if (x + iw + quit_w > w)
            break;
        all[i].x = x;
        it[m++] = all[i];
        x += iw;
    }
    if (quit.label) {
        quit.x = x;
        it[m++] = quit;
    }
    return m;
}

int ui_chrome_click(ui_app *app, int y, int x)
{
    int h, w;
    crt_size(&h, &w);
    if (y != h - 1)
        return ERR;
    footer_item it[MAX_ITEMS + 1];
    size_t n = footer_items(app, w, it);
    for (size_t i = n; i-- > 0;)
        if (x >= it[i].x)
            return it[i].key;
    return ERR;
}

void ui_chrome_status(ui_app *app, int h, int w)
{
    int attr = crt_attr(app->status_error ? CRT_STATUS_ERROR : CRT_STATUS_INFO);
    size_t len = strlen(app->status);
    if (len <= (size_t)w || ui_screen_covered(&app->screen)) { /* the row above is not ours */
        ui_put(h - 2, 0, w, attr, "%s", app->status);
        return;
    }
    /* two rows, cut at a space */
    size_t cut = (size_t)w;
    while (cut > (size_t)w / 2 && app->status[cut] != ' ')
        cut--;
    if (app->status[cut] != ' ')
        cut = (size_t)w;
    ui_fill(h - 3, 0, w, attr);
    ui_put(h - 3, 0, (int)cut, attr, "%s", app->status);
    ui_fill(h - 2, 0, w, attr);
    ui_put(h - 2, 0, w, attr, "%s", app->status + cut + (app->status[cut] == ' '));
}

void ui_chrome_draw(ui_app *app, int h, int w)
{
    draw_title(app, w);
    footer_item it[MAX_ITEMS + 1];
    size_t n = footer_items(app, w, it);
    for (size_t i = 0; i < n; i++) {
        char lab[16];
        short_label(it[i].label, lab, sizeof lab);
        int x = it[i].x;
        ui_put(h - 1, x, w - x, crt_attr(CRT_KEY), "%s", lab);
        x += (int)strlen(lab);
        ui_put(h - 1, x, w - x, A_NORMAL, "%s", it[i].name);
    }
}
