/* cli.c - the command line: the table of commands, the help it makes,
 * and the dispatch. Each command lives in its file (src/cmd_*.c, one
 * mx_cli_command each; cli_cmd.h); the options in src/cli_opts.c. */
#include "cli.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli_cmd.h"
#include "pipeline.h"
#include "presets.h"

/* Every command, in the order --help lists them. */
static const mx_cli_command *const commands[] = {
    &mx_cmd_ui, &mx_cmd_batch, &mx_cmd_compress, &mx_cmd_decompress, &mx_cmd_info,
    &mx_cmd_verify, &mx_cmd_export, &mx_cmd_sweep, &mx_cmd_serve, &mx_cmd_eval,
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const mx_cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

static void print_usage(FILE *f)
{
    for (size_t i = 0; i < N_COMMANDS; i++) {
        fprintf(f, "%s", i ? "       mxbench " : "Usage: mxbench ");
        cli_print_indented(f, commands[i]->usage, 15);
    }
    fprintf(f, "       mxbench --list | --help | --version\n");
}

/* The lossy stages of one kind, from the registry: the help cannot fall
 * behind when a stage is added. */
static void lossy_names(mx_stage_kind kind, char *out, size_t n)
{
    size_t len = 0;
    out[0] = 0;
    for (size_t i = 0; mx_stages[i] && len < n; i++)
        if (mx_stages[i]->lossy && mx_stages[i]->kind == kind)
            len += (size_t)snprintf(out + len, n - len, "%s%s", len ? ", " : "",
                                    mx_stages[i]->name);
}

static void print_help(void)
{
    char lossy_t[256], lossy_e[128];
    lossy_names(MX_STAGE_TRANSFORM, lossy_t, sizeof lossy_t);
    lossy_names(MX_STAGE_ENTROPY, lossy_e, sizeof lossy_e);
    print_usage(stdout);
    printf("\nA workbench for compressing bfloat16 activation and gradient matrices:\n"
           "run pipelines of transform and entropy stages over sample matrices and\n"
           "score them exactly as the Apex Matrix Compression competition does.\n"
           "\nCommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++) {
        printf("  %-17s ", commands[i]->label);
        cli_print_indented(stdout, commands[i]->summary, 20);
    }
    printf("  %-17s %s\n", "--list", "list the stages and their parameters");
    printf("  (mxbench COMMAND --help: what one command takes)\n");
    printf("\nOptions:\n");
    cli_print_options(stdout, NULL);
    printf("\nFiles: - is stdin or stdout wherever a file goes (compress - -o -,\n"
           "  decompress -c, --csv -); compressed data is not written to a terminal.\n"
           "\nPipeline spec:  [transform[:arg],...|]entropy[:arg]\n"
           "  e.g. zstd:19   bytesplit|zstd:19   expsplit,delta:rows|brotli:11   trunc:3|zstd:3\n"
           "  Lossy transforms (%s) must come first;\n"
           "  the lossy %s is a whole pipeline on its own. 'auto' picks per matrix:\n"
           "  %s unless %s might do better; 'auto:max' codes with both and bflr\n"
           "  (slower), keeps the smallest.\n"
           "  Default pipeline of compress and serve: %s.\n"
           "\nScoring (per sample; a = original, b = decoded):\n"
           "  ratio = original bytes / compressed bytes (whole .mxb file)\n"
           "  similarity = cos(a,b) * (1 - |a-b|/|a|)\n"
           "  raw = (30 - seconds) + 1000*similarity + 1e6*ratio\n"
           "  normalized = 1/(1+exp(-0.003*(raw/1000 - 2000)))\n"
           "  A pipeline beats the score to beat (default: %s on the same samples)\n"
           "  when its raw score is at least 1.01x it. The lossy rules' similarity\n"
           "  threshold is %g.\n"
           "\nCtrl-C during --batch, eval or sweep stops at the next cell and keeps what\n"
           "finished: the table, --csv and --json show those rows, marked partial (a\n"
           "'partial' column/field), and the means cover the samples every pipeline\n"
           "finished. A second Ctrl-C ends at once.\n"
           "\nExit status: 0 ok, 1 a run failed, 2 bad usage or input, 130 interrupted.\n",
           lossy_t, lossy_e, MX_AUTO_FAST_SPEC, MX_BASELINE_SPEC, MX_DEFAULT_SPEC, MX_BASELINE_SPEC,
           MX_LOSSY_MIN_SIMILARITY);
}

static void print_command_help(const mx_cli_command *cmd)
{
    printf("Usage: mxbench ");
    cli_print_indented(stdout, cmd->usage, 15);
    printf("\n");
    cli_print_indented(stdout, cmd->summary, 0);
    printf("\nOptions:\n");
    cli_print_options(stdout, cmd);
    printf("\nmxbench --help lists every command; man mxbench says more.\n");
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

void mx_cli_print_list(void); /* for cli_opts.c's --list */
void mx_cli_print_list(void)
{
    printf("Transforms:\n");
    print_stages(MX_STAGE_TRANSFORM);
    printf("Entropy stages:\n");
    print_stages(MX_STAGE_ENTROPY);
    printf("Automatic pipelines (a spec of their own; the file records the choice):\n"
           "  %-11s %s, unless %s judged on 1/64 of the rows comes within 15%%\n"
           "  %-11s the smallest of %zu lossless candidates, each coding the whole matrix\n",
           "auto", MX_AUTO_FAST_SPEC, MX_BASELINE_SPEC, "auto:max", mx_auto_count);
}

int mx_cli_main(int argc, char **argv)
{
    cli_opts o;
    int done;
    int rc = cli_parse(argc, argv, &o, &done);
    if (rc || done)
        return rc;
    /* the command word is the first operand (options may come before it) */
    const mx_cli_command *cmd = o.n_inputs ? find_command(o.inputs[0]) : NULL;
    if (cmd) {
        if (o.command && strcmp(o.command, cmd->name))
            return cli_usage_error(o.command[0] == 'b' ? "--batch cannot be combined with '%s'"
                                                       : "-d cannot be combined with '%s'",
                                   o.inputs[0]);
        o.inputs++;
        o.n_inputs--;
    } else if (o.command) {
        cmd = find_command(o.command);
    }
    if (!cmd) {
        if (o.n_inputs) /* before --help: 'mxbench bogus --help' is no command's help */
            return cli_usage_error("unknown command '%s'", o.inputs[0]);
        if (o.given & CLI_BIT(CLI_HELP)) {
            print_help();
            return 0;
        }
        if (!isatty(0) || !isatty(1)) {
            fprintf(stderr, "mxbench: no command given, and no terminal for the workbench "
                            "(try 'mxbench --batch' or 'mxbench --help')\n");
            return 2;
        }
        cmd = &mx_cmd_ui;
    }
    if (o.given & CLI_BIT(CLI_HELP)) {
        print_command_help(cmd);
        return 0;
    }
    o.command = cmd->name;
    if ((rc = cli_check(cmd, &o)))
        return rc;
    if (!cmd->interactive) /* the app owns its terminal and signals */
        cli_install_signals();
    return cmd->run(&o);
}
