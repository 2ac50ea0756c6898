#include "sweep.h"
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
