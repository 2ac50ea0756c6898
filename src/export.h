/* export.h - write a pipeline as a self-contained Python miner solution
 * (src/export/solution.py with the spec filled in): numpy + zstd/brotli/lz4,
 * a FastAPI server with /health, /compress, /decompress, and the very same
 * .mxb container mxbench reads and writes. */
#ifndef MX_EXPORT_H
#define MX_EXPORT_H
#include <stddef.h>
#include "mxerr.h"
#include "pipeline.h"

/* The competition's limit on a submission. */
#define MX_EXPORT_MAX_BYTES 20000

/* Fills *out (malloc'd, *len bytes). Fails, naming the stage, when a stage
 * has no fast numpy form (our own rANS coders, auto). */
int mx_export_python(const mx_pipeline *p, char **out, size_t *len, mx_error *err);
#endif
