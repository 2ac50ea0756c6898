/* bench [-r N] [-o PREFIX] [-c submitted|known] [-v] [-p SPEC]... [LABEL=]MANIFEST... - ratio and
 * throughput of the competition's peers and of our own pipelines on one or
 * more data sets, printed side by side with reference lines (order-0
 * bounds, a row/column scale model: bench_bounds.h), then issue 17's
 * targets with MET or MISSED, then the lossy pipelines' sizes and lowest
 * similarities. With -o, per-matrix rows go to PREFIX-LABEL.csv (and
 * PREFIX-LABEL-lossy.csv; a quick run leaves no files behind); -v prints
 * them too. -p runs only the pipelines
 * given (a peer of the table keeps its role). `make bench` runs it on
 * ../shared/data and ../shared/data-llama, then on the bundled data. Not
 * part of `make check`: timings belong in a benchmark, not in a test.
 * -c: the pipelines run as submitted by default (the values flattened, the
 * width inferred and its cost timed, as the competition sends them), or
 * with the shape known; the external peers' column planes and the bounds
 * always use the shape (references, not submissions).
 *
 * Like lzbench, the runner never names a codec: what runs, and which entry
 * plays which part in the targets, is the table below. MB/s are of
 * original bytes, single thread; compress time includes building the
 * container, decompress time includes parsing and checking it. The coders
 * are measured in a steady state: malloc keeps freed memory, so a repeat
 * does not pay the kernel again for fresh pages, and a cell whose first
 * run takes under FAST_MS is run N more times (-r, default 5) and the
 * median kept. External programs (bench_ext.h) are timed differently: one
 * run of the process, wall clock. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include "../codecs/simcheck.h"
#include "../codecs/bf16.h"
#include "../src/engine.h"
#include "../src/fileio.h"
#include "../codecs/metrics.h"
#include "../src/runner.h"
#include "bench_bounds.h"
#include "bench_ext.h"

#define FAST_MS 500.0
#define MAX_ENTRIES 64
#define MAX_SETS 8

/* --- what runs --- */

enum group { PEER, OURS, LOSSY };
/* the part an entry plays in the targets */
enum role { ANY, BASELINE, DEFAULT, MAX, CTX, PREVIOUS };

typedef struct {
    const char *name;     /* a pipeline spec, or an external peer's label */
    enum group group;
    enum role role;       /* LOSSY/DEFAULT, LOSSY/MAX: the pipelines the lossy targets are for */
    const bench_ext *ext; /* an external program on byte planes, else NULL */
    int col_major;        /* ... on the planes of the transposed matrix */
} entry;

static const bench_ext xz = {
    .tool = "xz", .package = "xz-utils", .packed = "planes.xz",
    .compress = (const char *const[]){"xz", "-9", "-T1", "-c", "planes", NULL},
    .compress_stdout = "planes.xz",
    .decompress = (const char *const[]){"xz", "-d", "-T1", "-c", "planes.xz", NULL},
    .decompress_stdout = "back",
};
/* zpaq's context mixing decodes as slowly as it codes: its decompression
 * is not run (minutes per data set, for a speed no one would pick it for) */
static const bench_ext zpaq = {
    .tool = "zpaq", .package = "zpaq", .packed = "planes.zpaq",
    .compress = (const char *const[]){"zpaq", "a", "planes.zpaq", "planes", "-m5", "-t1", NULL},
};

static const entry table[] = {
    {"zstd:3", PEER, BASELINE, NULL, 0},
    {"zstd:19", PEER, ANY, NULL, 0},
    {"brotli:11", PEER, ANY, NULL, 0},
    {"lz4hc:9", PEER, ANY, NULL, 0},
    {"bytesplit|zstd:19", PEER, ANY, NULL, 0},
    {"expsplit|brotli:11", PEER, ANY, NULL, 0},
    {"xz -9, row-major planes *", PEER, ANY, &xz, 0},
    {"xz -9, column-major planes *", PEER, ANY, &xz, 1},
    {"zpaq -m5, row-major planes *", PEER, ANY, &zpaq, 0},
    {"zpaq -m5, column-major planes *", PEER, ANY, &zpaq, 1},
    {"bfdelta", OURS, ANY, NULL, 0},
    {"auto", OURS, DEFAULT, NULL, 0},
    {"auto:max", OURS, MAX, NULL, 0},
    {"bflr", OURS, ANY, NULL, 0}, /* what auto:max adds */
    {"bfctx", OURS, CTX, NULL, 0},
    {"bfxor", OURS, PREVIOUS, NULL, 0}, /* what auto coded with before bfdelta */
    {"expsplit|rans", OURS, ANY, NULL, 0},
    {"bytesplit|rans", OURS, ANY, NULL, 0},
    {"quant:sim=0.99", LOSSY, DEFAULT, NULL, 0},
    {"quantlr:sim=0.99", LOSSY, MAX, NULL, 0},
    {"qsim:0.99|zstd:19", LOSSY, ANY, NULL, 0},
};
#define N_TABLE (sizeof table / sizeof table[0])

/* Data sets by label, and the targets issue 17 sets for each. */
typedef struct {
    const char *label, *title;
    double lossy_size_max; /* mean lossy size at most this; 0: no target */
    int no_loss;           /* "no loss against today" (auto and bfctx) */
    int absolute_speed;    /* issue 4's 300 / 600 MB/s, set on the bundled data */
} set_kind;

static const set_kind kinds[] = {
    {"char", "character-level model", 0.25, 1, 0},
    {"llama", "Llama-style model", 0.30, 0, 0},
    {"bundled", "bundled sample of the character-level model", 0.25, 1, 1},
};
static const set_kind other_kind = {"", "", 0, 0, 0};

/* --- results --- */

enum state { NOT_RUN, DONE, FAILED, SKIPPED };

typedef struct {
    enum state state;
    double ratio, ms_c, ms_d; /* ms_d < 0: not run */
    int runs;                 /* median of this many; 0: one run of an external process */
    double sim64, sim32;      /* lossy */
} cell;

typedef struct {
    const char *label, *manifest;
    const set_kind *kind;
    size_t n;
    char (*name)[320];
    double mb;     /* original bytes / 1e6 */
    double *mb_of; /* the same, of each matrix */
    bench_bounds *bound;
    cell *c; /* n x entries */
} dataset;

typedef struct {
    int repeat, verbose;
    mx_condition cond; /* as submitted (shape hidden, the default) or shape known */
    const char *prefix;
    const char *specs[MAX_ENTRIES];
    size_t n_specs;
    dataset set[MAX_SETS];
    size_t n_sets;
} options;

static double t_start;
static int stderr_tty;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Freed memory stays in the process: big blocks come from the heap, not
 * from mmap, and the heap is not trimmed between runs. */
/* One context of one thread for every run: what a user who compresses
 * again and again has. */
static mx_ctx *ctx;

static void steady_allocator(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_TOP_PAD, 64 << 20);
#endif
}

static const char *verdict(int met)
{
    return met ? "MET" : "MISSED";
}

/* A growing text buffer (for the CSV files); on OOM it stops growing and
 * remembers it. */
typedef struct {
    char *s;
    size_t len, cap;
    int oom;
} text;

static void add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (t->oom || n < 0)
        return;
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t cap = (t->cap ? t->cap * 2 : 1 << 16) + (size_t)n;
        char *s = realloc(t->s, cap);
        if (!s) {
            t->oom = 1;
            return;
        }
        t->s = s, t->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

static void progress(const dataset *d, size_t i, const char *what)
{
    fprintf(stderr, "%s[%6.0f s] %s %zu/%zu %s: %s%s", stderr_tty ? "\r\033[K" : "",
            (now_ms() - t_start) / 1e3, d->label, i + 1, d->n, d->name[i], what,
            stderr_tty ? "" : "\n");
}

/* --- running one cell --- */

/* In the steady state: one run, and the median of `repeat` more when that
 * was fast enough to afford them. */
static void run_lossless(const mx_pipeline *p, const mx_matrix *m, mx_condition cond, int repeat,
                         cell *c, const char *sample)
{
    mx_result r;
    mx_error err = {0};
    int rc = mx_run_cell_as(ctx, p, m, cond, 1, &r, &err);
    c->runs = 1;
    if (!rc && !r.failed && repeat > 1 && r.ms_compress + r.ms_decompress < FAST_MS) {
        rc = mx_run_cell_as(ctx, p, m, cond, repeat, &r, &err);
        c->runs = repeat;
    }
    if (rc || r.failed) {
        printf("%s %s: FAILED %s\n", sample, r.spec, rc ? err.msg : r.error);
        c->state = FAILED;
        return;
    }
    c->state = DONE;
    c->ratio = r.ratio;
    c->ms_c = r.ms_compress;
    c->ms_d = r.ms_decompress;
}

static void run_external(const bench_workdir *w, const entry *e, const mx_matrix *m,
                         uint8_t *planes, cell *c, const char *sample)
{
    size_t len = mx_matrix_count(m) * 2;
    bench_ext_result r;
    mx_error err = {0};
    if (!bench_ext_available(e->ext)) {
        c->state = SKIPPED;
        return;
    }
    bench_byte_planes(m, e->col_major, planes);
    if (bench_ext_run(w, e->ext, planes, len, &r, &err)) {
        printf("%s %s: FAILED %s\n", sample, e->name, err.msg);
        c->state = FAILED;
        return;
    }
    c->state = DONE;
    c->ratio = r.packed_bytes ? (double)len / (double)r.packed_bytes : 0;
    c->ms_c = r.ms_compress;
    c->ms_d = r.ms_decompress;
    c->runs = 0;
}

/* Similarity in float64 as `--batch` scores it, and in float32 as
 * baseline.py's torch computes it (simcheck.h's emulation, the one the
 * lossy coders check themselves against); NAN when it does not apply
 * (values that are not finite). */
static int lossy_sims(const uint16_t *a, const uint16_t *b, size_t n, double *s64,
                      double *s32)
{
    if (!memcmp(a, b, n * sizeof *a)) {
        *s64 = *s32 = 1.0;
        return 0;
    }
    *s64 = mx_similarity_bf16(a, b, n).similarity;
    *s32 = NAN;
    float *fa = malloc(n * sizeof *fa), *fb = malloc(n * sizeof *fb);
    if (!fa || !fb) {
        free(fa);
        free(fb);
        return -1;
    }
    int finite = 1;
    for (size_t i = 0; i < n; i++) {
        finite &= mx_bf16_is_finite(a[i]) && mx_bf16_is_finite(b[i]);
        fa[i] = mx_bf16_to_float(a[i]);
        fb[i] = mx_bf16_to_float(b[i]);
    }
    if (finite)
        *s32 = mx_sims_of(fa, fb, n).torch32;
    free(fa);
    free(fb);
    return 0;
}

/* One run: size, both similarities, times. */
static void run_lossy(const entry *e, const mx_pipeline *p, const mx_matrix *m,
                      mx_condition cond, cell *c, const char *sample)
{
    uint8_t *buf;
    size_t len, n = mx_matrix_count(m);
    mx_matrix dec = {0};
    mx_error err = {0};
    double t0 = now_ms();
    int rc = cond == MX_SHAPE_KNOWN ? mx_compress(ctx, p, m, &buf, &len, &err)
                                    : mx_compress_unshaped(ctx, p, m, &buf, &len, &err);
    double t1 = now_ms();
    if (!rc) {
        rc = mx_decompress(ctx, buf, len, &dec, &err);
        free(buf);
    }
    double t2 = now_ms();
    if (!rc && mx_matrix_count(&dec) != n)
        rc = mx_fail(&err, MX_EFAIL, "decoded value count differs");
    if (!rc && lossy_sims(m->data, dec.data, n, &c->sim64, &c->sim32))
        rc = mx_fail(&err, MX_EFAIL, "out of memory");
    mx_matrix_free(&dec);
    if (rc) {
        printf("%s %s: FAILED %s\n", sample, e->name, err.msg);
        c->state = FAILED;
        return;
    }
    c->state = DONE;
    c->ratio = (double)(n * 2) / (double)len;
    c->ms_c = t1 - t0;
    c->ms_d = t2 - t1;
    c->runs = 1;
}

static void print_cell_line(const char *sample, const entry *e, const cell *c)
{
    if (c->state != DONE)
        return;
    if (e->group == LOSSY)
        printf("%-32s %-32s size %.4f  sim f64 %.8f  f32 %.8f\n", sample, e->name,
               1.0 / c->ratio, c->sim64, c->sim32);
    else
        printf("%-32s %-32s %8.4f %10.1f ms %10.1f ms\n", sample, e->name, c->ratio, c->ms_c,
               c->ms_d);
}

/* --- a data set --- */

static int alloc_set(dataset *d, size_t n, size_t ne)
{
    size_t rows = n ? n : 1; /* calloc(0) may return NULL */
    d->n = n;
    d->name = calloc(rows, sizeof *d->name);
    d->mb_of = calloc(rows, sizeof *d->mb_of);
    d->bound = calloc(rows, sizeof *d->bound);
    d->c = calloc(rows * (ne ? ne : 1), sizeof *d->c);
    return d->name && d->mb_of && d->bound && d->c ? 0 : -1;
}

static void free_set(dataset *d)
{
    free(d->name);
    free(d->mb_of);
    free(d->bound);
    free(d->c);
}

/* the two entries of the speed target */
static int speed_pair(const entry *e)
{
    return (e->group == PEER && e->role == BASELINE) || (e->group == OURS && e->role == DEFAULT);
}

static void run_matrix(dataset *d, size_t i, const mx_matrix *m, const entry *e,
                       const mx_pipeline *pipes, size_t ne, const options *o,
                       const bench_workdir *w, uint8_t *planes)
{
    /* the speed target's pair first, back to back, so that on a shared
     * machine both see the same load; then the rest */
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < ne; k++) {
            cell *c = &d->c[i * ne + k];
            if (speed_pair(&e[k]) != !pass)
                continue;
            progress(d, i, e[k].name);
            if (e[k].ext)
                run_external(w, &e[k], m, planes, c, d->name[i]);
            else if (e[k].group == LOSSY)
                run_lossy(&e[k], &pipes[k], m, o->cond, c, d->name[i]);
            else
                run_lossless(&pipes[k], m, o->cond, o->repeat, c, d->name[i]);
            if (o->verbose)
                print_cell_line(d->name[i], &e[k], c);
        }
}

/* Loads the set, runs every entry on every matrix; -1 when it cannot run. */
static int run_set(dataset *d, const entry *e, const mx_pipeline *pipes, size_t ne,
                   const options *o, const bench_workdir *w)
{
    mx_sample *s = NULL;
    size_t n = 0, biggest = 0;
    mx_error err = {0};
    if (mx_samples_load_manifest(d->manifest, &s, &n, &err)) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (mx_matrix_count(&s[i].m) > biggest)
            biggest = mx_matrix_count(&s[i].m);
    uint8_t *planes = malloc(biggest * 2 + 1);
    if (alloc_set(d, n, ne) || !planes) {
        fprintf(stderr, "bench: out of memory\n");
        free(planes);
        mx_samples_free(s, n);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        snprintf(d->name[i], sizeof d->name[i], "%s", s[i].name);
        d->mb_of[i] = (double)(mx_matrix_count(&s[i].m) * 2) / 1e6;
        d->mb += d->mb_of[i];
        progress(d, i, "entropy bounds");
        if (bench_bounds_of(&s[i].m, &d->bound[i], &err)) {
            fprintf(stderr, "bench: %s: %s\n", s[i].name, err.msg);
            rc = -1;
            break;
        }
        run_matrix(d, i, &s[i].m, e, pipes, ne, o, w, planes);
        fflush(stdout);
    }
    if (stderr_tty)
        fprintf(stderr, "\r\033[K");
    free(planes);
    mx_samples_free(s, n);
    return rc;
}

/* --- means and lookups --- */

typedef struct {
    enum state state; /* DONE only when every matrix is */
    double ratio, mb_s_c, mb_s_d; /* mb_s_d < 0: not run */
    double ms_c, ms_d;            /* totals */
} mean;

static mean mean_of(const dataset *d, size_t k, size_t ne)
{
    mean m = {DONE, 0, 0, 0, 0, 0};
    for (size_t i = 0; i < d->n; i++) {
        const cell *c = &d->c[i * ne + k];
        if (c->state != DONE) {
            m.state = c->state;
            return m;
        }
        m.ratio += c->ratio / (double)d->n;
        m.ms_c += c->ms_c;
        m.ms_d = m.ms_d < 0 || c->ms_d < 0 ? -1 : m.ms_d + c->ms_d;
    }
    if (!d->n)
        m.state = NOT_RUN;
    m.mb_s_c = d->mb / (m.ms_c / 1e3);
    m.mb_s_d = m.ms_d < 0 ? -1 : d->mb / (m.ms_d / 1e3);
    return m;
}

static int has_group(const entry *e, size_t ne, enum group g)
{
    for (size_t k = 0; k < ne; k++)
        if (e[k].group == g)
            return 1;
    return 0;
}

static long find_role(const entry *e, size_t ne, enum group g, enum role r)
{
    for (size_t k = 0; k < ne; k++)
        if (e[k].group == g && e[k].role == r)
            return (long)k;
    return -1;
}

/* the reference lines, in bench_bounds' order r16, rplanes, rscale */
static const char *const bound_name[] = {"(order-0 bound, 16-bit symbols)",
                                         "(order-0 bound, byte planes)",
                                         "(row/col scale model, estimate)"};

static double mean_bound(const dataset *d, int which)
{
    double s = 0;
    for (size_t i = 0; i < d->n; i++)
        s += (which == 0 ? d->bound[i].r16 : which == 1 ? d->bound[i].rplanes
                                                          : d->bound[i].rscale) /
             (double)d->n;
    return s;
}

/* --- the side-by-side table --- */

static void print_speed(double mb_s)
{
    if (mb_s < 0)
        printf(" %9s", "not run");
    else
        printf(mb_s < 10 ? " %9.2f" : " %9.1f", mb_s);
}

static void print_row(const dataset *sets, size_t nd, const entry *e, size_t k, size_t ne)
{
    printf("%-32s", e[k].name);
    for (size_t s = 0; s < nd; s++) {
        mean m = mean_of(&sets[s], k, ne);
        if (m.state == DONE) {
            printf("   %7.4f", m.ratio);
            print_speed(m.mb_s_c);
            print_speed(m.mb_s_d);
        } else {
            printf(s + 1 < nd ? "   %-27s" : "   %s", m.state == SKIPPED ? "skipped" : "FAILED");
        }
    }
    printf("\n");
}

static void print_sets(const dataset *sets, size_t nd)
{
    for (size_t s = 0; s < nd; s++)
        printf("  %-8s %s: %s, %zu matrices, %.1f MB\n", sets[s].label, sets[s].manifest,
               sets[s].kind->title[0] ? sets[s].kind->title : "data set", sets[s].n,
               sets[s].mb);
}

static void print_lossless(const dataset *sets, size_t nd, const entry *e, size_t ne,
                           int repeat)
{
    printf("\nlossless, 1 thread. ratio: mean of per-matrix ratios; MB/s: original bytes / "
           "total time;\nmedian of %d runs where a run takes under %.1f s, else one run\n",
           repeat, FAST_MS / 1e3);
    printf("%-32s", "");
    for (size_t s = 0; s < nd; s++) {
        int len = (int)strlen(sets[s].label), left = len < 25 ? (25 - len) / 2 : 0;
        printf("   %.*s %.25s %.*s", left, "------------", sets[s].label,
               len < 25 ? 25 - len - left : 0, "------------");
    }
    printf("\n%-32s", "pipeline");
    for (size_t s = 0; s < nd; s++)
        printf("   %7s %9s %9s", "ratio", "comp MB/s", "dec MB/s");
    printf("\n");
    for (int b = 0; b < 3; b++) {
        printf("%-32s", bound_name[b]);
        for (size_t s = 0; s < nd; s++)
            printf(s + 1 < nd ? "   %7.4f %19s" : "   %7.4f", mean_bound(&sets[s], b), "");
        printf("\n");
    }
    for (int g = PEER; g <= OURS; g++)
        for (size_t k = 0; k < ne; k++)
            if (e[k].group == (enum group)g)
                print_row(sets, nd, e, k, ne);
}

static void print_notes(const dataset *sets, size_t nd, const entry *e, size_t ne)
{
    int ext = 0;
    for (size_t k = 0; k < ne; k++)
        ext |= e[k].ext != NULL;
    if (ext)
        printf("* an external program on the byte planes of the matrix (high bytes, then low "
               "bytes;\n  row-major, or of the transposed matrix): its MB/s are the wall time "
               "of one run of\n  the process (start-up and file I/O included), not a "
               "steady-state median.\n");
    printf("scale model: e = exponent field; p = median e of the value's row + median e of "
           "its\n  column - median e of the matrix; bits per value = H(sign,e | p) + H(mantissa "
           "| e)\n  (empirical), + 8 bits for each row's and each column's median:\n");
    for (size_t s = 0; s < nd; s++) {
        double se = 0, sep = 0, hm = 0, side = 0;
        for (size_t i = 0; i < sets[s].n; i++) {
            const bench_bounds *b = &sets[s].bound[i];
            double w = 1.0 / (double)sets[s].n;
            se += b->h_se * w, sep += b->h_se_scale * w;
            hm += b->h_m * w, side += b->side_bits * w;
        }
        printf("  %-8s sign+exponent %.3f bits order-0, %.3f given p; mantissa %.3f; side "
               "%.3f (means)\n",
               sets[s].label, se, sep, hm, side);
    }
}

/* --- targets --- */

/* the best peer's mean, and which; -1 when no peer ran on every matrix */
static long best_peer(const dataset *d, const entry *e, size_t ne, double *best)
{
    long kb = -1;
    *best = 0;
    for (size_t k = 0; k < ne; k++) {
        mean m = mean_of(d, k, ne);
        if (e[k].group == PEER && m.state == DONE && m.ratio > *best)
            *best = m.ratio, kb = (long)k;
    }
    return kb;
}

/* auto against every peer on every matrix: the lowest ratio of ratios */
static void print_every_matrix(const dataset *d, const entry *e, size_t ne, size_t ka)
{
    double worst = INFINITY;
    size_t wi = 0, wk = 0, ahead = 0;
    for (size_t i = 0; i < d->n; i++) {
        int any = 0;
        for (size_t k = 0; k < ne; k++) {
            const cell *c = &d->c[i * ne + k], *a = &d->c[i * ne + ka];
            if (e[k].group != PEER || c->state != DONE || a->state != DONE)
                continue;
            double q = a->ratio / c->ratio;
            any |= q < 1.0;
            if (q < worst)
                worst = q, wi = i, wk = k;
        }
        ahead += (size_t)any;
    }
    if (worst == INFINITY)
        return;
    printf("  %s >= 0.99 x every peer on every matrix: worst %.4f x (%s, %s); a peer ahead "
           "on %zu of %zu  %s\n",
           e[ka].name, worst, d->name[wi], e[wk].name, ahead, d->n, verdict(worst >= 0.99));
}

static void print_speed_targets(const dataset *d, const entry *e, size_t ne, long ka, long kz)
{
    mean a = mean_of(d, (size_t)ka, ne), z = mean_of(d, (size_t)kz, ne);
    if (a.state != DONE || z.state != DONE)
        return;
    printf("  speed: %s compress >= %s's, 1 thread: %.1f vs %.1f MB/s = %.2f x  %s\n",
           e[ka].name, e[kz].name, a.mb_s_c, z.mb_s_c, a.mb_s_c / z.mb_s_c,
           verdict(a.mb_s_c >= z.mb_s_c));
    printf("  speed: %s decompress time <= 1.25 x %s's: %.1f vs %.1f ms = %.2f x  %s\n",
           e[ka].name, e[kz].name, a.ms_d, z.ms_d, a.ms_d / z.ms_d,
           verdict(a.ms_d <= 1.25 * z.ms_d));
    if (d->kind->absolute_speed)
        printf("  speed (issue 4): %s >= 300 MB/s compress, >= 600 MB/s decompress: %.0f / "
               "%.0f  %s\n",
               e[ka].name, a.mb_s_c, a.mb_s_d, verdict(a.mb_s_c >= 300 && a.mb_s_d >= 600));
}

/* issue 17 on the character model's data: no loss against today's coders
 * (the figures are from unseen sets; in this run, against the
 * coder auto used before) */
static void print_no_loss(const dataset *d, const entry *e, size_t ne, long ka)
{
    long kc = find_role(e, ne, OURS, CTX), kp = find_role(e, ne, OURS, PREVIOUS);
    mean a = mean_of(d, (size_t)ka, ne);
    printf("  no loss against today (issue 17: auto 1.92-1.96, bfctx 1.99 on unseen sets): "
           "%s %.4f",
           e[ka].name, a.ratio);
    if (kc >= 0 && mean_of(d, (size_t)kc, ne).state == DONE)
        printf(", %s %.4f", e[kc].name, mean_of(d, (size_t)kc, ne).ratio);
    if (kp >= 0 && mean_of(d, (size_t)kp, ne).state == DONE) {
        mean p = mean_of(d, (size_t)kp, ne);
        printf("; %s vs %s (its coder before, this run) %.4f = %+.2f%%  %s", e[ka].name,
               e[kp].name, p.ratio, 100.0 * (a.ratio / p.ratio - 1), verdict(a.ratio >= p.ratio));
    }
    printf("\n");
}

static void print_ratio_targets(const dataset *d, const entry *e, size_t ne, long ka, long km)
{
    double best;
    long kb = best_peer(d, e, ne, &best);
    mean a = mean_of(d, (size_t)ka, ne);
    if (kb < 0 || a.state != DONE)
        return;
    printf("  %s >= 1.05 x best peer's mean (%s %.4f): %.4f = %.3f x  %s\n", e[ka].name,
           e[kb].name, best, a.ratio, a.ratio / best, verdict(a.ratio >= 1.05 * best));
    print_every_matrix(d, e, ne, (size_t)ka);
    size_t skipped = 0;
    for (size_t k = 0; k < ne; k++)
        skipped += e[k].group == PEER && mean_of(d, k, ne).state != DONE;
    if (skipped)
        printf("  (%zu peers skipped or failed: the two targets above are without them)\n",
               skipped);
    if (km >= 0 && mean_of(d, (size_t)km, ne).state == DONE) {
        double r = mean_of(d, (size_t)km, ne).ratio;
        printf("  %s >= 1.10 x best peer's mean: %.4f = %.3f x  %s\n", e[km].name, r, r / best,
               verdict(r >= 1.10 * best));
    }
    size_t below = 0;
    for (size_t i = 0; i < d->n; i++)
        below += d->c[i * ne + (size_t)ka].ratio <= d->bound[i].r16;
    printf("  %s above the order-0 16-bit bound on every matrix (issue 4): %zu below  %s\n",
           e[ka].name, below, verdict(!below));
}

/* The ratio targets only make sense against the whole table of peers; the
 * speed targets against the baseline alone. */
static void print_targets(const dataset *d, const entry *e, size_t ne, int all_peers)
{
    long ka = find_role(e, ne, OURS, DEFAULT), km = find_role(e, ne, OURS, MAX),
         kz = find_role(e, ne, PEER, BASELINE);
    if (ka < 0 || mean_of(d, (size_t)ka, ne).state != DONE)
        return;
    printf("\ntargets on %s (%s, %zu matrices):\n", d->label,
           d->kind->title[0] ? d->kind->title : "data set", d->n);
    if (all_peers)
        print_ratio_targets(d, e, ne, ka, km);
    if (kz >= 0)
        print_speed_targets(d, e, ne, ka, kz);
    if (all_peers && d->kind->no_loss)
        print_no_loss(d, e, ne, ka);
}

/* --- lossy --- */

typedef struct {
    double size, ms_c, ms_d, low64, low32;
    size_t at64, at32; /* the matrices of the lowest */
    int ok;
} lossy_summary;

static lossy_summary lossy_of(const dataset *d, size_t k, size_t ne)
{
    lossy_summary s = {0, 0, 0, INFINITY, INFINITY, 0, 0, d->n > 0};
    for (size_t i = 0; i < d->n; i++) {
        const cell *c = &d->c[i * ne + k];
        if (c->state != DONE) {
            s.ok = 0;
            continue;
        }
        double w = 1.0 / (double)d->n;
        s.size += w / c->ratio, s.ms_c += w * c->ms_c, s.ms_d += w * c->ms_d;
        if (c->sim64 < s.low64)
            s.low64 = c->sim64, s.at64 = i;
        /* NAN (not finite values) is never above the bar: it stays the lowest */
        if (!isnan(s.low32) && !(c->sim32 >= s.low32))
            s.low32 = c->sim32, s.at32 = i;
    }
    return s;
}

static void print_lossy_targets(const dataset *sets, size_t nd, const entry *e, size_t ne, size_t kq)
{
    printf("\nlossy targets (issue 17) for %s:\n", e[kq].name);
    for (size_t s = 0; s < nd; s++) {
        const dataset *d = &sets[s];
        lossy_summary l = lossy_of(d, kq, ne);
        if (!l.ok) {
            printf("  %s: failed on some matrix  MISSED\n", d->label);
            continue;
        }
        printf("  %s: every matrix above 0.99 in float64 and float32: lowest %.8f (%s), "
               "%.8f (%s)  %s\n",
               d->label, l.low64, d->name[l.at64], l.low32, d->name[l.at32],
               verdict(l.low64 > 0.99 && l.low32 > 0.99));
        if (d->kind->lossy_size_max > 0)
            printf("  %s: mean size <= %.2f: %.4f  %s\n", d->label, d->kind->lossy_size_max,
                   l.size, verdict(l.size <= d->kind->lossy_size_max));
    }
}

static void print_lossy(const dataset *sets, size_t nd, const entry *e, size_t ne)
{
    if (!has_group(e, ne, LOSSY))
        return;
    printf("\nlossy (--rules lossy). size: compressed / original, mean over matrices; lowest "
           "similarity\nover matrices, float64 as --batch scores it and float32 as baseline.py's "
           "torch does\n(codecs/simcheck.c's emulation); ms: mean per matrix, one run\n");
    printf("%-22s %-8s %7s %11s %11s %9s %8s\n", "pipeline", "data", "size", "lowest f64",
           "lowest f32", "comp ms", "dec ms");
    for (size_t k = 0; k < ne; k++)
        for (size_t s = 0; s < nd && e[k].group == LOSSY; s++) {
            lossy_summary l = lossy_of(&sets[s], k, ne);
            if (!l.ok)
                printf("%-22s %-8s FAILED\n", e[k].name, sets[s].label);
            else
                printf("%-22s %-8s %7.4f %11.8f %11.8f %9.1f %8.1f\n", e[k].name,
                       sets[s].label, l.size, l.low64, l.low32, l.ms_c, l.ms_d);
        }
    static const enum role target_roles[] = {DEFAULT, MAX};
    for (size_t t = 0; t < sizeof target_roles / sizeof *target_roles; t++) {
        long kq = find_role(e, ne, LOSSY, target_roles[t]);
        if (kq >= 0)
            print_lossy_targets(sets, nd, e, ne, (size_t)kq);
    }
}

/* --- CSV --- */

static const char *timing(const cell *c, char *buf, size_t n)
{
    if (c->runs <= 1)
        return c->runs ? "1 run" : "process wall time, 1 run";
    snprintf(buf, n, "median of %d", c->runs);
    return buf;
}

static void csv_lossless(text *t, const dataset *d, const entry *e, size_t ne)
{
    char tb[32];
    add(t, "sample,pipeline,ratio,compress_mb_s,decompress_mb_s,timing\n");
    for (size_t i = 0; i < d->n; i++) {
        const bench_bounds *b = &d->bound[i];
        double r[3] = {b->r16, b->rplanes, b->rscale};
        for (int j = 0; j < 3; j++)
            add(t, "%s,\"%s\",%.6f,,,\n", d->name[i], bound_name[j], r[j]);
        for (size_t k = 0; k < ne; k++) {
            const cell *c = &d->c[i * ne + k];
            if (e[k].group == LOSSY || c->state != DONE)
                continue;
            add(t, "%s,\"%s\",%.6f,%.2f,", d->name[i], e[k].name, c->ratio,
                d->mb_of[i] / (c->ms_c / 1e3));
            if (c->ms_d >= 0)
                add(t, "%.2f", d->mb_of[i] / (c->ms_d / 1e3));
            add(t, ",\"%s\"\n", timing(c, tb, sizeof tb));
        }
    }
    for (size_t k = 0; k < ne; k++) {
        mean m = mean_of(d, k, ne);
        if (e[k].group == LOSSY || m.state != DONE)
            continue;
        add(t, "MEAN,\"%s\",%.6f,%.2f,", e[k].name, m.ratio, m.mb_s_c);
        if (m.mb_s_d >= 0)
            add(t, "%.2f", m.mb_s_d);
        add(t, ",\n");
    }
}

static void csv_lossy(text *t, const dataset *d, const entry *e, size_t ne)
{
    add(t, "sample,pipeline,size,ratio,similarity_f64,similarity_f32_torch,compress_ms,"
           "decompress_ms\n");
    for (size_t i = 0; i < d->n; i++)
        for (size_t k = 0; k < ne; k++) {
            const cell *c = &d->c[i * ne + k];
            if (e[k].group == LOSSY && c->state == DONE)
                add(t, "%s,\"%s\",%.6f,%.6f,%.10f,%.10f,%.2f,%.2f\n", d->name[i], e[k].name,
                    1.0 / c->ratio, c->ratio, c->sim64, c->sim32, c->ms_c, c->ms_d);
        }
}

/* PREFIX-LABEL.csv, and PREFIX-LABEL-lossy.csv when lossy pipelines ran */
static int write_csv(const char *prefix, const dataset *d, const entry *e, size_t ne,
                     int lossy)
{
    char path[4096];
    text t = {0};
    mx_error err = {0};
    if (lossy)
        csv_lossy(&t, d, e, ne);
    else
        csv_lossless(&t, d, e, ne);
    snprintf(path, sizeof path, "%s-%s%s.csv", prefix, d->label, lossy ? "-lossy" : "");
    int rc = t.oom ? mx_fail(&err, MX_EFAIL, "%s: out of memory", path)
                   : mx_write_file_atomic(path, t.s ? t.s : "", t.len, 1, &err);
    free(t.s);
    if (rc)
        fprintf(stderr, "bench: %s\n", err.msg);
    else
        printf("rows written to %s\n", path);
    return rc;
}

/* --- set-up --- */

static int usage(void)
{
    fprintf(stderr, "usage: bench [-r N] [-o PREFIX] [-c submitted|known] [-v] [-p SPEC]... "
                    "[LABEL=]MANIFEST...\n");
    return 2;
}

static int parse_args(int argc, char **argv, options *o)
{
    int opt;
    o->repeat = 5;
    o->prefix = NULL; /* no -o: no CSV files */
    o->cond = MX_SUBMITTED;
    while ((opt = getopt(argc, argv, "r:o:c:p:v")) != -1) {
        if (opt == 'c' && mx_condition_parse(optarg) >= 0)
            o->cond = (mx_condition)mx_condition_parse(optarg);
        else if (opt == 'r' && atoi(optarg) >= 1 && atoi(optarg) <= 100)
            o->repeat = atoi(optarg);
        else if (opt == 'o')
            o->prefix = optarg;
        else if (opt == 'p' && o->n_specs < MAX_ENTRIES)
            o->specs[o->n_specs++] = optarg;
        else if (opt == 'v')
            o->verbose = 1;
        else
            return usage();
    }
    if (optind == argc || argc - optind > MAX_SETS)
        return usage();
    for (int a = optind; a < argc; a++) {
        dataset *d = &o->set[o->n_sets++];
        char *eq = strchr(argv[a], '=');
        d->label = "data";
        d->manifest = argv[a];
        if (eq) {
            *eq = '\0';
            d->label = argv[a];
            d->manifest = eq + 1;
        }
        d->kind = &other_kind;
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
            if (!strcmp(kinds[k].label, d->label))
                d->kind = &kinds[k];
    }
    return 0;
}

/* The table, or the pipelines of -p (those of the table keep their part). */
static size_t choose_entries(const options *o, entry *list)
{
    if (!o->n_specs) {
        memcpy(list, table, sizeof table);
        return N_TABLE;
    }
    for (size_t i = 0; i < o->n_specs; i++) {
        list[i] = (entry){o->specs[i], OURS, ANY, NULL, 0};
        for (size_t k = 0; k < N_TABLE; k++)
            if (!strcmp(table[k].name, o->specs[i]))
                list[i] = table[k];
    }
    return o->n_specs;
}

static int parse_pipes(entry *e, size_t ne, mx_pipeline *pipes)
{
    mx_error err = {0};
    for (size_t k = 0; k < ne; k++) {
        if (e[k].ext)
            continue;
        if (mx_pipeline_parse(e[k].name, &pipes[k], &err)) {
            fprintf(stderr, "bench: %s\n", err.msg);
            return -1;
        }
        if (mx_pipeline_lossy(&pipes[k]))
            e[k].group = LOSSY;
    }
    return 0;
}

/* Says which external peers are missing; 1 when any is present. */
static int note_tools(const entry *e, size_t ne)
{
    int any = 0;
    for (size_t k = 0; k < ne; k++) {
        if (!e[k].ext)
            continue;
        int seen = 0;
        for (size_t j = 0; j < k; j++)
            seen |= e[j].ext == e[k].ext;
        if (!bench_ext_available(e[k].ext)) {
            if (!seen)
                printf("note: %s is not installed (Debian package %s): its peers are skipped\n",
                       e[k].ext->tool, e[k].ext->package);
        } else {
            any = 1;
        }
    }
    return any;
}

int main(int argc, char **argv)
{
    static options o;
    static entry e[MAX_ENTRIES];
    static mx_pipeline pipes[MAX_ENTRIES];
    steady_allocator();
    if (!(ctx = mx_ctx_create()))
        return 1;
    t_start = now_ms();
    stderr_tty = isatty(2);
    if (parse_args(argc, argv, &o))
        return 2;
    size_t ne = choose_entries(&o, e);
    if (parse_pipes(e, ne, pipes))
        return 2;
    bench_workdir w = {{0}};
    mx_error err = {0};
    if (note_tools(e, ne) && bench_workdir_open(&w, &err)) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 2;
    }
    int failed = 0, lossy = has_group(e, ne, LOSSY);
    for (size_t s = 0; s < o.n_sets && failed != 2; s++)
        if (run_set(&o.set[s], e, pipes, ne, &o, &w))
            failed = 2;
    if (w.dir[0])
        bench_workdir_close(&w);
    if (failed) {
        for (size_t s = 0; s < o.n_sets; s++)
            free_set(&o.set[s]);
        return failed;
    }
    for (size_t s = 0; s < o.n_sets; s++)
        for (size_t i = 0; i < o.set[s].n * ne; i++)
            failed |= o.set[s].c[i].state == FAILED;
    printf("data sets, %s (%.0f s for the whole run):\n",
           o.cond == MX_SUBMITTED ? "as submitted: raw bytes, the width inferred" : "shape known",
           (now_ms() - t_start) / 1e3);
    print_sets(o.set, o.n_sets);
    print_lossless(o.set, o.n_sets, e, ne, o.repeat);
    print_notes(o.set, o.n_sets, e, ne);
    for (size_t s = 0; s < o.n_sets; s++)
        print_targets(&o.set[s], e, ne, !o.n_specs);
    print_lossy(o.set, o.n_sets, e, ne);
    printf("\n");
    for (size_t s = 0; s < o.n_sets; s++) {
        if (o.prefix) {
            failed |= write_csv(o.prefix, &o.set[s], e, ne, 0) != 0;
            if (lossy)
                failed |= write_csv(o.prefix, &o.set[s], e, ne, 1) != 0;
        }
        free_set(&o.set[s]);
    }
    mx_ctx_free(ctx);
    return failed;
}
