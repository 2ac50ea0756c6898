/* stage.h - the one interface every pipeline stage implements.
 *
 * Like lzbench's codec table: each stage is one file exporting one
 * `const mx_stage` that says everything about it (its parameters, whether
 * it is lossy, which numpy twin exports it) and is listed once, in
 * Makefile.am's STAGE_SOURCES, from which the registry is made (stages.c).
 * Adding a stage is its file and that one line; nothing else names it.
 *
 * A TRANSFORM turns each input stream it applies to into one or more output
 * streams (e.g. bytesplit: a 16-bit stream -> high and low byte planes).
 * Streams a transform does not apply to pass through untouched; encode says
 * so by returning 0 parts. An ENTROPY stage codes every stream of the last
 * level separately, byte buffer to byte buffer.
 *
 * Decoders get untrusted shapes from a container: they must check every part
 * they read (mx_stage_expect helps) and never trust sizes.
 *
 * Every call also gets the work of the thread it runs on (work.h): the
 * threads the stage may use for its own loops and scratch kept between
 * calls. The output never depends on either. */
#ifndef MX_STAGE_H
#define MX_STAGE_H
#include <stddef.h>
#include <stdint.h>
#include "stream.h"
#include "work.h"

typedef enum { MX_STAGE_TRANSFORM, MX_STAGE_ENTROPY } mx_stage_kind;

/* --- parameters ---
 *
 * A stage declares its parameters; the pipeline parses and prints them
 * (params.c), so a stage never sees text. In a spec, `stage:value` sets
 * the first parameter and `stage:name=value` any one by name; the others
 * keep their defaults. A stage whose parameters are alternatives (quant:
 * sim=T, rowsim=T or blocksim=T) takes exactly one of them, the first at
 * its default when none is given, and is printed `stage:name=value`; any
 * other stage is printed `stage:value` (its one parameter). */
typedef enum {
    MX_PARAM_INT,     /* a whole number in [min, max] */
    MX_PARAM_CHOICE,  /* one of the names in `choices`: its index */
    MX_PARAM_DECIMAL  /* a real number x in the interval (min/10^digits, max/10^digits),
                       * ends excluded or not (open_min, open_max), kept as
                       * round(x * 10^digits), which must lie in it too; printed
                       * with %.<digits>g */
} mx_param_type;

typedef struct {
    const char *name;   /* the key of name=value; also what --list shows */
    mx_param_type type;
    int64_t min, max;   /* INT: the range; DECIMAL: the ends, in units of 10^-digits */
    int64_t def;        /* the default (CHOICE: an index) */
    const char *const *choices; /* CHOICE: the names, NULL-terminated */
    int digits;         /* DECIMAL */
    int open_min, open_max;     /* DECIMAL: the end itself is excluded */
    const char *note;   /* a few words for --list, or NULL */
} mx_param;

#define MX_STAGE_PARAMS 4

/* The values of one stage instance, in the order the stage declares its
 * parameters, each in its type's unit; `which` is the alternative given
 * (0 for a stage without alternatives). A plain value: copy, compare. */
typedef struct {
    int64_t v[MX_STAGE_PARAMS];
    int which;
} mx_params;

/* Names of the two axes, for the CHOICE parameter of delta, xor, q8, q4. */
enum { MX_AXIS_ROWS = 0, MX_AXIS_COLS = 1 };
extern const char *const mx_axis_names[];

/* A stage's numpy twin (`mxbench export`): the sections of src/export/ it
 * needs, in order (none: the stage cannot be exported); whole: it takes the
 * bf16 matrix itself, so no transform may come before it; only: the twin
 * knows only instances whose canonical text starts so (NULL: every one). */
#define MX_TWIN_SECTIONS 4
typedef struct {
    const char *sections[MX_TWIN_SECTIONS];
    int whole;
    const char *only;
} mx_twin;

typedef struct mx_stage {
    const char *name;
    mx_stage_kind kind;
    int lossy;
    int keeps_values; /* TRANSFORM: its first part is still the bf16 values (only
                       * some zeroed), so a lossy stage may follow it */
    int codes_values; /* ENTROPY: models 16-bit streams as bf16 values; any other
                       * stream gets a plain order-0 fallback */
    const char *summary; /* one line for --help and --list */
    mx_param params[MX_STAGE_PARAMS]; /* the first with a NULL name ends them */
    int alternatives;    /* the parameters are alternatives (see above) */
    /* Optional: rules the declarations cannot say (zstd: the library's own
     * range, no level 0); called after parsing. */
    int (*check)(const mx_params *p, mx_error *err);
    mx_twin twin;        /* its numpy twin, if it has one */

    /* TRANSFORM: appends the parts of `in` to out and returns how many
     * (0 = not applicable, the driver passes `in` through), or -1. */
    int (*encode)(const mx_params *p, mx_work *w, const mx_stream *in, mx_stream_set *out,
                  mx_error *err);
    /* TRANSFORM: rebuilds `out` (shape set, data zero-allocated) from its
     * nparts parts. */
    int (*decode)(const mx_params *p, mx_work *w, const mx_stream *parts, size_t nparts,
                  mx_stream *out, mx_error *err);

    /* ENTROPY: worst-case coded size for n input bytes. */
    size_t (*bound)(const mx_params *p, size_t n);
    /* ENTROPY: codes the n bytes of a stream shaped d into dst (capacity
     * cap >= bound), sets *dst_len. Most coders ignore the shape; context
     * models use it. */
    int (*compress)(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src,
                    size_t n, uint8_t *dst, size_t cap, size_t *dst_len, mx_error *err);
    /* ENTROPY: decodes exactly `expected` bytes of a stream shaped d into
     * dst, else fails. */
    int (*decompress)(const mx_params *p, mx_work *w, const mx_stream_desc *d, const uint8_t *src,
                      size_t n, uint8_t *dst, size_t expected, mx_error *err);
} mx_stage;

/* The registry, NULL-terminated, in display order (stages.c). */
extern const mx_stage *const mx_stages[];

/* Looks a stage up by name; NULL when unknown. */
const mx_stage *mx_stage_find(const char *name);

/* Parses what follows `stage:` (NULL: nothing) into p, every parameter
 * checked against its declaration (params.c). */
int mx_stage_parse(const mx_stage *s, const char *arg, mx_params *p, mx_error *err);
/* The canonical text of an instance, e.g. "zstd:19", "delta:rows",
 * "quant:sim=0.99"; MX_STAGE_TEXT_MAX is always enough. */
#define MX_STAGE_TEXT_MAX 64
void mx_stage_format(const mx_stage *s, const mx_params *p, char *buf, size_t n);
/* What --list shows of the parameters, e.g. "L = 1..12 (default 9)"; ""
 * for none. */
void mx_stage_params_help(const mx_stage *s, char *buf, size_t n);

/* Checks that a decoder's part has the shape it needs. */
int mx_stage_expect(const mx_stream *part, unsigned bits, uint64_t rows,
                    uint64_t cols, const char *stage, mx_error *err);
#endif
