/* panel_help.c - every key, one screen; any key closes it. */
#include "app.h"
#include "crt.h"

static const char *const lines[] = {
    "Global",
    "  Tab / Shift-Tab   next / previous panel      ?  F1   this help",
    "  :  /              type a pipeline spec (Up/Down: history)",
    "  t                 add a transform after the highlighted stage",
    "  n                 choose the entropy stage",
    "  r                 run the queue on the selected samples (baseline zstd:3 added)",
    "  c                 cancel the run after the current cell",
    "  e                 export the results as CSV (same columns as --batch --csv)",
    "  w  l              save / load the queue (one spec per line)",
    "  S                 sweep: queue TEMPLATE{} for each of START:END:STEPS values",
    "  E                 score a solution .py beside the pipelines (mxbench eval)",
    "  R                 rules: seed (raw score) -> lossless -> lossy (0..1 scores)",
    "  C                 condition of the next run: as submitted (raw bytes, shape",
    "                    hidden, width inferred) <-> shape known",
    "  q                 quit",
    "Samples             Up/Down PgUp/PgDn Home/End move, Space select, a all/none",
    "Pipeline            Left/Right pick a stage, + / - change its parameter,",
    "                    x remove it, Enter add the pipeline to the queue",
    "Queue               Enter edit in the builder, d remove",
    "Results             s sort column, Enter per-sample detail (Esc back)",
    "Colours             green beats the score to beat by 1%, red misses,",
    "                    dim: rejected (below --min-similarity) or failed",
    "",
    "Press any key to close.",
};

static void draw(ui_app *app, int y, int x, int h, int w, int focused)
{
    (void)app;
    (void)focused;
    ui_panel_title(y, x, w, 1, "Help");
    for (int i = 0; i < (int)(sizeof lines / sizeof lines[0]) && i + 1 < h; i++)
        ui_put(y + 1 + i, x + 1, w - 1, lines[i][0] != ' ' ? A_BOLD : A_NORMAL, "%s", lines[i]);
}

static int key(ui_app *app, int k)
{
    (void)k;
    app->mode = MODE_NORMAL;
    return UI_HANDLED;
}

const ui_panel_class ui_help_panel = {draw, key};
