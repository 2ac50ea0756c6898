/* cmd_serve.c - `mxbench serve`: the competition's HTTP endpoints. */
#include "cli_cmd.h"
#include "pipeline.h"
#include "serve.h"

static int run(cli_opts *o)
{
    mx_error err = {0};
    mx_pipeline p;
    if (o->n_inputs)
        return cli_usage_error("serve takes no input file (got '%s')", o->inputs[0]);
    if (mx_pipeline_parse(cli_spec(o), &p, &err))
        return cli_report(&err);
    mx_serve_opts so = {o->host ? o->host : "127.0.0.1", o->port ? (unsigned)o->port : 8000,
                        o->max_upload ? o->max_upload : MX_SERVE_MAX_UPLOAD,
                        o->max_output ? o->max_output : MX_SERVE_MAX_OUTPUT,
                        o->max_connections ? (unsigned)o->max_connections
                                           : MX_SERVE_MAX_CONNECTIONS,
                        o->max_per_address ? (unsigned)o->max_per_address
                                           : MX_SERVE_MAX_PER_ADDRESS,
                        &p, o->threads, o->timeout > 0 ? o->timeout : MX_SERVE_TIMEOUT};
    return mx_serve(&so, &err) ? cli_report(&err) : 0;
}

const mx_cli_command mx_cmd_serve = {
    "serve",
    "serve",
    "serve [-p SPEC] [--port P] [--host H] [--max-upload BYTES]\n"
    "      [--max-output BYTES] [--max-connections N] [--max-per-address N]\n"
    "      [--timeout S]",
    "HTTP service: GET /health, POST /compress, POST /decompress\n"
    "(default 127.0.0.1:8000, uploads up to 1 GiB)",
    CLI_BIT(CLI_PIPELINE) | CLI_BIT(CLI_THREADS) | CLI_BIT(CLI_PORT) | CLI_BIT(CLI_HOST) |
        CLI_BIT(CLI_MAX_UPLOAD) | CLI_BIT(CLI_MAX_OUTPUT) | CLI_BIT(CLI_MAX_CONNECTIONS) |
        CLI_BIT(CLI_MAX_PER_ADDRESS) | CLI_BIT(CLI_TIMEOUT),
    0,
    0,
    run,
};
