/* samples.h - turn files and manifests into named bf16 matrices.
 *
 * File types are recognised by content first (.npy magic), then by name:
 * *.safetensors (every BF16 tensor becomes a sample "file:tensor"),
 * *.bin / *.bf16 / *.raw (headerless little-endian bf16; shape from
 * --shape or the manifest, else one row). "-" is stdin (fileio.h), named
 * "stdin": .npy or .safetensors by content, else raw values. */
#ifndef MX_SAMPLES_H
#define MX_SAMPLES_H
#include <stddef.h>
#include <stdint.h>
#include "matrix.h"
#include "../codecs/mxerr.h"

typedef struct {
    char name[320];  /* what tables show: file name, or file:tensor */
    char kind[32];   /* forward/backward when known */
    int converted;   /* values were converted to bf16 (from f32) */
    int shape_unknown; /* raw values with no shape given: one row until inferred */
    mx_matrix m;
} mx_sample;

typedef struct {
    uint64_t rows, cols;
    int set;
} mx_shape;

/* Parses "RxC" (e.g. 1024x256). */
int mx_shape_parse(const char *s, mx_shape *shape, mx_error *err);
/* 0 when no shape is given or it is rows x cols, the shape a file's own
 * header says; else a one-line error naming path and both shapes. */
int mx_shape_agrees(const mx_shape *shape, uint64_t rows, uint64_t cols, const char *path,
                    mx_error *err);
/* The one-line error for --tensor given with an input that is not a
 * .safetensors file. */
int mx_tensor_misplaced(const char *path, mx_error *err);

/* Draws n_draw of the n samples of *s the way a competition round does
 * (uniformly, without replacement while the pool lasts, then with it); a
 * seed gives the same round every time. *s and *n become the draw. */
int mx_samples_draw(mx_sample **s, size_t *n, size_t n_draw, uint64_t seed, mx_error *err);

/* Loads one file, appending its samples to *v (count *n). shape may be NULL.
 * tensor, when not NULL, keeps only that tensor of a .safetensors file. */
int mx_samples_load_file(const char *path, const mx_shape *shape, const char *tensor,
                         mx_sample **v, size_t *n, mx_error *err);
/* Loads every file a manifest lists. */
int mx_samples_load_manifest(const char *manifest, mx_sample **v, size_t *n,
                             mx_error *err);
/* The files of a manifest that could not be loaded: how many, and why for
 * the first MX_SKIPPED_KEEP of them (a manifest of 200,000 missing files
 * must not take a gigabyte, or 200,000 lines, to say so). */
#define MX_SKIPPED_KEEP 20
typedef struct {
    size_t n;                       /* files skipped */
    size_t kept;                    /* messages kept: the first MX_SKIPPED_KEEP */
    char msg[MX_SKIPPED_KEEP][512]; /* "PATH: why" */
} mx_skipped;

/* Like mx_samples_load_manifest, but a file that fails to load is counted
 * in *skipped and the rest still load. Only a manifest that cannot be read
 * at all (or running out of memory) is an error. */
int mx_samples_load_manifest_lenient(const char *manifest, mx_sample **v, size_t *n,
                                     mx_skipped *skipped, mx_error *err);
/* The error (MX_EINPUT, -1) of a manifest none of whose files loaded,
 * with the first reason kept in skipped. */
int mx_skipped_none(const char *manifest, const mx_skipped *skipped, mx_error *err);
void mx_samples_free(mx_sample *v, size_t n);
#endif
