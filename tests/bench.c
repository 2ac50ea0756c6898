/* bench [MANIFEST] [SPEC...] - throughput and ratio of every built-in
 * pipeline (or the given ones) over a sample set, next to the competition
 * baseline zstd:3. `make bench` runs it on the bundled data. Not part of
 * `make check`: timings belong in a benchmark, not in a pass/fail test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../src/presets.h"
#include "../src/runner.h"

#define REPEAT 5

typedef struct {
    double orig, comp, ms_c, ms_d;
    int failed;
} totals;

static void add(totals *t, const mx_result *r)
{
    t->orig += (double)r->original_bytes;
    t->comp += (double)r->compressed_bytes;
    t->ms_c += r->ms_compress;
    t->ms_d += r->ms_decompress;
}

static void row(const char *spec, const totals *t, const totals *base)
{
    double mb = t->orig / 1e6;
    if (t->failed) {
        printf("%-34s  FAILED\n", spec);
        return;
    }
    printf("%-34s  %7.4f  %+7.2f%%  %9.1f  %9.1f\n", spec, t->orig / t->comp,
           100.0 * ((t->orig / t->comp) / (base->orig / base->comp) - 1.0),
           mb / (t->ms_c / 1e3), mb / (t->ms_d / 1e3));
}

int main(int argc, char **argv)
{
    const char *manifest = argc > 1 ? argv[1] : "data/manifest.csv";
    const char *const *specs = argc > 2 ? (const char *const *)argv + 2 : mx_default_batch_specs;
    size_t n_specs = argc > 2 ? (size_t)argc - 2 : mx_default_batch_count;
    mx_sample *s = NULL;
    size_t n = 0;
    mx_error err = {0};
    if (mx_samples_load_manifest(manifest, &s, &n, &err)) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 2;
    }
    mx_pipeline base;
    mx_pipeline_parse(MX_BASELINE_SPEC, &base, &err);
    totals bt = {0};
    for (size_t i = 0; i < n; i++) {
        mx_result r;
        if (mx_run_bare(&base, &s[i].m, REPEAT, &r, &err)) {
            fprintf(stderr, "bench: baseline: %s\n", err.msg);
            return 1;
        }
        add(&bt, &r);
    }
    printf("%zu samples, %.1f MB, median of %d runs; MB/s of original bytes\n", n, bt.orig / 1e6,
           REPEAT);
    printf("%-34s  %7s  %8s  %9s  %9s\n", "pipeline", "ratio", "vs zstd3", "comp MB/s",
           "dec MB/s");
    row(MX_BASELINE_NAME, &bt, &bt);
    int rc = 0;
    for (size_t k = 0; k < n_specs; k++) {
        mx_pipeline p;
        if (mx_pipeline_parse(specs[k], &p, &err)) {
            fprintf(stderr, "bench: %s\n", err.msg);
            rc = 2;
            continue;
        }
        totals t = {0};
        for (size_t i = 0; i < n && !t.failed; i++) {
            mx_result r;
            if (mx_run_cell(&p, &s[i].m, REPEAT, &r, &err) || r.failed)
                t.failed = 1;
            else
                add(&t, &r);
        }
        row(specs[k], &t, &bt);
        fflush(stdout);
        rc |= t.failed;
    }
    mx_samples_free(s, n);
    return rc;
}
