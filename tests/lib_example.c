/* Compress a matrix of bf16 values with libmxbench and get it back. */
#include <mxbench.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *spec = argc > 1 ? argv[1] : "auto";
    mx_error err = {0};
    mx_pipeline *p = mx_pipeline_create(spec, &err);
    if (!p) {
        fprintf(stderr, "bad pipeline: %s\n", err.msg);
        return 2;
    }

    /* 256 x 512 values, noise scaled per column as activations are;
     * bf16 is the top half of a float */
    mx_matrix m = {0};
    if (mx_matrix_alloc(&m, 256, 512)) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    uint32_t seed = 1;
    for (size_t i = 0; i < 256 * 512; i++) {
        seed = seed * 1664525u + 1013904223u;
        float f = ((float)(seed >> 8) / 16777216.0f - 0.5f) * (float)(i % 512 % 7 + 1);
        uint32_t u;
        memcpy(&u, &f, sizeof u);
        m.data[i] = (uint16_t)(u >> 16);
    }

    mx_ctx *ctx = mx_ctx_create(); /* keep it: it makes repeated calls fast */
    if (!ctx) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    mx_ctx_set_threads(ctx, 0); /* every core; the bytes stay the same */

    uint8_t *buf;
    size_t len;
    mx_matrix back;
    int rc = 1;
    if (mx_compress(ctx, p, &m, &buf, &len, &err)) {
        fprintf(stderr, "compress: %s\n", err.msg);
    } else {
        printf("%s: %zu -> %zu bytes with %s\n", spec, (size_t)(256 * 512 * 2), len,
               mx_ctx_info(ctx)->pipeline);
        if (mx_decompress(ctx, buf, len, &back, &err)) {
            fprintf(stderr, "decompress: %s\n", err.msg);
        } else {
            int same = back.rows == m.rows && back.cols == m.cols &&
                       !memcmp(back.data, m.data, 256 * 512 * sizeof *m.data);
            printf("round trip: %s, similarity %.6f\n", same ? "exact" : "differs",
                   mx_similarity_lower(m.data, back.data, 256 * 512));
            rc = same || mx_pipeline_lossy(p) ? 0 : 1;
            mx_matrix_free(&back);
        }
        free(buf);
    }
    mx_ctx_free(ctx);
    mx_matrix_free(&m);
    mx_pipeline_free(p);
    return rc;
}
