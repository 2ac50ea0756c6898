/* Width inference (src/shape_infer.h).
 *
 * With no arguments: the bundled samples flattened give back their widths,
 * synthetic matrices (a scale per channel and one per row) of many widths
 * give back theirs, and what has no width (noise, zeros, constants, NaN/Inf,
 * prime value counts, n = 0..3) is one row; the cost is printed.
 * With arguments: `test_shape --cols FILE...` prints, for each raw bf16 file,
 * the inferred width, one per line (tests/shape.sh compares them with the
 * numpy twin, src/export/shape.py). */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../src/fileio.h"
#include "../src/shape_infer.h"
#include "check.h"
#include "testdata.h"

static uint64_t infer(const uint16_t *v, uint64_t n)
{
    uint64_t c = 0;
    mx_error err = {0};
    if (mx_infer_cols(v, n, &c, &err)) {
        fprintf(stderr, "mx_infer_cols: %s\n", err.msg);
        exit(99);
    }
    return c;
}

static int print_cols(int argc, char **argv)
{
    for (int i = 2; i < argc; i++) {
        uint8_t *buf;
        size_t len;
        mx_error err = {0};
        if (mx_read_file(argv[i], &buf, &len, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 2;
        }
        uint16_t *v = malloc(len + 2);
        if (!v)
            return 99;
        memcpy(v, buf, len); /* little-endian host (configure checks) */
        printf("%llu\n", (unsigned long long)infer(v, len / 2));
        free(v);
        free(buf);
    }
    return 0;
}

/* splitmix64: deterministic noise */
static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A rows x cols matrix whose value at (r, c) has exponent 127 + a per-column
 * offset in [-3, 3] + a per-row offset in [-1, 1] + a jitter of 0..1, a
 * random sign and a random mantissa: a channel scale that recurs every row. */
static uint16_t *structured(uint64_t rows, uint64_t cols, uint64_t seed)
{
    uint16_t *v = malloc(rows * cols * 2 + 2);
    int *col = malloc(cols * sizeof *col + 1);
    if (!v || !col)
        exit(99);
    uint64_t s = seed;
    for (uint64_t c = 0; c < cols; c++)
        col[c] = (int)(next(&s) % 7) - 3;
    for (uint64_t r = 0; r < rows; r++) {
        int row = (int)(next(&s) % 3) - 1;
        for (uint64_t c = 0; c < cols; c++) {
            uint64_t z = next(&s);
            unsigned e = (unsigned)(127 + col[c] + row + (int)(z & 1));
            v[r * cols + c] = (uint16_t)((z >> 8 & 1) << 15 | e << 7 | (z >> 16 & 0x7F));
        }
    }
    free(col);
    return v;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--cols"))
        return print_cols(argc, argv);

    /* the bundled samples, flattened */
    size_t ns;
    mx_sample *s = testdata_load(&ns);
    for (size_t i = 0; i < ns; i++) {
        const mx_matrix *m = &s[i].m;
        uint64_t n = m->rows * m->cols, c = infer(m->data, n);
        CHECK(n ? c && n % c == 0 : c == 0, "%s: %llu is no divisor of %llu", s[i].name,
              (unsigned long long)c, (unsigned long long)n);
        if (strncmp(s[i].name, "edge:", 5) != 0) /* real matrices: their width */
            CHECK(c == m->cols, "%s: inferred %llu, width %llu", s[i].name,
                  (unsigned long long)c, (unsigned long long)m->cols);
    }
    mx_samples_free(s, ns);

    /* synthetic channel structure: widths from 64 up, tall and wide */
    static const uint64_t widths[] = {64, 96, 100, 128, 200, 256, 384, 500, 768, 1000, 1024,
                                      1536, 3072, 4096, 5000, 8192, 16384};
    static const uint64_t rows[] = {16, 64, 512};
    for (size_t i = 0; i < sizeof widths / sizeof *widths; i++)
        for (size_t j = 0; j < sizeof rows / sizeof *rows; j++) {
            uint64_t r = rows[j], c = widths[i];
            if (r * c > ((uint64_t)1 << 22))
                continue;
            uint16_t *v = structured(r, c, 7 * i + j + 1);
            uint64_t got = infer(v, r * c);
            CHECK(got == c, "%llux%llu structured: inferred %llu", (unsigned long long)r,
                  (unsigned long long)c, (unsigned long long)got);
            free(v);
        }

    /* no width: one row */
    enum { N = 1 << 18 };
    uint16_t *v = malloc(N * 2);
    if (!v)
        return 99;
    uint64_t seed = 42;
    for (size_t i = 0; i < N; i++)
        v[i] = (uint16_t)next(&seed);
    CHECK(infer(v, N) == N, "noise: %llu", (unsigned long long)infer(v, N));
    CHECK(infer(v, 65521) == 65521, "prime count: %llu", (unsigned long long)infer(v, 65521));
    for (uint64_t n = 0; n < 64; n++)
        CHECK(infer(v, n) == n, "n = %llu: %llu", (unsigned long long)n,
              (unsigned long long)infer(v, n));
    memset(v, 0, N * 2);
    CHECK(infer(v, N) == N, "zeros: %llu", (unsigned long long)infer(v, N));
    for (size_t i = 0; i < N; i++)
        v[i] = 0x3f80; /* 1.0 */
    CHECK(infer(v, N) == N, "constant: %llu", (unsigned long long)infer(v, N));
    for (size_t i = 0; i < N; i++)
        v[i] = i % 3 ? 0x7fc0 : 0xff80; /* NaN, -Inf */
    uint64_t c = infer(v, N);
    CHECK(c && N % c == 0, "NaN/Inf: %llu", (unsigned long long)c);
    free(v);

    /* cost: a million values of channel structure, and of noise */
    uint16_t *big = structured(1024, 1024, 3);
    double t0 = now_ms();
    for (int k = 0; k < 10; k++)
        CHECK(infer(big, 1 << 20) == 1024, "1024x1024");
    double t1 = now_ms();
    for (size_t i = 0; i < (1 << 20); i++)
        big[i] = (uint16_t)next(&seed);
    for (int k = 0; k < 10; k++)
        infer(big, 1 << 20);
    double t2 = now_ms();
    free(big);
    fprintf(stderr, "width inference on 2^20 values: %.3f ms (structured), %.3f ms (noise)\n",
            (t1 - t0) / 10, (t2 - t1) / 10);
    return check_exit("test_shape");
}
