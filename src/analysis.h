/* analysis.h - where the bits go: per-stream sizes after a pipeline and the
 * exponent histogram of a matrix (the UI's data view, also handy in tests). */
#ifndef MX_ANALYSIS_H
#define MX_ANALYSIS_H
#include <stddef.h>
#include <stdint.h>
#include "context.h"
#include "matrix.h"
#include "../codecs/mxerr.h"
#include "pipeline.h"

typedef struct {
    size_t n;                          /* streams of the last level */
    mx_stream_desc d[MX_MAX_STREAMS];  /* their shapes */
    size_t raw_bytes[MX_MAX_STREAMS];  /* before entropy coding */
    size_t coded_bytes[MX_MAX_STREAMS];
    size_t header_bytes; /* container header + checksum */
    size_t total_bytes;  /* the whole file */
} mx_stream_report;

int mx_analyze_streams(mx_ctx *ctx, const mx_pipeline *p, const mx_matrix *m,
                       mx_stream_report *out, mx_error *err);
/* hist[e] = number of values whose 8-bit biased exponent is e. */
void mx_exponent_histogram(const mx_matrix *m, uint64_t hist[256]);
#endif
