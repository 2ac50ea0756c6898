/* rowref.h - the rows of a bf16 matrix on wide lanes, and the earlier row
 * each one is coded against: what bfdelta and quant share (their numpy
 * twin is src/export/wlanes.py). Internal to codecs/.
 *
 * Layout. With n = rows x cols values and Lmax = clamp(n / 1024, 32, 1024):
 * when cols <= Lmax, K = min(rows, Lmax / cols) blocks of B = ceil(rows / K)
 * rows run side by side, step t holding row k B + t of each block k on lanes
 * k cols .. k cols + cols - 1, and a row may only refer to a row of its own
 * block at most t rows back; otherwise K = 1 and each row is cut into
 * P = ceil(cols / Lmax) steps of ceil(cols / P) columns (the last shorter).
 * The steps of a coder's values go t = 0.., and p = 0..P-1 within each t.
 *
 * References. For each row the candidates are the 16 nearest rows, and for
 * each of 16 groups of three sampled columns the latest earlier row whose
 * sign+exponents equal the row's there; within the window of 1024 rows and
 * the row's block. The candidate whose sign+exponents agree most on
 * min(64, max(8, cols / 4)) sampled columns wins, the nearer on ties. A row
 * whose sign+exponents agree with its winner on under a fifth of all its
 * columns has no reference; its class is 0, else 1 + min(3, 4 agree / cols).
 * The result does not depend on the thread count. */
#ifndef MX_ROWREF_H
#define MX_ROWREF_H
#include <stddef.h>
#include <stdint.h>

#define MX_ROWREF_WINDOW 1024
#define MX_ROWREF_CLASSES 5

typedef struct {
    size_t lanes, K, B, P, Lc;
} mx_rowref_layout;

mx_rowref_layout mx_rowref_layout_of(uint64_t rows, uint64_t cols);

/* Lanes used by value step s (a prefix of the lanes). */
size_t mx_rowref_active(const mx_rowref_layout *l, uint64_t rows, uint64_t cols, size_t s);

/* Each row's reference distance (0: none) and class, for the rows x cols
 * little-endian bf16 values at src laid out in blocks of B rows. -1 when
 * out of memory. */
int mx_rowref_search(const uint8_t *src, uint64_t rows, uint64_t cols, size_t B, uint16_t *dist,
                     uint8_t *cls, int threads);
#endif
