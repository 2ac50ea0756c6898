/* bench_ext.c - external compressors as peers in `make bench` (bench_ext.h). */
#include "bench_ext.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int bench_workdir_open(bench_workdir *w, mx_error *err)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    if (snprintf(w->dir, sizeof w->dir, "%s/mxbench-peers.XXXXXX", tmp) >= (int)sizeof w->dir)
        return mx_fail(err, MX_EINPUT, "TMPDIR is too long");
    if (!mkdtemp(w->dir))
        return mx_fail(err, MX_EFAIL, "%s: %s", w->dir, strerror(errno));
    return 0;
}

/* The directory holds only what the peers wrote into it. */
void bench_workdir_close(bench_workdir *w)
{
    DIR *d = opendir(w->dir);
    if (d) {
        struct dirent *e;
        char path[4096 + 256];
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(path, sizeof path, "%s/%s", w->dir, e->d_name);
                unlink(path);
            }
        closedir(d);
    }
    rmdir(w->dir);
}

int bench_ext_available(const bench_ext *x)
{
    if (strchr(x->tool, '/'))
        return access(x->tool, X_OK) == 0;
    const char *path = getenv("PATH");
    if (!path)
        return 0;
    char buf[4096];
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, ":");
        if (n && snprintf(buf, sizeof buf, "%.*s/%s", (int)n, p, x->tool) < (int)sizeof buf &&
            access(buf, X_OK) == 0)
            return 1;
        p += n + (p[n] == ':');
    }
    return 0;
}

void bench_byte_planes(const mx_matrix *m, int col_major, uint8_t *out)
{
    size_t rows = (size_t)m->rows, cols = (size_t)m->cols, n = rows * cols, k = 0;
    for (size_t a = 0; a < (col_major ? cols : rows); a++)
        for (size_t b = 0; b < (col_major ? rows : cols); b++, k++) {
            uint16_t v = col_major ? m->data[b * cols + a] : m->data[a * cols + b];
            out[k] = (uint8_t)(v >> 8);
            out[n + k] = (uint8_t)v;
        }
}

static int write_file(const char *path, const uint8_t *buf, size_t len, mx_error *err)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return mx_fail(err, MX_EFAIL, "%s: %s", path, strerror(errno));
    int bad = fwrite(buf, 1, len, f) != len;
    bad |= fclose(f) != 0;
    return bad ? mx_fail(err, MX_EFAIL, "%s: write failed", path) : 0;
}

/* In the child: standard output to out_name (or /dev/null), errors to
 * /dev/null, then the program. Only async-signal-safe calls. */
static void exec_child(const char *dir, const char *const *argv, const char *out_name)
{
    if (chdir(dir))
        _exit(126);
    int out = open(out_name ? out_name : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int null = open("/dev/null", O_WRONLY);
    if (out < 0 || null < 0 || dup2(out, 1) < 0 || dup2(null, 2) < 0)
        _exit(126);
    /* execvp's argv is not const-qualified, but it does not write to it */
    execvp(argv[0], (char *const *)argv);
    _exit(127);
}

/* Runs argv in dir; *ms is its wall time, *cpu_ms its user + system time. */
static int run_process(const char *dir, const char *const *argv, const char *out_name,
                       double *ms, double *cpu_ms, mx_error *err)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        exec_child(dir, argv, out_name);
    /* the clock starts after fork() returns here: copying this process's
     * page tables is the bench's cost, not the program's */
    double t0 = now_ms();
    if (pid < 0)
        return mx_fail(err, MX_EFAIL, "fork: %s", strerror(errno));
    int status;
    struct rusage ru;
    pid_t got;
    while ((got = wait4(pid, &status, 0, &ru)) < 0 && errno == EINTR)
        ;
    *ms = now_ms() - t0;
    if (got < 0)
        return mx_fail(err, MX_EFAIL, "%s: wait: %s", argv[0], strerror(errno));
    *cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
              (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    if (!WIFEXITED(status))
        return mx_fail(err, MX_EFAIL, "%s: killed by signal %d", argv[0], WTERMSIG(status));
    if (WEXITSTATUS(status))
        return mx_fail(err, MX_EFAIL, "%s: exit status %d%s", argv[0], WEXITSTATUS(status),
                       WEXITSTATUS(status) == 127 ? " (not runnable)" : "");
    return 0;
}

/* "back" must hold the very bytes of planes. */
static int check_back(const char *path, const uint8_t *planes, size_t len, mx_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return mx_fail(err, MX_EFAIL, "%s: %s", path, strerror(errno));
    uint8_t buf[1 << 16];
    size_t off = 0, got;
    int same = 1;
    while (same && (got = fread(buf, 1, sizeof buf, f)) > 0) {
        same = off + got <= len && !memcmp(buf, planes + off, got);
        off += got;
    }
    fclose(f);
    if (!same || off != len)
        return mx_fail(err, MX_EFAIL, "round trip differs from the input");
    return 0;
}

int bench_ext_run(const bench_workdir *w, const bench_ext *x, const uint8_t *planes,
                  size_t len, bench_ext_result *r, mx_error *err)
{
    char in[4096 + 16], packed[4096 + 256], back[4096 + 16];
    snprintf(in, sizeof in, "%s/planes", w->dir);
    snprintf(packed, sizeof packed, "%s/%s", w->dir, x->packed);
    snprintf(back, sizeof back, "%s/back", w->dir);
    memset(r, 0, sizeof *r);
    r->ms_decompress = -1;
    /* a tool that appends to an archive, or will not overwrite, starts clean */
    unlink(packed);
    unlink(back);
    if (write_file(in, planes, len, err))
        return -1;
    if (run_process(w->dir, x->compress, x->compress_stdout, &r->ms_compress,
                    &r->cpu_ms_compress, err))
        return -1;
    struct stat st;
    if (stat(packed, &st))
        return mx_fail(err, MX_EFAIL, "%s: %s", packed, strerror(errno));
    r->packed_bytes = (size_t)st.st_size;
    if (!x->decompress)
        return 0;
    unlink(in); /* so the decoder cannot pass by finding the input */
    double cpu;
    if (run_process(w->dir, x->decompress, x->decompress_stdout, &r->ms_decompress, &cpu, err))
        return -1;
    return check_back(back, planes, len, err);
}
