/* engine.h - matrix <-> .mxb bytes, the one path every front end uses
 * (compress/decompress commands, the batch runner, the UI). */
#ifndef MX_ENGINE_H
#define MX_ENGINE_H
#include <stddef.h>
#include <stdint.h>
#include "context.h"
#include "matrix.h"
#include "../codecs/mxerr.h"
#include "pipeline.h"

/* The largest ratio a container may claim: its matrix is at most this many
 * times its own size. Decoders allocate nothing bigger, so a 100-byte file
 * can never ask for gigabytes; mx_compress falls back to zstd:3 (at most
 * ~32768:1) for the rare matrix a pipeline squeezes harder than this. */
#define MX_MAX_RATIO ((uint64_t)1 << 20)

/* Big matrices are stored as frames (container.h) of at most this many
 * bytes of values, rounded to whole rows, so compressing or decompressing
 * one needs memory for a frame, not the matrix (see frames.h). */
#define MX_FRAME_BYTES ((uint64_t)64 << 20)

/* Rows per frame for a matrix of cols columns: the context's frame rows
 * when set, else as many rows as fit in MX_FRAME_BYTES (at least one); a
 * matrix of no columns is one frame (UINT64_MAX). */
uint64_t mx_frame_rows(const mx_ctx *ctx, uint64_t cols);

/* The value hash a container of the current version stores: its H64 of
 * the values as little-endian bytes, C order (container.h "Checksums"). */
uint64_t mx_values_hash(const uint16_t *values, size_t n);

/* Runs pipeline p over m and builds a complete container in *out (malloc'd),
 * on the context's threads; mx_ctx_info(ctx) then says what was used.
 * "auto" codes with our coder and zstd:3 only when a sample says zstd:3
 * might do better, keeping the smaller; "auto:max" codes with every
 * candidate of presets.h and keeps the smallest. */
int mx_compress(mx_ctx *ctx, const mx_pipeline *p, const mx_matrix *m, uint8_t **out,
                size_t *out_len, mx_error *err);

/* Codes values that came without a shape (raw bytes, as the competition
 * sends them): m's values are one sequence (its rows and cols only say how
 * many), whose row length is inferred (shape_infer.h); the matrix is coded
 * as rows x cols, which the container records with a raw origin, so
 * decoding gives back the same values in the same order. The automatic
 * pipelines also code the values as one row and keep the smaller, so they
 * are never worse than one row: auto:max always (with its trials again),
 * auto with the pipeline it chose, and only for up to
 * MX_ONE_ROW_TRIAL_MAX values. Above that its coder's per-context tables
 * are small against what the contexts save: on the 510 inputs of
 * tests/shape.sh one row won only on synthetic matrices of at most 65,536
 * values, by 13% at most, and never on a real one. The exported solution
 * follows the same rule. mx_ctx_info(ctx)->cols is the width of the file
 * written. */
#define MX_ONE_ROW_TRIAL_MAX ((uint64_t)1 << 17)
int mx_compress_unshaped(mx_ctx *ctx, const mx_pipeline *p, const mx_matrix *m, uint8_t **out,
                         size_t *out_len, mx_error *err);

/* The n frames of part (rows [first_row, first_row + part->rows) of a
 * total_rows-row matrix, first_row a multiple of the frame rows), coded on
 * the context's threads into buf[i] / len[i] (chosen[i]: the pipeline
 * used): the unit of the frame writer (frames.h). The bytes do not depend
 * on the thread count. On failure nothing is left allocated and err is the
 * first failing frame's. */
int mx_compress_frames(mx_ctx *ctx, const mx_pipeline *p, const mx_matrix *part,
                       uint64_t first_row, uint64_t total_rows, size_t n, uint8_t **buf,
                       size_t *len, char (*chosen)[MX_SPEC_MAX], mx_error *err);

/* Decodes the n frames buf[i] (len[i] bytes each, in order, their headers
 * already checked by the walk, frames.h) on the context's threads into
 * parts[i].data, which holds the parts[i].rows x parts[i].cols values the
 * header said. Each frame is checked whole (checksums, shapes, the value
 * hash of a lossless pipeline) before anything is trusted; err is the
 * first failing frame's. */
int mx_decode_frames(mx_ctx *ctx, const uint8_t *const *buf, const size_t *len,
                     const mx_matrix *parts, size_t n, mx_error *err);

/* Parses, verifies and decodes a container into a new matrix (origin and
 * origin header restored), on the context's threads (the output never
 * depends on them). For lossless pipelines the decoded values must hash
 * to the stored value hash, else it fails. */
int mx_decompress(mx_ctx *ctx, const uint8_t *buf, size_t len, mx_matrix *out, mx_error *err);
#endif
