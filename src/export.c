#include "export.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bytes.h"
#include "presets.h"

/* The sections of src/export/, by file name without ".py". */
typedef struct {
    const char *name, *text;
} section;

static const section sections[] = {
#include "export/sections.h"
};
#define N_SECTIONS (sizeof sections / sizeof sections[0])

/* What every solution has, before and after the stages' twins. */
static const char *const base_head[] = {"head", "xxh3", "container", "npy", "shape"};
static const char *const base_tail[] = {"serve"};

/* A stage's numpy twin is in its own table entry (stage.h: twin): the
 * sections it needs, in order; a stage without one cannot be exported. */
static int has_twin(const mx_stage *s)
{
    return s->twin[0] != NULL;
}

static const mx_stage *step_stage(const mx_pipeline *p, size_t i)
{
    return i < p->n_transforms ? p->transforms[i].stage : p->entropy.stage;
}

/* The first stage of p without a twin, or NULL. */
static const char *missing_twin(const mx_pipeline *p)
{
    for (size_t i = 0; i <= p->n_transforms; i++)
        if (!has_twin(step_stage(p, i)))
            return step_stage(p, i)->name;
    return NULL;
}

/* For auto and auto:max: the first stage they may run without a twin. */
static const char *missing_in_automatic(const mx_pipeline *p)
{
    const char *fast[] = {MX_AUTO_FAST_SPEC, MX_BASELINE_SPEC};
    const char *const *specs = p->automatic == MX_AUTO_MAX ? mx_auto_candidates : fast;
    size_t n = p->automatic == MX_AUTO_MAX ? mx_auto_count : 2;
    for (size_t i = 0; i < n; i++) {
        mx_pipeline c;
        mx_error ignored = {0};
        const char *name = mx_pipeline_parse(specs[i], &c, &ignored) ? specs[i] : missing_twin(&c);
        if (name)
            return name;
    }
    return NULL;
}

static int refuse(const char *spec, const char *stage, mx_error *err)
{
    char list[512] = "";
    size_t at = 0;
    for (size_t i = 0; mx_stages[i] && at < sizeof list; i++)
        if (has_twin(mx_stages[i]))
            at += (size_t)snprintf(list + at, sizeof list - at, " %s", mx_stages[i]->name);
    if (!stage)
        return mx_fail(err, MX_EINPUT,
                       "'%s' cannot be exported: its per-matrix choice has no Python twin yet; "
                       "pick one pipeline (e.g. expsplit|zstd:19)", spec);
    return mx_fail(err, MX_EINPUT,
                   "'%s' cannot be exported: stage '%s' has no numpy twin (exportable:%s)", spec,
                   stage, list);
}

static const section *find_section(const char *name)
{
    for (size_t i = 0; i < N_SECTIONS; i++)
        if (strcmp(sections[i].name, name) == 0)
            return &sections[i];
    return NULL;
}

/* Appends the section once (used[] remembers), with the spec filled in. */
static int append(mx_bytes *w, const char *name, const section **used, size_t *n_used,
                  const char *spec, mx_error *err)
{
    const section *s = find_section(name);
    if (!s)
        return mx_fail(err, MX_EFAIL, "export: section '%s' is missing from this build", name);
    for (size_t i = 0; i < *n_used; i++)
        if (used[i] == s)
            return 0;
    used[(*n_used)++] = s;
    const char *mark = "__SPEC__", *r = s->text, *q;
    while ((q = strstr(r, mark))) {
        mx_bytes_put(w, r, (size_t)(q - r));
        mx_bytes_put(w, spec, strlen(spec));
        r = q + strlen(mark);
    }
    mx_bytes_put(w, r, strlen(r));
    return 0;
}

int mx_export_python(const mx_pipeline *p, char **out, size_t *len, mx_error *err)
{
    char spec[MX_SPEC_MAX];
    mx_pipeline_format(p, spec, sizeof spec);
    if (p->automatic)
        return refuse(spec, missing_in_automatic(p), err);
    const char *missing = missing_twin(p);
    if (missing)
        return refuse(spec, missing, err);
    mx_bytes w = {0};
    const section *used[N_SECTIONS];
    size_t n_used = 0;
    int rc = 0;
    for (size_t i = 0; !rc && i < sizeof base_head / sizeof *base_head; i++)
        rc = append(&w, base_head[i], used, &n_used, spec, err);
    for (size_t i = 0; !rc && i <= p->n_transforms; i++) {
        const mx_stage *st = step_stage(p, i);
        for (size_t k = 0; !rc && k < sizeof st->twin / sizeof st->twin[0] && st->twin[k]; k++)
            rc = append(&w, st->twin[k], used, &n_used, spec, err);
    }
    for (size_t i = 0; !rc && i < sizeof base_tail / sizeof *base_tail; i++)
        rc = append(&w, base_tail[i], used, &n_used, spec, err);
    mx_bytes_put(&w, "", 1); /* the NUL */
    if (!rc && w.oom)
        rc = mx_fail(err, MX_EFAIL, "out of memory");
    if (!rc && w.len - 1 > MX_EXPORT_MAX_BYTES)
        rc = mx_fail(err, MX_EFAIL, "exported solution is %zu bytes, over the %d-byte limit",
                     w.len - 1, MX_EXPORT_MAX_BYTES);
    if (rc) {
        free(w.p);
        return -1;
    }
    *out = (char *)w.p;
    *len = w.len - 1;
    return 0;
}
