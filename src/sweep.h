/* sweep.h - a pipeline template over a parameter range, for `mxbench
 * sweep` and the app's sweep prompt: "quant:sim={}" with "0.95:0.999:5"
 * gives five pipelines, one per value. */
#ifndef MX_SWEEP_H
#define MX_SWEEP_H
#include <stddef.h>
#include "../codecs/mxerr.h"
#include "pipeline.h"
#include "runner.h"

#define MX_SWEEP_MAX 200
#define MX_SWEEP_SPEC_MAX (MX_SPEC_MAX + 64)

/* "START:END:STEPS" -> up to MX_SWEEP_MAX values, evenly spaced. When START
 * and END are integers the values are rounded and deduplicated (levels and
 * bit counts); *integer says so. */
int mx_sweep_values(const char *range, double *v, size_t *n, int *integer, mx_error *err);
/* The template with its {} replaced by value; fails when there is no {}. */
int mx_sweep_spec(const char *tmpl, double value, int integer, char *out, size_t n,
                  mx_error *err);

/* What `sweep --plot` draws: b ran the baseline (column 0), then for each
 * template t each value i (column 1 + t * nv + i). */
typedef struct {
    const char *const *templates;
    size_t n_templates;
    const char *range;   /* the --param text, for the title */
    const double *vals;  /* the nv values swept */
    size_t nv;
    int integer;         /* values are integers (mx_sweep_values) */
    double min_similarity; /* the batch's; at 1 (lossless only) the line shows 0.99 */
} mx_sweep_plot;

/* The sweep as an SVG (svgplot.h; *out malloc'd): ratio against
 * similarity, a line per template, each point labelled with its value and
 * drawn hollow when rejected; the similarity threshold as a vertical line
 * and baseline zstd:3's mean ratio as a horizontal one; a title saying
 * what was swept over how many samples. */
int mx_sweep_svg(const mx_sweep_plot *p, const mx_batch *b, char **out, size_t *len,
                 mx_error *err);
#endif
