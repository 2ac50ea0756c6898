/* sweep.h - a pipeline template over a parameter range, for `mxbench
 * sweep` and the app's sweep prompt: "quant:sim={}" with "0.95:0.999:5"
 * gives five pipelines, one per value. */
#ifndef MX_SWEEP_H
#define MX_SWEEP_H
#include <stddef.h>
#include "../codecs/mxerr.h"
#include "pipeline.h"

#define MX_SWEEP_MAX 200
#define MX_SWEEP_SPEC_MAX (MX_SPEC_MAX + 64)

/* "START:END:STEPS" -> up to MX_SWEEP_MAX values, evenly spaced. When START
 * and END are integers the values are rounded and deduplicated (levels and
 * bit counts); *integer says so. */
int mx_sweep_values(const char *range, double *v, size_t *n, int *integer, mx_error *err);
/* The template with its {} replaced by value; fails when there is no {}. */
int mx_sweep_spec(const char *tmpl, double value, int integer, char *out, size_t n,
                  mx_error *err);
#endif
