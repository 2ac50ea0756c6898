/* export.h - write a pipeline as a self-contained Python miner solution.
 *
 * The solution is assembled from the sections of src/export/ (embedded in
 * the binary at build time): the base every solution has (head.py: the
 * docstring and registries; xxh3.py: the checksums; container.py: .mxb
 * container v2 of single-stream pipelines and compress_data/decompress_data;
 * npy.py: .npy files for the file tasks; shape.py: width inference;
 * serve.py: the FastAPI server, the file-task interface and main), and,
 * between shape.py and serve.py, the numpy twin of each stage the pipeline
 * uses, each once, after what it needs (levels.py: the stream layouts of
 * transforms and the 1- and 4-bit packing; wlanes.py: our coders' rANS
 * lanes). "__SPEC__" is replaced by the canonical spec everywhere, and each
 * four spaces of a line's indentation by a tab (the same code to Python,
 * a quarter of the bytes).
 *
 * A stage's twin is one section that registers itself (TRANSFORMS[name] =
 * (encode, decode), or ENTROPY[name] = factory returning (encode, decode)),
 * named in the stage's own table entry (stage.h: mx_twin) with the
 * sections it needs. It
 * must write byte for byte what the C stage writes, check the shapes of
 * what it decodes (parts()), and bound every allocation by the sizes the
 * container declares. */
#ifndef MX_EXPORT_H
#define MX_EXPORT_H
#include <stddef.h>
#include "../codecs/mxerr.h"
#include "pipeline.h"

/* The competition's limit on a submission. */
#define MX_EXPORT_MAX_BYTES 20000

/* Fills *out (malloc'd, *len bytes, NUL-terminated). Fails, naming the
 * stage, when a stage has no numpy twin (auto and auto:max name the first
 * stage they run that has none), or when the file would exceed
 * MX_EXPORT_MAX_BYTES. */
int mx_export_python(const mx_pipeline *p, char **out, size_t *len, mx_error *err);
#endif
