/* filecodec.h - compress and decompress files a frame at a time.
 *
 * The path `mxbench compress`, `decompress` and `verify` take for matrices
 * bigger than one frame (engine.h): the input is read one frame of rows at a
 * time and each frame is written as soon as it is coded, so memory holds
 * about one frame of values and its coded bytes whatever the file size.
 * Inputs that cannot be read in row order (safetensors, Fortran-order .npy),
 * and files of one frame, return MX_FILE_WHOLE without touching the output:
 * the caller then loads the whole matrix. Both paths write the same bytes,
 * because both code every frame with mx_compress_frame. */
#ifndef MX_FILECODEC_H
#define MX_FILECODEC_H
#include <stddef.h>
#include <stdint.h>
#include "context.h"
#include "fileio.h"
#include "mxerr.h"
#include "pipeline.h"
#include "samples.h"

#define MX_FILE_WHOLE 1

typedef struct {
    uint64_t rows, cols;      /* the whole matrix */
    uint64_t in_bytes, out_bytes;
    size_t frames;
    unsigned version;         /* container version of the first frame */
    int converted;            /* read from <f4 */
    int lossy;
    char chosen[MX_SPEC_MAX + 32]; /* the pipeline of the first frame (+ "and others per frame") */
} mx_file_stats;

/* Compresses the .npy or raw file `in` (shape from *shape for raw) into out,
 * which the caller has begun and commits. */
int mx_file_compress(mx_ctx *ctx, const char *in, const mx_shape *shape, const mx_pipeline *p,
                     mx_atomic_file *out, mx_file_stats *st, mx_error *err);
/* Decodes a multi-frame .mxb into out (.npy or raw, as it came); with out
 * NULL it only verifies every frame. */
int mx_file_decompress(mx_ctx *ctx, const char *in, mx_atomic_file *out, mx_file_stats *st,
                       mx_error *err);
/* Reads only the frame headers of a multi-frame .mxb (for `info`). */
int mx_file_scan(const char *in, mx_file_stats *st, mx_error *err);
#endif
