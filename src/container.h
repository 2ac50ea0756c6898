/* container.h - the .mxb file format.
 *
 * Compact on purpose: the competition counts every byte of the file, and a
 * 100-byte header costs a 256 KiB matrix more than the 1% margin a pipeline
 * needs to beat another. Integers are unsigned LEB128 varints unless noted.
 *
 *   magic      4 bytes "\x89MXB"
 *   version    u8 (2; version 1 files are still read, see below)
 *   flags      u8  bit 0: lossy pipeline; bit 1: source was Fortran order;
 *                  bit 2: one frame of a multi-frame file (see below)
 *   origin     u8  mx_origin of the source file
 *   dtype      u8  1 = bf16
 *   rows, cols
 *   [first_row, total_rows]   only with flag bit 2
 *   value_hash u64 LE: H64 of the original values, C order, LE bytes
 *   spec       length + bytes (canonical pipeline spec)
 *   origin hdr length + bytes (the .npy header decompress writes, when it
 *              is not the one mxbench would write anyway; usually empty).
 *              With origin .npy: the source's header, a whole .npy header
 *              of a 2-byte dtype, in the order flag bit 1 says, whose shape
 *              is read as exactly total_rows x cols. With origin
 *              .safetensors: the tensor's shape when it is not 2-D ((n,),
 *              (), (a, b, c) ...), as the version-1 C-order '<u2' header
 *              numpy writes for it (mx_npy_tensor_header), byte for byte,
 *              holding total_rows x cols values; a 2-D tensor stores none.
 *              With other origins: empty (mx_container_origin_check)
 *   levels     u8 count, then per level: u8 streams, then per stream:
 *              u8 bits, u8 parts, rows, cols
 *   sizes      per stream of the last level: coded size, u32 LE H32 of it
 *   hdr_hash   u32 LE: H32 of every header byte before it
 *   payload    the coded streams, back to back
 *   checksum   u64 LE: H64 of every byte before it
 *
 * Checksums. In version 2, H64(x) is XXH3-64 (seed 0, the default secret)
 * of x padded: x, then max(0, 248 - len(x)) zero bytes, then len(x) as u64
 * LE, so the input hashed is always at least 256 bytes long and XXH3 always
 * takes its long path; H32(x) is the low 32 bits of H64(x). One hash, with
 * one code path, that numpy computes fast (about 100 MB/s): an exported
 * Python solution affords to write and check every one and carries only
 * that path. The length makes x and x followed by zeros hash differently.
 * Version 1 is the same layout with H64 = XXH64 and H32 = XXH32 (seed 0, no
 * padding); mxbench reads both and writes version 2.
 *
 * Frames. A matrix larger than one frame (mx_frame_rows, 64 MiB of values
 * by default) is stored as frames back to back, like zstd frames: each is a
 * complete container of the above layout for rows [first_row, first_row +
 * rows) of a total_rows x cols matrix, with its own pipeline, value hash and
 * checksums; only the first carries the origin header. The frames are in
 * row order, of one version, and the last one ends at total_rows, so a file
 * cut at a frame boundary, reordered or spliced from other shapes is
 * detected. A matrix of one frame is written without flag bit 2: small
 * files stay as they were.
 *
 * The reader verifies the whole-file checksum first, then checks every
 * length against the buffer, so corruption is reported as such and never
 * reaches a decoder; the origin fields must name a file decompress can
 * write back (mx_container_origin_check), as checksums alone prove only
 * that the bytes are the ones written, not that a file numpy reads comes
 * out. When the checksum fails, the per-part H32s say which
 * part is damaged: the header, stream k, or the checksum itself. */
#ifndef MX_CONTAINER_H
#define MX_CONTAINER_H
#include <stddef.h>
#include <stdint.h>
#include "matrix.h"
#include "../codecs/mxerr.h"
#include "pipeline.h"

/* The version written; every version from MX_CONTAINER_OLDEST on is read. */
#define MX_CONTAINER_VERSION 2
#define MX_CONTAINER_OLDEST 1
#define MX_CONTAINER_MAGIC "\x89MXB"

typedef struct {
    uint16_t version; /* on write: 0 for MX_CONTAINER_VERSION, or an older one */
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
    int multi;                     /* flag bit 2 */
    uint64_t first_row, total_rows; /* total_rows == rows when !multi */
} mx_container;

/* Serialises c into a new malloc'd buffer. */
int mx_container_write(const mx_container *c, uint8_t **out, size_t *out_len,
                       mx_error *err);
/* Parses and verifies buf; c borrows from buf, which must outlive it. */
int mx_container_read(const uint8_t *buf, size_t len, mx_container *c,
                      mx_error *err);
/* How long the frame at the start of buf is, from its header alone (the
 * streaming reader reads one frame at a time). Returns 0 with *frame_len
 * and, when hdr is not NULL, the header fields in *hdr (no streams); 1 when
 * the header runs past avail (read more and call again); -1 when it is no
 * container header. Checks the header's H32. */
int mx_container_frame_len(const uint8_t *buf, size_t avail, uint64_t *frame_len,
                           mx_container *hdr, mx_error *err);
/* 0 when these origin fields name a file decompress can write back: the
 * Fortran flag only with an .npy origin; an origin header only with a
 * 2-byte .npy origin, and then one that describes exactly the rows x cols
 * matrix in that order (mx_npy_header_fits), or with a .safetensors
 * origin, and then exactly the header mxbench writes for a shape that is
 * not 2-D and holds rows x cols values (mx_npy_tensor_header_fits); so
 * what decompress writes is a file numpy reads as those values. Else -1
 * saying why (MX_EINPUT). The
 * reader refuses a container that fails it ("corrupt container"), and
 * compress a matrix, so no file is written that decompress refuses. */
int mx_container_origin_check(mx_origin origin, int fortran, const uint8_t *blob,
                              size_t blob_len, uint64_t rows, uint64_t cols, mx_error *err);
/* 1 if buf starts with the container magic. */
int mx_container_sniff(const uint8_t *buf, size_t len);
/* Version 2 pads what it hashes to this many bytes before the length. */
#define MX_CHECK_PAD 248
/* The H64 and H32 of a container of `version` (see "Checksums") over p[0..n). */
uint64_t mx_container_hash64(unsigned version, const void *p, size_t n);
uint32_t mx_container_hash32(unsigned version, const void *p, size_t n);
#endif
