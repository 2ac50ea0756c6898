/* cmd_ui.c - `mxbench` or `mxbench ui`: the interactive workbench. */
#include "cli_cmd.h"
#include "eval.h"
#include "../ui/ui.h"

static int run(cli_opts *o)
{
    if (o->n_inputs)
        return cli_usage_error("ui takes samples from a manifest (-m), not '%s'", o->inputs[0]);
    mx_eval_opts eo = {NULL, o->python, (mx_eval_interface)o->iface, o->timeout, 0, NULL, NULL};
    return mx_ui_main(cli_manifest(o), o->specs, o->n_specs, &o->batch, &eo, o->threads);
}

const mx_cli_command mx_cmd_ui = {
    "ui",
    "ui (or nothing)",
    "[ui] [-m MANIFEST] [-p SPEC]...   (the interactive workbench)",
    "the interactive workbench on this terminal (? for keys)",
    CLI_SCORING | CLI_BIT(CLI_INTERFACE) | CLI_BIT(CLI_PYTHON) | CLI_BIT(CLI_TIMEOUT),
    1,
    1,
    run,
};
