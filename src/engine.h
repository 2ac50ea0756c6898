/* engine.h - matrix <-> .mxb bytes, the one path every front end uses
 * (compress/decompress commands, the batch runner, the UI). */
#ifndef MX_ENGINE_H
#define MX_ENGINE_H
#include <stddef.h>
#include <stdint.h>
#include "matrix.h"
#include "mxerr.h"
#include "pipeline.h"

/* The largest ratio a container may claim: its matrix is at most this many
 * times its own size. Decoders allocate nothing bigger, so a 100-byte file
 * can never ask for gigabytes; mx_compress falls back to zstd:3 (at most
 * ~32768:1) for the rare matrix a pipeline squeezes harder than this. */
#define MX_MAX_RATIO ((uint64_t)1 << 20)

/* XXH64 of the values as little-endian bytes (C order). */
uint64_t mx_values_hash(const uint16_t *values, size_t n);

/* Runs pipeline p over m and builds a complete container in *out. For
 * "auto", every candidate of presets.h is tried (on the first AUTO_TRIAL
 * rows when the matrix is larger) and the smallest is kept. */
int mx_compress(const mx_pipeline *p, const mx_matrix *m, uint8_t **out,
                size_t *out_len, mx_error *err);
/* The same, also telling which pipeline was used (canonical spec). */
int mx_compress_ex(const mx_pipeline *p, const mx_matrix *m, uint8_t **out, size_t *out_len,
                   char *chosen, size_t chosen_n, mx_error *err);

/* Parses, verifies and decodes a container into a new matrix (origin and
 * origin header restored). For lossless pipelines the decoded values must
 * hash to the stored value hash, else it fails. */
int mx_decompress(const uint8_t *buf, size_t len, mx_matrix *out, mx_error *err);
/* The same on `threads` threads (the output never depends on it). */
int mx_decompress_ex(const uint8_t *buf, size_t len, int threads, mx_matrix *out, mx_error *err);
#endif
