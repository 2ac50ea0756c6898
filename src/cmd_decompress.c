/* cmd_decompress.c - `mxbench decompress` (and `mxbench -d`): each .mxb
 * back to the file it came from, byte for byte, or to stdout. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cli_cmd.h"
#include "filecodec.h"

/* Where in goes: -o/-c, stdout for stdin, else IN.mxb without ".mxb".
 * 0, or the exit status. */
static int out_name(const cli_opts *o, const char *in, char *out, size_t n)
{
    size_t len = strlen(in);
    if (o->output)
        snprintf(out, n, "%s", o->output);
    else if (mx_is_stdio(in))
        snprintf(out, n, "-");
    else if (len > 4 && strcmp(in + len - 4, ".mxb") == 0)
        snprintf(out, n, "%.*s", (int)(len - 4), in);
    else
        return cli_usage_error("%s: does not end in .mxb; name the output with -o (or -c)", in);
    return 0;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int decompress_one(cli_opts *o, mx_ctx *ctx, const char *in)
{
    mx_error err = {0};
    char outpath[4096];
    double t0 = now_ms();
    int rc = out_name(o, in, outpath, sizeof outpath);
    mx_atomic_file f;
    if (rc || (rc = cli_claim_output(in, outpath, o->force, &f)))
        return rc;
    mx_file_stats st;
    rc = mx_decompress_file(ctx, in, &f, &st, &err);
    if (cli_finish_output(&f, rc, &err))
        return cli_report(&err);
    cli_info(o, "%s => %s", mx_is_stdio(in) ? "stdin" : in,
             mx_is_stdio(outpath) ? "stdout" : outpath);
    cli_verbose(o, "%s: %llu bytes, %zu frame%s, %.1f ms on %d thread%s",
                mx_is_stdio(in) ? "stdin" : in, (unsigned long long)st.in_bytes, st.frames.frames,
                st.frames.frames == 1 ? "" : "s", now_ms() - t0, o->threads,
                o->threads == 1 ? "" : "s");
    return 0;
}

static int run(cli_opts *o)
{
    if (o->n_inputs < 1)
        return cli_usage_error("decompress needs an input file (- for stdin)%s", "");
    if (o->n_inputs > 1 && o->output && !mx_is_stdio(o->output))
        return cli_usage_error("-o names one output; with several inputs each gets its own "
                               "(or -c: all to stdout)%s", "");
    int rc = cli_check_stdin(o->inputs, o->n_inputs, o->force);
    if (rc)
        return rc;
    /* every output is checked before any work */
    for (int i = 0; i < o->n_inputs; i++) {
        char outpath[4096];
        if ((rc = out_name(o, o->inputs[i], outpath, sizeof outpath)) ||
            (rc = cli_check_binary_stdout(outpath, o->force, "decompressed")) ||
            (rc = cli_check_output(outpath, o->force, NULL)))
            return rc;
        for (int j = 0; j < i; j++) { /* the second would fail after the first's work */
            char other[4096];
            if (!out_name(o, o->inputs[j], other, sizeof other) && cli_same_output(outpath, other))
                return cli_both_to_one(o->inputs[j], o->inputs[i], outpath);
        }
    }
    mx_ctx *ctx = cli_make_ctx(o);
    if (!ctx)
        return 1;
    int worst = 0; /* as zstd: a failed input does not stop the others */
    for (int i = 0; i < o->n_inputs; i++) {
        rc = decompress_one(o, ctx, o->inputs[i]);
        worst = rc > worst ? rc : worst;
    }
    mx_ctx_free(ctx);
    return worst;
}

const mx_cli_command mx_cmd_decompress = {
    "decompress",
    "decompress, -d",
    "decompress [-o OUT | -c] [-f] IN.mxb...",
    "restore each IN.mxb to IN (or -o OUT), byte for byte",
    CLI_BIT(CLI_OUTPUT) | CLI_BIT(CLI_STDOUT) | CLI_BIT(CLI_FORCE) | CLI_BIT(CLI_KEEP) |
        CLI_BIT(CLI_THREADS),
    0,
    0,
    run,
};
