#include "sweep.h"
#include "svgplot.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_number(const char *s, double *v)
{
    char *end;
    *v = strtod(s, &end);
    return (!*s || *end || !isfinite(*v)) ? -1 : 0;
}

int mx_sweep_values(const char *range, double *v, size_t *n, int *integer, mx_error *err)
{
    char a[64], b[64], tail;
    unsigned long steps;
    if (sscanf(range, "%63[^:]:%63[^:]:%lu%c", a, b, &steps, &tail) != 3 || steps < 1 ||
        steps > MX_SWEEP_MAX)
        return mx_fail(err, MX_EINPUT, "range wants START:END:STEPS (1..%d steps), got '%s'",
                       MX_SWEEP_MAX, range);
    double lo, hi;
    if (parse_number(a, &lo) || parse_number(b, &hi))
        return mx_fail(err, MX_EINPUT, "range: '%s' or '%s' is not a number", a, b);
    *integer = !strpbrk(a, ".eE") && !strpbrk(b, ".eE");
    *n = 0;
    for (unsigned long i = 0; i < steps; i++) {
        double x = steps == 1 ? lo : lo + (hi - lo) * (double)i / (double)(steps - 1);
        if (*integer)
            x = (double)lround(x);
        if (*n && *integer && v[*n - 1] == x)
            continue;
        v[(*n)++] = x;
    }
    return 0;
}

int mx_sweep_spec(const char *tmpl, double value, int integer, char *out, size_t n,
                  mx_error *err)
{
    const char *mark = strstr(tmpl, "{}");
    if (!mark)
        return mx_fail(err, MX_EINPUT, "sweep template '%s' has no {} for the value", tmpl);
    char val[64];
    if (integer)
        snprintf(val, sizeof val, "%ld", (long)value);
    else
        snprintf(val, sizeof val, "%g", value);
    snprintf(out, n, "%.*s%s%s", (int)(mark - tmpl), tmpl, val, mark + 2);
    return 0;
}

/* Column c had a sample below the threshold, or a failure: drawn hollow. */
static int column_rejected(const mx_batch *b, size_t c)
{
    for (size_t s = 0; s < b->n_samples; s++) {
        const mx_result *r = &b->cell[s * b->n_columns + c];
        if (r->done && (r->rejected || r->failed))
            return 1;
    }
    return 0;
}

int mx_sweep_svg(const mx_sweep_plot *p, const mx_batch *b, char **out, size_t *len,
                 mx_error *err)
{
    size_t np = p->n_templates * p->nv;
    if (b->n_columns < 1 + np)
        return mx_fail(err, MX_EFAIL, "sweep plot: %zu columns for %zu pipelines", b->n_columns, np);
    double *xs = calloc(np + 1, sizeof *xs), *ys = calloc(np + 1, sizeof *ys);
    int *hollow = calloc(np + 1, sizeof *hollow);
    char (*labels)[32] = calloc(np + 1, sizeof *labels);
    const char **lp = calloc(np + 1, sizeof *lp);
    mx_series *series = calloc(p->n_templates + 1, sizeof *series);
    int rc = -1;
    if (!xs || !ys || !hollow || !labels || !lp || !series) {
        mx_fail(err, MX_EFAIL, "out of memory");
        goto out;
    }
    for (size_t t = 0; t < p->n_templates; t++) {
        series[t] = (mx_series){p->templates[t], p->nv, xs + t * p->nv, ys + t * p->nv,
                                lp + t * p->nv, hollow + t * p->nv};
        for (size_t i = 0; i < p->nv; i++) {
            size_t k = t * p->nv + i;
            const mx_summary *m = &b->summary[1 + k];
            /* the lower similarity, as rejections and the line go by it */
            xs[k] = m->n ? m->similarity_lower : NAN;
            ys[k] = m->n ? m->ratio : NAN;
            hollow[k] = column_rejected(b, 1 + k);
            if (p->integer)
                snprintf(labels[k], sizeof labels[k], "%ld", (long)p->vals[i]);
            else
                snprintf(labels[k], sizeof labels[k], "%g", p->vals[i]);
            lp[k] = labels[k];
        }
    }
    /* The competition's lossy bar is 0.99; a lossless-only batch (1) would
     * put the line on the frame, so it shows the bar a lossy run faces. */
    double thr = p->min_similarity < 1 ? p->min_similarity : 0.99;
    char title[MX_SWEEP_SPEC_MAX + 160], sub[200], thr_label[64], base_label[80];
    char lo[32], hi[32];
    snprintf(lo, sizeof lo, "%g", p->nv ? p->vals[0] : 0.0);
    snprintf(hi, sizeof hi, "%g", p->nv ? p->vals[p->nv - 1] : 0.0);
    if (p->n_templates == 1)
        snprintf(title, sizeof title, "Sweep of %s: {} from %s to %s (%zu values) over %zu samples",
                 p->templates[0], lo, hi, p->nv, b->n_samples);
    else
        snprintf(title, sizeof title, "Sweep of %zu templates: {} from %s to %s (%zu values) over %zu samples",
                 p->n_templates, lo, hi, p->nv, b->n_samples);
    snprintf(sub, sizeof sub, "--param %s; %s, %s rules; labels: the value of {}; rings: a sample "
             "below the threshold or failed", p->range, mx_condition_name(b->condition),
             mx_rules_name(b->rules));
    snprintf(thr_label, sizeof thr_label, "similarity threshold %g", thr);
    snprintf(base_label, sizeof base_label, "baseline zstd:3 on the raw bytes: %.4f",
             b->summary[0].ratio);
    mx_plot plot = {title, sub,
                    "similarity, mean over samples (the lower of float64 and float32; 1 = exact)",
                    "compression ratio, mean (original / compressed bytes)",
                    thr, thr_label, b->summary[0].n ? b->summary[0].ratio : NAN, base_label};
    rc = mx_svg_plot(&plot, series, p->n_templates, out, len, err);
out:
    free(xs);
    free(ys);
    free(hollow);
    free(labels);
    free(lp);
    free(series);
    return rc;
}
