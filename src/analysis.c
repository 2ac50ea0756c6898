#include "analysis.h"
#include <stdlib.h>
#include <string.h>
#include "container.h"
#include "engine.h"

int mx_analyze_streams(mx_ctx *ctx, const mx_pipeline *p, const mx_matrix *m,
                       mx_stream_report *out, mx_error *err)
{
    memset(out, 0, sizeof *out);
    uint8_t *buf;
    size_t len;
    if (mx_compress(ctx, p, m, &buf, &len, err))
        return -1;
    mx_container c;
    if (mx_container_read(buf, len, &c, err)) {
        free(buf);
        return -1;
    }
    const mx_level *top = &c.layout.level[c.layout.n_levels - 1];
    out->n = top->n;
    size_t coded = 0;
    for (size_t j = 0; j < top->n; j++) {
        out->d[j] = top->d[j];
        mx_stream_desc_bytes(&top->d[j], &out->raw_bytes[j]);
        out->coded_bytes[j] = c.coded.size[j];
        coded += c.coded.size[j];
    }
    out->total_bytes = len;
    out->header_bytes = len - coded;
    free(buf);
    return 0;
}

void mx_exponent_histogram(const mx_matrix *m, uint64_t hist[256])
{
    memset(hist, 0, 256 * sizeof *hist);
    size_t n = mx_matrix_count(m);
    for (size_t i = 0; i < n; i++)
        hist[(m->data[i] >> 7) & 0xff]++;
}
