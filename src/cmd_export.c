/* cmd_export.c - `mxbench export`: a pipeline as a Python miner solution. */
#include <stdio.h>
#include <stdlib.h>
#include "cli_cmd.h"
#include "export.h"
#include "pipeline.h"
#include "presets.h"

static int run(cli_opts *o)
{
    mx_error err = {0};
    if (o->n_inputs)
        return cli_usage_error("export takes no input file (got '%s'); use -p SPEC -o FILE",
                               o->inputs[0]);
    const char *out = o->output ? o->output : "solution.py";
    int rc = cli_check_output(out, o->force, NULL); /* before the work */
    if (rc)
        return rc;
    mx_pipeline p;
    char *text;
    size_t len;
    if (mx_pipeline_parse(cli_spec(o), &p, &err) || mx_export_python(&p, &text, &len, &err))
        return cli_report(&err);
    rc = cli_write_output(out, text, len, o->force, &err);
    free(text);
    if (rc)
        return cli_report(&err);
    if (!mx_is_stdio(out))
        cli_info(o, "%s: %zu bytes (limit %d), run: python3 %s (serves on 0.0.0.0:8080)", out,
                 len, MX_EXPORT_MAX_BYTES, out);
    return 0;
}

const mx_cli_command mx_cmd_export = {
    "export",
    "export",
    "export [-p SPEC] [-o solution.py | -c] [-f]",
    "write SPEC as a Python miner solution (FastAPI; < 20 KB)",
    CLI_BIT(CLI_PIPELINE) | CLI_BIT(CLI_OUTPUT) | CLI_BIT(CLI_STDOUT) | CLI_BIT(CLI_FORCE),
    0,
    0,
    run,
};
