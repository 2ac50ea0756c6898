#include "fileio.h"
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int mx_is_stdio(const char *path)
{
    return path[0] == '-' && path[1] == 0;
}

int mx_path_has_ext(const char *path, const char *ext)
{
    size_t a = strlen(path), b = strlen(ext);
    if (a < b)
        return 0;
    for (const char *p = path + a - b; *ext; p++, ext++) {
        char c = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p; /* ASCII, not the locale's */
        if (c != *ext)
            return 0;
    }
    return 1;
}

uint64_t mx_stdin_max(void)
{
    const char *e = getenv("MXBENCH_STDIN_MAX");
    char *end;
    unsigned long long v = e && *e ? strtoull(e, &end, 10) : 0;
    return e && *e && !*end && v > 0 && v < MX_STDIN_MAX ? (uint64_t)v : MX_STDIN_MAX;
}

/* stdin, whole: doubled as it grows, refused past the bound. */
static int read_stdin(uint8_t **buf, size_t *len, mx_error *err)
{
    uint64_t max = mx_stdin_max();
    if (max > SIZE_MAX - 1)
        max = SIZE_MAX - 1;
    size_t cap = 65536, n = 0;
    uint8_t *p = malloc(cap);
    if (!p)
        return mx_fail(err, MX_EFAIL, "stdin: out of memory");
    for (;;) {
        if (n == cap) {
            size_t want = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
            if (want > max + 1) /* room for one byte past the bound, to see it */
                want = (size_t)max + 1;
            uint8_t *q = want > cap ? realloc(p, want) : NULL;
            if (!q) {
                free(p);
                return want > cap ? mx_fail(err, MX_EFAIL, "stdin: out of memory after %zu bytes", n)
                                  : mx_fail(err, MX_EINPUT,
                                            "stdin: more than %llu bytes; give a file instead",
                                            (unsigned long long)max);
            }
            p = q;
            cap = want;
        }
        ssize_t r = read(0, p + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(p);
            return mx_fail(err, MX_EINPUT, "stdin: %s", strerror(e));
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > max) {
            free(p);
            return mx_fail(err, MX_EINPUT, "stdin: more than %llu bytes; give a file instead",
                           (unsigned long long)max);
        }
    }
    *buf = p;
    *len = n;
    return 0;
}

int mx_read_file(const char *path, uint8_t **buf, size_t *len, mx_error *err)
{
    *buf = NULL;
    *len = 0;
    if (mx_is_stdio(path))
        return read_stdin(buf, len, err);
    FILE *f = fopen(path, "rb");
    if (!f)
        return mx_fail(err, MX_EINPUT, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return mx_fail(err, MX_EINPUT, "%s: is a directory", path);
    }
    size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 65536, n = 0;
    uint8_t *p = malloc(cap);
    if (!p) {
        fclose(f);
        return mx_fail(err, MX_EFAIL, "%s: out of memory", path);
    }
    for (;;) {
        if (n == cap) {
            uint8_t *q = realloc(p, cap * 2);
            if (!q) {
                free(p);
                fclose(f);
                return mx_fail(err, MX_EFAIL, "%s: out of memory", path);
            }
            p = q;
            cap *= 2;
        }
        size_t r = fread(p + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(p);
        return mx_fail(err, MX_EINPUT, "%s: read error", path);
    }
    *buf = p;
    *len = n;
    return 0;
}

/* The directory part of path ("." when it has none), for the temporary. */
static void dir_of(const char *path, char *dir, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, n, ".");
    else if (slash == path)
        snprintf(dir, n, "/");
    else
        snprintf(dir, n, "%.*s", (int)(slash - path), path);
}

/* An unnamed temporary in target's directory, or -1 when the file system
 * (or a missing /proc) does not allow one: then a named one is used. */
static int open_unnamed(const char *target)
{
    const char *env = getenv("MXBENCH_TMPFILE");
    if (env && !strcmp(env, "0"))
        return -1;
    char dir[4096], proc[64];
    dir_of(target, dir, sizeof dir);
    int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    if (fd < 0)
        return -1;
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    if (access(proc, F_OK) != 0) { /* it could never be linked */
        close(fd);
        return -1;
    }
    return fd;
}

/* Gives the unnamed file fd the name to; fails with EEXIST if it exists. */
static int link_unnamed(int fd, const char *to)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    if (linkat(AT_FDCWD, proc, AT_FDCWD, to, AT_SYMLINK_FOLLOW) == 0)
        return 0;
    int e = errno;
    if (e == ENOENT && linkat(fd, "", AT_FDCWD, to, AT_EMPTY_PATH) == 0)
        return 0;
    errno = e;
    return -1;
}

/* A fresh "TARGET.tmpXXXXXX" name in f->tmp (not created). */
static void unique_name(mx_atomic_file *f, unsigned attempt)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    uint8_t r[6];
    if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        uint64_t x = (uint64_t)getpid() * 0x9e3779b97f4a7c15ull ^ (uint64_t)time(NULL) ^
                     (uint64_t)attempt << 40 ^ (uint64_t)(uintptr_t)f;
        for (size_t i = 0; i < sizeof r; i++, x >>= 8)
            r[i] = (uint8_t)x;
    }
    char name[4096];
    int n = snprintf(name, sizeof name, "%s.tmp", f->target);
    for (size_t i = 0; i < sizeof r && (size_t)n + i + 1 < sizeof name; i++)
        name[(size_t)n + i] = abc[r[i] % (sizeof abc - 1)];
    name[(size_t)n + sizeof r] = 0;
    memcpy(f->tmp, name, sizeof name);
}

/* What may become of path as an output: 0 nothing there (or a regular
 * file and force: replace), 1 a device or FIFO (write through), -1 refused. */
static int output_kind(const char *path, int force, struct stat *st, mx_error *err)
{
    struct stat lst;
    if (stat(path, st) != 0) {
        int e = errno;
        if (e != ENOENT)
            return mx_fail(err, MX_EINPUT, "%s: %s", path, strerror(e));
        if (lstat(path, &lst) == 0)
            return mx_fail(err, MX_EINPUT, "%s: is a symbolic link to nothing", path);
        return 0;
    }
    if (S_ISCHR(st->st_mode) || S_ISFIFO(st->st_mode))
        return 1;
    if (S_ISDIR(st->st_mode))
        return mx_fail(err, MX_EINPUT, "%s: is a directory", path);
    if (!S_ISREG(st->st_mode))
        return mx_fail(err, MX_EINPUT, "%s: not a regular file, character device or FIFO", path);
    if (!force)
        return mx_fail(err, MX_EINPUT, "%s: already exists (use -f to overwrite)", path);
    return 0;
}

int mx_output_check(const char *path, int force, mx_error *err)
{
    struct stat st;
    if (mx_is_stdio(path))
        return 0;
    if (strlen(path) + 16 >= sizeof ((mx_atomic_file *)0)->path)
        return mx_fail(err, MX_EINPUT, "%s: path too long", path);
    return output_kind(path, force, &st, err) < 0 ? -1 : 0;
}

int mx_atomic_begin(mx_atomic_file *f, const char *path, int force, mx_error *err)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    f->force = force;
    if (mx_is_stdio(path)) {
        /* what the program printed to stdout comes first */
        fflush(stdout);
        strcpy(f->path, "stdout");
        strcpy(f->target, "stdout");
        f->fd = 1;
        f->kind = MX_OUT_STREAM;
        return 0;
    }
    if (strlen(path) + 16 >= sizeof f->path)
        return mx_fail(err, MX_EINPUT, "%s: path too long", path);
    strcpy(f->path, path);
    strcpy(f->target, path);
    struct stat st, lst;
    int kind = output_kind(path, force, &st, err);
    if (kind < 0)
        return -1;
    if (kind == 1) {
        /* nothing to replace: write through, as zstd does */
        f->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (f->fd < 0)
            return mx_fail(err, MX_EINPUT, "%s: %s", path, strerror(errno));
        f->kind = MX_OUT_THROUGH;
        return 0;
    } else if (force && kind == 0 && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
        /* replace the file the link names, not the link */
        char *real = realpath(path, NULL);
        if (!real || strlen(real) + 16 >= sizeof f->target) {
            int e = errno;
            free(real);
            return mx_fail(err, MX_EINPUT, "%s: cannot follow the link: %s", path,
                           real ? "path too long" : strerror(e));
        }
        strcpy(f->target, real);
        free(real);
    }
    f->fd = open_unnamed(f->target);
    if (f->fd >= 0) {
        f->kind = MX_OUT_UNNAMED;
        return 0;
    }
    /* mkstemp names the file in f->tmp itself, before creating it: a
     * signal handler that already holds f (the CLI's) can remove it from
     * the moment it exists */
    size_t n = strlen(f->target); /* < sizeof f->tmp - 16, checked above */
    memcpy(f->tmp, f->target, n);
    memcpy(f->tmp + n, ".tmpXXXXXX", 11);
    f->fd = mkstemp(f->tmp);
    if (f->fd < 0) {
        int e = errno;
        f->tmp[0] = 0;
        return mx_fail(err, MX_EINPUT, "%s: cannot create: %s", path, strerror(e));
    }
    f->kind = MX_OUT_NAMED;
    return 0;
}

int mx_atomic_write(mx_atomic_file *f, const void *buf, size_t len, mx_error *err)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t w = write(f->fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            mx_atomic_abort(f);
            return mx_fail(err, MX_EFAIL, "%s: write failed: %s", f->path, strerror(e));
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Renames f->tmp over f->target, which must hold a regular file or nothing:
 * never rename over anything else. */
static int replace(mx_atomic_file *f, mx_error *err)
{
    struct stat st;
    if (lstat(f->target, &st) == 0 && !S_ISREG(st.st_mode))
        return mx_fail(err, MX_EINPUT, "%s: is no longer a regular file; not replaced", f->path);
    if (rename(f->tmp, f->target))
        return mx_fail(err, MX_EFAIL, "%s: cannot rename into place: %s", f->path,
                       strerror(errno));
    f->tmp[0] = 0;
    return 0;
}

/* Publishes the named temporary without replacing anything (or, with
 * force, replacing a regular file). */
static int publish_named(mx_atomic_file *f, mx_error *err)
{
    if (f->force)
        return replace(f, err);
    int rc = renameat2(AT_FDCWD, f->tmp, AT_FDCWD, f->target, RENAME_NOREPLACE);
    if (rc && (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
        rc = link(f->tmp, f->target); /* a file system without RENAME_NOREPLACE */
        if (rc == 0)
            unlink(f->tmp);
    }
    if (rc) {
        int e = errno;
        if (e == EEXIST)
            return mx_fail(err, MX_EINPUT, "%s: already exists (use -f to overwrite)", f->path);
        return mx_fail(err, MX_EFAIL, "%s: cannot rename into place: %s", f->path, strerror(e));
    }
    f->tmp[0] = 0;
    return 0;
}

/* Gives the unnamed temporary its name: a plain link when the name is free;
 * with force over an existing file, a link to a unique name renamed over it. */
static int publish_unnamed(mx_atomic_file *f, mx_error *err)
{
    if (link_unnamed(f->fd, f->target) == 0)
        return 0;
    if (errno != EEXIST)
        return mx_fail(err, MX_EFAIL, "%s: cannot link into place: %s", f->path, strerror(errno));
    if (!f->force)
        return mx_fail(err, MX_EINPUT, "%s: already exists (use -f to overwrite)", f->path);
    for (unsigned attempt = 0;; attempt++) {
        unique_name(f, attempt); /* f->tmp first: a signal from here on removes it */
        if (link_unnamed(f->fd, f->tmp) == 0)
            break;
        int e = errno;
        f->tmp[0] = 0;
        if (e != EEXIST || attempt == 100)
            return mx_fail(err, MX_EFAIL, "%s: cannot link into place: %s", f->path, strerror(e));
    }
    return replace(f, err);
}

int mx_atomic_commit(mx_atomic_file *f, mx_error *err)
{
    int rc = 0;
    if (f->kind == MX_OUT_STREAM) { /* stdout stays open for what follows */
        f->kind = MX_OUT_NONE;
        f->fd = -1;
        return 0;
    }
    if (f->kind == MX_OUT_THROUGH) {
        rc = close(f->fd);
        f->fd = -1;
        if (rc)
            rc = mx_fail(err, MX_EFAIL, "%s: cannot finish writing: %s", f->path, strerror(errno));
        mx_atomic_abort(f);
        return rc;
    }
    if (f->kind == MX_OUT_NAMED) {
        /* mkstemp makes 0600; give the file the usual umask-derived mode */
        mode_t um = umask(0);
        umask(um);
        if (fchmod(f->fd, 0666 & ~um))
            rc = -1;
    }
    if (rc || fsync(f->fd)) {
        int e = errno;
        mx_atomic_abort(f);
        return mx_fail(err, MX_EFAIL, "%s: cannot finish writing: %s", f->path, strerror(e));
    }
    rc = f->kind == MX_OUT_UNNAMED ? publish_unnamed(f, err) : publish_named(f, err);
    mx_atomic_abort(f); /* closes the descriptor; removes a temporary left */
    return rc;
}

void mx_atomic_abort(mx_atomic_file *f)
{
    if (f->kind == MX_OUT_STREAM) /* never close stdout */
        f->fd = -1;
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    if (f->tmp[0])
        unlink(f->tmp);
    f->tmp[0] = 0;
    f->kind = MX_OUT_NONE;
}

/* The file mx_write_file_atomic has open, for mx_atomic_signal_cleanup.
 * Process-wide by nature: a signal handler reaches nothing but globals. One
 * slot: a second writer at the same time (another thread) is not listed,
 * and relies on the unnamed temporary, which needs no cleaning. */
static _Atomic(mx_atomic_file *) in_flight;

int mx_write_file_atomic(const char *path, const void *buf, size_t len, int force,
                         mx_error *err)
{
    mx_atomic_file f;
    memset(&f, 0, sizeof f);
    mx_atomic_file *none = NULL; /* listed before its temporary exists */
    int listed = atomic_compare_exchange_strong(&in_flight, &none, &f);
    int rc = mx_atomic_begin(&f, path, force, err) || mx_atomic_write(&f, buf, len, err) ||
                     mx_atomic_commit(&f, err)
                 ? -1
                 : 0;
    if (listed)
        atomic_store(&in_flight, NULL);
    return rc;
}

void mx_atomic_signal_cleanup(void)
{
    mx_atomic_file *f = atomic_load(&in_flight);
    if (f && f->tmp[0])
        unlink(f->tmp);
}
