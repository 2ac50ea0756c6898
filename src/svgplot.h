/* svgplot.h - a plain SVG line chart (written by hand: a few lines of XML do
 * not need a plotting library). Used by `mxbench sweep --plot`.
 *
 * Elements carry a class (title, xtick, ytick, series, point, point-label,
 * threshold, baseline) so that tests and scripts can read the picture back. */
#ifndef MX_SVGPLOT_H
#define MX_SVGPLOT_H
#include <stddef.h>
#include "../codecs/mxerr.h"

typedef struct {
    const char *label;
    size_t n;
    const double *x, *y;
    const char *const *point_labels; /* n texts written beside the points, or NULL */
    const int *hollow;               /* n flags: drawn as rings (rejected rows), or NULL */
} mx_series;

typedef struct {
    const char *title, *subtitle; /* subtitle may be NULL */
    const char *xlabel, *ylabel;  /* axis titles, with units */
    double vline;                 /* a vertical line at this x (NAN: none) */
    const char *vline_label;
    double hline;                 /* a horizontal line at this y (NAN: none) */
    const char *hline_label;
} mx_plot;

/* Renders the series into a malloc'd string (*out, *len). The axes cover
 * the points and both lines. */
int mx_svg_plot(const mx_plot *p, const mx_series *s, size_t n_series, char **out, size_t *len,
                mx_error *err);
#endif
