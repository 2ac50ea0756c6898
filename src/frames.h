/* frames.h - the one path between matrices and .mxb bytes.
 *
 * Every compress writes frames (container.h "Frames") and every decompress
 * walks them, whether the matrix is in memory or in a file of any size:
 * the writer codes a batch of frames at a time (the context's threads, at
 * most 16) and hands the bytes to a sink in order; the reader reads each
 * frame's header, checks that it continues the matrix, decodes a batch at
 * a time straight into the room the sink gives, and checks that nothing
 * trails. A matrix of one frame is the same walk with one frame. Memory
 * holds a batch of frames, whatever the size of the whole.
 *
 * Sources and sinks are small: a matrix or a file on one side (engine.c:
 * buffers; filecodec.c: files), these two functions in between. */
#ifndef MX_FRAMES_H
#define MX_FRAMES_H
#include <stddef.h>
#include <stdint.h>
#include "container.h"
#include "context.h"
#include "matrix.h"
#include "../codecs/mxerr.h"
#include "pipeline.h"

/* Rows to code, in order. head holds the whole matrix's shape and origin
 * fields (origin header included); head.data all of its values when they
 * are in memory, else NULL and `read` gives rows [first, first + n) as
 * n x cols values in dst. */
typedef struct {
    mx_matrix head;
    int (*read)(void *user, uint64_t first, uint64_t n, uint16_t *dst, mx_error *err);
    void *user;
} mx_row_source;

/* Where the bytes of a file go, in order. */
typedef struct {
    int (*write)(void *user, const void *buf, size_t len, mx_error *err);
    void *user;
} mx_byte_sink;

/* Codes src with p as frames of mx_frame_rows rows (one frame, a plain
 * container, when it fits one) on the context's threads, writing them to
 * out in order; mx_ctx_info(ctx) then tells what was used. The bytes do
 * not depend on the threads, nor on where the rows come from. */
int mx_frames_write(mx_ctx *ctx, const mx_pipeline *p, const mx_row_source *src,
                    const mx_byte_sink *out, mx_error *err);

/* The bytes of a .mxb file: all in memory (data), or read as needed. */
typedef struct {
    uint64_t size;
    const uint8_t *data;
    int (*read)(void *user, uint64_t off, void *buf, size_t n, mx_error *err);
    void *user;
} mx_byte_source;

/* Where decoded rows go. begin gets the first frame's header with rows set
 * to the whole matrix's (its origin header points into the input, valid
 * during the call); room gives space for rows [first, first + n) (n x cols
 * values), which the reader fills and then reports with rows(). */
typedef struct {
    int (*begin)(void *user, const mx_container *whole, mx_error *err);
    uint16_t *(*room)(void *user, uint64_t first, uint64_t n, mx_error *err);
    int (*rows)(void *user, uint64_t first, uint64_t n, mx_error *err);
    int (*end)(void *user, mx_error *err);
    void *user;
} mx_row_sink;

/* What a walk over a file's frames found. */
typedef struct {
    mx_container first;  /* the first frame's header (its pointers are the input's) */
    uint64_t rows, cols; /* the whole matrix */
    size_t frames;
    int lossy;           /* some frame is lossy */
    /* the shape the origin .npy header gives (a tensor's own, an .npy's
     * as written) when it is not 2-D, else "" */
    char origin_shape[80];
    char pipeline[MX_SPEC_MAX + 32]; /* as mx_compress_info's */
} mx_frames_info;

/* Walks the frames of in: decodes every frame into out on the context's
 * threads (out NULL: decode and check only), or with headers_only reads
 * and checks the headers alone (`info`). Every frame is checked whole
 * before its values are trusted; frames out of order, cut short or
 * followed by anything are refused. info may be NULL. */
int mx_frames_read(mx_ctx *ctx, const mx_byte_source *in, const mx_row_sink *out,
                   int headers_only, mx_frames_info *info, mx_error *err);
#endif
