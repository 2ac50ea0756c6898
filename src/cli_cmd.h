/* cli_cmd.h - what a command of the command line is, and what the
 * commands share.
 *
 * A command is one mx_cli_command, defined in its own file src/cmd_*.c:
 * its name, one-line usage, summary, the options it accepts and the
 * function that runs it. src/cli.c lists them; that list drives --help,
 * `mxbench CMD --help`, the refusal of options a command does not take
 * ("--csv does not apply to compress", exit 2) and the dispatch. A new
 * command is its file plus one line there. Options are a table too
 * (src/cli_opts.c): spelling, argument, help text and how the value is
 * checked, parsed once into cli_opts for every command.
 *
 * Exit status, for every command: 0 ok, 1 the work failed, 2 bad usage or
 * bad input. */
#ifndef MX_CLI_CMD_H
#define MX_CLI_CMD_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "context.h"
#include "fileio.h"
#include "../codecs/mxerr.h"
#include "runner.h"
#include "samples.h"

/* Every option, one bit each (CLI_BIT) in a command's accepted set. */
typedef enum {
    CLI_PIPELINE, CLI_MANIFEST, CLI_OUTPUT, CLI_STDOUT, CLI_FORCE, CLI_KEEP, CLI_THREADS,
    CLI_QUIET, CLI_VERBOSE, CLI_DECOMPRESS, CLI_SHAPE, CLI_FRAME_ROWS, CLI_TENSOR, CLI_REPEAT,
    CLI_CSV, CLI_JSON, CLI_SCORE, CLI_RAW_SCORE, CLI_MIN_SIM, CLI_RULES, CLI_CONDITION,
    CLI_SAMPLE, CLI_SEED, CLI_PARAM, CLI_PLOT, CLI_PORT, CLI_HOST, CLI_INTERFACE, CLI_PYTHON,
    CLI_TIMEOUT, CLI_MAX_UPLOAD, CLI_MAX_OUTPUT, CLI_MAX_CONNECTIONS, CLI_MAX_PER_ADDRESS,
    CLI_BATCH, CLI_LIST, CLI_HELP, CLI_VERSION,
    CLI_N_OPTIONS
} cli_opt_id;
#define CLI_BIT(id) ((uint64_t)1 << (id))
/* Accepted by every command. */
#define CLI_COMMON (CLI_BIT(CLI_QUIET) | CLI_BIT(CLI_VERBOSE) | CLI_BIT(CLI_HELP))
/* What the commands that run a batch (batch, eval, sweep, ui) share. */
#define CLI_SCORING                                                                            \
    (CLI_BIT(CLI_PIPELINE) | CLI_BIT(CLI_MANIFEST) | CLI_BIT(CLI_THREADS) |                   \
     CLI_BIT(CLI_REPEAT) | CLI_BIT(CLI_SCORE) | CLI_BIT(CLI_RAW_SCORE) |                      \
     CLI_BIT(CLI_MIN_SIM) | CLI_BIT(CLI_RULES) | CLI_BIT(CLI_CONDITION))

#define CLI_MAX_SPECS 64

/* The command line, parsed. */
typedef struct {
    const char *command;                 /* as named: first operand, --batch or -d */
    uint64_t given;                      /* CLI_BIT of each option given */
    const char *specs[CLI_MAX_SPECS];
    size_t n_specs;
    const char *manifest, *output, *csv, *json, *tensor, *param, *plot, *host, *python;
    mx_shape shape;
    int force, verbosity; /* 0 quiet, 1 normal, 2 and up verbose */
    int threads;          /* after parsing: >= 1 (0 and no -T: every core) */
    uint64_t frame_rows;
    double score_to_beat, timeout;
    unsigned long port, max_upload, max_output, max_connections, max_per_address, seed;
    long sample_n;
    int iface;            /* mx_eval_interface */
    mx_batch_opts batch;
    char **inputs;        /* the operands after the command word */
    int n_inputs;
} cli_opts;

typedef struct {
    const char *name;    /* the word that names it */
    const char *label;   /* as --help lists it, aliases included */
    const char *usage;   /* its synopsis after "mxbench ", one line */
    const char *summary; /* what it does; "\n" starts a further line */
    uint64_t options;    /* CLI_BIT of the options it takes (CLI_COMMON always) */
    int multi_spec;      /* takes more than one -p */
    int interactive;     /* owns the terminal and its signals (ui) */
    int (*run)(cli_opts *o);
} mx_cli_command;

/* The commands (src/cmd_*.c). */
extern const mx_cli_command mx_cmd_ui, mx_cmd_batch, mx_cmd_compress, mx_cmd_decompress,
    mx_cmd_info, mx_cmd_verify, mx_cmd_export, mx_cmd_sweep, mx_cmd_serve, mx_cmd_eval;

/* --- the option parser (cli_opts.c) --- */

/* Parses argv into *o; 0, or the exit status (help and version printed:
 * *done set and 0 returned). */
int cli_parse(int argc, char **argv, cli_opts *o, int *done);
/* Refuses what the command does not take, then settles what options imply
 * for each other: 0, or the exit status. */
int cli_check(const mx_cli_command *cmd, cli_opts *o);
/* The accepted options of cmd as --help lists them (all when cmd NULL). */
void cli_print_options(FILE *f, const mx_cli_command *cmd);
/* Writes text and a newline, each further line indented by indent spaces. */
void cli_print_indented(FILE *f, const char *text, int indent);
/* -p's first spec, or the default pipeline. */
const char *cli_spec(const cli_opts *o);

/* --- messages (cli_opts.c) --- */

/* "mxbench: MSG" on stderr; the exit status err asks for (1 or 2). */
int cli_report(const mx_error *err);
/* "mxbench: FMT (see mxbench --help)" on stderr; 2. */
int cli_usage_error(const char *fmt, const char *arg);
/* Informational lines on stderr unless -q; cli_verbose only with -v. */
void cli_info(const cli_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_verbose(const cli_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* --- outputs and signals (cli_out.c) --- */

/* Handlers that remove a pending output's temporary and stop a running
 * solution before the signal ends the process. */
void cli_install_signals(void);
/* The process group of a running solution (eval), for those handlers. */
void cli_track_child(void *ctx, long pgid);
/* 1 when path names the same file as in ("-" never does). */
int cli_same_file(const char *in, const char *path);
/* 1 when two output paths would be the same file, existing or not ("-"
 * never is). */
int cli_same_output(const char *a, const char *b);
/* The one-line refusal of two inputs whose outputs are one file: 2. */
int cli_both_to_one(const char *a, const char *b, const char *out);
/* Refuses, before any work, an output that exists without -f or cannot be
 * one (mx_output_check): 0, or the exit status. what names the option. */
int cli_check_output(const char *path, int force, const char *what);
/* Refuses binary output to a terminal, stdout or a file naming one (-o
 * /dev/tty), as zstd does for stdout (-f overrides). */
int cli_check_binary_stdout(const char *path, int force, const char *what);
/* Refuses reading data from stdin when it is a terminal (-f overrides)
 * and stdin named more than once. */
int cli_check_stdin(char *const *inputs, int n, int force);
/* Refuses --csv, --json and --plot outputs that exist (without -f), name
 * an input of the run or each other: 0, or the exit status. */
int cli_check_report_outputs(const cli_opts *o);
/* Begins the output: an interrupt from here on removes its temporary.
 * 0, or the exit status. */
int cli_claim_output(const char *in, const char *path, int force, mx_atomic_file *f);
/* Commits f, or drops it when rc says the work failed; rc or -1. */
int cli_finish_output(mx_atomic_file *f, int rc, mx_error *err);
/* begin, write, commit, under the same protection. */
int cli_write_output(const char *path, const void *buf, size_t len, int force, mx_error *err);
/* A context with -T and --frame-rows; NULL (message printed) when out of memory. */
mx_ctx *cli_make_ctx(const cli_opts *o);
/* The manifest of a run: -m, or the default. */
const char *cli_manifest(const cli_opts *o);
#define CLI_DEFAULT_MANIFEST "data/manifest.csv"

/* --- shared by batch and eval (cmd_batch.c) --- */

/* Runs the batch of o, with the solution's column when solution is set. */
int cli_run_batch(cli_opts *o, const char *solution);
#endif
