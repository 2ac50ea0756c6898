/* params.c - the parameters every stage declares (stage.h), parsed and
 * printed in one place: a stage never sees the text of a spec. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stage.h"

const char *const mx_axis_names[] = {"rows", "cols", NULL};

static size_t count(const mx_stage *s)
{
    size_t n = 0;
    while (n < MX_STAGE_PARAMS && s->params[n].name)
        n++;
    return n;
}

/* 10^digits, exactly (digits <= 15): the unit of a DECIMAL is its inverse. */
static double unit_scale(int digits)
{
    double k = 1;
    for (int i = 0; i < digits; i++)
        k *= 10;
    return k;
}

/* x inside the DECIMAL's interval (NaN never is). */
static int inside(const mx_param *d, double x)
{
    double k = unit_scale(d->digits), lo = (double)d->min / k, hi = (double)d->max / k;
    return (d->open_min ? x > lo : x >= lo) && (d->open_max ? x < hi : x <= hi);
}

/* The range as --list and errors show it: "1..22", "rows|cols", "(0,1]". */
static void range_text(const mx_param *d, char *buf, size_t n)
{
    size_t off = 0;
    switch (d->type) {
    case MX_PARAM_INT:
        snprintf(buf, n, "%lld..%lld", (long long)d->min, (long long)d->max);
        break;
    case MX_PARAM_CHOICE:
        buf[0] = 0;
        for (size_t i = 0; d->choices[i] && off < n; i++)
            off += (size_t)snprintf(buf + off, n - off, "%s%s", i ? "|" : "", d->choices[i]);
        break;
    case MX_PARAM_DECIMAL: {
        double k = unit_scale(d->digits);
        snprintf(buf, n, "%c%.*g,%.*g%c", d->open_min ? '(' : '[', d->digits, (double)d->min / k,
                 d->digits, (double)d->max / k, d->open_max ? ')' : ']');
        break;
    }
    }
}

static void value_text(const mx_param *d, int64_t v, char *buf, size_t n)
{
    switch (d->type) {
    case MX_PARAM_INT: snprintf(buf, n, "%lld", (long long)v); break;
    case MX_PARAM_CHOICE: snprintf(buf, n, "%s", d->choices[v]); break;
    case MX_PARAM_DECIMAL:
        snprintf(buf, n, "%.*g", d->digits, (double)v / unit_scale(d->digits));
        break;
    }
}

static int parse_value(const mx_stage *s, const mx_param *d, const char *text, int64_t *v,
                       mx_error *err)
{
    char range[128], *end;
    range_text(d, range, sizeof range);
    switch (d->type) {
    case MX_PARAM_INT: {
        errno = 0;
        long long x = strtoll(text, &end, 10);
        if (!*text || *end || errno)
            return mx_fail(err, MX_EINPUT, "stage '%s': %s '%s' is not an integer", s->name,
                           d->name, text);
        if (x < d->min || x > d->max)
            return mx_fail(err, MX_EINPUT, "stage '%s': %s %lld out of range %s", s->name,
                           d->name, x, range);
        *v = x;
        return 0;
    }
    case MX_PARAM_CHOICE:
        for (int64_t i = 0; d->choices[i]; i++)
            if (strcmp(text, d->choices[i]) == 0) {
                *v = i;
                return 0;
            }
        return mx_fail(err, MX_EINPUT, "stage '%s': %s must be %s (got '%s')", s->name, d->name,
                       range, text);
    case MX_PARAM_DECIMAL: {
        double x = strtod(text, &end), k = unit_scale(d->digits);
        if (!*text || *end || !inside(d, x))
            return mx_fail(err, MX_EINPUT, "stage '%s': %s must be a number in %s, got '%s'",
                           s->name, d->name, range, text);
        long r = lround(x * k); /* what is kept must be inside too */
        if (!inside(d, (double)r / k))
            return mx_fail(err, MX_EINPUT, "stage '%s': %s '%s' rounds to %.*g, outside %s",
                           s->name, d->name, text, d->digits, (double)r / k, range);
        *v = r;
        return 0;
    }
    }
    return mx_fail(err, MX_EFAIL, "stage '%s': parameter %s of unknown type", s->name, d->name);
}

int mx_stage_parse(const mx_stage *s, const char *arg, mx_params *p, mx_error *err)
{
    size_t n = count(s), i = 0;
    memset(p, 0, sizeof *p);
    for (size_t k = 0; k < n; k++)
        p->v[k] = s->params[k].def;
    if (arg) {
        if (n == 0)
            return mx_fail(err, MX_EINPUT, "stage '%s' takes no parameter (got '%s')", s->name,
                           arg);
        const char *eq = strchr(arg, '='), *value = arg;
        if (eq) {
            size_t len = (size_t)(eq - arg);
            for (i = 0; i < n; i++)
                if (strlen(s->params[i].name) == len && !strncmp(arg, s->params[i].name, len))
                    break;
            if (i == n) {
                char names[128] = "";
                for (size_t k = 0, off = 0; k < n && off < sizeof names; k++)
                    off += (size_t)snprintf(names + off, sizeof names - off, "%s%s",
                                            k ? ", " : "", s->params[k].name);
                return mx_fail(err, MX_EINPUT, "stage '%s' has no parameter '%.*s' (it has %s)",
                               s->name, (int)len, arg, names);
            }
            value = eq + 1;
        }
        if (parse_value(s, &s->params[i], value, &p->v[i], err))
            return -1;
    }
    p->which = s->alternatives ? (int)i : 0;
    return s->check ? s->check(p, err) : 0;
}

void mx_stage_format(const mx_stage *s, const mx_params *p, char *buf, size_t n)
{
    char value[64];
    size_t i = s->alternatives ? (size_t)p->which : 0;
    if (count(s) == 0) {
        snprintf(buf, n, "%s", s->name);
        return;
    }
    value_text(&s->params[i], p->v[i], value, sizeof value);
    if (s->alternatives)
        snprintf(buf, n, "%s:%s=%s", s->name, s->params[i].name, value);
    else
        snprintf(buf, n, "%s:%s", s->name, value);
}

void mx_stage_params_help(const mx_stage *s, char *buf, size_t n)
{
    size_t off = 0, np = count(s);
    buf[0] = 0;
    for (size_t i = 0; i < np && off < n; i++) {
        const mx_param *d = &s->params[i];
        char range[128], def[64];
        range_text(d, range, sizeof range);
        value_text(d, d->def, def, sizeof def);
        off += (size_t)snprintf(buf + off, n - off, "%s%s %s %s", i ? " | " : "", d->name,
                                d->type == MX_PARAM_DECIMAL ? "in" : "=", range);
        if (off < n && !s->alternatives)
            off += (size_t)snprintf(buf + off, n - off, " (default %s%s%s)", def,
                                    d->note ? "; " : "", d->note ? d->note : "");
        else if (off < n && d->note)
            off += (size_t)snprintf(buf + off, n - off, " (%s)", d->note);
    }
    if (s->alternatives && np && off < n) {
        char def[64];
        value_text(&s->params[0], s->params[0].def, def, sizeof def);
        snprintf(buf + off, n - off, " (default %s=%s)", s->params[0].name, def);
    }
}
