/* cmd_compress.c - `mxbench compress`: each input to its own .mxb, or to
 * stdout. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cli_cmd.h"
#include "filecodec.h"
#include "pipeline.h"

/* A tensor name made safe as part of a file name: [A-Za-z0-9._-] only
 * (others become '_'), no leading dot, no "..", at most MX_SAFE_NAME_MAX
 * bytes; so a tensor named "/../../x" cannot steer where the output goes. */
#define MX_SAFE_NAME_MAX 128
static void safe_name_part(const char *name, char *out, size_t n)
{
    size_t k = 0;
    for (const char *p = name; *p && k + 1 < n && k < MX_SAFE_NAME_MAX; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-' || (c == '.' && k && out[k - 1] != '.');
        out[k++] = ok ? c : '_';
    }
    out[k] = 0;
    if (!k)
        snprintf(out, n, "tensor");
}

/* Where in goes: -o/-c, stdout for stdin, IN.mxb, or for a tensor
 * IN.TENSOR.npy.mxb beside the input. tensor is the tensor's name when
 * known (NULL: not yet). 0, or -1 when the name needs the tensor. */
static int out_name(const cli_opts *o, const char *in, const char *tensor, char *out, size_t n)
{
    if (o->output) {
        snprintf(out, n, "%s", o->output);
    } else if (mx_is_stdio(in)) {
        snprintf(out, n, "-");
    } else if (mx_path_has_ext(in, ".safetensors")) {
        if (!tensor)
            return -1;
        const char *slash = strrchr(in, '/');
        size_t dir = slash ? (size_t)(slash + 1 - in) : 0,
               stem = strlen(in) - strlen(".safetensors");
        char part[MX_SAFE_NAME_MAX + 1];
        safe_name_part(tensor, part, sizeof part);
        snprintf(out, n, "%.*s%s%s.npy.mxb", (int)stem, in, stem == dir ? "" : ".", part);
    } else {
        snprintf(out, n, "%s.mxb", in);
    }
    return 0;
}

static void print_compressed(const char *in, uint64_t orig, uint64_t len, const char *chosen,
                             int converted, size_t frames, const char *outpath)
{
    char framed[48] = "";
    if (frames > 1)
        snprintf(framed, sizeof framed, ", %zu frames", frames);
    fprintf(stderr, "%s: %llu -> %llu bytes (ratio %.4f, %s%s%s) => %s\n",
            mx_is_stdio(in) ? "stdin" : in, (unsigned long long)orig, (unsigned long long)len,
            len ? (double)orig / (double)len : 0.0, chosen, framed,
            converted ? ", converted from f32" : "", mx_is_stdio(outpath) ? "stdout" : outpath);
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int compress_one(cli_opts *o, mx_ctx *ctx, const mx_pipeline *p, const char *in)
{
    mx_error err = {0};
    mx_input input;
    double t0 = now_ms();
    if (mx_input_open(&input, in, &o->shape, o->tensor, &err))
        return cli_report(&err);
    /* input.name is "BASENAME:TENSOR" for a tensor */
    const char *slash = strrchr(in, '/');
    size_t skip = strlen(slash ? slash + 1 : in) + 1, len = strlen(input.name);
    char outpath[4096];
    out_name(o, in, input.name + (len > skip ? skip : len), outpath, sizeof outpath);
    mx_atomic_file f;
    int rc = cli_claim_output(in, outpath, o->force, &f);
    if (rc) {
        mx_input_close(&input);
        return rc;
    }
    mx_file_stats st;
    rc = mx_compress_input(ctx, p, &input, &f, &st, &err);
    if (cli_finish_output(&f, rc, &err)) {
        rc = cli_report(&err);
    } else {
        const mx_compress_info *info = mx_ctx_info(ctx);
        char label[MX_SPEC_MAX + 96];
        snprintf(label, sizeof label, "%s", info->pipeline);
        if (input.shape_unknown)
            snprintf(label, sizeof label, "%s, shape %llux%llu inferred", info->pipeline,
                     (unsigned long long)info->rows, (unsigned long long)info->cols);
        if (o->verbosity >= 1)
            print_compressed(in, st.in_bytes, st.out_bytes, label, input.converted,
                             (size_t)info->frames, outpath);
        uint64_t lost = info->nonfinite_lost;
        if (lost) /* a gradient's overflow must not vanish unseen */
            cli_info(o, "mxbench: warning: %s: %llu NaN/Inf value%s will not decode as %s "
                     "(%s changes them; a lossless pipeline keeps them)",
                     mx_is_stdio(in) ? "stdin" : in, (unsigned long long)lost, lost == 1 ? "" : "s",
                     lost == 1 ? "it was" : "they were", info->pipeline);
        cli_verbose(o, "%s: %.1f ms on %d thread%s", mx_is_stdio(in) ? "stdin" : in,
                    now_ms() - t0, o->threads, o->threads == 1 ? "" : "s");
    }
    mx_input_close(&input);
    return rc;
}

static int run(cli_opts *o)
{
    mx_error err = {0};
    if (o->n_inputs < 1)
        return cli_usage_error("compress needs an input file (- for stdin)%s", "");
    if (o->n_inputs > 1 && o->output && !mx_is_stdio(o->output))
        return cli_usage_error("-o names one output; with several inputs each gets its own "
                               "IN.mxb%s", "");
    /* concatenated containers are no container: decompress reads one per
     * input, so it could not split them again */
    if (o->n_inputs > 1 && o->output && mx_is_stdio(o->output)) /* -c or -o - */
        return cli_usage_error("several inputs to stdout would make one stream that decompress "
                               "cannot split: compress them one at a time%s", "");
    int rc = cli_check_stdin(o->inputs, o->n_inputs, o->force);
    if (rc)
        return rc;
    /* every output is checked before any work */
    for (int i = 0; i < o->n_inputs; i++) {
        char outpath[4096];
        if (out_name(o, o->inputs[i], o->tensor, outpath, sizeof outpath))
            continue; /* a tensor's name is known once the file is read */
        if ((rc = cli_check_binary_stdout(outpath, o->force, "compressed")) ||
            (rc = cli_check_output(outpath, o->force, NULL)))
            return rc;
        for (int j = 0; j < i; j++) { /* the second would fail after the first's work */
            char other[4096];
            if (!out_name(o, o->inputs[j], o->tensor, other, sizeof other) &&
                cli_same_output(outpath, other))
                return cli_both_to_one(o->inputs[j], o->inputs[i], outpath);
        }
    }
    mx_pipeline p;
    if (mx_pipeline_parse(cli_spec(o), &p, &err))
        return cli_report(&err);
    mx_ctx *ctx = cli_make_ctx(o);
    if (!ctx)
        return 1;
    int worst = 0; /* as zstd: a failed input does not stop the others */
    for (int i = 0; i < o->n_inputs; i++) {
        rc = compress_one(o, ctx, &p, o->inputs[i]);
        worst = rc > worst ? rc : worst;
    }
    mx_ctx_free(ctx);
    return worst;
}

const mx_cli_command mx_cmd_compress = {
    "compress",
    "compress",
    "compress [-p SPEC] [-o OUT | -c] [-f] [--shape RxC] [--tensor NAME] IN...",
    "compress each IN to IN.mxb (or -o OUT; - is stdin)",
    CLI_BIT(CLI_PIPELINE) | CLI_BIT(CLI_OUTPUT) | CLI_BIT(CLI_STDOUT) | CLI_BIT(CLI_FORCE) |
        CLI_BIT(CLI_KEEP) | CLI_BIT(CLI_THREADS) | CLI_BIT(CLI_SHAPE) |
        CLI_BIT(CLI_FRAME_ROWS) | CLI_BIT(CLI_TENSOR),
    0,
    0,
    run,
};
