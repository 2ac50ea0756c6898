/* stage.h - the one interface every pipeline stage implements.
 *
 * Like lzbench's codec table: each stage is one file exporting one
 * `const mx_stage`, listed once in stages.c; nothing else names a stage.
 *
 * A TRANSFORM turns each input stream it applies to into one or more output
 * streams (e.g. bytesplit: a 16-bit stream -> high and low byte planes).
 * Streams a transform does not apply to pass through untouched; encode says
 * so by returning 0 parts. An ENTROPY stage codes every stream of the last
 * level separately, byte buffer to byte buffer.
 *
 * Decoders get untrusted shapes from a container: they must check every part
 * they read (mx_stage_expect helps) and never trust sizes. */
#ifndef MX_STAGE_H
#define MX_STAGE_H
#include <stddef.h>
#include <stdint.h>
#include "stream.h"

typedef enum { MX_STAGE_TRANSFORM, MX_STAGE_ENTROPY } mx_stage_kind;

enum { MX_AXIS_ROWS = 0, MX_AXIS_COLS = 1 };

/* Parameters of one stage instance; each stage uses what it needs. */
typedef struct {
    int level;   /* entropy level/quality, trunc's K */
    int axis;    /* MX_AXIS_ROWS or MX_AXIS_COLS */
    int threads; /* run time only, never stored: threads a stage may use */
} mx_params;

typedef struct mx_stage {
    const char *name;
    mx_stage_kind kind;
    int lossy;
    int keeps_values; /* TRANSFORM: its first part is still the bf16 values (only
                       * some zeroed), so a lossy stage may follow it */
    int codes_values; /* ENTROPY: models 16-bit streams as bf16 values; any other
                       * stream gets a plain order-0 fallback */
    const char *summary;     /* one line for --help and --list */
    const char *params_help; /* e.g. "L = 1..22 or -131072..-1 (default 3)" or "" */

    /* arg is the text after ':' or NULL; fills p with defaults first. */
    int (*parse)(const char *arg, mx_params *p, mx_error *err);
    /* Canonical text of this instance, e.g. "zstd:19", "delta:rows". */
    void (*format)(const mx_params *p, char *buf, size_t n);

    /* TRANSFORM: appends the parts of `in` to out and returns how many
     * (0 = not applicable, the driver passes `in` through), or -1. */
    int (*encode)(const mx_params *p, const mx_stream *in, mx_stream_set *out,
                  mx_error *err);
    /* TRANSFORM: rebuilds `out` (shape set, data zero-allocated) from its
     * nparts parts. */
    int (*decode)(const mx_params *p, const mx_stream *parts, size_t nparts,
                  mx_stream *out, mx_error *err);

    /* ENTROPY: worst-case coded size for n input bytes. */
    size_t (*bound)(const mx_params *p, size_t n);
    /* ENTROPY: codes the n bytes of a stream shaped d into dst (capacity
     * cap >= bound), sets *dst_len. Most coders ignore the shape; context
     * models use it. */
    int (*compress)(const mx_params *p, const mx_stream_desc *d, const uint8_t *src,
                    size_t n, uint8_t *dst, size_t cap, size_t *dst_len, mx_error *err);
    /* ENTROPY: decodes exactly `expected` bytes of a stream shaped d into
     * dst, else fails. */
    int (*decompress)(const mx_params *p, const mx_stream_desc *d, const uint8_t *src,
                      size_t n, uint8_t *dst, size_t expected, mx_error *err);
} mx_stage;

/* The table, NULL-terminated, in display order. */
extern const mx_stage *const mx_stages[];

/* Looks a stage up by name; NULL when unknown. */
const mx_stage *mx_stage_find(const char *name);

/* Checks that a decoder's part has the shape it needs. */
int mx_stage_expect(const mx_stream *part, unsigned bits, uint64_t rows,
                    uint64_t cols, const char *stage, mx_error *err);

/* Shared parsers for the common argument forms. */
int mx_parse_none(const char *stage, const char *arg, mx_error *err);
int mx_parse_int(const char *stage, const char *arg, int lo, int hi, int def,
                 int *out, mx_error *err);
int mx_parse_axis(const char *stage, const char *arg, int *axis,
                  mx_error *err);
void mx_format_plain(const char *name, char *buf, size_t n);
void mx_format_axis(const char *name, int axis, char *buf, size_t n);
void mx_format_int(const char *name, int v, char *buf, size_t n);

/* parse + format for a stage that takes no parameter: defines the static
 * functions `parse_plain` and `format_plain` for the stage's table entry. */
#define MX_PLAIN_PARAMS(stage_name)                                             \
    static int parse_plain(const char *arg, mx_params *p, mx_error *err)        \
    {                                                                           \
        (void)p;                                                                \
        return mx_parse_none(stage_name, arg, err);                             \
    }                                                                           \
    static void format_plain(const mx_params *p, char *buf, size_t n)           \
    {                                                                           \
        (void)p;                                                                \
        mx_format_plain(stage_name, buf, n);                                    \
    }
#endif
