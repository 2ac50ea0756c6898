/* presets.h - the pipelines mxbench offers without being told. */
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
/* The competition's baseline, which auto never loses to. */
#define MX_BASELINE_SPEC "zstd:3"

/* The `--batch` set when no -p is given: one pipeline per stage family. */
extern const char *const mx_default_batch_specs[];
extern const size_t mx_default_batch_count;
#endif
