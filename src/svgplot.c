#include "svgplot.h"
#include "../codecs/bytes.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* XML-escapes labels (specs contain '|', which is fine, but '<' or '&' are not). */
static void put_text(mx_bytes *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            mx_bytes_printf(b, "&lt;");
        else if (*s == '>')
            mx_bytes_printf(b, "&gt;");
        else if (*s == '&')
            mx_bytes_printf(b, "&amp;");
        else
            mx_bytes_put(b, s, 1);
    }
}

static const char *const colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                     "#9467bd", "#8c564b", "#e377c2", "#17becf"};

/* The axis range [*lo, *hi] widened to cover v (ignored when not finite). */
static void cover(double *lo, double *hi, double v)
{
    if (isfinite(v)) {
        *lo = fmin(*lo, v);
        *hi = fmax(*hi, v);
    }
}

/* A tick step of 1, 2 or 5 times a power of ten giving about `want` ticks:
 * round numbers are what a reader can read off. */
static double tick_step(double span, int want)
{
    double raw = span / want, mag = pow(10, floor(log10(raw))), f = raw / mag;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

/* Decimals that show a multiple of step exactly. */
static int tick_decimals(double step)
{
    int d = (int)-floor(log10(step) + 1e-9);
    return d < 0 ? 0 : d > 9 ? 9 : d;
}

/* Pads a range by 5% each side (and gives an empty one some width), so
 * that points and lines do not sit on the frame. */
static void pad(double *lo, double *hi, double empty)
{
    if (!isfinite(*lo)) {
        *lo = 0;
        *hi = 1;
    }
    if (*hi - *lo < 1e-12) {
        *lo -= empty;
        *hi += empty;
    }
    double m = (*hi - *lo) * 0.05;
    *lo -= m;
    *hi += m;
}

int mx_svg_plot(const mx_plot *p, const mx_series *s, size_t n_series, char **out, size_t *len,
                mx_error *err)
{
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (size_t k = 0; k < n_series; k++)
        for (size_t i = 0; i < s[k].n; i++)
            if (isfinite(s[k].x[i]) && isfinite(s[k].y[i])) {
                cover(&x0, &x1, s[k].x[i]);
                cover(&y0, &y1, s[k].y[i]);
            }
    cover(&x0, &x1, p->vline);
    cover(&y0, &y1, p->hline);
    pad(&x0, &x1, 0.001);
    pad(&y0, &y1, 0.5);
    const double W = 860, H = 540, L = 80, R = 230, T = 70, B = 64;
    double pw = W - L - R, ph = H - T - B;
#define PX(v) (L + ((v) - x0) / (x1 - x0) * pw)
#define PY(v) (T + ph - ((v) - y0) / (y1 - y0) * ph)
    mx_bytes b = {0};
    mx_bytes_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
        W, H, W, H);
    mx_bytes_printf(&b, "<text class=\"title\" x=\"%.0f\" y=\"24\" font-size=\"15\" font-weight=\"bold\">", L);
    put_text(&b, p->title);
    mx_bytes_printf(&b, "</text>\n");
    if (p->subtitle) {
        mx_bytes_printf(&b, "<text class=\"subtitle\" x=\"%.0f\" y=\"44\" font-size=\"11\" fill=\"#555\">", L);
        put_text(&b, p->subtitle);
        mx_bytes_printf(&b, "</text>\n");
    }
    mx_bytes_printf(&b, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#444\"/>\n",
        L, T, pw, ph);
    /* Ticks: each a group of its grid line and its value, so that a reader
     * of the file can recover the axis mapping from any two of them. */
    double st = tick_step(x1 - x0, 6);
    int dec = tick_decimals(st);
    for (double i = ceil(x0 / st), v; (v = i * st + 0.0) <= x1 + st * 1e-9; i++)
        mx_bytes_printf(&b, "<g class=\"xtick\"><line x1=\"%.2f\" y1=\"%.0f\" x2=\"%.2f\" y2=\"%.0f\" stroke=\"#ddd\"/>"
                "<text x=\"%.2f\" y=\"%.0f\" text-anchor=\"middle\">%.*f</text></g>\n",
            PX(v), T, PX(v), T + ph, PX(v), T + ph + 16, dec, v);
    st = tick_step(y1 - y0, 6);
    dec = tick_decimals(st);
    for (double i = ceil(y0 / st), v; (v = i * st + 0.0) <= y1 + st * 1e-9; i++)
        mx_bytes_printf(&b, "<g class=\"ytick\"><line x1=\"%.0f\" y1=\"%.2f\" x2=\"%.0f\" y2=\"%.2f\" stroke=\"#ddd\"/>"
                "<text x=\"%.0f\" y=\"%.2f\" text-anchor=\"end\">%.*f</text></g>\n",
            L, PY(v), L + pw, PY(v), L - 6, PY(v) + 4, dec, v);
    mx_bytes_printf(&b, "<text class=\"xlabel\" x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">", L + pw / 2, H - 20);
    put_text(&b, p->xlabel);
    mx_bytes_printf(&b, "</text>\n<text class=\"ylabel\" x=\"18\" y=\"%.0f\" transform=\"rotate(-90 18 %.0f)\" "
            "text-anchor=\"middle\">", T + ph / 2, T + ph / 2);
    put_text(&b, p->ylabel);
    mx_bytes_printf(&b, "</text>\n");
    /* The reference lines go under the points; their labels sit inside
     * the frame, at its top and left edge, away from most points. */
    if (isfinite(p->vline)) {
        mx_bytes_printf(&b, "<line class=\"threshold\" x1=\"%.2f\" y1=\"%.0f\" x2=\"%.2f\" y2=\"%.0f\" "
                "stroke=\"#c00\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n"
                "<text class=\"threshold-label\" x=\"%.2f\" y=\"%.0f\" font-size=\"10\" fill=\"#c00\" "
                "text-anchor=\"end\">", PX(p->vline), T, PX(p->vline), T + ph, PX(p->vline) - 4, T + 12);
        put_text(&b, p->vline_label ? p->vline_label : "");
        mx_bytes_printf(&b, "</text>\n");
    }
    if (isfinite(p->hline)) {
        mx_bytes_printf(&b, "<line class=\"baseline\" x1=\"%.0f\" y1=\"%.2f\" x2=\"%.0f\" y2=\"%.2f\" "
                "stroke=\"#666\" stroke-width=\"1.5\" stroke-dasharray=\"2 3\"/>\n"
                "<text class=\"baseline-label\" x=\"%.0f\" y=\"%.2f\" font-size=\"10\" fill=\"#444\">",
            L, PY(p->hline), L + pw, PY(p->hline), L + 4, PY(p->hline) - 4);
        put_text(&b, p->hline_label ? p->hline_label : "");
        mx_bytes_printf(&b, "</text>\n");
    }
    for (size_t k = 0; k < n_series; k++) {
        const char *c = colors[k % (sizeof colors / sizeof colors[0])];
        mx_bytes_printf(&b, "<polyline class=\"series\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", c);
        for (size_t i = 0; i < s[k].n; i++)
            if (isfinite(s[k].x[i]) && isfinite(s[k].y[i]))
                mx_bytes_printf(&b, "%.2f,%.2f ", PX(s[k].x[i]), PY(s[k].y[i]));
        mx_bytes_printf(&b, "\"/>\n");
        size_t shown = 0;
        for (size_t i = 0; i < s[k].n; i++) {
            if (!isfinite(s[k].x[i]) || !isfinite(s[k].y[i]))
                continue;
            double px = PX(s[k].x[i]), py = PY(s[k].y[i]);
            int ring = s[k].hollow && s[k].hollow[i];
            mx_bytes_printf(&b, "<circle class=\"point\" cx=\"%.2f\" cy=\"%.2f\" r=\"3.5\" fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\"/>\n",
                px, py, ring ? "white" : c, c);
            if (!s[k].point_labels || !s[k].point_labels[i])
                continue;
            /* Neighbouring points put their labels on alternate sides, so
             * that labels of close points do not print over each other. */
            int left = shown++ % 2 == 1;
            mx_bytes_printf(&b, "<text class=\"point-label\" x=\"%.2f\" y=\"%.2f\" font-size=\"10\" fill=\"%s\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\" text-anchor=\"%s\">",
                px + (left ? -7 : 7), py + 3.5, c, left ? "end" : "start");
            put_text(&b, s[k].point_labels[i]);
            mx_bytes_printf(&b, "</text>\n");
        }
        mx_bytes_printf(&b, "<rect x=\"%.0f\" y=\"%.0f\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                "<text class=\"legend\" x=\"%.0f\" y=\"%.0f\">", L + pw + 14, T + 6 + 20.0 * (double)k, c,
            L + pw + 32, T + 16 + 20.0 * (double)k);
        put_text(&b, s[k].label);
        mx_bytes_printf(&b, "</text>\n");
    }
    mx_bytes_printf(&b, "</svg>\n");
#undef PX
#undef PY
    if (b.oom) {
        free(b.p);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    *out = (char *)b.p;
    *len = b.len;
    return 0;
}
