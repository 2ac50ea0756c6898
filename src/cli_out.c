/* cli_out.c - outputs of the commands: checked before the work, written
 * through the atomic writer, cleaned up on a signal; and the context every
 * command codes with. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli_cmd.h"
#include "manifest.h"

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

void cli_install_signals(void)
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

void cli_track_child(void *ctx, long pgid)
{
    (void)ctx;
    pending_child = (sig_atomic_t)pgid;
}

int cli_same_file(const char *in, const char *path)
{
    struct stat a, b;
    if (mx_is_stdio(in) || mx_is_stdio(path))
        return 0;
    return stat(in, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

/* path's directory resolved, then its last name: where a new file would be */
static int resolved(const char *path, char *out, size_t n)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t dl = slash ? (size_t)(slash - path) : 0;
    if (dl >= sizeof dir)
        return -1;
    memcpy(dir, path, dl);
    dir[dl] = 0;
    char *real = realpath(slash ? (dl ? dir : "/") : ".", NULL);
    if (!real)
        return -1;
    int k = snprintf(out, n, "%s/%s", real, base);
    free(real);
    return k < 0 || (size_t)k >= n ? -1 : 0;
}

int cli_same_output(const char *a, const char *b)
{
    char ra[8192], rb[8192];
    if (mx_is_stdio(a) || mx_is_stdio(b))
        return 0;
    if (cli_same_file(a, b))
        return 1;
    return resolved(a, ra, sizeof ra) == 0 && resolved(b, rb, sizeof rb) == 0 && !strcmp(ra, rb);
}

int cli_both_to_one(const char *a, const char *b, const char *out)
{
    fprintf(stderr, "mxbench: %s: both %s and %s would be written there; give each once\n", out,
            a, b);
    return 2;
}

int cli_check_output(const char *path, int force, const char *what)
{
    mx_error err = {0};
    if (!mx_output_check(path, force, &err))
        return 0;
    if (what)
        mx_wrap(&err, what);
    return cli_report(&err);
}

/* Whether the file at path is a terminal (-o /dev/tty, /dev/stdout on
 * one): only a character device is opened to ask, which has no effect. */
static int names_terminal(const char *path)
{
    struct stat st;
    if (stat(path, &st) || !S_ISCHR(st.st_mode))
        return 0;
    int fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return 0;
    int tty = isatty(fd);
    close(fd);
    return tty;
}

int cli_check_binary_stdout(const char *path, int force, const char *what)
{
    if (force || !(mx_is_stdio(path) ? isatty(1) : names_terminal(path)))
        return 0;
    fprintf(stderr, "mxbench: refusing to write %s data to a terminal; use -o FILE or redirect "
                    "(-f writes it anyway)\n", what);
    return 2;
}

int cli_check_stdin(char *const *inputs, int n, int force)
{
    int seen = 0;
    for (int i = 0; i < n; i++) {
        if (!mx_is_stdio(inputs[i]))
            continue;
        if (seen++)
            return cli_usage_error("stdin (-) given more than once%s", "");
        if (!force && isatty(0)) {
            fprintf(stderr, "mxbench: refusing to read data from a terminal; pipe it in or name "
                            "a file (-f reads it anyway)\n");
            return 2;
        }
    }
    return 0;
}

/* 1 when out names an input of a batch or sweep: the manifest, a file it
 * lists, or an input file given on the command line. Reports are never
 * written over their inputs, -f or not. */
static int is_an_input(const char *out, const cli_opts *o, const char *manifest)
{
    struct stat st;
    if (mx_is_stdio(out) || stat(out, &st) != 0)
        return 0; /* nothing there yet: not an input */
    for (int i = 0; i < o->n_inputs; i++)
        if (cli_same_file(o->inputs[i], out))
            return 1;
    if (o->n_inputs)
        return 0;
    if (cli_same_file(manifest, out))
        return 1;
    mx_manifest_entry *e;
    size_t n;
    mx_error err = {0};
    if (mx_manifest_read(manifest, &e, &n, &err))
        return 0; /* the loader will say what is wrong with it */
    int found = 0;
    for (size_t i = 0; i < n && !found; i++)
        found = cli_same_file(e[i].file, out);
    mx_manifest_free(e, n);
    return found;
}

/* 0 when a report can be created at path: its temporary is made and
 * removed again, so a missing directory or one the user cannot write to is
 * said before a long run, not after it. Devices and FIFOs are not opened
 * (a FIFO's reader would see its end). */
static int probe_output(const char *path, int force)
{
    struct stat st;
    if (mx_is_stdio(path) || (stat(path, &st) == 0 && !S_ISREG(st.st_mode)))
        return 0;
    mx_atomic_file f;
    int rc = cli_claim_output("-", path, force, &f); /* "-": no input to compare with */
    if (!rc)
        cli_finish_output(&f, -1, NULL); /* dropped: a failed run's way out */
    return rc;
}

int cli_check_report_outputs(const cli_opts *o)
{
    const char *outs[] = {o->csv, o->json, o->plot};
    const char *opts[] = {"--csv", "--json", "--plot"};
    for (size_t i = 0; i < 3; i++) {
        if (!outs[i])
            continue;
        if (is_an_input(outs[i], o, cli_manifest(o))) {
            fprintf(stderr, "mxbench: %s: %s names an input of this run; choose another file\n",
                    outs[i], opts[i]);
            return 2;
        }
        for (size_t j = 0; j < i; j++)
            if (outs[j] && (!strcmp(outs[i], outs[j]) || cli_same_file(outs[i], outs[j]))) {
                fprintf(stderr, "mxbench: %s: %s and %s name the same file\n",
                        mx_is_stdio(outs[i]) ? "stdout" : outs[i], opts[j], opts[i]);
                return 2;
            }
        /* refused now, not after the whole run */
        int rc = cli_check_output(outs[i], o->force, opts[i]);
        if (rc || (rc = probe_output(outs[i], o->force)))
            return rc;
    }
    return 0;
}

int cli_claim_output(const char *in, const char *path, int force, mx_atomic_file *f)
{
    mx_error err = {0};
    if (cli_same_file(in, path)) {
        fprintf(stderr, "mxbench: %s: output is the input file; choose another -o\n", path);
        return 2;
    }
    /* listed before its temporary exists, so a signal never misses it */
    memset(f, 0, sizeof *f);
    pending_output = f;
    if (mx_atomic_begin(f, path, force, &err)) {
        pending_output = NULL;
        return cli_report(&err);
    }
    return 0;
}

int cli_finish_output(mx_atomic_file *f, int rc, mx_error *err)
{
    if (!rc && mx_atomic_commit(f, err))
        rc = -1;
    if (rc)
        mx_atomic_abort(f);
    pending_output = NULL;
    return rc;
}

int cli_write_output(const char *path, const void *buf, size_t len, int force, mx_error *err)
{
    mx_atomic_file f;
    memset(&f, 0, sizeof f);
    pending_output = &f; /* before its temporary exists, as above */
    if (mx_atomic_begin(&f, path, force, err)) {
        pending_output = NULL;
        return -1;
    }
    int rc = mx_atomic_write(&f, buf, len, err);
    if (rc == 0)
        rc = mx_atomic_commit(&f, err);
    pending_output = NULL;
    return rc;
}

mx_ctx *cli_make_ctx(const cli_opts *o)
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

const char *cli_manifest(const cli_opts *o)
{
    return o->manifest ? o->manifest : CLI_DEFAULT_MANIFEST;
}
