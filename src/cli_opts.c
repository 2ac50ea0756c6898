/* cli_opts.c - the options: one table that getopt, --help and the
 * per-command checks all read, and the parse of each value. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli_cmd.h"
#include "eval.h"
#include "../codecs/metrics.h"
#include "../codecs/parallel.h"
#include "presets.h"
#include "serve.h"

#define CLI_TEXT_(x) #x
#define CLI_TEXT(x) CLI_TEXT_(x) /* a number's digits, for help text */

typedef struct {
    cli_opt_id id;
    char letter;       /* short option, 0 when none */
    const char *name;  /* long option without "--", NULL when none */
    const char *arg;   /* its argument as help shows it; NULL: takes none */
    const char *help;  /* "\n" starts a further line */
} cli_option;

/* In the order --help lists them. */
static const cli_option options[] = {
    {CLI_PIPELINE, 'p', "pipeline", "SPEC", "pipeline (repeatable with --batch, sweep, eval, ui)"},
    {CLI_MANIFEST, 'm', "manifest", "FILE", "sample list (default " CLI_DEFAULT_MANIFEST ")"},
    {CLI_OUTPUT, 'o', "output", "FILE", "output file; - is stdout"},
    {CLI_STDOUT, 'c', "stdout", NULL, "write to stdout (decompress: several outputs one after another)"},
    {CLI_FORCE, 'f', "force", NULL,
     "overwrite an existing output file; also: write binary\nto a terminal, read data from one"},
    {CLI_KEEP, 'k', "keep", NULL, "keep the input files (always so; accepted as zstd does)"},
    {CLI_DECOMPRESS, 'd', "decompress", NULL, "the decompress command: mxbench -d IN.mxb"},
    {CLI_THREADS, 'T', "threads", "N",
     "threads for coding (default, and 0: all cores); the output\nis the same whatever N is"},
    {CLI_SHAPE, 0, "shape", "RxC",
     "shape of raw .bin/.bf16 input or stdin (without it, compress\ninfers the width and "
     "records it)"},
    {CLI_FRAME_ROWS, 0, "frame-rows", "N",
     "compress: rows per frame of big matrices (default: 64 MiB\nof values); memory holds "
     "about one frame"},
    {CLI_TENSOR, 0, "tensor", "NAME", "which BF16 tensor of a .safetensors file"},
    {CLI_REPEAT, 0, "repeat", "N", "timing runs per cell, median taken (default 3)"},
    {CLI_CSV, 0, "csv", "FILE", "also write the rows as CSV (- : stdout, the table to stderr)"},
    {CLI_JSON, 0, "json", "FILE", "also write the rows as JSON (- : stdout, the table to stderr)"},
    {CLI_SCORE, 0, "score-to-beat", "S", "normalized score to beat (as the dashboard shows)"},
    {CLI_RAW_SCORE, 0, "raw-score-to-beat", "R", "raw score to beat"},
    {CLI_MIN_SIM, 0, "min-similarity", "X",
     "reject lossy rows below X (default 1.0; the competition's\nthreshold with --rules lossy)"},
    {CLI_RULES, 0, "rules", "R",
     "seed (default), lossless or lossy: the competition's rule\nsets (see man mxbench)"},
    {CLI_CONDITION, 0, "condition", "C",
     "submitted (default): pipelines get each sample as\nraw bytes, shape hidden, and infer the "
     "width, as in\nthe competition; known: they get its own shape"},
    {CLI_SAMPLE, 0, "sample", "N", "draw N samples from the manifest, as a round does"},
    {CLI_SEED, 0, "seed", "S", "seed of that draw (default 1)"},
    {CLI_PARAM, 0, "param", "A:B:N", "sweep: N values from A to B for the {} of each -p"},
    {CLI_PLOT, 0, "plot", "FILE.svg", "sweep: draw ratio against similarity"},
    {CLI_PORT, 0, "port", "P", "serve: the port to listen on (default 8000)"},
    {CLI_HOST, 0, "host", "H", "serve: the address to listen on (default 127.0.0.1)"},
    {CLI_INTERFACE, 0, "interface", "I",
     "eval: http (default; baseline.py's POST /compress and\n/decompress) or tasks "
     "(miner_solution.py's\n--compress/--decompress --input-file tasks.json)"},
    {CLI_PYTHON, 0, "python", "PATH", "eval: the interpreter (default python3)"},
    {CLI_TIMEOUT, 0, "timeout", "S",
     "eval: limit for each request, task run and the start\n(default 60 s); past it the row fails. "
     "serve: time for\na request's headers, and the window over which an upload\nor answer must "
     "move 64 KiB/s (default " CLI_TEXT(MX_SERVE_TIMEOUT) " s)"},
    {CLI_MAX_UPLOAD, 0, "max-upload", "BYTES",
     "serve: larger request bodies get 413 (default 1 GiB; a\nmultipart body is the file and ~200 bytes more)"},
    {CLI_MAX_OUTPUT, 0, "max-output", "BYTES",
     "serve: larger answers get 413, checked before decoding\n(default 1 GiB)"},
    {CLI_MAX_CONNECTIONS, 0, "max-connections", "N",
     "serve: requests coded at once; more get 503\n(default "
     CLI_TEXT(MX_SERVE_MAX_CONNECTIONS) ")"},
    {CLI_MAX_PER_ADDRESS, 0, "max-per-address", "N",
     "serve: connections open at once from one client address;\nmore are closed unanswered "
     "(default " CLI_TEXT(MX_SERVE_MAX_PER_ADDRESS) ")"},
    {CLI_QUIET, 'q', "quiet", NULL,
     "no progress line or informational lines on stderr (--batch,\neval and sweep show "
     "one on a terminal: cells done/total,\nthe current sample and pipeline, elapsed, ETA)"},
    {CLI_VERBOSE, 'v', "verbose", NULL, "more on stderr: times, threads, what was loaded"},
    {CLI_BATCH, 0, "batch", NULL, "the batch command"},
    {CLI_LIST, 0, "list", NULL, "list the stages and their parameters"},
    {CLI_HELP, 'h', "help", NULL, "this help (after a command: that command's)"},
    {CLI_VERSION, 'V', "version", NULL, "version"},
};
#define N_OPTIONS (sizeof options / sizeof options[0])

int cli_report(const mx_error *err)
{
    fprintf(stderr, "mxbench: %s\n", err->msg);
    return err->code == MX_EFAIL ? 1 : 2;
}

int cli_usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "mxbench: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see mxbench --help)\n");
    return 2;
}

static void vinfo(int show, const char *fmt, va_list ap)
{
    if (!show)
        return;
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_info(const cli_opts *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vinfo(o->verbosity >= 1, fmt, ap);
    va_end(ap);
}

void cli_verbose(const cli_opts *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vinfo(o->verbosity >= 2, fmt, ap);
    va_end(ap);
}

const char *cli_spec(const cli_opts *o)
{
    return o->n_specs ? o->specs[0] : MX_DEFAULT_SPEC;
}

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

/* The option as --help names it: "-o/--output", "--csv". */
static void spelling(cli_opt_id id, char *buf, size_t n)
{
    for (size_t i = 0; i < N_OPTIONS; i++) {
        if (options[i].id != id)
            continue;
        if (options[i].letter)
            snprintf(buf, n, "-%c/--%s", options[i].letter, options[i].name);
        else
            snprintf(buf, n, "--%s", options[i].name);
        return;
    }
    snprintf(buf, n, "?");
}

/* Sets what option id says: 0, or the exit status. */
static int set_option(cli_opts *o, cli_opt_id id, const char *arg)
{
    mx_error err = {0};
    unsigned long u;
    double v;
    int k;
    switch (id) {
    case CLI_PIPELINE:
        if (o->n_specs == CLI_MAX_SPECS)
            return cli_usage_error("too many -p options (at most %s)", "64");
        o->specs[o->n_specs++] = arg;
        return 0;
    case CLI_MANIFEST: o->manifest = arg; return 0;
    case CLI_OUTPUT: o->output = arg; return 0;
    case CLI_STDOUT: return 0;
    case CLI_FORCE: o->force = 1; return 0;
    case CLI_KEEP: return 0; /* inputs are never removed */
    case CLI_QUIET: o->verbosity = 0; return 0;
    case CLI_VERBOSE: o->verbosity = o->verbosity < 2 ? 2 : o->verbosity + 1; return 0;
    case CLI_THREADS:
        if (parse_count(arg, 0, 256, &u))
            return cli_usage_error("-T wants a thread count 0..256 (0: all cores), got '%s'", arg);
        o->threads = (int)u;
        return 0;
    case CLI_SHAPE: return mx_shape_parse(arg, &o->shape, &err) ? cli_report(&err) : 0;
    case CLI_TENSOR: o->tensor = arg; return 0;
    case CLI_FRAME_ROWS:
        if (parse_count(arg, 1, ULONG_MAX, &u))
            return cli_usage_error("--frame-rows wants a row count >= 1, got '%s'", arg);
        o->frame_rows = u;
        return 0;
    case CLI_REPEAT:
        if (parse_count(arg, 1, 1000, &u))
            return cli_usage_error("--repeat wants an integer 1..1000, got '%s'", arg);
        o->batch.repeat = (int)u;
        return 0;
    case CLI_CSV: o->csv = arg; return 0;
    case CLI_JSON: o->json = arg; return 0;
    case CLI_SCORE:
        if (parse_double(arg, &v) || v <= 0.0 || v >= 1.0)
            return cli_usage_error("--score-to-beat wants a normalized score in (0,1), got '%s'",
                                   arg);
        o->score_to_beat = v;
        return 0;
    case CLI_RAW_SCORE:
        if (parse_double(arg, &v))
            return cli_usage_error("--raw-score-to-beat wants a number, got '%s'", arg);
        o->batch.have_raw_to_beat = 1;
        o->batch.raw_to_beat = v;
        return 0;
    case CLI_MIN_SIM:
        if (parse_double(arg, &v) || v < -1.0 || v > 1.0)
            return cli_usage_error("--min-similarity wants a number in [-1,1], got '%s'", arg);
        o->batch.min_similarity = v;
        return 0;
    case CLI_RULES:
        if ((k = mx_rules_parse(arg)) < 0)
            return cli_usage_error("--rules wants seed, lossless or lossy, got '%s'", arg);
        o->batch.rules = (mx_rules)k;
        return 0;
    case CLI_CONDITION:
        if ((k = mx_condition_parse(arg)) < 0)
            return cli_usage_error("--condition wants submitted or known, got '%s'", arg);
        o->batch.condition = (mx_condition)k;
        return 0;
    case CLI_SAMPLE:
        if (parse_count(arg, 1, 1000000, &u))
            return cli_usage_error("--sample wants a count 1..1000000, got '%s'", arg);
        o->sample_n = (long)u;
        return 0;
    case CLI_SEED:
        if (parse_count(arg, 0, ULONG_MAX, &o->seed))
            return cli_usage_error("--seed wants a non-negative integer, got '%s'", arg);
        return 0;
    case CLI_PARAM: o->param = arg; return 0;
    case CLI_PLOT: o->plot = arg; return 0;
    case CLI_PORT:
        if (parse_count(arg, 1, 65535, &o->port))
            return cli_usage_error("--port wants 1..65535, got '%s'", arg);
        return 0;
    case CLI_HOST: o->host = arg; return 0;
    case CLI_INTERFACE:
        if ((k = mx_eval_interface_parse(arg)) < 0)
            return cli_usage_error("--interface wants http or tasks, got '%s'", arg);
        o->iface = k;
        return 0;
    case CLI_PYTHON: o->python = arg; return 0;
    case CLI_TIMEOUT:
        if (parse_double(arg, &v) || !(v > 0) || v > 86400)
            return cli_usage_error("--timeout wants seconds in (0, 86400], got '%s'", arg);
        o->timeout = v;
        return 0;
    case CLI_MAX_UPLOAD:
        if (parse_count(arg, 1, ULONG_MAX, &o->max_upload))
            return cli_usage_error("--max-upload wants a byte count, got '%s'", arg);
        return 0;
    case CLI_MAX_OUTPUT:
        if (parse_count(arg, 1, ULONG_MAX, &o->max_output))
            return cli_usage_error("--max-output wants a byte count, got '%s'", arg);
        return 0;
    case CLI_MAX_CONNECTIONS:
        if (parse_count(arg, 1, 1000, &o->max_connections))
            return cli_usage_error("--max-connections wants 1..1000, got '%s'", arg);
        return 0;
    case CLI_MAX_PER_ADDRESS:
        if (parse_count(arg, 1, MX_SERVE_OPEN_CONNECTIONS, &o->max_per_address))
            return cli_usage_error("--max-per-address wants 1.." CLI_TEXT(MX_SERVE_OPEN_CONNECTIONS)
                                   ", got '%s'", arg);
        return 0;
    case CLI_BATCH:
    case CLI_DECOMPRESS: {
        const char *cmd = id == CLI_BATCH ? "batch" : "decompress";
        if (o->command && strcmp(o->command, cmd))
            return cli_usage_error("--batch and -d name different commands%s", "");
        o->command = cmd;
        return 0;
    }
    case CLI_HELP: return 0;
    case CLI_LIST: case CLI_VERSION: case CLI_N_OPTIONS: return 0; /* handled by the caller */
    }
    return 0;
}

void mx_cli_print_list(void); /* cli.c */

int cli_parse(int argc, char **argv, cli_opts *o, int *done)
{
    struct option longopts[N_OPTIONS + 1];
    char shorts[2 * N_OPTIONS + 2];
    size_t nl = 0, ns = 0;
    shorts[ns++] = ':'; /* a missing argument is ':' */
    for (size_t i = 0; i < N_OPTIONS; i++) {
        if (options[i].name)
            longopts[nl++] = (struct option){options[i].name,
                                             options[i].arg ? required_argument : no_argument,
                                             NULL, 256 + (int)i};
        if (options[i].letter) {
            shorts[ns++] = options[i].letter;
            if (options[i].arg)
                shorts[ns++] = ':';
        }
    }
    longopts[nl] = (struct option){NULL, 0, NULL, 0};
    shorts[ns] = 0;

    memset(o, 0, sizeof *o);
    mx_batch_opts_default(&o->batch);
    o->verbosity = 1;
    *done = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
        const cli_option *opt = NULL;
        if (c >= 256 && c < 256 + (int)N_OPTIONS)
            opt = &options[c - 256];
        for (size_t i = 0; !opt && c > 0 && c < 256 && c != ':' && c != '?' && i < N_OPTIONS; i++)
            if (options[i].letter == c)
                opt = &options[i];
        /* a short option's letter (optopt) may sit inside a bundle such as
         * -19, where argv[optind - 1] is already the word before it */
        char letter[3] = {'-', (char)optopt, 0};
        const char *word = optopt > 0 && optopt < 256 ? letter : argv[optind - 1];
        if (c == ':')
            return cli_usage_error("option '%s' needs an argument", word);
        if (!opt)
            return cli_usage_error("unknown option '%s'", word);
        if (opt->id == CLI_LIST) {
            mx_cli_print_list();
            *done = 1;
            return 0;
        }
        if (opt->id == CLI_VERSION) {
            printf("mxbench %s\n", PACKAGE_VERSION);
            *done = 1;
            return 0;
        }
        if (opt->arg && optarg && !*optarg) { /* -o '' would fail only after the work */
            char name[64];
            spelling(opt->id, name, sizeof name);
            return cli_usage_error("%s needs a value, not an empty one", name);
        }
        o->given |= CLI_BIT(opt->id);
        int rc = set_option(o, opt->id, optarg);
        if (rc)
            return rc;
    }
    o->inputs = argv + optind;
    o->n_inputs = argc - optind;
    return 0;
}

int cli_check(const mx_cli_command *cmd, cli_opts *o)
{
    /* options that name commands (--batch, -d) or act at once are not the
     * command's to refuse */
    uint64_t ok = cmd->options | CLI_COMMON | CLI_BIT(CLI_BATCH) | CLI_BIT(CLI_DECOMPRESS);
    uint64_t extra = o->given & ~ok;
    for (int id = 0; id < CLI_N_OPTIONS; id++) {
        if (!(extra & CLI_BIT(id)))
            continue;
        char sp[64];
        spelling((cli_opt_id)id, sp, sizeof sp);
        fprintf(stderr, "mxbench: %s does not apply to %s (see mxbench %s --help)\n", sp,
                cmd->name, cmd->name);
        return 2;
    }
    if (o->n_specs > 1 && !cmd->multi_spec)
        return cli_usage_error("%s takes one pipeline (-p SPEC)", cmd->name);
    if ((o->given & CLI_BIT(CLI_OUTPUT)) && (o->given & CLI_BIT(CLI_STDOUT)) &&
        !mx_is_stdio(o->output))
        return cli_usage_error("give -c or -o FILE, not both%s", "");
    if (o->given & CLI_BIT(CLI_STDOUT))
        o->output = "-";
    int score = !!(o->given & CLI_BIT(CLI_SCORE)), raw = !!(o->given & CLI_BIT(CLI_RAW_SCORE));
    if (score && raw)
        return cli_usage_error("give at most one of --score-to-beat and --raw-score-to-beat%s", "");
    if (raw && o->batch.rules != MX_RULES_SEED)
        return cli_usage_error(
            "--raw-score-to-beat is for the seed rules; use --score-to-beat with --rules %s",
            mx_rules_name(o->batch.rules));
    if (score) {
        /* seed rules: the dashboard's normalized score; later rules: the score */
        o->batch.have_raw_to_beat = 1;
        o->batch.raw_to_beat = o->batch.rules == MX_RULES_SEED
                                   ? mx_raw_from_normalized(o->score_to_beat)
                                   : o->score_to_beat;
    }
    if (!(o->given & CLI_BIT(CLI_MIN_SIM)))
        o->batch.min_similarity = mx_default_min_similarity(o->batch.rules);
    if ((o->given & CLI_BIT(CLI_SEED)) && !o->sample_n)
        return cli_usage_error("--seed goes with --sample N%s", "");
    if (!o->threads) /* every command, the app included, runs on all cores unless -T says */
        o->threads = mx_cpu_count();
    return 0;
}

void cli_print_indented(FILE *f, const char *text, int indent)
{
    for (const char *p = text; *p; p++) {
        fputc(*p, f);
        if (*p == '\n')
            fprintf(f, "%*s", indent, "");
    }
    fputc('\n', f);
}

void cli_print_options(FILE *f, const mx_cli_command *cmd)
{
    uint64_t show = cmd ? cmd->options | CLI_COMMON : ~(uint64_t)0;
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const cli_option *opt = &options[i];
        if (!(show & CLI_BIT(opt->id)))
            continue;
        char label[64], letter[8] = "    ";
        if (opt->letter)
            snprintf(letter, sizeof letter, "-%c, ", opt->letter);
        int n = snprintf(label, sizeof label, "  %s--%s%s%s", letter, opt->name,
                         opt->arg ? " " : "", opt->arg ? opt->arg : "");
        fprintf(f, "%s%*s", label, n < 25 ? 26 - n : 2, "");
        cli_print_indented(f, opt->help, 26);
    }
}
