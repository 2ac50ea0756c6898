/* bytes.h - the growing byte buffer every writer in mxbench builds its
 * output in (container, rANS tables, CSV/JSON reports, SVG), and the
 * LEB128 varints of the file formats.
 *
 * Appends never fail loudly: on out-of-memory the buffer sets `oom` and
 * ignores further appends, so a writer checks once at the end. */
#ifndef MX_BYTES_H
#define MX_BYTES_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *p; /* owned; free() it */
    size_t len, cap;
    int oom;
} mx_bytes;

void mx_bytes_put(mx_bytes *b, const void *src, size_t n);
/* v as `bytes` little-endian bytes (1..8). */
void mx_bytes_le(mx_bytes *b, uint64_t v, int bytes);
/* v as an unsigned LEB128 varint. */
void mx_bytes_var(mx_bytes *b, uint64_t v);
/* printf-style text; the buffer stays NUL-terminated after it (not counted). */
void mx_bytes_printf(mx_bytes *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reads a LEB128 varint at *off (advanced); -1 when truncated or wider than
 * 64 bits. */
int mx_read_var(const uint8_t *src, size_t n, size_t *off, uint64_t *v);

/* Zigzag: signed to unsigned (0, -1, 1, -2, ... to 0, 1, 2, 3, ...), so a
 * small value of either sign is a short varint (quant's escapes, quantlr's
 * factors). */
static inline uint64_t mx_zigzag(int64_t v)
{
    return v >= 0 ? 2 * (uint64_t)v : 2 * (uint64_t)(-v) - 1;
}

static inline int64_t mx_unzigzag(uint64_t z)
{
    return (z & 1) ? -(int64_t)((z + 1) / 2) : (int64_t)(z / 2);
}
#endif
