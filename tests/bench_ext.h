/* bench_ext.h - external compressors as peers in `make bench`.
 *
 * A peer of this kind is a program run on the byte planes of a matrix (all
 * high bytes, then all low bytes: the split that lets a general-purpose
 * coder see exponents apart from mantissas), in row-major or column-major
 * order, on a temporary file. Its ratio is the matrix's bytes over the size
 * of the file it writes. Its time is the wall time of one run of the
 * process, start-up and file I/O included: not the steady state of the
 * in-process coders, so the bench labels it. */
#ifndef BENCH_EXT_H
#define BENCH_EXT_H
#include <stddef.h>
#include <stdint.h>
#include "../src/matrix.h"
#include "../codecs/mxerr.h"

/* The program, as data. Both command lines run in the work directory:
 * compress reads the file "planes" and leaves `packed`; decompress (when
 * given) restores "planes" from `packed` as the file "back". A command's
 * standard output goes to its *_stdout file, or to /dev/null when NULL. */
typedef struct {
    const char *tool;    /* looked up on PATH */
    const char *package; /* the Debian package that has it, for the note when missing */
    const char *packed;
    const char *const *compress;
    const char *compress_stdout;
    const char *const *decompress; /* NULL: not run (too slow to time cheaply) */
    const char *decompress_stdout;
} bench_ext;

typedef struct {
    size_t packed_bytes;
    double ms_compress, ms_decompress; /* wall time; ms_decompress < 0: not run */
    double cpu_ms_compress;            /* user + system time of the process */
} bench_ext_result;

typedef struct {
    char dir[4096];
} bench_workdir;

/* A fresh temporary directory under $TMPDIR (or /tmp). */
int bench_workdir_open(bench_workdir *w, mx_error *err);
/* Removes the files the peers leave and the directory. */
void bench_workdir_close(bench_workdir *w);

/* 1 when x->tool is an executable on PATH. */
int bench_ext_available(const bench_ext *x);

/* The byte planes of m (2 x rows x cols bytes) into out: high bytes, then
 * low bytes, each plane row-major, or column-major when col_major. */
void bench_byte_planes(const mx_matrix *m, int col_major, uint8_t *out);

/* Writes planes (len bytes) to the work directory, runs x on it and, when
 * x decompresses, checks that "back" is the same bytes. */
int bench_ext_run(const bench_workdir *w, const bench_ext *x, const uint8_t *planes,
                  size_t len, bench_ext_result *r, mx_error *err);
#endif
