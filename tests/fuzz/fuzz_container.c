/* The whole decode path: container parse, stage decoders, checksums. Each
 * input is decoded twice: as is, and with its trailing checksum recomputed,
 * so the fuzzer gets past the checksum to the parser and the decoders. */
#include <stdlib.h>
#include <string.h>
#include "../../src/container.h"
#include "../../src/engine.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mx_matrix m;
    mx_error err = {0};
    /* one context for both decodes: the second finds the first's scratch */
    mx_ctx *ctx = mx_ctx_create();
    if (!ctx)
        return 0;
    if (mx_decompress(ctx, data, size, &m, &err) == 0)
        mx_matrix_free(&m);
    uint8_t *fixed = size < 16 ? NULL : malloc(size);
    if (!fixed) {
        mx_ctx_free(ctx);
        return 0;
    }
    memcpy(fixed, data, size);
    uint64_t h = mx_container_hash64(fixed[4], fixed, size - 8);
    for (int i = 0; i < 8; i++)
        fixed[size - 8 + (size_t)i] = (uint8_t)(h >> (8 * i));
    if (mx_decompress(ctx, fixed, size, &m, &err) == 0)
        mx_matrix_free(&m);
    free(fixed);
    mx_ctx_free(ctx);
    return 0;
}
