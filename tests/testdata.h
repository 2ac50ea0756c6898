/* testdata.h - load the bundled samples and the edge cases for tests. */
#ifndef MX_TESTDATA_H
#define MX_TESTDATA_H
#include <stdio.h>
#include <stdlib.h>
#include "../src/samples.h"
#include "edge.h"

/* Bundled data/manifest.csv samples followed by the edge cases (names
 * prefixed "edge:"). Exits the test on failure: without data nothing runs. */
static inline mx_sample *testdata_load(size_t *n)
{
    const char *top = getenv("top_srcdir");
    char path[4096];
    snprintf(path, sizeof path, "%s/data/manifest.csv", top ? top : ".");
    mx_sample *v = NULL;
    mx_error err = {0};
    *n = 0;
    if (mx_samples_load_manifest(path, &v, n, &err)) {
        fprintf(stderr, "cannot load test data: %s\n", err.msg);
        exit(99);
    }
    mx_named_matrix *e;
    size_t ne;
    mx_sample *q = mx_edge_cases(&e, &ne) ? NULL : realloc(v, (*n + ne) * sizeof *v);
    if (!q) {
        fprintf(stderr, "out of memory\n");
        exit(99);
    }
    v = q;
    for (size_t i = 0; i < ne; i++) {
        mx_sample *s = &v[*n + i];
        memset(s, 0, sizeof *s);
        snprintf(s->name, sizeof s->name, "edge:%s", e[i].name);
        s->m = e[i].m;
        s->m.origin = MX_ORIGIN_RAW;
    }
    *n += ne;
    free(e);
    return v;
}
#endif
