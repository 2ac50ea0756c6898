/* gen_big SRC.npy OUT.npy MIB [SEED] - writes a MIB-MiB bf16 .npy for the
 * big-file benchmark (tests/bigfile.sh): rows drawn at random from SRC's
 * rows with their 3 lowest mantissa bits re-randomised, so no two rows are
 * equal. Rows still resemble each other more than in real data, so the
 * ratio is better than real; the benchmark measures memory and the round
 * trip, not the ratio. Written a row at a time, in little memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../src/fileio.h"
#include "../src/npy.h"

static uint64_t next(uint64_t *s)
{
    /* splitmix64: fast and good enough for test data */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: gen_big SRC.npy OUT.npy MIB [SEED]\n");
        return 2;
    }
    mx_error err = {0};
    uint8_t *buf;
    size_t len;
    mx_matrix src;
    if (mx_read_file(argv[1], &buf, &len, &err) || mx_npy_parse(buf, len, &src, &err)) {
        fprintf(stderr, "gen_big: %s\n", err.msg);
        return 1;
    }
    free(buf);
    uint64_t seed = argc == 5 ? strtoull(argv[4], NULL, 10) : 1;
    uint64_t cols = src.cols, rows = ((uint64_t)atoi(argv[3]) << 20) / (cols * 2);
    if (!rows || !src.rows) {
        fprintf(stderr, "gen_big: nothing to write\n");
        return 2;
    }
    mx_matrix shape = {.rows = rows, .cols = cols, .origin = MX_ORIGIN_NPY};
    uint8_t fresh[MX_NPY_FRESH_MAX];
    const uint8_t *head;
    size_t hlen = mx_npy_header_for(&shape, rows, fresh, &head);
    uint16_t *row = malloc(cols * sizeof *row);
    mx_atomic_file f;
    if (!row || mx_atomic_begin(&f, argv[2], 1, &err) || mx_atomic_write(&f, head, hlen, &err)) {
        fprintf(stderr, "gen_big: %s\n", row ? err.msg : "out of memory");
        return 1;
    }
    for (uint64_t r = 0; r < rows; r++) {
        const uint16_t *s = src.data + (next(&seed) % src.rows) * cols;
        for (uint64_t c = 0; c < cols; c += 16) {
            uint64_t noise = next(&seed);
            for (uint64_t k = c; k < c + 16 && k < cols; k++, noise >>= 4)
                row[k] = (uint16_t)(s[k] ^ (noise & 7)); /* 3 low mantissa bits */
        }
        if (mx_atomic_write(&f, row, cols * sizeof *row, &err)) {
            fprintf(stderr, "gen_big: %s\n", err.msg);
            return 1;
        }
    }
    if (mx_atomic_commit(&f, &err)) {
        fprintf(stderr, "gen_big: %s\n", err.msg);
        return 1;
    }
    free(row);
    mx_matrix_free(&src);
    return 0;
}
