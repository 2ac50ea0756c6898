#include "cli.h"
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "batchlive.h"
#include "container.h"
#include "engine.h"
#include "eval.h"
#include "export.h"
#include "serve.h"
#include "svgplot.h"
#include "sweep.h"
#include "fileio.h"
#include "filecodec.h"
#include "interrupt.h"
#include "manifest.h"
#include "../codecs/metrics.h"
#include "npy.h"
#include "../codecs/parallel.h"
#include "pipeline.h"
#include "presets.h"
#include "report.h"
#include "runner.h"
#include "samples.h"
#include "../ui/ui.h"

#define DEFAULT_MANIFEST "data/manifest.csv"

/* The one temp file an interrupted command must not leave behind. A signal
 * handler can only reach it through a global; nothing else touches it.
 * Outputs are unnamed temporaries wherever the file system allows (nothing
 * to remove, even after SIGKILL); this covers the named fallback. */
static mx_atomic_file *volatile pending_output;
/* Likewise the process group of a solution `eval` runs: an interrupt must
 * not leave it running. */
static volatile sig_atomic_t pending_child;

static void on_signal(int sig)
{
    mx_atomic_file *f = pending_output;
    if (f && f->tmp[0])
        unlink(f->tmp);
    mx_atomic_signal_cleanup(); /* a report being written */
    if (pending_child > 0)
        kill(-(pid_t)pending_child, SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signals(void)
{
    /* every signal whose default action ends the process, except the
     * synchronous ones (SIGSEGV, SIGFPE, ...), which the sanitizers own */
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM,
                               SIGVTALRM, SIGPROF, SIGPIPE, SIGPOLL, SIGPWR, SIGSTKFLT};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
    /* past the file size limit, a write fails (EFBIG) and the output is
     * dropped with a one-line error, instead of a core dump */
    signal(SIGXFSZ, SIG_IGN);
}

static void print_usage(FILE *f)
{
    fprintf(f,
        "Usage: mxbench [ui] [-m MANIFEST] [-p SPEC]...   (the interactive workbench)\n"
        "       mxbench --batch [-m MANIFEST | FILE...] [-p SPEC]... [options]\n"
        "       mxbench compress [-p SPEC] [-o OUT] [-f] [--shape RxC] [--tensor NAME] IN\n"
        "       mxbench decompress [-o OUT] [-f] IN.mxb\n"
        "       mxbench info FILE.mxb | verify FILE.mxb\n"
        "       mxbench export [-p SPEC] [-o solution.py] [-f]\n"
        "       mxbench serve [-p SPEC] [--port P] [--host H] [--max-upload BYTES]\n"
        "                     [--max-output BYTES] [--max-connections N]\n"
        "       mxbench eval SOLUTION.py [-m MANIFEST | FILE...] [--interface http|tasks]\n"
        "                    [--python PATH] [--timeout S] [batch options]\n"
        "       mxbench sweep -p 'TEMPLATE{}'... --param START:END:STEPS [--plot F.svg]\n"
        "       mxbench --list | --help | --version\n");
}

/* The lossy stages of one kind, from the registry: the help cannot fall
 * behind when a stage is added. */
static void lossy_names(mx_stage_kind kind, char *out, size_t n)
{
    size_t len = 0;
    out[0] = 0;
    for (size_t i = 0; mx_stages[i] && len < n; i++)
        if (mx_stages[i]->lossy && mx_stages[i]->kind == kind)
            len += (size_t)snprintf(out + len, n - len, "%s%s", len ? ", " : "", mx_stages[i]->name);
}

static void print_help(void)
{
    char lossy_t[256], lossy_e[128];
    lossy_names(MX_STAGE_TRANSFORM, lossy_t, sizeof lossy_t);
    lossy_names(MX_STAGE_ENTROPY, lossy_e, sizeof lossy_e);
    print_usage(stdout);
    printf(
        "\nA workbench for compressing bfloat16 activation and gradient matrices:\n"
        "run pipelines of transform and entropy stages over sample matrices and\n"
        "score them exactly as the Apex Matrix Compression competition does.\n"
        "\nCommands:\n"
        "  ui (or nothing)   the interactive workbench on this terminal (? for keys)\n"
        "  --batch, batch    run every pipeline on every sample; print a table\n"
        "  compress          compress IN to IN.mxb (or -o OUT)\n"
        "  decompress        restore IN.mxb to IN (or -o OUT), byte for byte\n"
        "  info              show a compressed file's header\n"
        "  verify            decode a compressed file and check its checksums\n"
        "  export            write SPEC as a Python miner solution (FastAPI; < 20 KB)\n"
        "  sweep             run pipelines over a parameter range ({} in -p takes each\n"
        "                    value); print ratio against similarity, --plot writes SVG\n"
        "  serve             HTTP service: GET /health, POST /compress, POST /decompress\n"
        "                    (default 127.0.0.1:8000, uploads up to 1 GiB)\n"
        "  eval              score a miner solution as the competition's validator\n"
        "                    drives it: started on a free port, each sample's raw bytes\n"
        "                    posted to /compress and the answer to /decompress; the\n"
        "                    same table, CSV and JSON as --batch (-p adds pipelines)\n"
        "  --list            list the stages and their parameters\n"
        "\nOptions:\n"
        "  -p, --pipeline SPEC     pipeline (repeatable with --batch)\n"
        "  -m, --manifest FILE     sample list for --batch (default %s)\n"
        "  -o, --output FILE       output file\n"
        "  -f, --force             overwrite an existing output file\n"
        "  -T, --threads N         threads for coding (default: all cores); the output\n"
        "                          is the same whatever N is\n"
        "      --shape RxC         shape of raw .bin/.bf16 input (without it, compress\n"
        "                          infers the width and records it)\n"
        "      --frame-rows N      compress: rows per frame of big matrices (default: 64 MiB\n"
        "                          of values); memory holds about one frame\n"
        "      --tensor NAME       which BF16 tensor of a .safetensors file\n"
        "      --repeat N          timing runs per cell, median taken (default 3)\n"
        "      --csv FILE          also write the rows as CSV\n"
        "      --json FILE         also write the rows as JSON\n"
        "      --score-to-beat S   normalized score to beat (as the dashboard shows)\n"
        "      --raw-score-to-beat R  raw score to beat\n"
        "      --min-similarity X  reject lossy rows below X (default 1.0; 0.99 with\n"
        "                          --rules lossy, where it is the similarity threshold)\n"
        "      --rules R           seed (default), lossless or lossy: the competition's rule\n"
        "                          sets (see man mxbench)\n"
        "      --condition C       submitted (default): pipelines get each sample as\n"
        "                          raw bytes, shape hidden, and infer the width, as in\n"
        "                          the competition; known: they get its own shape\n"
        "      --sample N          draw N samples from the manifest, as a round does\n"
        "      --seed S            seed of that draw (default 1)\n"
        "      --param A:B:N       sweep: N values from A to B for the {} of each -p\n"
        "      --plot FILE.svg     sweep: draw ratio against similarity\n"
        "      --port P, --host H  serve: where to listen (default 127.0.0.1:8000)\n"
        "      --interface I       eval: http (default; baseline.py's POST /compress and\n"
        "                          /decompress) or tasks (miner_solution.py's\n"
        "                          --compress/--decompress --input-file tasks.json)\n"
        "      --python PATH       eval: the interpreter (default python3)\n"
        "      --timeout S         eval: limit for each request, task run and the start\n"
        "                          (default 60 s); past it the row fails\n"
        "      --max-upload BYTES  serve: larger uploads get 413 (default 1 GiB)\n"
        "      --max-output BYTES  serve: larger answers get 413, checked before decoding\n"
        "                          (default 1 GiB)\n"
        "      --max-connections N serve: requests in progress at once; more get 503\n"
        "                          (default %d)\n"
        "  -q, --quiet             no progress line or summary on stderr (--batch, eval\n"
        "                          and sweep show one on a terminal: cells done/total,\n"
        "                          the current sample and pipeline, elapsed, ETA)\n"
        "  -h, --help              this help\n"
        "  -V, --version           version\n"
        "\nPipeline spec:  [transform[:arg],...|]entropy[:arg]\n"
        "  e.g. zstd:19   bytesplit|zstd:19   expsplit,delta:rows|brotli:11   trunc:3|zstd:3\n"
        "  Lossy transforms (%s) must come first;\n"
        "  the lossy %s is a whole pipeline on its own. 'auto' picks per matrix:\n"
        "  bfdelta unless zstd:3 might do better; 'auto:max' codes with both, keeps the smaller.\n"
        "  Default pipeline of compress and serve: %s.\n"
        "\nScoring (per sample; a = original, b = decoded):\n"
        "  ratio = original bytes / compressed bytes (whole .mxb file)\n"
        "  similarity = cos(a,b) * (1 - |a-b|/|a|)\n"
        "  raw = (30 - seconds) + 1000*similarity + 1e6*ratio\n"
        "  normalized = 1/(1+exp(-0.003*(raw/1000 - 2000)))\n"
        "  A pipeline beats the score to beat (default: zstd:3 on the same samples)\n"
        "  when its raw score is at least 1.01x it.\n"
        "\nCtrl-C during --batch, eval or sweep stops at the next cell and keeps what\n"
        "finished: the table, --csv and --json show those rows, marked partial (a\n"
        "'partial' column/field), and the means cover the samples every pipeline\n"
        "finished. A second Ctrl-C ends at once.\n"
        "\nExit status: 0 ok, 1 a run failed, 2 bad usage or input, 130 interrupted.\n",
        DEFAULT_MANIFEST, MX_SERVE_MAX_CONNECTIONS, lossy_t, lossy_e, MX_DEFAULT_SPEC);
}

static void print_stages(mx_stage_kind kind)
{
    for (size_t i = 0; mx_stages[i]; i++) {
        char help[512];
        if (mx_stages[i]->kind != kind)
            continue;
        mx_stage_params_help(mx_stages[i], help, sizeof help);
        printf("  %-11s %s%s%s%s\n", mx_stages[i]->name, mx_stages[i]->summary, *help ? " [" : "",
               help, *help ? "]" : "");
    }
}

static void print_list(void)
{
    printf("Transforms:\n");
    print_stages(MX_STAGE_TRANSFORM);
    printf("Entropy stages:\n");
    print_stages(MX_STAGE_ENTROPY);
    printf("Automatic pipelines (a spec of their own; the file records the choice):\n"
           "  %-11s bfdelta, unless zstd:3 judged on 1/64 of the rows comes within 15%%\n"
           "  %-11s the smallest of %zu lossless candidates, each coding the whole matrix\n",
           "auto", "auto:max", mx_auto_count);
}

static int report(const mx_error *err)
{
    fprintf(stderr, "mxbench: %s\n", err->msg);
    return err->code == MX_EFAIL ? 1 : 2;
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "mxbench: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see mxbench --help)\n");
    return 2;
}

typedef struct {
    const char *command;
    const char *specs[64];
    size_t n_specs;
    const char *manifest, *output, *csv, *json, *tensor;
    mx_shape shape;
    int force, quiet;
    int have_repeat, have_min_sim, have_beat, have_raw_beat, have_score_beat;
    double score_to_beat;
    unsigned long port, max_upload, max_output, max_connections;
    int threads;
    uint64_t frame_rows;
    const char *host;
    const char *serve_opt;
    const char *param, *plot;
    const char *solution, *python, *eval_opt; /* eval */
    int iface;
    double timeout;
    long sample_n;
    unsigned long seed;
    int have_seed;
    mx_batch_opts batch;
    char **inputs;
    int n_inputs;
} cli_opts;

/* An unsigned decimal in lo..hi (no sign, no trailing text). */
static int parse_count(const char *s, unsigned long lo, unsigned long hi, unsigned long *v)
{
    char *end;
    errno = 0;
    unsigned long x = strtoul(s, &end, 10);
    if (*s < '0' || *s > '9' || *end || errno || x < lo || x > hi)
        return -1;
    *v = x;
    return 0;
}

static int parse_double(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return (!*s || *end || errno || !isfinite(*v)) ? -1 : 0;
}

static int write_output(const char *path, const uint8_t *buf, size_t len, int force,
                        mx_error *err)
{
    mx_atomic_file f;
    if (mx_atomic_begin(&f, path, force, err))
        return -1;
    pending_output = &f;
    int rc = mx_atomic_write(&f, buf, len, err);
    if (rc == 0)
        rc = mx_atomic_commit(&f, err);
    pending_output = NULL;
    return rc;
}

/* 1 when out names the same file as in (never overwrite the input). */
static int same_file(const char *in, const char *out)
{
    struct stat a, b;
    return stat(in, &a) == 0 && stat(out, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* 1 when out names an input of a batch or sweep: the manifest, a file it
 * lists, or an input file given on the command line. Reports are never
 * written over their inputs, -f or not. */
static int is_an_input(const char *out, const cli_opts *o, const char *manifest)
{
    struct stat st;
    if (stat(out, &st) != 0)
        return 0; /* nothing there yet: not an input */
    for (int i = 0; i < o->n_inputs; i++)
        if (same_file(o->inputs[i], out))
            return 1;
    if (o->n_inputs)
        return 0;
    if (same_file(manifest, out))
        return 1;
    mx_manifest_entry *e;
    size_t n;
    mx_error err = {0};
    if (mx_manifest_read(manifest, &e, &n, &err))
        return 0; /* the loader will say what is wrong with it */
    int found = 0;
    for (size_t i = 0; i < n && !found; i++)
        found = same_file(e[i].file, out);
    mx_manifest_free(e, n);
    return found;
}

/* Refuses report outputs (--csv, --json, --plot) that name an input or
 * each other: 0, or the exit status. */
static int check_report_outputs(const cli_opts *o, const char *manifest)
{
    const char *outs[] = {o->csv, o->json, o->plot};
    const char *opts[] = {"--csv", "--json", "--plot"};
    for (size_t i = 0; i < 3; i++) {
        if (!outs[i])
            continue;
        if (is_an_input(outs[i], o, manifest)) {
            fprintf(stderr, "mxbench: %s: %s names an input of this run; choose another file\n",
                    outs[i], opts[i]);
            return 2;
        }
        for (size_t j = 0; j < i; j++)
            if (outs[j] && (!strcmp(outs[i], outs[j]) || same_file(outs[i], outs[j]))) {
                fprintf(stderr, "mxbench: %s: %s and %s name the same file\n", outs[i], opts[j],
                        opts[i]);
                return 2;
            }
    }
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Claims the output: an existing file is refused before any work, and an
 * interrupt from here on removes the temporary. */
static int claim_output(const char *in, const char *outpath, int force, mx_atomic_file *f)
{
    mx_error err = {0};
    if (same_file(in, outpath)) {
        fprintf(stderr, "mxbench: %s: output is the input file; choose another -o\n", outpath);
        return 2;
    }
    if (mx_atomic_begin(f, outpath, force, &err))
        return report(&err);
    pending_output = f;
    return 0;
}

/* Commits f, or removes it when rc says the work failed. */
static int finish_output(mx_atomic_file *f, int rc, mx_error *err)
{
    if (!rc && mx_atomic_commit(f, err))
        rc = -1;
    if (rc)
        mx_atomic_abort(f);
    pending_output = NULL;
    return rc;
}

/* A context with the command line's threads and frame rows. */
static mx_ctx *make_ctx(const cli_opts *o)
{
    mx_ctx *ctx = mx_ctx_create();
    if (!ctx) {
        fprintf(stderr, "mxbench: out of memory\n");
        return NULL;
    }
    mx_ctx_set_threads(ctx, o->threads);
    mx_ctx_set_frame_rows(ctx, o->frame_rows);
    return ctx;
}

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

static void print_compressed(const char *in, uint64_t orig, uint64_t len, const char *chosen,
                             int converted, size_t frames, const char *outpath)
{
    char framed[48] = "";
    if (frames > 1)
        snprintf(framed, sizeof framed, ", %zu frames", frames);
    fprintf(stderr, "%s: %llu -> %llu bytes (ratio %.4f, %s%s%s) => %s\n", in,
            (unsigned long long)orig, (unsigned long long)len,
            len ? (double)orig / (double)len : 0.0, chosen, framed,
            converted ? ", converted from f32" : "", outpath);
}

static int cmd_compress(cli_opts *o)
{
    mx_error err = {0};
    if (o->n_inputs != 1)
        return usage_error("compress takes exactly one input file%s", "");
    const char *in = o->inputs[0];
    mx_pipeline p;
    if (mx_pipeline_parse(o->n_specs ? o->specs[0] : MX_DEFAULT_SPEC, &p, &err))
        return report(&err);
    mx_input input;
    if (mx_input_open(&input, in, &o->shape, o->tensor, &err))
        return report(&err);
    char outpath[4096];
    if (o->output) {
        snprintf(outpath, sizeof outpath, "%s", o->output);
    } else if (ends_with(in, ".safetensors")) {
        /* a tensor: IN.safetensors -> IN.TENSOR.npy.mxb, beside the input */
        const char *slash = strrchr(in, '/');
        size_t dir = slash ? (size_t)(slash + 1 - in) : 0,
               stem = strlen(in) - strlen(".safetensors"),
               skip = strlen(in + dir) + 1; /* input.name is "BASENAME:TENSOR" */
        char part[MX_SAFE_NAME_MAX + 1];
        safe_name_part(input.name + (strlen(input.name) > skip ? skip : strlen(input.name)), part,
                       sizeof part);
        snprintf(outpath, sizeof outpath, "%.*s%s%s.npy.mxb", (int)stem, in,
                 stem == dir ? "" : ".", part);
    } else {
        snprintf(outpath, sizeof outpath, "%s.mxb", in);
    }
    mx_atomic_file f;
    mx_ctx *ctx = NULL;
    int rc = claim_output(in, outpath, o->force, &f);
    if (rc) {
        mx_input_close(&input);
        return rc;
    }
    mx_file_stats st;
    rc = (ctx = make_ctx(o)) ? mx_compress_input(ctx, &p, &input, &f, &st, &err)
                             : mx_fail(&err, MX_EFAIL, "out of memory");
    if (finish_output(&f, rc, &err)) {
        rc = report(&err);
    } else {
        const mx_compress_info *info = mx_ctx_info(ctx);
        char label[MX_SPEC_MAX + 96];
        snprintf(label, sizeof label, "%s", info->pipeline);
        if (input.shape_unknown)
            snprintf(label, sizeof label, "%s, shape %llux%llu inferred", info->pipeline,
                     (unsigned long long)info->rows, (unsigned long long)info->cols);
        if (!o->quiet)
            print_compressed(in, st.in_bytes, st.out_bytes, label, input.converted,
                             (size_t)info->frames, outpath);
    }
    mx_input_close(&input);
    mx_ctx_free(ctx);
    return rc;
}

static int cmd_decompress(cli_opts *o)
{
    mx_error err = {0};
    if (o->n_inputs != 1)
        return usage_error("decompress takes exactly one input file%s", "");
    const char *in = o->inputs[0];
    char outpath[4096];
    if (o->output)
        snprintf(outpath, sizeof outpath, "%s", o->output);
    else if (ends_with(in, ".mxb") && strlen(in) > 4)
        snprintf(outpath, sizeof outpath, "%.*s", (int)(strlen(in) - 4), in);
    else
        return usage_error("%s: does not end in .mxb; name the output with -o", in);
    mx_atomic_file f;
    mx_ctx *ctx = make_ctx(o);
    if (!ctx)
        return 1;
    int rc = claim_output(in, outpath, o->force, &f);
    if (rc) {
        mx_ctx_free(ctx);
        return rc;
    }
    mx_file_stats st;
    rc = mx_decompress_file(ctx, in, &f, &st, &err);
    mx_ctx_free(ctx);
    if (finish_output(&f, rc, &err))
        return report(&err);
    if (!o->quiet)
        fprintf(stderr, "%s => %s\n", in, outpath);
    return 0;
}

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
    if (fi->frames > 1) {
        printf("%s\n  format     mxb v%u, %zu frames\n  shape      %llu x %llu bf16\n"
               "  pipeline   %s (%s)\n  size       %llu bytes (ratio %.4f)\n",
               in, c->version, fi->frames, (unsigned long long)fi->rows,
               (unsigned long long)fi->cols, fi->pipeline, fi->lossy ? "lossy" : "lossless",
               (unsigned long long)st->in_bytes, ratio);
        return;
    }
    printf("%s\n  format     mxb v%u\n  shape      %llu x %llu bf16\n"
           "  origin     %s%s\n  pipeline   %s (%s)\n  size       %llu bytes "
           "(ratio %.4f; header %zu)\n  streams    %zu\n  %-10s %016llx\n",
           in, c->version, (unsigned long long)c->rows, (unsigned long long)c->cols,
           origin_name(c->origin), c->fortran ? ", Fortran order" : "", c->spec,
           c->lossy ? "lossy" : "lossless", (unsigned long long)st->in_bytes, ratio,
           c->header_size, c->coded.n, c->version == 1 ? "xxh64" : "xxh3",
           (unsigned long long)c->value_hash);
    const mx_level *top = &c->layout.level[c->layout.n_levels - 1];
    for (size_t j = 0; j < top->n; j++) {
        size_t raw = 0;
        mx_stream_desc_bytes(&top->d[j], &raw);
        printf("    #%-2zu %2u-bit %llux%llu: %zu -> %zu bytes\n", j, top->d[j].bits,
               (unsigned long long)top->d[j].rows, (unsigned long long)top->d[j].cols, raw,
               c->coded.size[j]);
    }
}

/* info reads the frames' headers; verify decodes every frame and checks it. */
static int cmd_info(cli_opts *o, int verify)
{
    mx_error err = {0};
    if (o->n_inputs < 1)
        return usage_error("%s needs at least one input file", verify ? "verify" : "info");
    int worst = 0;
    mx_ctx *ctx = make_ctx(o);
    if (!ctx)
        return 1;
    for (int i = 0; i < o->n_inputs; i++) {
        const char *in = o->inputs[i];
        mx_file_stats st;
        int rc = verify ? mx_decompress_file(ctx, in, NULL, &st, &err)
                        : mx_scan_file(ctx, in, &st, &err);
        if (rc) {
            rc = report(&err);
            worst = worst > rc ? worst : rc;
        } else if (!verify) {
            print_info(in, &st);
        } else if (st.frames.frames > 1) {
            printf("%s: OK (%zu frames, every frame's values match their checksum)\n", in,
                   st.frames.frames);
        } else {
            printf("%s: OK (%s, %s)\n", in, st.frames.first.spec,
                   st.frames.lossy ? "lossy: checksums of streams verified"
                                   : "values match their checksum");
        }
    }
    mx_ctx_free(ctx);
    return worst;
}

static int cmd_export(cli_opts *o)
{
    mx_error err = {0};
    if (o->n_inputs)
        return usage_error("export takes no input file (got '%s'); use -p SPEC -o FILE", o->inputs[0]);
    if (o->n_specs > 1)
        return usage_error("export takes one pipeline: -p SPEC (default %s)", MX_DEFAULT_SPEC);
    mx_pipeline p;
    char *text;
    size_t len;
    if (mx_pipeline_parse(o->n_specs ? o->specs[0] : MX_DEFAULT_SPEC, &p, &err) ||
        mx_export_python(&p, &text, &len, &err))
        return report(&err);
    const char *out = o->output ? o->output : "solution.py";
    int rc = write_output(out, (const uint8_t *)text, len, o->force, &err);
    free(text);
    if (rc)
        return report(&err);
    if (!o->quiet)
        fprintf(stderr, "%s: %zu bytes (limit %d), run: python3 %s (serves on 0.0.0.0:8080)\n",
                out, len, MX_EXPORT_MAX_BYTES, out);
    return 0;
}

static int cmd_sweep(cli_opts *o)
{
    mx_error err = {0};
    if (!o->param || !o->n_specs)
        return usage_error("sweep needs -p TEMPLATE (with {} for the value) and --param START:END:STEPS%s", "");
    double vals[MX_SWEEP_MAX];
    size_t nv = 0;
    int integer = 0;
    if (mx_sweep_values(o->param, vals, &nv, &integer, &err))
        return mx_wrap(&err, "--param"), report(&err);
    size_t np = o->n_specs * nv;
    mx_ctx *ctx = NULL;
    mx_pipeline *pipes = calloc(np, sizeof *pipes);
    mx_sample *s = NULL;
    size_t n = 0;
    mx_batch b = {0};
    int rc = 2;
    if (!pipes)
        return 1;
    for (size_t t = 0; t < o->n_specs; t++) {
        if (!strstr(o->specs[t], "{}")) {
            rc = usage_error("sweep template '%s' has no {} for the value", o->specs[t]);
            goto out;
        }
        for (size_t i = 0; i < nv; i++) {
            char spec[MX_SWEEP_SPEC_MAX];
            if (mx_sweep_spec(o->specs[t], vals[i], integer, spec, sizeof spec, &err) ||
                mx_pipeline_parse(spec, &pipes[t * nv + i], &err)) {
                rc = report(&err);
                goto out;
            }
        }
    }
    if ((rc = check_report_outputs(o, o->manifest ? o->manifest : DEFAULT_MANIFEST)))
        goto out;
    rc = 2;
    if (o->n_inputs) {
        for (int i = 0; i < o->n_inputs; i++)
            if (mx_samples_load_file(o->inputs[i], &o->shape, o->tensor, &s, &n, &err)) {
                rc = report(&err);
                goto out;
            }
    } else if (mx_samples_load_manifest(o->manifest ? o->manifest : DEFAULT_MANIFEST, &s, &n,
                                        &err)) {
        rc = report(&err);
        goto out;
    }
    if (!(ctx = make_ctx(o)) ||
        mx_batch_run_live(ctx, s, n, pipes, np, &o->batch, o->quiet, &b, &err)) {
        rc = ctx ? report(&err) : 1;
        goto out;
    }
    printf("%s\n", o->batch.condition == MX_SUBMITTED
                       ? "condition: as submitted (shape hidden, width inferred)"
                       : "condition: shape known");
    printf("%-36s %12s %9s %10s %10s %14s  %s\n", "pipeline", "value", "ratio", "similarity",
           "sim_f32", o->batch.rules == MX_RULES_SEED ? "raw" : "score", "beats");
    for (size_t t = 0; t < o->n_specs; t++)
        for (size_t i = 0; i < nv; i++) {
            const mx_summary *m = &b.summary[1 + t * nv + i];
            if (!m->n)
                continue; /* interrupted before a sample had every value */
            printf("%-36s %12g %9.4f %10.7f %10.7f %14.7g  %s\n", m->spec, vals[i], m->ratio,
                   m->similarity, m->similarity_f32,
                   o->batch.rules == MX_RULES_SEED ? m->raw : m->score,
                   m->failed ? "FAILED" : m->rejected ? "rejected" : m->beats ? "yes" : "no");
        }
    printf("baseline zstd:3: ratio %.4f (means over %zu samples)\n", b.summary[0].ratio,
           b.partial ? b.complete_samples : n);
    mx_report_partial(stdout, &b);
    rc = b.interrupted ? 130 : b.any_failed ? 1 : 0;
    if (o->csv && mx_report_csv(o->csv, &b, s, o->force, &err))
        rc = report(&err);
    if (o->plot && !b.partial) { /* a plot of some points would pass for all of them */
        mx_sweep_plot sp = {o->specs, o->n_specs, o->param, vals, nv, integer,
                            o->batch.min_similarity};
        char *svg = NULL;
        size_t len;
        if (mx_sweep_svg(&sp, &b, &svg, &len, &err) ||
            write_output(o->plot, (const uint8_t *)svg, len, o->force, &err))
            rc = report(&err);
        free(svg);
    }
out:
    mx_batch_free(&b);
    mx_samples_free(s, n);
    free(pipes);
    mx_ctx_free(ctx);
    return rc;
}

/* Draws n_draw samples the way a competition round does: uniformly at
 * random, without replacement while the pool lasts, then with replacement.
 * A fixed seed gives the same round every time (splitmix64). */
static int draw_samples(mx_sample **s, size_t *n, size_t n_draw, unsigned long seed,
                        mx_error *err)
{
    uint64_t st = seed;
    size_t pool = *n;
    mx_sample *out = calloc(n_draw, sizeof *out);
    size_t *order = malloc(pool * sizeof *order + 1);
    if (!out || !order) {
        free(out);
        free(order);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    for (size_t i = 0; i < pool; i++)
        order[i] = i;
    for (size_t k = 0; k < n_draw; k++) {
        st += 0x9e3779b97f4a7c15ull;
        uint64_t z = st;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        size_t pick;
        if (k < pool) { /* partial Fisher-Yates */
            size_t j = k + (size_t)(z % (pool - k));
            size_t t = order[k];
            order[k] = order[j];
            order[j] = t;
            pick = order[k];
        } else {
            pick = (size_t)(z % pool);
        }
        out[k] = (*s)[pick];
        /* the draw shares matrices with the pool: copy the data it needs */
        size_t cnt = mx_matrix_count(&out[k].m);
        out[k].m.data = malloc(cnt * 2 + 1);
        out[k].m.origin_blob = NULL;
        out[k].m.origin_blob_len = 0;
        if (!out[k].m.data) {
            mx_samples_free(out, k);
            free(order);
            return mx_fail(err, MX_EFAIL, "out of memory");
        }
        memcpy(out[k].m.data, (*s)[pick].m.data, cnt * 2);
    }
    free(order);
    mx_samples_free(*s, *n);
    *s = out;
    *n = n_draw;
    return 0;
}

static void track_child(void *ctx, long pgid)
{
    (void)ctx;
    pending_child = (sig_atomic_t)pgid;
}

/* --batch, and eval: a batch whose last column is a solution (eval.h). */
static int cmd_batch(cli_opts *o)
{
    mx_error err = {0};
    mx_sample *s = NULL;
    size_t n = 0;
    mx_skipped skipped = {0};
    int rc = 2;
    /* eval runs only the solution (and the baseline) unless -p adds more */
    const char *const *specs = o->n_specs || o->solution ? o->specs : mx_default_batch_specs;
    size_t n_specs = o->n_specs || o->solution ? o->n_specs : mx_default_batch_count;
    mx_pipeline *pipes = calloc(n_specs + 1, sizeof *pipes);
    mx_batch b = {0};
    mx_solution *sol = NULL;
    mx_coder coder;
    mx_ctx *ctx = make_ctx(o);
    if (!pipes || !ctx) {
        free(pipes);
        mx_ctx_free(ctx);
        fprintf(stderr, "mxbench: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < n_specs; i++) {
        if (mx_pipeline_parse(specs[i], &pipes[i], &err)) {
            rc = report(&err);
            goto out;
        }
    }
    if ((rc = check_report_outputs(o, o->manifest ? o->manifest : DEFAULT_MANIFEST)))
        goto out;
    rc = 2;
    if (o->n_inputs) {
        if (o->manifest) {
            rc = usage_error("give either -m MANIFEST or input files, not both%s", "");
            goto out;
        }
        for (int i = 0; i < o->n_inputs; i++)
            if (mx_samples_load_file(o->inputs[i], &o->shape, o->tensor, &s, &n, &err)) {
                rc = report(&err);
                goto out;
            }
    } else {
        const char *man = o->manifest ? o->manifest : DEFAULT_MANIFEST;
        if (mx_samples_load_manifest_lenient(man, &s, &n, &skipped, &err)) {
            if (!o->manifest && access(man, F_OK) != 0)
                snprintf(err.msg, sizeof err.msg,
                         "no %s here: run from the project root or pass -m MANIFEST", man);
            rc = report(&err);
            goto out;
        }
        /* a bad file is reported and skipped; the others still run */
        for (size_t i = 0; !o->quiet && i < skipped.kept; i++)
            fprintf(stderr, "mxbench: skipped %s\n", skipped.msg[i]);
        if (!o->quiet && skipped.n > skipped.kept)
            fprintf(stderr, "mxbench: skipped %zu more\n", skipped.n - skipped.kept);
        if (n == 0) {
            fprintf(stderr, "mxbench: %s: no sample could be loaded\n", man);
            goto out;
        }
    }
    if (o->sample_n && draw_samples(&s, &n, (size_t)o->sample_n, o->have_seed ? o->seed : 1, &err)) {
        rc = report(&err);
        goto out;
    }
    if (o->solution) {
        mx_eval_opts eo = {o->solution, o->python, (mx_eval_interface)o->iface, o->timeout,
                           o->batch.rules == MX_RULES_LOSSY, track_child, NULL};
        if (!o->quiet)
            fprintf(stderr, "mxbench: starting %s\n", o->solution);
        if (mx_solution_start(&eo, &sol, &err)) {
            if (!sol) { /* no such file: nothing to run */
                rc = report(&err);
                goto out;
            }
            /* it did not start: its rows fail with the reason */
            fprintf(stderr, "mxbench: %s\n", err.msg);
        }
        mx_solution_set_cancel(sol, mx_interrupt_flag()); /* Ctrl-C stops a request */
        coder = mx_solution_coder(sol);
        o->batch.coders = &coder;
        o->batch.n_coders = 1;
    }
    rc = mx_batch_run_live(ctx, s, n, pipes, n_specs, &o->batch, o->quiet, &b, &err);
    mx_solution_stop(sol); /* before anything is printed: nothing left running */
    sol = NULL;
    if (rc) {
        rc = report(&err);
        goto out;
    }
    mx_report_table(stdout, &b, s);
    fflush(stdout);
    if ((o->csv && mx_report_csv(o->csv, &b, s, o->force, &err)) ||
        (o->json && mx_report_json(o->json, &b, s, o->force, &err))) {
        rc = report(&err);
        goto out;
    }
    rc = b.interrupted ? 130 : b.any_failed || skipped.n ? 1 : 0;
    if (b.any_failed)
        fprintf(stderr, "mxbench: some runs FAILED (see the table)\n");
    if (skipped.n) /* even under -q: it is why the exit status is 1 */
        fprintf(stderr, "mxbench: %zu file%s of the manifest skipped%s\n", skipped.n,
                skipped.n == 1 ? "" : "s", o->quiet ? "" : " (see above)");
out:
    mx_solution_stop(sol);
    mx_batch_free(&b);
    mx_samples_free(s, n);
    free(pipes);
    mx_ctx_free(ctx);
    return rc;
}

enum {
    OPT_SHAPE = 256, OPT_TENSOR, OPT_REPEAT, OPT_CSV, OPT_JSON, OPT_SCORE, OPT_RAW_SCORE,
    OPT_MIN_SIM, OPT_BATCH, OPT_LIST, OPT_RULES, OPT_SAMPLE, OPT_SEED, OPT_PORT, OPT_HOST,
    OPT_MAX_UPLOAD, OPT_PARAM, OPT_PLOT, OPT_FRAME_ROWS, OPT_CONDITION, OPT_INTERFACE, OPT_PYTHON,
    OPT_TIMEOUT, OPT_MAX_OUTPUT, OPT_MAX_CONNECTIONS,
};

static int is_command(const char *w)
{
    static const char *const words[] = {"compress", "decompress", "info", "verify", "batch",
                                        "ui", "export", "serve", "sweep", "eval", NULL};
    for (size_t i = 0; words[i]; i++)
        if (strcmp(w, words[i]) == 0)
            return 1;
    return 0;
}

int mx_cli_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"batch", no_argument, NULL, OPT_BATCH},
        {"list", no_argument, NULL, OPT_LIST},
        {"pipeline", required_argument, NULL, 'p'},
        {"manifest", required_argument, NULL, 'm'},
        {"output", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'f'},
        {"threads", required_argument, NULL, 'T'},
        {"quiet", no_argument, NULL, 'q'},
        {"shape", required_argument, NULL, OPT_SHAPE},
        {"frame-rows", required_argument, NULL, OPT_FRAME_ROWS},
        {"tensor", required_argument, NULL, OPT_TENSOR},
        {"repeat", required_argument, NULL, OPT_REPEAT},
        {"csv", required_argument, NULL, OPT_CSV},
        {"json", required_argument, NULL, OPT_JSON},
        {"score-to-beat", required_argument, NULL, OPT_SCORE},
        {"raw-score-to-beat", required_argument, NULL, OPT_RAW_SCORE},
        {"min-similarity", required_argument, NULL, OPT_MIN_SIM},
        {"rules", required_argument, NULL, OPT_RULES},
        {"condition", required_argument, NULL, OPT_CONDITION},
        {"interface", required_argument, NULL, OPT_INTERFACE},
        {"python", required_argument, NULL, OPT_PYTHON},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"port", required_argument, NULL, OPT_PORT},
        {"host", required_argument, NULL, OPT_HOST},
        {"max-upload", required_argument, NULL, OPT_MAX_UPLOAD},
        {"max-output", required_argument, NULL, OPT_MAX_OUTPUT},
        {"max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS},
        {"param", required_argument, NULL, OPT_PARAM},
        {"plot", required_argument, NULL, OPT_PLOT},
        {"sample", required_argument, NULL, OPT_SAMPLE},
        {"seed", required_argument, NULL, OPT_SEED},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    cli_opts o;
    memset(&o, 0, sizeof o);
    mx_batch_opts_default(&o.batch);
    mx_error err = {0};
    const char *batch_opt = NULL; /* an option only --batch understands */
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":p:m:o:T:fqhV", longopts, NULL)) != -1) {
        double v;
        unsigned long u;
        switch (c) {
        case OPT_BATCH:
            o.command = "batch";
            break;
        case OPT_LIST: print_list(); return 0;
        case 'h': print_help(); return 0;
        case 'V': printf("mxbench %s\n", PACKAGE_VERSION); return 0;
        case 'p':
            if (o.n_specs == sizeof o.specs / sizeof o.specs[0])
                return usage_error("too many -p options%s", "");
            o.specs[o.n_specs++] = optarg;
            break;
        case 'm': o.manifest = optarg; batch_opt = "-m"; break;
        case 'o': o.output = optarg; break;
        case 'f': o.force = 1; break;
        case 'T':
            if (parse_count(optarg, 1, 256, &u))
                return usage_error("-T wants a thread count 1..256, got '%s'", optarg);
            o.threads = (int)u;
            break;
        case 'q': o.quiet = 1; break;
        case OPT_SHAPE:
            if (mx_shape_parse(optarg, &o.shape, &err))
                return report(&err);
            break;
        case OPT_TENSOR: o.tensor = optarg; break;
        case OPT_FRAME_ROWS:
            if (parse_count(optarg, 1, ULONG_MAX, &u))
                return usage_error("--frame-rows wants a row count >= 1, got '%s'", optarg);
            o.frame_rows = u;
            break;
        case OPT_REPEAT:
            if (parse_count(optarg, 1, 1000, &u))
                return usage_error("--repeat wants an integer 1..1000, got '%s'", optarg);
            o.batch.repeat = (int)u;
            batch_opt = "--repeat";
            break;
        case OPT_CSV: o.csv = optarg; batch_opt = "--csv"; break;
        case OPT_JSON: o.json = optarg; batch_opt = "--json"; break;
        case OPT_SCORE:
            if (parse_double(optarg, &v) || v <= 0.0 || v >= 1.0)
                return usage_error("--score-to-beat wants a normalized score in (0,1), got '%s'",
                                   optarg);
            o.score_to_beat = v;
            o.have_score_beat = 1;
            o.have_beat++;
            batch_opt = "--score-to-beat";
            break;
        case OPT_RAW_SCORE:
            if (parse_double(optarg, &v))
                return usage_error("--raw-score-to-beat wants a number, got '%s'", optarg);
            o.batch.have_raw_to_beat = 1;
            o.batch.raw_to_beat = v;
            o.have_raw_beat = 1;
            o.have_beat++;
            batch_opt = "--raw-score-to-beat";
            break;
        case OPT_MIN_SIM:
            if (parse_double(optarg, &v) || v < -1.0 || v > 1.0)
                return usage_error("--min-similarity wants a number in [-1,1], got '%s'", optarg);
            o.batch.min_similarity = v;
            o.have_min_sim = 1;
            batch_opt = "--min-similarity";
            break;
        case OPT_RULES: {
            int r = mx_rules_parse(optarg);
            if (r < 0)
                return usage_error("--rules wants seed, lossless or lossy, got '%s'", optarg);
            o.batch.rules = (mx_rules)r;
            batch_opt = "--rules";
            break;
        }
        case OPT_CONDITION: {
            int cnd = mx_condition_parse(optarg);
            if (cnd < 0)
                return usage_error("--condition wants submitted or known, got '%s'", optarg);
            o.batch.condition = (mx_condition)cnd;
            batch_opt = "--condition";
            break;
        }
        case OPT_INTERFACE: {
            int it = mx_eval_interface_parse(optarg);
            if (it < 0)
                return usage_error("--interface wants http or tasks, got '%s'", optarg);
            o.iface = it;
            o.eval_opt = "--interface";
            break;
        }
        case OPT_PYTHON: o.python = optarg; o.eval_opt = "--python"; break;
        case OPT_TIMEOUT:
            if (parse_double(optarg, &v) || !(v > 0) || v > 86400)
                return usage_error("--timeout wants seconds in (0, 86400], got '%s'", optarg);
            o.timeout = v;
            o.eval_opt = "--timeout";
            break;
        case OPT_PORT:
            if (parse_count(optarg, 1, 65535, &o.port))
                return usage_error("--port wants 1..65535, got '%s'", optarg);
            o.serve_opt = "--port";
            break;
        case OPT_HOST: o.host = optarg; o.serve_opt = "--host"; break;
        case OPT_PARAM: o.param = optarg; break;
        case OPT_PLOT: o.plot = optarg; break;
        case OPT_MAX_UPLOAD:
            if (parse_count(optarg, 1, ULONG_MAX, &o.max_upload))
                return usage_error("--max-upload wants a byte count, got '%s'", optarg);
            o.serve_opt = "--max-upload";
            break;
        case OPT_MAX_OUTPUT:
            if (parse_count(optarg, 1, ULONG_MAX, &o.max_output))
                return usage_error("--max-output wants a byte count, got '%s'", optarg);
            o.serve_opt = "--max-output";
            break;
        case OPT_MAX_CONNECTIONS:
            if (parse_count(optarg, 1, 1000, &o.max_connections))
                return usage_error("--max-connections wants 1..1000, got '%s'", optarg);
            o.serve_opt = "--max-connections";
            break;
        case OPT_SAMPLE:
            if (parse_count(optarg, 1, 1000000, &u))
                return usage_error("--sample wants a count 1..1000000, got '%s'", optarg);
            o.sample_n = (long)u;
            batch_opt = "--sample";
            break;
        case OPT_SEED:
            if (parse_count(optarg, 0, ULONG_MAX, &o.seed))
                return usage_error("--seed wants a non-negative integer, got '%s'", optarg);
            o.have_seed = 1;
            batch_opt = "--seed";
            break;
        case ':':
            return usage_error("option '%s' needs an argument", argv[optind - 1]);
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    o.inputs = argv + optind;
    o.n_inputs = argc - optind;
    /* the command word is the first operand (options may come before it) */
    if (o.n_inputs && is_command(o.inputs[0])) {
        if (o.command)
            return usage_error("--batch cannot be combined with '%s'", o.inputs[0]);
        o.command = o.inputs[0];
        o.inputs++;
        o.n_inputs--;
    }
    if (!o.command) {
        if (o.n_inputs)
            return usage_error("unknown command '%s'", o.inputs[0]);
        if (!isatty(0) || !isatty(1)) {
            fprintf(stderr, "mxbench: no command given, and no terminal for the workbench "
                            "(try 'mxbench --batch' or 'mxbench --help')\n");
            return 2;
        }
        o.command = "ui";
    }
    if (o.have_beat > 1)
        return usage_error("give at most one of --score-to-beat and --raw-score-to-beat%s", "");
    if (o.have_raw_beat && o.batch.rules != MX_RULES_SEED)
        return usage_error("--raw-score-to-beat is for the seed rules; use --score-to-beat with --rules %s",
                           mx_rules_name(o.batch.rules));
    if (o.have_score_beat) {
        /* seed rules: the dashboard's normalized score; later rules: the score */
        o.batch.have_raw_to_beat = 1;
        o.batch.raw_to_beat = o.batch.rules == MX_RULES_SEED
                                  ? mx_raw_from_normalized(o.score_to_beat)
                                  : o.score_to_beat;
    }
    if (o.batch.rules == MX_RULES_LOSSY && !o.have_min_sim)
        o.batch.min_similarity = 0.99; /* the competition's lossy threshold */
    if (o.have_seed && !o.sample_n)
        return usage_error("--seed goes with --sample N%s", "");
    int is_eval = !strcmp(o.command, "eval");
    if (o.eval_opt && !is_eval && strcmp(o.command, "ui"))
        return usage_error("option %s only applies to eval and ui", o.eval_opt);
    if (is_eval) { /* the first operand is the solution; any others are samples */
        if (!o.n_inputs)
            return usage_error("eval needs a solution: mxbench eval SOLUTION.py%s", "");
        o.solution = o.inputs[0];
        o.inputs++;
        o.n_inputs--;
    }
    int is_bench = !strcmp(o.command, "batch") || !strcmp(o.command, "ui") ||
                   !strcmp(o.command, "sweep") || is_eval;
    if ((o.param || o.plot) && strcmp(o.command, "sweep"))
        return usage_error("--param and --plot apply to sweep%s", "");
    if (batch_opt && !is_bench)
        return usage_error("option %s only applies to --batch, sweep, eval and ui", batch_opt);
    if (o.n_specs > 1 && !is_bench)
        return usage_error("only --batch, sweep, eval and ui take more than one -p%s", "");
    if (o.serve_opt && strcmp(o.command, "serve"))
        return usage_error("option %s only applies to serve", o.serve_opt);
    if (!is_bench && strcmp(o.command, "compress") && strcmp(o.command, "export") &&
        strcmp(o.command, "serve") && o.n_specs)
        return usage_error("-p does not apply to '%s'", o.command);
    if (!o.threads) /* every command, the app included, runs on all cores unless -T says */
        o.threads = mx_cpu_count();
    if (!strcmp(o.command, "ui")) {
        if (o.n_inputs)
            return usage_error("ui takes samples from a manifest (-m), not '%s'", o.inputs[0]);
        if (o.csv || o.json)
            return usage_error("--csv/--json apply to --batch; in the app, e exports%s", "");
        mx_eval_opts eo = {NULL, o.python, (mx_eval_interface)o.iface, o.timeout, 0, NULL, NULL};
        return mx_ui_main(o.manifest ? o.manifest : DEFAULT_MANIFEST, o.specs, o.n_specs,
                          &o.batch, &eo, o.threads);
    }
    install_signals();
    if (!strcmp(o.command, "batch") || is_eval)
        return cmd_batch(&o);
    if (!strcmp(o.command, "compress"))
        return cmd_compress(&o);
    if (!strcmp(o.command, "export"))
        return cmd_export(&o);
    if (!strcmp(o.command, "sweep"))
        return cmd_sweep(&o);
    if (!strcmp(o.command, "serve")) {
        mx_pipeline p;
        if (o.n_inputs)
            return usage_error("serve takes no input file (got '%s')", o.inputs[0]);
        if (mx_pipeline_parse(o.n_specs ? o.specs[0] : MX_DEFAULT_SPEC, &p, &err))
            return report(&err);
        mx_serve_opts so = {o.host ? o.host : "127.0.0.1", o.port ? (unsigned)o.port : 8000,
                            o.max_upload ? o.max_upload : MX_SERVE_MAX_UPLOAD,
                            o.max_output ? o.max_output : MX_SERVE_MAX_OUTPUT,
                            o.max_connections ? (unsigned)o.max_connections : MX_SERVE_MAX_CONNECTIONS,
                            &p, o.threads};
        return mx_serve(&so, &err) ? report(&err) : 0;
    }
    if (!strcmp(o.command, "decompress"))
        return cmd_decompress(&o);
    return cmd_info(&o, !strcmp(o.command, "verify"));
}
