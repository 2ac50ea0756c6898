/* container.h - the .mxb file format (all integers little-endian).
 *
 *   magic      4  "\x89MXB"
 *   version    u16  (1)
 *   flags      u16  bit 0: lossy pipeline
 *   hdr_size   u32  bytes from the magic to the end of hdr_hash
 *   rows, cols u64, u64
 *   dtype      u8   1 = bf16
 *   origin     u8   mx_origin of the source file
 *   fortran    u8   source was column-major
 *   reserved   u8   0
 *   value_hash u64  XXH64 (seed 0) of the original values, C order, LE
 *   spec       u16 length + bytes (canonical pipeline spec)
 *   origin     u32 length + bytes (the source .npy header, to restore it)
 *   levels     u16 count, then per level: u16 streams, then per stream:
 *              u8 bits, u8 parts, u64 rows, u64 cols
 *   streams    u16 count, then per coded stream: u64 size, u64 XXH64
 *   hdr_hash   u64  XXH64 of every header byte before it
 *   payload    the coded streams, back to back
 *
 * The reader checks every length against the buffer, the header hash, and
 * each stream's hash before anything is decoded, so corruption is reported
 * as such instead of surfacing as a decoder error (or worse). */
#ifndef MX_CONTAINER_H
#define MX_CONTAINER_H
#include <stddef.h>
#include <stdint.h>
#include "matrix.h"
#include "mxerr.h"
#include "pipeline.h"

#define MX_CONTAINER_VERSION 1
#define MX_CONTAINER_MAGIC "\x89MXB"

typedef struct {
    uint16_t version;
    int lossy;
    uint64_t rows, cols;
    mx_origin origin;
    int fortran;
    uint64_t value_hash;
    char spec[MX_SPEC_MAX];
    const uint8_t *blob; /* borrowed */
    size_t blob_len;
    mx_layout layout;
    mx_coded coded; /* on read: borrowed pointers into the buffer */
    size_t header_size;
} mx_container;

/* Serialises c into a new malloc'd buffer. */
int mx_container_write(const mx_container *c, uint8_t **out, size_t *out_len,
                       mx_error *err);
/* Parses and verifies buf; c borrows from buf, which must outlive it. */
int mx_container_read(const uint8_t *buf, size_t len, mx_container *c,
                      mx_error *err);
/* 1 if buf starts with the container magic. */
int mx_container_sniff(const uint8_t *buf, size_t len);
#endif
