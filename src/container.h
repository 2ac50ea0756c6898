/* container.h - the .mxb file format.
 *
 * Compact on purpose: the competition counts every byte of the file, and a
 * 100-byte header costs a 256 KiB matrix more than the 1% margin a pipeline
 * needs to beat another. Integers are unsigned LEB128 varints unless noted.
 *
 *   magic      4 bytes "\x89MXB"
 *   version    u8 (1)
 *   flags      u8  bit 0: lossy pipeline; bit 1: source was Fortran order
 *   origin     u8  mx_origin of the source file
 *   dtype      u8  1 = bf16
 *   rows, cols
 *   value_hash u64 LE: XXH64 (seed 0) of the original values, C order, LE
 *   spec       length + bytes (canonical pipeline spec)
 *   origin hdr length + bytes (the source .npy header when it is not the
 *              one mxbench would write anyway; usually empty)
 *   levels     u8 count, then per level: u8 streams, then per stream:
 *              u8 bits, u8 parts, rows, cols
 *   sizes      per stream of the last level: coded size, u32 LE XXH32 of it
 *   hdr_hash   u32 LE: XXH32 of every header byte before it
 *   payload    the coded streams, back to back
 *   checksum   u64 LE: XXH64 of every byte before it
 *
 * The reader verifies the whole-file checksum first, then checks every
 * length against the buffer, so corruption is reported as such and never
 * reaches a decoder. When the checksum fails, the per-part XXH32s say which
 * part is damaged: the header, stream k, or the checksum itself. */
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
