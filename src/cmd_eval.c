/* cmd_eval.c - `mxbench eval SOLUTION.py`: a miner solution scored as the
 * competition's validator drives it, in the batch's table (cmd_batch.c). */
#include "cli_cmd.h"

static int run(cli_opts *o)
{
    /* the first operand is the solution; any others are samples */
    if (!o->n_inputs)
        return cli_usage_error("eval needs a solution: mxbench eval SOLUTION.py%s", "");
    const char *solution = o->inputs[0];
    o->inputs++;
    o->n_inputs--;
    return cli_run_batch(o, solution);
}

const mx_cli_command mx_cmd_eval = {
    "eval",
    "eval",
    "eval SOLUTION.py [-m MANIFEST | FILE...] [--interface http|tasks]\n"
    "     [--python PATH] [--timeout S] [batch options]",
    "score a miner solution as the competition's validator\n"
    "drives it: started on a free port, each sample's raw bytes\n"
    "posted to /compress and the answer to /decompress; the\n"
    "same table, CSV and JSON as --batch (-p adds pipelines)",
    CLI_SCORING | CLI_BIT(CLI_FORCE) | CLI_BIT(CLI_SHAPE) | CLI_BIT(CLI_TENSOR) |
        CLI_BIT(CLI_FRAME_ROWS) | CLI_BIT(CLI_CSV) | CLI_BIT(CLI_JSON) | CLI_BIT(CLI_SAMPLE) |
        CLI_BIT(CLI_SEED) | CLI_BIT(CLI_INTERFACE) | CLI_BIT(CLI_PYTHON) | CLI_BIT(CLI_TIMEOUT),
    1,
    0,
    run,
};
