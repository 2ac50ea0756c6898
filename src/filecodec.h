/* filecodec.h - compress, decompress, verify and describe files, through
 * the one framed path (frames.h).
 *
 * A file that holds its rows in order (.npy in C order, raw values with a
 * shape) is read as its frames are coded, and a .mxb is read a batch of
 * frames at a time, so memory holds about a batch of frames and their
 * coded bytes whatever the file size. Other inputs (.safetensors tensors,
 * Fortran-order .npy, raw values without a shape, whose width is inferred
 * over all of them) are loaded whole first; the bytes written are the same
 * either way. */
#ifndef MX_FILECODEC_H
#define MX_FILECODEC_H
#include <stddef.h>
#include <stdint.h>
#include "context.h"
#include "fileio.h"
#include "frames.h"
#include "../codecs/mxerr.h"
#include "pipeline.h"
#include "samples.h"

/* A file to compress, opened. */
typedef struct {
    char name[320];    /* what it holds: the file's name, or file:tensor */
    int converted;     /* read from <f4 */
    int shape_unknown; /* raw values without a shape: the width is inferred */
    mx_row_source src; /* its rows (head.data set when loaded whole) */
    /* how it is read */
    int fd;
    const char *path;
    uint64_t offset;   /* where the values start */
    int width;         /* bytes per stored value */
    uint8_t *raw;      /* a batch of <f4 values read */
    size_t raw_cap;
    mx_sample *loaded; /* the sample loaded whole, if it was */
    size_t n_loaded;
} mx_input;

/* Opens the .npy, raw (shape from *shape, which may be NULL) or
 * .safetensors file `path` (tensor: which of its BF16 tensors; needed when
 * it holds more than one). */
int mx_input_open(mx_input *in, const char *path, const mx_shape *shape, const char *tensor,
                  mx_error *err);
void mx_input_close(mx_input *in);

/* What a file operation did. */
typedef struct {
    uint64_t in_bytes, out_bytes;
    mx_frames_info frames; /* decompress, verify, info: what the frames say */
} mx_file_stats;

/* Compresses in into out, which the caller has begun and commits;
 * mx_ctx_info(ctx) then says what was used. */
int mx_compress_input(mx_ctx *ctx, const mx_pipeline *p, mx_input *in, mx_atomic_file *out,
                      mx_file_stats *st, mx_error *err);
/* Decodes the .mxb at path into out (.npy or raw, as it came; begun by the
 * caller); with out NULL it only decodes and checks every frame. */
int mx_decompress_file(mx_ctx *ctx, const char *path, mx_atomic_file *out, mx_file_stats *st,
                       mx_error *err);
/* Reads only the frame headers of the .mxb at path (for `info`). */
int mx_scan_file(mx_ctx *ctx, const char *path, mx_file_stats *st, mx_error *err);
#endif
