/* check.c - pipelines that parse but make no sense, told before a run.
 * A coder of bf16 values (codes_values in its stage table) codes only the
 * 16-bit streams with its model and everything else order-0; when the
 * transforms before it leave no 16-bit stream (expsplit, bytesplit), it is
 * rans in disguise. The transforms' output is found by running them on a
 * small matrix, so no stage is named here. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "../codecs/bf16.h"
#include "../src/context.h"
#include "app.h"

#define PROBE_ROWS 8
#define PROBE_COLS 64

int ui_pipeline_check(const mx_pipeline *p, char *why, size_t n)
{
    if (p->automatic || !p->entropy.stage->codes_values || p->n_transforms == 0)
        return 0;
    mx_pipeline t;
    mx_error err = {0};
    if (mx_pipeline_parse("raw", &t, &err)) /* the transforms' output, uncoded */
        return 0;
    t.n_transforms = p->n_transforms;
    memcpy(t.transforms, p->transforms, sizeof t.transforms);
    uint16_t v[PROBE_ROWS * PROBE_COLS];
    for (size_t i = 0; i < PROBE_ROWS * PROBE_COLS; i++) /* activation-like values */
        v[i] = mx_float_to_bf16((float)(sin((double)i * 0.37) * (1.0 + (double)(i % 7))));
    mx_layout layout;
    mx_coded coded;
    memset(&coded, 0, sizeof coded);
    mx_ctx *ctx = mx_ctx_create(); /* one thread: a probe of 512 values */
    mx_work *crew = ctx ? mx_ctx_crew(ctx, &err) : NULL;
    int rc = !crew || mx_pipeline_encode(&t, crew, 1, v, PROBE_ROWS, PROBE_COLS, &layout, &coded,
                                         &err);
    mx_coded_free(&coded);
    mx_ctx_free(ctx);
    if (rc)
        return 0; /* the run will say what is wrong */
    const mx_level *last = &layout.level[layout.n_levels - 1];
    unsigned widths = 0;
    for (size_t j = 0; j < last->n; j++)
        widths |= 1u << (last->d[j].bits < 32 ? last->d[j].bits : 31);
    if (widths & (1u << 16))
        return 0;
    char before[MX_SPEC_MAX] = "", bits[64] = "";
    size_t off = 0;
    for (size_t i = 0; i < p->n_transforms; i++) {
        char one[64];
        mx_stage_format(p->transforms[i].stage, &p->transforms[i].params, one, sizeof one);
        off += (size_t)snprintf(before + off, sizeof before - off, "%s%s", i ? "," : "", one);
        if (off >= sizeof before)
            break;
    }
    off = 0;
    for (unsigned b = 1; b < 32 && off < sizeof bits; b++)
        if (widths & (1u << b))
            off += (size_t)snprintf(bits + off, sizeof bits - off, "%s%u", off ? "/" : "", b);
    const char *name = p->entropy.stage->name;
    snprintf(why, n,
             "%s codes whole bf16 values, but after %s no 16-bit stream reaches it (only %s-bit "
             "ones, which it codes order-0 like rans): use rans or zstd, or drop %s",
             name, before, bits[0] ? bits : "no", before);
    return 1;
}
