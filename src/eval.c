#include "eval.h"
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include "../codecs/bytes.h"
#include "fileio.h"
#include "npy.h"

#define STOP_GRACE_MS 3000 /* SIGTERM, then this long before SIGKILL */
#define POLL_MS 50

struct mx_solution {
    mx_eval_opts o;
    char name[MX_SPEC_MAX + 16];
    char dir[4096];   /* scratch: the solution's log, task files */
    char log[4200];
    char url[64];
    pid_t pid;        /* the running server (HTTP), or 0 */
    int exit_status;  /* how it ended, once reaped (-1: not yet) */
    CURL *curl;
    int curl_init;    /* curl_global_init was called */
    char broken[512]; /* why it cannot run (start failed): every row says so */
    const atomic_int *cancel; /* set: requests and tasks stop (mx_solution_set_cancel) */
};

int mx_eval_interface_parse(const char *name)
{
    if (!strcmp(name, "http"))
        return MX_EVAL_HTTP;
    if (!strcmp(name, "tasks"))
        return MX_EVAL_TASKS;
    return -1;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) && errno == EINTR)
        ;
}

/* The last non-empty line the solution printed, for error messages. */
static void last_output(const mx_solution *s, char *buf, size_t n)
{
    buf[0] = 0;
    FILE *f = fopen(s->log, "rb");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (line[strspn(line, " \t")])
            mx_strlcpy(buf, line, n);
    }
    fclose(f);
}

static void describe_exit(int status, char *buf, size_t n)
{
    if (WIFEXITED(status))
        snprintf(buf, n, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, n, "was killed by signal %d", WTERMSIG(status));
    else
        snprintf(buf, n, "stopped");
}

/* Reaps the child if it has ended; 1 when it is gone. */
static int child_gone(mx_solution *s)
{
    if (!s->pid)
        return 1;
    int st;
    pid_t r = waitpid(s->pid, &st, WNOHANG);
    if (r == s->pid || (r < 0 && errno == ECHILD)) {
        s->exit_status = r == s->pid ? st : 0;
        kill(-s->pid, SIGKILL); /* anything it left in its group */
        s->pid = 0;
        if (s->o.on_child)
            s->o.on_child(s->o.ctx, 0);
        return 1;
    }
    return 0;
}

/* Ends the process group: SIGTERM, then SIGKILL after the grace period. */
static void stop_child(mx_solution *s)
{
    if (!s->pid)
        return;
    kill(-s->pid, SIGTERM);
    for (int waited = 0; waited < STOP_GRACE_MS && !child_gone(s); waited += POLL_MS)
        sleep_ms(POLL_MS);
    if (s->pid) {
        kill(-s->pid, SIGKILL);
        int st;
        while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
            ;
        s->exit_status = st;
        s->pid = 0;
        if (s->o.on_child)
            s->o.on_child(s->o.ctx, 0);
    }
}

/* Starts argv in a process group of its own, stdout and stderr to the log. */
static int spawn(mx_solution *s, char *const argv[], mx_error *err)
{
    int logfd = open(s->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (logfd < 0)
        return mx_fail(err, MX_EFAIL, "%s: %s", s->log, strerror(errno));
    pid_t pid = fork();
    if (pid < 0) {
        close(logfd);
        return mx_fail(err, MX_EFAIL, "cannot start %s: %s", argv[0], strerror(errno));
    }
    if (pid == 0) {
        setpgid(0, 0);
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* should mxbench die without stopping it */
#endif
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(logfd, 1);
        dup2(logfd, 2);
        sigset_t none; /* a mask survives exec: the app's threads block some */
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        setenv("PYTHONUNBUFFERED", "1", 1);
        execvp(argv[0], argv);
        dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid); /* also here: no race with the child's own call */
    close(logfd);
    s->pid = pid;
    s->exit_status = -1;
    if (s->o.on_child)
        s->o.on_child(s->o.ctx, (long)pid);
    return 0;
}

static int free_port(unsigned *port, mx_error *err)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) ||
        getsockname(fd, (struct sockaddr *)&a, &len)) {
        if (fd >= 0)
            close(fd);
        return mx_fail(err, MX_EFAIL, "cannot find a free port: %s", strerror(errno));
    }
    *port = ntohs(a.sin_port);
    close(fd);
    return 0;
}

static int cancelled(const mx_solution *s)
{
    return s->cancel && atomic_load(s->cancel);
}

/* libcurl asks this about once a second, and as data moves; non-zero
 * aborts the transfer (CURLE_ABORTED_BY_CALLBACK). */
static int on_xfer(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                   curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    return cancelled(ctx);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    mx_bytes *b = ctx;
    mx_bytes_put(b, data, size * nmemb);
    return b->oom ? 0 : size * nmemb;
}

/* One request: GET when data is NULL, else POST of data as the multipart
 * field `file`. The body goes to *body; the HTTP status to *status. */
static int request(mx_solution *s, const char *path, const uint8_t *data, size_t len,
                   double timeout_s, mx_bytes *body, long *status, mx_error *err)
{
    char url[128];
    snprintf(url, sizeof url, "%s%s", s->url, path);
    CURL *c = s->curl;
    curl_easy_reset(c);
    curl_mime *mime = NULL;
    memset(body, 0, sizeof *body);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(timeout_s * 1000));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(timeout_s * 1000));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(c, CURLOPT_PROXY, ""); /* never through a proxy: it is on this machine */
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_xfer);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, s);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    if (data) {
        mime = curl_mime_init(c);
        curl_mimepart *part = mime ? curl_mime_addpart(mime) : NULL;
        if (!part || curl_mime_name(part, "file") || curl_mime_data(part, (const char *)data, len) ||
            curl_mime_filename(part, "data.bin") ||
            curl_mime_type(part, "application/octet-stream")) {
            curl_mime_free(mime);
            return mx_fail(err, MX_EFAIL, "out of memory");
        }
        curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
    }
    CURLcode rc = curl_easy_perform(c);
    curl_mime_free(mime);
    if (rc != CURLE_OK) {
        free(body->p);
        memset(body, 0, sizeof *body);
        char why[320] = "";
        if (child_gone(s)) {
            char how[64], out[256];
            describe_exit(s->exit_status, how, sizeof how);
            last_output(s, out, sizeof out);
            snprintf(why, sizeof why, " (the solution %s%s%.100s)", how, *out ? ": " : "", out);
        }
        if (rc == CURLE_ABORTED_BY_CALLBACK)
            return mx_fail(err, MX_EFAIL, "%s %s: interrupted", data ? "POST" : "GET", path);
        if (rc == CURLE_OPERATION_TIMEDOUT)
            return mx_fail(err, MX_EFAIL, "%s %s: no answer within %g s (timeout)%s",
                           data ? "POST" : "GET", path, timeout_s, why);
        return mx_fail(err, MX_EFAIL, "%s %s: %s%s", data ? "POST" : "GET", path,
                       curl_easy_strerror(rc), why);
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    if (body->oom) {
        free(body->p);
        memset(body, 0, sizeof *body);
        return mx_fail(err, MX_EFAIL, "out of memory for the answer to %s", path);
    }
    return 0;
}

/* An answer that is not 200, as one line: the status and the body's start. */
static int http_error(const char *what, long status, const mx_bytes *body, mx_error *err)
{
    char text[160];
    size_t n = body->len < sizeof text - 1 ? body->len : sizeof text - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = body->p[i];
        text[i] = ch == '\n' || ch == '\r' || ch == '\t' ? ' ' : ch < 32 || ch > 126 ? '?' : (char)ch;
    }
    text[n] = 0;
    return mx_fail(err, MX_EFAIL, "%s answered HTTP %ld%s%s", what, status, n ? ": " : "", text);
}

static int start_http(mx_solution *s, mx_error *err)
{
    unsigned port = 0;
    if (free_port(&port, err))
        return -1;
    snprintf(s->url, sizeof s->url, "http://127.0.0.1:%u", port);
    char portbuf[16];
    snprintf(portbuf, sizeof portbuf, "%u", port);
    char *argv[] = {(char *)s->o.python, (char *)s->o.solution, "--port", portbuf,
                    "--host", "127.0.0.1", NULL};
    if (spawn(s, argv, err))
        return -1;
    double deadline = now_ms() + s->o.timeout_s * 1000;
    for (;;) {
        if (child_gone(s)) {
            char how[64], out[256];
            describe_exit(s->exit_status, how, sizeof how);
            last_output(s, out, sizeof out);
            return mx_fail(err, MX_EFAIL, "the solution %s before answering GET /health%s%.200s",
                           how, *out ? ": " : "", out);
        }
        mx_bytes body;
        long status = 0;
        mx_error ignored = {0};
        double left = (deadline - now_ms()) / 1000;
        if (request(s, "/health", NULL, 0, left < 2 ? (left > 0.1 ? left : 0.1) : 2, &body,
                    &status, &ignored) == 0) {
            free(body.p);
            if (status == 200)
                return 0;
        }
        if (now_ms() > deadline) {
            stop_child(s);
            return mx_fail(err, MX_EFAIL, "no answer 200 on GET /health within %g s",
                           s->o.timeout_s);
        }
        sleep_ms(100);
    }
}

/* After a request timed out the server is stopped: later rows fail at once
 * rather than each waiting out the timeout on a server that hangs. */
static int give_up(mx_solution *s, mx_error *err)
{
    if (strstr(err->msg, "(timeout)")) {
        stop_child(s);
        snprintf(s->broken, sizeof s->broken, "not run: an earlier request timed out, and the "
                 "solution was stopped");
    }
    return -1;
}

static int round_trip_http(mx_solution *s, const mx_sample *smp, size_t *comp_len,
                           uint16_t **dec, size_t *dec_n, double *ms_c, double *ms_d,
                           mx_error *err)
{
    size_t n = mx_matrix_count(&smp->m);
    const uint8_t *raw = (const uint8_t *)smp->m.data; /* LE host: the bytes as sent */
    mx_bytes comp, back;
    long status;
    double t0 = now_ms();
    if (request(s, "/compress", raw, n * 2, s->o.timeout_s, &comp, &status, err))
        return give_up(s, err);
    *ms_c = now_ms() - t0;
    if (status != 200) {
        http_error("POST /compress", status, &comp, err);
        free(comp.p);
        return -1;
    }
    double t1 = now_ms();
    int rc = request(s, "/decompress", comp.p ? comp.p : (const uint8_t *)"", comp.len,
                     s->o.timeout_s, &back, &status, err);
    *ms_d = now_ms() - t1;
    *comp_len = comp.len;
    free(comp.p);
    if (rc)
        return give_up(s, err);
    if (status != 200) {
        http_error("POST /decompress", status, &back, err);
        free(back.p);
        return -1;
    }
    if (back.len % 2) {
        free(back.p);
        return mx_fail(err, MX_EFAIL, "POST /decompress gave back %zu bytes: not bf16 values",
                       back.len);
    }
    *dec_n = back.len / 2;
    *dec = malloc(back.len + 2);
    if (!*dec) {
        free(back.p);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    if (back.len)
        memcpy(*dec, back.p, back.len);
    free(back.p);
    return 0;
}

static char *base64(const uint8_t *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        *o++ = tab[v >> 18 & 63];
        *o++ = tab[v >> 12 & 63];
        *o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
        *o++ = i + 2 < n ? tab[v & 63] : '=';
    }
    *o = 0;
    return out;
}

/* Writes the tasks JSON for one task whose input field is `field`. */
static int write_tasks(const char *path, const char *task, const char *field,
                       const uint8_t *data, size_t len, const char *out_path, mx_error *err)
{
    char *b64 = base64(data, len);
    json_t *j = b64 ? json_pack("{s:[{s:s, s:{s:s, s:s}}]}", "tasks", "task_name", task, "input",
                                field, b64, "expected_output_filepath", out_path)
                    : NULL;
    free(b64);
    char *text = j ? json_dumps(j, 0) : NULL;
    json_decref(j);
    if (!text)
        return mx_fail(err, MX_EFAIL, "out of memory");
    int rc = mx_write_file_atomic(path, text, strlen(text), 1, err);
    free(text);
    return rc;
}

/* Runs `python SOLUTION --mode --input-file tasks` to its end, or kills it
 * at the timeout. */
static int run_task(mx_solution *s, const char *mode, const char *tasks, double *ms,
                    mx_error *err)
{
    char *argv[] = {(char *)s->o.python, (char *)s->o.solution, (char *)mode, "--input-file",
                    (char *)tasks, NULL};
    double t0 = now_ms();
    if (spawn(s, argv, err))
        return -1;
    double deadline = t0 + s->o.timeout_s * 1000;
    while (!child_gone(s)) {
        if (cancelled(s)) {
            stop_child(s);
            return mx_fail(err, MX_EFAIL, "%s: interrupted", mode);
        }
        if (now_ms() > deadline) {
            stop_child(s);
            return mx_fail(err, MX_EFAIL, "%s: not done within %g s (timeout)", mode,
                           s->o.timeout_s);
        }
        sleep_ms(5);
    }
    *ms = now_ms() - t0;
    if (!WIFEXITED(s->exit_status) || WEXITSTATUS(s->exit_status) != 0) {
        char how[64], out[256];
        describe_exit(s->exit_status, how, sizeof how);
        last_output(s, out, sizeof out);
        return mx_fail(err, MX_EFAIL, "%s: the solution %s%s%.200s", mode, how, *out ? ": " : "",
                       out);
    }
    return 0;
}

/* The task's output: at its path, or where np.save put it (path + ".npy"). */
static int read_output(const char *path, uint8_t **buf, size_t *len, mx_error *err)
{
    char alt[4200];
    snprintf(alt, sizeof alt, "%s.npy", path);
    if (access(path, F_OK) != 0 && access(alt, F_OK) == 0)
        path = alt;
    if (access(path, F_OK) != 0)
        return mx_fail(err, MX_EFAIL, "the solution wrote no %s", path);
    return mx_read_file(path, buf, len, err);
}

static int round_trip_tasks(mx_solution *s, const mx_sample *smp, size_t *comp_len,
                            uint16_t **dec, size_t *dec_n, double *ms_c, double *ms_d,
                            mx_error *err)
{
    char tasks[4200], cpath[4200], dpath[4200];
    snprintf(tasks, sizeof tasks, "%s/tasks.json", s->dir);
    snprintf(cpath, sizeof cpath, "%s/compressed.bin", s->dir);
    snprintf(dpath, sizeof dpath, "%s/decompressed.npy", s->dir);
    for (int i = 0; i < 2; i++) { /* no stale output may pass for a new one */
        char alt[4300];
        snprintf(alt, sizeof alt, "%s%s", i ? dpath : cpath, ".npy");
        unlink(i ? dpath : cpath);
        unlink(alt);
    }
    mx_matrix m = smp->m; /* the sample as a plain '<u2' .npy: shape known */
    m.origin = MX_ORIGIN_NPY;
    m.fortran = 0;
    m.origin_blob = NULL;
    m.origin_blob_len = 0;
    uint8_t *npy = NULL, *comp = NULL, *back = NULL;
    size_t npy_len, clen = 0, blen;
    mx_matrix out = {0};
    int rc = -1;
    if (mx_npy_serialize(&m, &npy, &npy_len, err) ||
        write_tasks(tasks, "compress", "data_to_compress_base64", npy, npy_len, cpath, err) ||
        run_task(s, "--compress", tasks, ms_c, err) || read_output(cpath, &comp, &clen, err) ||
        write_tasks(tasks, "decompress", "data_to_decompress_base64", comp, clen, dpath, err) ||
        run_task(s, "--decompress", tasks, ms_d, err) || read_output(dpath, &back, &blen, err))
        goto out;
    if (mx_npy_parse(back, blen, &out, err)) {
        mx_wrap(err, "the decompressed output is no .npy of bf16 values");
        goto out;
    }
    *comp_len = clen;
    *dec_n = mx_matrix_count(&out);
    *dec = out.data;
    out.data = NULL;
    rc = 0;
out:
    mx_matrix_free(&out);
    free(npy);
    free(comp);
    free(back);
    return rc;
}

static int coder_round_trip(void *ctx, const mx_sample *smp, size_t *comp_len, uint16_t **dec,
                            size_t *dec_n, double *ms_c, double *ms_d, mx_error *err)
{
    mx_solution *s = ctx;
    *dec = NULL;
    *dec_n = 0;
    if (s->broken[0])
        return mx_fail(err, MX_EFAIL, "%s", s->broken);
    if (s->o.iface == MX_EVAL_TASKS)
        return round_trip_tasks(s, smp, comp_len, dec, dec_n, ms_c, ms_d, err);
    return round_trip_http(s, smp, comp_len, dec, dec_n, ms_c, ms_d, err);
}

mx_coder mx_solution_coder(mx_solution *s)
{
    mx_coder c;
    memset(&c, 0, sizeof c);
    snprintf(c.name, sizeof c.name, "%s", s->name);
    c.lossy = s->o.lossy;
    c.condition = s->o.iface == MX_EVAL_TASKS ? MX_SHAPE_KNOWN : MX_SUBMITTED;
    c.round_trip = coder_round_trip;
    c.ctx = s;
    return c;
}

int mx_solution_check(const char *solution, mx_error *err)
{
    struct stat st;
    int missing = stat(solution, &st) != 0;
    if (missing || !S_ISREG(st.st_mode))
        return mx_fail(err, MX_EINPUT, "%s: %s", solution, missing ? strerror(errno) : "is not a file");
    return 0;
}

int mx_python_check(const char *python, mx_error *err)
{
    struct stat st;
    errno = 0;
    python = python ? python : "python3";
    if (strchr(python, '/'))
        return stat(python, &st) == 0 && S_ISREG(st.st_mode) && access(python, X_OK) == 0
                   ? 0
                   : mx_fail(err, MX_EINPUT, "--python %s: %s", python,
                             errno ? strerror(errno) : "not an executable file");
    const char *path = getenv("PATH");
    for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
        size_t n = strcspn(p, ":");
        char full[4096];
        if (snprintf(full, sizeof full, "%.*s/%s", (int)(n ? n : 1), n ? p : ".", python) < (int)sizeof full &&
            stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0)
            return 0;
        p += n + (p[n] == ':');
    }
    return mx_fail(err, MX_EINPUT, "--python %s: not found in PATH", python);
}

int mx_solution_start(const mx_eval_opts *o, mx_solution **out, mx_error *err)
{
    mx_solution *s = calloc(1, sizeof *s);
    *out = s;
    if (!s)
        return mx_fail(err, MX_EFAIL, "out of memory");
    s->o = *o;
    if (!s->o.python)
        s->o.python = "python3";
    if (!(s->o.timeout_s > 0))
        s->o.timeout_s = MX_EVAL_DEFAULT_TIMEOUT;
    const char *base = strrchr(o->solution, '/');
    snprintf(s->name, sizeof s->name, "solution:%s%s", base ? base + 1 : o->solution,
             o->iface == MX_EVAL_TASKS ? " (tasks)" : "");
    if (mx_solution_check(o->solution, err) || mx_python_check(s->o.python, err)) {
        free(s);
        *out = NULL;
        return -1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT); /* counted: mx_solution_stop undoes it */
    s->curl_init = 1;
    const char *tmp = getenv("TMPDIR");
    snprintf(s->dir, sizeof s->dir, "%s/mxbench-eval-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(s->dir)) {
        s->dir[0] = 0;
        mx_fail(err, MX_EFAIL, "cannot make a scratch directory: %s", strerror(errno));
        snprintf(s->broken, sizeof s->broken, "%s", err->msg);
        return -1;
    }
    snprintf(s->log, sizeof s->log, "%s/solution.log", s->dir);
    if (o->iface == MX_EVAL_TASKS)
        return 0;
    if (!(s->curl = curl_easy_init())) {
        mx_fail(err, MX_EFAIL, "cannot start libcurl");
        snprintf(s->broken, sizeof s->broken, "%s", err->msg);
        return -1;
    }
    if (start_http(s, err)) {
        snprintf(s->broken, sizeof s->broken, "%s", err->msg);
        return -1;
    }
    return 0;
}

void mx_solution_set_cancel(mx_solution *s, const atomic_int *flag)
{
    if (s)
        s->cancel = flag;
}

void mx_solution_stop(mx_solution *s)
{
    if (!s)
        return;
    stop_child(s);
    if (s->curl)
        curl_easy_cleanup(s->curl);
    if (s->curl_init)
        curl_global_cleanup();
    if (s->dir[0]) {
        const char *files[] = {"solution.log", "tasks.json", "compressed.bin", "compressed.bin.npy",
                               "decompressed.npy", "decompressed.npy.npy"};
        for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
            char p[4400];
            snprintf(p, sizeof p, "%s/%s", s->dir, files[i]);
            unlink(p);
        }
        rmdir(s->dir);
    }
    free(s);
}
