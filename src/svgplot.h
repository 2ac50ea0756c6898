/* svgplot.h - a plain SVG line chart (written by hand: a few lines of XML do
 * not need a plotting library). Used by `mxbench sweep --plot`. */
#ifndef MX_SVGPLOT_H
#define MX_SVGPLOT_H
#include <stddef.h>
#include "../codecs/mxerr.h"

typedef struct {
    const char *label;
    size_t n;
    const double *x, *y;
} mx_series;

/* Renders the series (x: similarity, y: ratio) into a malloc'd string. */
int mx_svg_plot(const mx_series *s, size_t n_series, const char *title, const char *xlabel,
                const char *ylabel, char **out, size_t *len, mx_error *err);
#endif
