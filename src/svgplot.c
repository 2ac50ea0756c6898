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

int mx_svg_plot(const mx_series *s, size_t n_series, const char *title, const char *xlabel,
                const char *ylabel, char **out, size_t *len, mx_error *err)
{
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (size_t k = 0; k < n_series; k++)
        for (size_t i = 0; i < s[k].n; i++) {
            if (!isfinite(s[k].x[i]) || !isfinite(s[k].y[i]))
                continue;
            x0 = fmin(x0, s[k].x[i]);
            x1 = fmax(x1, s[k].x[i]);
            y0 = fmin(y0, s[k].y[i]);
            y1 = fmax(y1, s[k].y[i]);
        }
    if (!isfinite(x0)) {
        x0 = 0;
        x1 = 1;
        y0 = 0;
        y1 = 1;
    }
    if (x1 - x0 < 1e-12) {
        x0 -= 0.001;
        x1 += 0.001;
    }
    if (y1 - y0 < 1e-12) {
        y0 -= 0.5;
        y1 += 0.5;
    }
    const double W = 800, H = 500, L = 70, R = 220, T = 40, B = 60;
    double pw = W - L - R, ph = H - T - B;
#define PX(v) (L + ((v) - x0) / (x1 - x0) * pw)
#define PY(v) (T + ph - ((v) - y0) / (y1 - y0) * ph)
    mx_bytes b = {0};
    mx_bytes_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
        W, H);
    mx_bytes_printf(&b, "<text x=\"%.0f\" y=\"24\" font-size=\"15\">", L);
    put_text(&b, title);
    mx_bytes_printf(&b, "</text>\n<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#444\"/>\n",
        L, T, pw, ph);
    for (int t = 0; t <= 5; t++) {
        double xv = x0 + (x1 - x0) * t / 5, yv = y0 + (y1 - y0) * t / 5;
        mx_bytes_printf(&b, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#ddd\"/>"
                "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%.4f</text>\n",
            PX(xv), T, PX(xv), T + ph, PX(xv), T + ph + 16, xv);
        mx_bytes_printf(&b, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.3f</text>\n",
            L, PY(yv), L + pw, PY(yv), L - 6, PY(yv) + 4, yv);
    }
    mx_bytes_printf(&b, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">", L + pw / 2, H - 16);
    put_text(&b, xlabel);
    mx_bytes_printf(&b, "</text>\n<text x=\"16\" y=\"%.0f\" transform=\"rotate(-90 16 %.0f)\" "
            "text-anchor=\"middle\">", T + ph / 2, T + ph / 2);
    put_text(&b, ylabel);
    mx_bytes_printf(&b, "</text>\n");
    for (size_t k = 0; k < n_series; k++) {
        const char *c = colors[k % (sizeof colors / sizeof colors[0])];
        mx_bytes_printf(&b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", c);
        for (size_t i = 0; i < s[k].n; i++)
            if (isfinite(s[k].x[i]) && isfinite(s[k].y[i]))
                mx_bytes_printf(&b, "%.1f,%.1f ", PX(s[k].x[i]), PY(s[k].y[i]));
        mx_bytes_printf(&b, "\"/>\n");
        for (size_t i = 0; i < s[k].n; i++)
            if (isfinite(s[k].x[i]) && isfinite(s[k].y[i]))
                mx_bytes_printf(&b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", PX(s[k].x[i]),
                    PY(s[k].y[i]), c);
        mx_bytes_printf(&b, "<rect x=\"%.0f\" y=\"%.0f\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                "<text x=\"%.0f\" y=\"%.0f\">", L + pw + 14, T + 6 + 20.0 * (double)k, c,
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
