#include "stage.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const mx_stage mx_stage_bytesplit, mx_stage_expsplit, mx_stage_shuffle,
    mx_stage_bitshuffle, mx_stage_transpose, mx_stage_delta, mx_stage_xor,
    mx_stage_zeromask, mx_stage_trunc, mx_stage_q8, mx_stage_q4, mx_stage_qsim, mx_stage_qrot, mx_stage_topk, mx_stage_outliers, mx_stage_lowrank, mx_stage_raw,
    mx_stage_zstd, mx_stage_lz4, mx_stage_lz4hc, mx_stage_brotli, mx_stage_rans, mx_stage_bfctx, mx_stage_bfxor, mx_stage_bfdelta, mx_stage_quant;

const mx_stage *const mx_stages[] = {
    &mx_stage_bytesplit, &mx_stage_expsplit, &mx_stage_shuffle,
    &mx_stage_bitshuffle, &mx_stage_transpose, &mx_stage_delta,
    &mx_stage_xor, &mx_stage_zeromask, &mx_stage_trunc, &mx_stage_q8,
    &mx_stage_q4, &mx_stage_qsim, &mx_stage_qrot, &mx_stage_topk, &mx_stage_outliers, &mx_stage_lowrank, &mx_stage_raw, &mx_stage_zstd, &mx_stage_lz4,
    &mx_stage_lz4hc, &mx_stage_brotli, &mx_stage_rans, &mx_stage_bfctx, &mx_stage_bfxor, &mx_stage_bfdelta, &mx_stage_quant, NULL,
};

const mx_stage *mx_stage_find(const char *name)
{
    for (size_t i = 0; mx_stages[i]; i++)
        if (strcmp(mx_stages[i]->name, name) == 0)
            return mx_stages[i];
    return NULL;
}

int mx_stage_expect(const mx_stream *part, unsigned bits, uint64_t rows,
                    uint64_t cols, const char *stage, mx_error *err)
{
    if (part->d.bits != bits || part->d.rows != rows || part->d.cols != cols)
        return mx_fail(err, MX_EINPUT,
                       "corrupt data: %s part is %llux%llu of %u bits, expected %llux%llu of %u bits",
                       stage, (unsigned long long)part->d.rows,
                       (unsigned long long)part->d.cols, part->d.bits,
                       (unsigned long long)rows, (unsigned long long)cols, bits);
    return 0;
}

int mx_parse_none(const char *stage, const char *arg, mx_error *err)
{
    if (arg)
        return mx_fail(err, MX_EINPUT, "stage '%s' takes no parameter (got '%s')",
                       stage, arg);
    return 0;
}

int mx_parse_int(const char *stage, const char *arg, int lo, int hi, int def,
                 int *out, mx_error *err)
{
    if (!arg) {
        *out = def;
        return 0;
    }
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (!*arg || *end || errno)
        return mx_fail(err, MX_EINPUT, "stage '%s': '%s' is not an integer", stage,
                       arg);
    if (v < lo || v > hi)
        return mx_fail(err, MX_EINPUT, "stage '%s': level %ld out of range %d..%d",
                       stage, v, lo, hi);
    *out = (int)v;
    return 0;
}

int mx_parse_axis(const char *stage, const char *arg, int *axis, mx_error *err)
{
    if (!arg || strcmp(arg, "rows") == 0)
        *axis = MX_AXIS_ROWS;
    else if (strcmp(arg, "cols") == 0)
        *axis = MX_AXIS_COLS;
    else
        return mx_fail(err, MX_EINPUT,
                       "stage '%s': parameter must be 'rows' or 'cols' (got '%s')",
                       stage, arg);
    return 0;
}

void mx_format_plain(const char *name, char *buf, size_t n)
{
    snprintf(buf, n, "%s", name);
}

void mx_format_axis(const char *name, int axis, char *buf, size_t n)
{
    snprintf(buf, n, "%s:%s", name, axis == MX_AXIS_COLS ? "cols" : "rows");
}

void mx_format_int(const char *name, int v, char *buf, size_t n)
{
    snprintf(buf, n, "%s:%d", name, v);
}
