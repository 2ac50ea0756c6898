#include "export.h"
#include <stdlib.h>
#include <string.h>

static const char template_py[] =
#include "export/solution_py.h"
    ;

/* Stages solution.py implements (its e_/d_ functions and ent()). */
static const char *const supported[] = {
    "bytesplit", "expsplit", "shuffle", "bitshuffle", "transpose", "delta", "xor",
    "zeromask", "trunc", "q8", "q4", "raw", "zstd", "lz4", "lz4hc", "brotli", NULL,
};

static int is_supported(const char *name)
{
    for (size_t i = 0; supported[i]; i++)
        if (strcmp(supported[i], name) == 0)
            return 1;
    return 0;
}

int mx_export_python(const mx_pipeline *p, char **out, size_t *len, mx_error *err)
{
    if (p->automatic) {
        char spec[MX_SPEC_MAX];
        mx_pipeline_format(p, spec, sizeof spec);
        return mx_fail(err, MX_EINPUT,
                       "'%s' cannot be exported: pick one pipeline (e.g. expsplit|zstd:19)", spec);
    }
    for (size_t i = 0; i <= p->n_transforms; i++) {
        const mx_stage *s = i < p->n_transforms ? p->transforms[i].stage : p->entropy.stage;
        if (!is_supported(s->name))
            return mx_fail(err, MX_EINPUT,
                           "stage '%s' has no fast numpy form and cannot be exported "
                           "(exportable: bytesplit expsplit shuffle bitshuffle transpose delta "
                           "xor zeromask trunc q8 q4 | raw zstd lz4 lz4hc brotli)",
                           s->name);
    }
    char spec[MX_SPEC_MAX];
    mx_pipeline_format(p, spec, sizeof spec);
    const char *mark = "__SPEC__";
    size_t ml = strlen(mark), sl = strlen(spec), count = 0;
    for (const char *q = template_py; (q = strstr(q, mark)); q += ml)
        count++;
    size_t total = sizeof template_py - 1 + count * sl - count * ml;
    char *buf = malloc(total + 1), *w = buf;
    if (!buf)
        return mx_fail(err, MX_EFAIL, "out of memory");
    const char *r = template_py, *q;
    while ((q = strstr(r, mark))) {
        memcpy(w, r, (size_t)(q - r));
        w += q - r;
        memcpy(w, spec, sl);
        w += sl;
        r = q + ml;
    }
    strcpy(w, r);
    *out = buf;
    *len = total;
    if (total > MX_EXPORT_MAX_BYTES) {
        free(buf);
        return mx_fail(err, MX_EFAIL, "exported solution is %zu bytes, over the %d-byte limit",
                       total, MX_EXPORT_MAX_BYTES);
    }
    return 0;
}
