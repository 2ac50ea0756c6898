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
    if (mx_decompress(data, size, &m, &err) == 0)
        mx_matrix_free(&m);
    if (size < 16)
        return 0;
    uint8_t *fixed = malloc(size);
    if (!fixed)
        return 0;
    memcpy(fixed, data, size);
    uint64_t h = mx_container_hash64(fixed[4], fixed, size - 8);
    for (int i = 0; i < 8; i++)
        fixed[size - 8 + (size_t)i] = (uint8_t)(h >> (8 * i));
    if (mx_decompress(fixed, size, &m, &err) == 0)
        mx_matrix_free(&m);
    free(fixed);
    return 0;
}
