/* cmd_info.c - `mxbench info` (the frames' headers) and `mxbench verify`
 * (every frame decoded and checked): both walk a .mxb, so one file. */
#include <stdio.h>
#include <string.h>
#include "cli_cmd.h"
#include "container.h"
#include "filecodec.h"

static const char *origin_name(mx_origin o)
{
    switch (o) {
    case MX_ORIGIN_RAW: return "raw bf16";
    case MX_ORIGIN_NPY: return ".npy";
    case MX_ORIGIN_NPY_F32: return ".npy <f4 (converted to bf16)";
    case MX_ORIGIN_SAFETENSORS: return ".safetensors tensor";
    }
    return "?";
}

static void print_info(const char *in, const mx_file_stats *st)
{
    const mx_frames_info *fi = &st->frames;
    const mx_container *c = &fi->first;
    double ratio =
        st->in_bytes ? (double)fi->rows * (double)fi->cols * 2 / (double)st->in_bytes : 0.0;
    /* an N-D (or 1-D) origin is named as it comes back, then as coded */
    char shape[128];
    if (fi->origin_shape[0])
        snprintf(shape, sizeof shape, "%s, coded as %llu x %llu bf16", fi->origin_shape,
                 (unsigned long long)fi->rows, (unsigned long long)fi->cols);
    else
        snprintf(shape, sizeof shape, "%llu x %llu bf16", (unsigned long long)fi->rows,
                 (unsigned long long)fi->cols);
    /* one frame's pipeline and lossiness are the file's (fi's) */
    printf("%s\n  format     mxb v%u", in, c->version);
    if (fi->frames > 1)
        printf(", %zu frames", fi->frames);
    /* a pipeline per frame names its frames in brackets already */
    int named = fi->pipeline[0] && fi->pipeline[strlen(fi->pipeline) - 1] == ')';
    printf("\n  shape      %s\n  origin     %s%s\n  pipeline   %s%s%s%s\n"
           "  size       %llu bytes (ratio %.4f",
           shape, origin_name(c->origin), c->fortran ? ", Fortran order" : "", fi->pipeline,
           named ? "; " : " (", fi->lossy ? "lossy" : "lossless", named ? "" : ")",
           (unsigned long long)st->in_bytes, ratio);
    if (fi->frames > 1) {
        printf(")\n");
        return;
    }
    printf("; header %zu)\n  streams    %zu\n  %-10s %016llx\n", c->header_size, c->coded.n,
           c->version == 1 ? "xxh64" : "xxh3", (unsigned long long)c->value_hash);
    const mx_level *top = &c->layout.level[c->layout.n_levels - 1];
    for (size_t j = 0; j < top->n; j++) {
        size_t raw = 0;
        mx_stream_desc_bytes(&top->d[j], &raw);
        printf("    #%-2zu %2u-bit %llux%llu: %zu -> %zu bytes\n", j, top->d[j].bits,
               (unsigned long long)top->d[j].rows, (unsigned long long)top->d[j].cols, raw,
               c->coded.size[j]);
    }
}

static int walk(cli_opts *o, int verify)
{
    mx_error err = {0};
    if (o->n_inputs < 1)
        return cli_usage_error("%s needs at least one input file (- for stdin)",
                               verify ? "verify" : "info");
    int worst = cli_check_stdin(o->inputs, o->n_inputs, o->force);
    if (worst)
        return worst;
    mx_ctx *ctx = cli_make_ctx(o);
    if (!ctx)
        return 1;
    for (int i = 0; i < o->n_inputs; i++) {
        const char *in = o->inputs[i], *name = mx_is_stdio(in) ? "stdin" : in;
        mx_file_stats st;
        int rc = verify ? mx_decompress_file(ctx, in, NULL, &st, &err)
                        : mx_scan_file(ctx, in, &st, &err);
        if (rc) {
            rc = cli_report(&err);
            worst = worst > rc ? worst : rc;
        } else if (!verify) {
            print_info(name, &st);
        } else if (st.frames.frames > 1) {
            printf("%s: OK (%zu frames, every frame's values match their checksum)\n", name,
                   st.frames.frames);
        } else {
            printf("%s: OK (%s, %s)\n", name, st.frames.first.spec,
                   st.frames.lossy ? "lossy: checksums of streams verified"
                                   : "values match their checksum");
        }
    }
    mx_ctx_free(ctx);
    return worst;
}

static int run_info(cli_opts *o)
{
    return walk(o, 0);
}

static int run_verify(cli_opts *o)
{
    return walk(o, 1);
}

const mx_cli_command mx_cmd_info = {
    "info", "info", "info FILE.mxb...", "show a compressed file's header",
    CLI_BIT(CLI_THREADS) | CLI_BIT(CLI_FORCE), 0, 0, run_info,
};

const mx_cli_command mx_cmd_verify = {
    "verify", "verify", "verify FILE.mxb...", "decode a compressed file and check its checksums",
    CLI_BIT(CLI_THREADS) | CLI_BIT(CLI_FORCE), 0, 0, run_verify,
};
