/* The public header alone (as a library user sees it): its types agree
 * with the library's own, and its calls do what it says: round trips with
 * and without a shape, errors as values, container info, .npy, scores. */
#include <stdlib.h>
#include <string.h>
#include "../src/mxbench.h"
#include "check.h"

size_t api_private_layout(size_t *v); /* api_layout.c */

static void check_layout(void)
{
    size_t priv[16], pub[16], n = api_private_layout(priv), k = 0;
    pub[k++] = sizeof(mx_error);
    pub[k++] = offsetof(mx_error, code);
    pub[k++] = offsetof(mx_error, msg);
    pub[k++] = sizeof(((mx_error *)0)->msg);
    pub[k++] = (size_t)MX_OK;
    pub[k++] = (size_t)MX_EFAIL;
    pub[k++] = (size_t)MX_EINPUT;
    pub[k++] = sizeof(mx_similarity);
    pub[k++] = offsetof(mx_similarity, cosine);
    pub[k++] = offsetof(mx_similarity, norm_sim);
    pub[k++] = offsetof(mx_similarity, similarity);
    CHECK(n == k, "%zu layout items, expected %zu", n, k);
    for (size_t i = 0; i < n && i < k; i++)
        CHECK(priv[i] == pub[i], "layout item %zu: library %zu, mxbench.h %zu", i, priv[i], pub[i]);
}

/* Smooth rows with a per-column scale, as activations look. */
static void fill(uint16_t *v, uint64_t rows, uint64_t cols)
{
    for (uint64_t r = 0; r < rows; r++)
        for (uint64_t c = 0; c < cols; c++) {
            uint16_t exp = (uint16_t)(120 + (c * 7) % 9 + (r % 3 == 0));
            v[r * cols + c] = (uint16_t)((r + c) % 5 == 0 ? 0x8000 : 0) | (uint16_t)(exp << 7) |
                              (uint16_t)((r * 31 + c * 17) % 128);
        }
}

static void round_trip(mx_ctx *ctx, const char *spec, int unshaped)
{
    enum { ROWS = 48, COLS = 64 };
    mx_error err = {0};
    mx_pipeline *p = mx_pipeline_create(spec, &err);
    CHECK(p, "%s: %s", spec, err.msg);
    if (!p)
        return;
    mx_matrix m = {0};
    CHECK(mx_matrix_alloc(&m, ROWS, COLS) == 0, "alloc");
    fill(m.data, ROWS, COLS);
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = unshaped ? mx_compress_unshaped(ctx, p, &m, &buf, &len, &err)
                      : mx_compress(ctx, p, &m, &buf, &len, &err);
    CHECK(rc == 0 && buf && len > 0, "%s: compress: %s", spec, err.msg);
    const mx_compress_info *ci = mx_ctx_info(ctx);
    CHECK(ci->rows * ci->cols == ROWS * COLS && ci->frames == 1, "%s: info %llux%llu, %llu frames",
          spec, (unsigned long long)ci->rows, (unsigned long long)ci->cols,
          (unsigned long long)ci->frames);
    if (!unshaped)
        CHECK(ci->rows == ROWS && ci->cols == COLS, "%s: shape", spec);

    mx_container_info info;
    CHECK(mx_container_describe(buf, len, &info, &err) == 0, "%s: describe: %s", spec, err.msg);
    CHECK(info.rows == ci->rows && info.cols == ci->cols && info.frames == 1 && !info.lossy,
          "%s: described %llux%llu", spec, (unsigned long long)info.rows,
          (unsigned long long)info.cols);
    CHECK(!strcmp(info.pipeline, ci->pipeline), "%s: pipeline '%s' vs '%s'", spec, info.pipeline,
          ci->pipeline);

    mx_matrix back;
    CHECK(mx_decompress(ctx, buf, len, &back, &err) == 0, "%s: decompress: %s", spec, err.msg);
    CHECK(back.data && back.rows * back.cols == ROWS * COLS &&
              !memcmp(back.data, m.data, sizeof(uint16_t) * ROWS * COLS),
          "%s: round trip differs", spec);
    if (back.data)
        CHECK(mx_similarity_lower(m.data, back.data, ROWS * COLS) == 1.0, "%s: similarity", spec);
    mx_matrix_free(&back);

    /* a damaged buffer fails with a message, and leaves nothing to free */
    buf[len / 2] ^= 0x10;
    memset(&err, 0, sizeof err);
    CHECK(mx_decompress(ctx, buf, len, &back, &err) == -1 && err.code == MX_EINPUT && err.msg[0],
          "%s: damage not reported (%d '%s')", spec, err.code, err.msg);
    CHECK(back.data == NULL, "%s: output left after a failure", spec);
    free(buf);
    mx_matrix_free(&m);
    mx_pipeline_free(p);
}

static int count_progress(void *user, uint64_t done, uint64_t total)
{
    (void)total;
    *(uint64_t *)user = done;
    return 0;
}

/* Cancels at its second call: in mx_compress_unshaped's second pass. */
static int cancel_second(void *user, uint64_t done, uint64_t total)
{
    (void)done;
    (void)total;
    return ++*(int *)user >= 2;
}

int main(void)
{
    check_layout();
    CHECK(mx_version() && mx_version()[0], "version");

    mx_error err = {0};
    CHECK(mx_pipeline_create("bogus|zstd", &err) == NULL && err.code == MX_EINPUT && err.msg[0],
          "bad spec: %d '%s'", err.code, err.msg);
    mx_pipeline *quiet = mx_pipeline_create("nonsense", NULL); /* err may be NULL */
    CHECK(quiet == NULL, "nonsense parsed");

    mx_pipeline *p = mx_pipeline_create("delta|zstd", &err);
    char text[MX_SPEC_MAX];
    if (p) {
        mx_pipeline_format(p, text, sizeof text);
        CHECK(!strcmp(text, "delta:rows|zstd:3"), "canonical: '%s'", text);
        CHECK(!mx_pipeline_lossy(p), "delta|zstd lossy");
    }
    mx_pipeline_free(p);
    mx_pipeline_free(NULL);

    mx_ctx *ctx = mx_ctx_create();
    CHECK(ctx != NULL, "ctx");
    if (!ctx)
        return check_exit("test_api");
    uint64_t done = 0;
    mx_ctx_set_progress(ctx, count_progress, &done);
    for (int threads = 1; threads <= 2; threads++) {
        mx_ctx_set_threads(ctx, threads);
        round_trip(ctx, "auto", 0);
        round_trip(ctx, "bytesplit|zstd:3", 0);
        round_trip(ctx, "auto", 1);
        round_trip(ctx, "bfxor", 1);
    }
    CHECK(done > 0, "progress never called");

    /* cancelled before it starts: MX_EFAIL */
    atomic_int stop;
    atomic_init(&stop, 1);
    mx_ctx_set_cancel(ctx, &stop);
    p = mx_pipeline_create("zstd:3", &err);
    mx_matrix m = {0};
    uint8_t *buf = NULL;
    size_t len = 0;
    if (p && !mx_matrix_alloc(&m, 4, 4)) {
        memset(&err, 0, sizeof err);
        CHECK(mx_compress(ctx, p, &m, &buf, &len, &err) == -1 && err.code == MX_EFAIL,
              "cancel: %d '%s'", err.code, err.msg);
        free(buf);
    }
    mx_ctx_set_cancel(ctx, NULL);

    /* .npy: serialize then parse gives the same values; a missing file fails */
    if (m.data) {
        fill(m.data, 4, 4);
        uint8_t *npy = NULL;
        size_t n = 0;
        CHECK(mx_npy_serialize(&m, &npy, &n, &err) == 0, "npy: %s", err.msg);
        mx_matrix back;
        CHECK(npy && mx_npy_parse(npy, n, &back, &err) == 0, "npy parse: %s", err.msg);
        CHECK(back.rows == 4 && back.cols == 4 && !memcmp(back.data, m.data, 32), "npy values");
        mx_matrix_free(&back);
        free(npy);
    }
    mx_matrix none;
    CHECK(mx_npy_load("/nonexistent/x.npy", &none, &err) == -1 && err.msg[0] && !none.data,
          "npy load: missing");

    /* scores as the header's formulas say */
    CHECK_NEAR(mx_score_lossy(0.25, 0.995, 0.99), 0.75, 1e-12);
    CHECK(mx_score_lossy(0.25, 0.98, 0.99) == 0, "lossy below threshold");
    CHECK(mx_score_lossless(0.5, 0.1, 0) == 0, "lossless not exact");
    CHECK_NEAR(mx_score_lossless(0.5, 0.506, 1), 0.25, 1e-12);
    /* each factor clipped: larger than the input and slower than 1.012 s
     * is two negatives, and must not multiply into a score */
    CHECK(mx_score_lossless(2.0, 3.0, 1) == 0, "lossless: c > 1 and t > 1.012 score");
    CHECK(mx_score_lossless(0.3, 2.0, 1) == 0, "lossless: t > 1.012 scores");

    /* an empty matrix needs no data; a non-empty one without data is an
     * error, not a crash; a shape past 64 bits is refused unshaped too */
    {
        mx_pipeline *z = mx_pipeline_create("auto", &err);
        uint8_t *buf = NULL;
        size_t len = 0;
        mx_matrix e = {0};
        e.rows = 0;
        e.cols = 5;
        CHECK(z && mx_compress(ctx, z, &e, &buf, &len, &err) == 0 && buf, "empty, data NULL: %s", err.msg);
        mx_matrix back;
        CHECK(buf && mx_decompress(ctx, buf, len, &back, &err) == 0 && back.rows == 0 && back.cols == 5,
              "empty round trip: %s", err.msg);
        mx_matrix_free(&back);
        free(buf);
        buf = NULL;
        e.rows = 3;
        CHECK(mx_compress(ctx, z, &e, &buf, &len, &err) == -1 && err.code == MX_EINPUT && !buf,
              "3x5 without data");
        uint16_t v[4] = {1, 2, 3, 4};
        e.rows = e.cols = (uint64_t)1 << 32;
        e.data = v;
        CHECK(mx_compress_unshaped(ctx, z, &e, &buf, &len, &err) == -1 && err.code == MX_EINPUT && !buf,
              "unshaped 2^32 x 2^32 accepted");
        mx_pipeline_free(z);
    }
    /* cancelled in the one-row pass of mx_compress_unshaped: *out not set,
     * and the info is still the last successful call's */
    {
        mx_ctx *c2 = mx_ctx_create();
        mx_pipeline *z = mx_pipeline_create("auto", &err);
        mx_matrix flat;
        CHECK(c2 && z && mx_matrix_alloc(&flat, 1, 96 * 128) == 0, "alloc");
        fill(flat.data, 96, 128);
        uint8_t *buf = NULL;
        size_t len = 0;
        int calls = 0;
        mx_ctx_set_progress(c2, cancel_second, &calls);
        int rc = mx_compress_unshaped(c2, z, &flat, &buf, &len, &err);
        CHECK(calls < 2 || (rc == -1 && err.code == MX_EFAIL && buf == NULL && len == 0 &&
                            mx_ctx_info(c2)->pipeline[0] == 0),
              "cancel in the second pass: rc %d, out %p, info '%s'", rc, (void *)buf,
              mx_ctx_info(c2)->pipeline);
        CHECK(calls >= 2, "the one-row pass never ran (%d progress calls)", calls);
        free(buf);
        mx_matrix_free(&flat);
        mx_pipeline_free(z);
        mx_ctx_free(c2);
    }
    /* a message is one line whatever it quotes */
    CHECK(mx_pipeline_create("zstd:3\n\x1b[31m", &err) == NULL && !strchr(err.msg, '\n') &&
          !strchr(err.msg, '\x1b'), "message with a newline: '%s'", err.msg);
    /* n = 0 writes nothing, as snprintf */
    mx_pipeline_format(p, NULL, 0);
    mx_matrix_free(&m);
    mx_pipeline_free(p);
    mx_ctx_free(ctx);
    return check_exit("test_api");
}
