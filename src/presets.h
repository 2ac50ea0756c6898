/* presets.h - the pipelines and thresholds mxbench uses without being
 * told: the one place the front ends (CLI, app, serve, export) take them
 * from. */
#ifndef MX_PRESETS_H
#define MX_PRESETS_H
#include <stddef.h>

/* Default pipeline of `compress`: the best lossless pipeline measured on
 * the bundled data (see `make bench`). */
#define MX_DEFAULT_SPEC "auto"

/* What "auto:max" tries on each matrix (all lossless); the smallest wins. */
extern const char *const mx_auto_candidates[];
extern const size_t mx_auto_count;
/* What "auto" runs, unless a sample says the baseline might do better. */
#define MX_AUTO_FAST_SPEC "bfdelta"
/* The competition's baseline, which auto never loses to; batches show it
 * as their first column under MX_BASELINE_NAME. */
#define MX_BASELINE_SPEC "zstd:3"
#define MX_BASELINE_NAME "baseline:" MX_BASELINE_SPEC

/* The competition's similarity threshold under its lossy rules: rows below
 * it are rejected and score 0. Other rules accept only exact rows (1.0). */
#define MX_LOSSY_MIN_SIMILARITY 0.99
/* The --min-similarity a rule set implies when none is given (rules is an
 * mx_rules, metrics.h). */
double mx_default_min_similarity(int rules);

/* The `--batch` set when no -p is given: one pipeline per stage family. */
extern const char *const mx_default_batch_specs[];
extern const size_t mx_default_batch_count;
#endif
