/* eval.h - score any miner solution the way the competition's validator
 * drives it (`mxbench eval SOLUTION.py`).
 *
 * HTTP (the default; baseline.py's interface): the solution is started as
 * `PYTHON SOLUTION.py --port P --host 127.0.0.1` on a free port, in its own
 * process group, and is ready when GET /health answers 200. Each sample's
 * raw little-endian bf16 bytes go as the multipart field `file` (filename
 * data.bin, application/octet-stream) to POST /compress; the answer's body
 * goes the same way to POST /decompress, whose body must be the values.
 * Each request is timed on the wall clock around its whole round trip.
 *
 * Tasks (miner_solution.py's interface): per sample, a tasks JSON with the
 * sample as a base64 .npy ('<u2', shape known) and an expected output path
 * is run through `PYTHON SOLUTION.py --compress --input-file tasks.json`,
 * then the output (base64) through `--decompress`, whose output must be an
 * .npy of the values (np.save's habit of appending ".npy" to a path is
 * accepted). Each half is timed around its process, interpreter start-up
 * included.
 *
 * Whatever the solution does (does not start, exits, answers an error,
 * hangs past the timeout, returns wrong bytes), the sample's row fails with
 * the reason and nothing waits forever. mx_solution_stop ends the process
 * group (SIGTERM, then SIGKILL after 3 s); on_child tells the caller the
 * group to kill should it be interrupted first. */
#ifndef MX_EVAL_H
#define MX_EVAL_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "../codecs/mxerr.h"
#include "runner.h"

typedef enum { MX_EVAL_HTTP = 0, MX_EVAL_TASKS = 1 } mx_eval_interface;

typedef struct {
    const char *solution;    /* SOLUTION.py */
    const char *python;      /* the interpreter; NULL: "python3" from PATH */
    mx_eval_interface iface;
    double timeout_s;        /* each request, each task run, and the start */
    int lossy;               /* the decoded values may differ (lossy rules, or a
                                minimum similarity below 1) */
    /* called with the process group id when a solution process starts, and
     * with 0 once it is gone: a signal handler can then kill(-pgid) */
    void (*on_child)(void *ctx, long pgid);
    void *ctx;
} mx_eval_opts;

#define MX_EVAL_DEFAULT_TIMEOUT 60.0

typedef struct mx_solution mx_solution;

/* 0 when solution is a regular file; else -1 (MX_EINPUT) saying why. */
int mx_solution_check(const char *solution, mx_error *err);
/* The interpreter (NULL: python3) can run: a path with a slash as it is, a
 * bare name found in PATH as execvp would find it; else MX_EINPUT, so that
 * a usage error is one line and exit 2, not a failed run per sample. */
int mx_python_check(const char *python, mx_error *err);
/* Checks the files and, for HTTP, starts the server and waits for
 * /health. On failure *out is still a solution, whose every round trip
 * fails with the reason (err says it too): the batch shows a FAILED row. */
int mx_solution_start(const mx_eval_opts *o, mx_solution **out, mx_error *err);
/* The batch column for s (see runner.h). */
mx_coder mx_solution_coder(mx_solution *s);
/* A flag that, once set, makes the request or task in progress stop
 * (within about a second) and its row fail "interrupted"; NULL for none;
 * s may be NULL. The batch drops such a row (runner.h). */
void mx_solution_set_cancel(mx_solution *s, const atomic_int *flag);
/* Stops the process group, removes the scratch files, frees s. */
void mx_solution_stop(mx_solution *s);
/* "http" or "tasks" -> interface; -1 if neither. */
int mx_eval_interface_parse(const char *name);
#endif
