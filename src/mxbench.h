/* mxbench.h - libmxbench: lossless (and, if asked, lossy) compression of
 * bfloat16 matrices such as neural-network activations and gradients.
 *
 * This is the library's one public header and its manual. Build with
 *     cc prog.c $(pkg-config --cflags --libs mxbench)
 *
 * Introduction
 *
 *   A matrix is rows x cols bf16 values, each the 16 high bits of an IEEE
 *   float32, held as uint16_t in C (row-major) order (mx_matrix).
 *   A pipeline says how to code it: a spec such as "auto" (the default
 *   of the mxbench program), "zstd:3" or "expsplit,delta:cols|zstd:9",
 *   parsed once into an mx_pipeline (a plain value, what the output
 *   records). A context (mx_ctx) says how calls run: threads, rows per
 *   frame, a cancel flag, progress; it also keeps work buffers between
 *   calls, like zstd's ZSTD_CCtx. mx_compress() turns a matrix into a
 *   self-describing .mxb buffer (the file format of `mxbench compress`,
 *   see man mxbench) and mx_decompress() turns it back. The bytes written
 *   never depend on the number of threads. The grammar of specs and the
 *   stages available are in man mxbench and `mxbench --list`.
 *
 * Errors
 *
 *   Every call that can fail returns 0 on success and -1 on failure (or
 *   NULL for the calls returning a pointer), and fills the mx_error the
 *   caller passes (which may be NULL). The code says whose fault it was:
 *   MX_EINPUT for a bad argument or bad input (a wrong spec, a damaged
 *   .mxb), MX_EFAIL for a run that failed on good input (out of memory,
 *   cancelled). msg is one line of English without a trailing newline,
 *   ready to print (control characters of quoted input become '?').
 *   Nothing in the library prints, exits or aborts.
 *
 * Environment
 *
 *   MXBENCH_SIMD=0 runs the scalar code instead of the AVX2 code (the same
 *   bytes either way; for tests); MXBENCH_STDIN_MAX caps what
 *   mx_npy_load("-") reads. The calls of this header read nothing else
 *   from it.
 *
 * Memory
 *
 *   Buffers the library returns (uint8_t **out) are malloc'd and the
 *   caller owns them: free() them. Matrices the library fills are freed
 *   with mx_matrix_free(). Input buffers are only read, never kept: they
 *   may be freed as soon as the call returns.
 *
 * Threads
 *
 *   A context is used by one thread at a time: use one per thread that
 *   compresses (it may use several threads itself, mx_ctx_set_threads).
 *   Pipelines are read-only values once made, safe to share between
 *   threads. Calls that take no context may be made from any thread.
 */
#ifndef MXBENCH_H
#define MXBENCH_H
#include <stddef.h>
#include <stdint.h>
/* The cancel flag (mx_ctx_set_cancel): C11's atomic_int, which C++ spells
 * std::atomic<int> (the same object; <stdatomic.h> is C++23 only). */
#ifdef __cplusplus
#include <atomic>
typedef std::atomic<int> mx_cancel_flag;
extern "C" {
#else
#include <stdatomic.h>
typedef atomic_int mx_cancel_flag;
#endif

/* The library's version, "MAJOR.MINOR.PATCH". */
const char *mx_version(void);

/* ---- Errors ------------------------------------------------------------ */

/* (The library's own codecs/mxerr.h defines the same type; the test suite
 * checks that the two agree.) */
#ifndef MX_ERROR_TYPE_DEFINED
#define MX_ERROR_TYPE_DEFINED
enum { MX_OK = 0, MX_EFAIL = 1, MX_EINPUT = 2 };

typedef struct {
    int code;      /* MX_OK, MX_EFAIL or MX_EINPUT */
    char msg[512]; /* one line, no trailing newline */
} mx_error;
#endif

/* ---- Matrices ---------------------------------------------------------- */

/* Where a matrix came from: decompress gives back the same origin, so a
 * file can be written back byte for byte (mx_npy_serialize). Matrices a
 * program makes itself are MX_ORIGIN_RAW. */
typedef enum {
    MX_ORIGIN_RAW = 0,         /* headerless little-endian bf16 */
    MX_ORIGIN_NPY = 1,         /* .npy of 2-byte values; origin_blob = its header */
    MX_ORIGIN_NPY_F32 = 2,     /* .npy of <f4, converted to bf16 (lossy; written
                                  back as a '<u2' .npy of the bf16 bits) */
    MX_ORIGIN_SAFETENSORS = 3, /* one BF16 tensor of a .safetensors file; written
                                  back as a '<u2' .npy of its shape (origin_blob
                                  = that header when the shape is not 2-D) */
} mx_origin;

/* A bf16 matrix. To compress values of your own, fill rows, cols and data
 * and leave the rest zero ({0} then set those three): the library only
 * reads it. A matrix the library fills (mx_decompress, mx_npy_parse) owns
 * data and origin_blob: release it with mx_matrix_free(). */
typedef struct {
    uint64_t rows, cols;
    uint16_t *data;        /* rows*cols values, C order */
    mx_origin origin;
    int fortran;           /* the source file stored values column-major */
    uint8_t *origin_blob;  /* the .npy header to write before the data: an
                              .npy's own, or a tensor's shape (see above) */
    size_t origin_blob_len;
} mx_matrix;

/* Allocates zeroed room for rows x cols values into a fresh *m (origin
 * raw); 0, or -1 when out of memory or too large. */
int mx_matrix_alloc(mx_matrix *m, uint64_t rows, uint64_t cols);
/* Frees what m owns and zeroes it; NULL is fine. */
void mx_matrix_free(mx_matrix *m);

/* ---- Pipelines --------------------------------------------------------- */

/* Room for any canonical spec, terminator included. */
#define MX_SPEC_MAX 256

typedef struct mx_pipeline mx_pipeline;

/* Parses spec ("auto", "auto:max", "zstd:3", "bytesplit|zstd:19",
 * "quant:sim=0.99", ...) into a new pipeline; NULL with err set
 * (MX_EINPUT, the message says what is wrong and where) when it is not a
 * valid spec, or (MX_EFAIL) when out of memory. Free with
 * mx_pipeline_free(). */
mx_pipeline *mx_pipeline_create(const char *spec, mx_error *err);
/* NULL is fine. */
void mx_pipeline_free(mx_pipeline *p);
/* The canonical text of p, every parameter spelt ("delta|zstd" ->
 * "delta:rows|zstd:3"), into buf of n bytes (truncated, always
 * terminated); n = MX_SPEC_MAX is always enough. */
void mx_pipeline_format(const mx_pipeline *p, char *buf, size_t n);
/* 1 when p may change values (trunc, q8, quant, ...): decompress then
 * gives back an approximation, judged by the similarity below. */
int mx_pipeline_lossy(const mx_pipeline *p);

/* ---- Contexts ---------------------------------------------------------- */

typedef struct mx_ctx mx_ctx;

/* Called as rows get coded or decoded (done of total, after each batch of
 * frames), on the thread that made the call; a non-zero return cancels
 * the call, which then fails with MX_EFAIL "cancelled". A call that codes
 * in several passes (mx_compress_unshaped, auto:max) reports each pass
 * from 0 again, with its own total. */
typedef int (*mx_progress_fn)(void *user, uint64_t done, uint64_t total);

/* A context of one thread, default frames, no cancel flag and no
 * progress; NULL when out of memory. A context made once and used for
 * every call (a training loop, a server's worker) runs at steady-state
 * speed: it keeps its threads' work buffers from one call to the next. */
mx_ctx *mx_ctx_create(void);
/* Frees the context and every buffer it kept; NULL is fine. */
void mx_ctx_free(mx_ctx *ctx);
/* Threads a call may use (0: one per online CPU; at most 256). The bytes
 * written never depend on it. */
void mx_ctx_set_threads(mx_ctx *ctx, int threads);
/* Rows per frame of big matrices (0, the default: as many rows as fit in
 * 64 MiB of values). A matrix larger than a frame is stored as frames
 * that are coded and decoded a batch at a time. */
void mx_ctx_set_frame_rows(mx_ctx *ctx, uint64_t rows);
/* A flag another thread may set (non-zero) to cancel the calls running on
 * this context, checked between frames; NULL for none. The flag must
 * outlive its use by the context. */
void mx_ctx_set_cancel(mx_ctx *ctx, const mx_cancel_flag *flag);
/* Progress reports (fn NULL: none); user is passed back to fn. */
void mx_ctx_set_progress(mx_ctx *ctx, mx_progress_fn fn, void *user);

/* What the last successful compress call on a context did. */
typedef struct {
    char pipeline[MX_SPEC_MAX + 32]; /* what coded it ("auto" names its pick; a file
                                      * whose frames chose differently names
                                      * each with its frames, "bfdelta (14
                                      * frames), zstd:3 (2 frames)"; past four,
                                      * or what fits, the rest as "others") */
    uint64_t rows, cols;             /* the shape coded (for values without a shape,
                                      * the width found) */
    uint64_t frames;                 /* frames written */
    uint64_t nonfinite_lost;         /* NaN and Inf values that do not decode as
                                      * they were: some lossy stages code them
                                      * as 0 (0 for a lossless pipeline) */
} mx_compress_info;

/* Valid until the next call on ctx. */
const mx_compress_info *mx_ctx_info(const mx_ctx *ctx);

/* ---- Compress and decompress ------------------------------------------ */

/* Codes the matrix m with pipeline p into a complete .mxb buffer: *out
 * (malloc'd, the caller frees it) of *out_len bytes, on the context's
 * threads. The buffer records the shape, the pipeline (for "auto", the
 * one chosen), a hash of the values and checksums. -1 with err set when
 * the shape is not one mxbench takes (MX_EINPUT), or out of memory or
 * cancelled (MX_EFAIL); nothing is then allocated and *out is not set. */
int mx_compress(mx_ctx *ctx, const mx_pipeline *p, const mx_matrix *m, uint8_t **out,
                size_t *out_len, mx_error *err);

/* The same for values that come without a shape (a flat buffer of bf16,
 * as the competition sends them): m's rows x cols values are read as one
 * sequence whose row length the library infers (the period of the
 * exponents), which helps the context coders; decompress gives back the
 * same values in the same order, as mx_ctx_info(ctx)->rows x cols.
 * Fails as mx_compress does, *out then not set. */
int mx_compress_unshaped(mx_ctx *ctx, const mx_pipeline *p, const mx_matrix *m,
                         uint8_t **out, size_t *out_len, mx_error *err);

/* Checks and decodes the .mxb buffer buf (len bytes) into *out, a new
 * matrix the caller frees with mx_matrix_free(); origin fields are
 * restored. Every checksum and every length is verified before anything
 * is decoded, and a lossless pipeline's output must hash to the value hash
 * stored, so a damaged buffer fails (MX_EINPUT, saying which part is
 * damaged) and never decodes to wrong values. On failure *out is empty. */
int mx_decompress(mx_ctx *ctx, const uint8_t *buf, size_t len, mx_matrix *out, mx_error *err);

/* What a .mxb buffer holds, from its headers alone (`mxbench info`). */
typedef struct {
    uint64_t rows, cols;              /* the whole matrix */
    uint64_t frames;                  /* 1 unless the matrix was cut in frames */
    int lossy;                        /* some frame was coded lossy */
    int version;                      /* container version of the first frame */
    mx_origin origin;
    char pipeline[MX_SPEC_MAX + 32]; /* as mx_compress_info's */
} mx_container_info;

/* Reads the headers of the frames of buf and fills *info; the payload is
 * not decoded (mx_decompress checks that). -1 with err set (MX_EINPUT)
 * when buf is not a whole .mxb. */
int mx_container_describe(const uint8_t *buf, size_t len, mx_container_info *info,
                          mx_error *err);

/* ---- .npy files -------------------------------------------------------- */

/* Parses an .npy file held in buf into *m (free with mx_matrix_free):
 * 2-byte dtypes ('<u2', '<i2', '|V2', ml_dtypes' 'bfloat16') are taken as
 * bf16 bits, '<f4' is rounded to bf16 (origin MX_ORIGIN_NPY_F32); a shape
 * (a, ..., y, z) is read as (a*...*y) x z, Fortran order is converted. */
int mx_npy_parse(const uint8_t *buf, size_t len, mx_matrix *m, mx_error *err);
/* The same, reading the file at path ("-": all of standard input, at most
 * MXBENCH_STDIN_MAX bytes when that is set in the environment; a file
 * named - is ./-). */
int mx_npy_load(const char *path, mx_matrix *m, mx_error *err);
/* The .npy bytes of m (malloc'd, the caller frees them): the very file
 * it was read from when it came from a 2-byte one (header and order
 * kept), else a fresh '<u2' file of the bf16 bits (so an '<f4' file comes
 * back as '<u2', which numpy reads as integers: view it as bfloat16). */
int mx_npy_serialize(const mx_matrix *m, uint8_t **out, size_t *out_len, mx_error *err);

/* ---- Similarity and scores --------------------------------------------- */

/* How close decoded values b are to the originals a (bf16 widened):
 *   cosine     = dot(a,b) / (|a| |b|)
 *   norm_sim   = 1 - |a-b| / |a|
 *   similarity = cosine * norm_sim   (both norms 0: 1.0; only one: 0.0)
 * (codecs/metrics.h, inside the library, defines the same type.) */
#ifndef MX_SIMILARITY_TYPE_DEFINED
#define MX_SIMILARITY_TYPE_DEFINED
typedef struct {
    double cosine, norm_sim, similarity;
} mx_similarity;
#endif

/* In float64. */
mx_similarity mx_similarity_bf16(const uint16_t *a, const uint16_t *b, size_t n);
/* In float32, bit for bit as the competition's check computes it with
 * torch (which can differ from float64 in the 4th decimal). */
mx_similarity mx_similarity_f32(const uint16_t *a, const uint16_t *b, size_t n);
/* The lower of the two similarities: what a lossy result must keep above
 * its threshold to pass either way. Identical inputs give exactly 1. */
double mx_similarity_lower(const uint16_t *a, const uint16_t *b, size_t n);

/* The competition's scores, c = compressed / original size, t = compress
 * + decompress seconds, each factor clipped to [0, 1] (so an output larger
 * than its input, or a run of 1.012 s or more, scores 0):
 *   lossless: clip(1 - c) * clip(1 - t/1.012), 0 unless the round trip is exact
 *   lossy:    clip(1 - c), 0 unless similarity > threshold (0.99 by default) */
double mx_score_lossless(double c, double t, int exact);
double mx_score_lossy(double c, double similarity, double threshold);

#ifdef __cplusplus
}
#endif
#endif
