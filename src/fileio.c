#include "fileio.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int mx_read_file(const char *path, uint8_t **buf, size_t *len, mx_error *err)
{
    *buf = NULL;
    *len = 0;
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

int mx_atomic_begin(mx_atomic_file *f, const char *path, int force, mx_error *err)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    if (strlen(path) + 16 >= sizeof f->path)
        return mx_fail(err, MX_EINPUT, "%s: path too long", path);
    struct stat st;
    if (!force && lstat(path, &st) == 0)
        return mx_fail(err, MX_EINPUT, "%s: already exists (use -f to overwrite)", path);
    if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return mx_fail(err, MX_EINPUT, "%s: is a directory", path);
    strcpy(f->path, path);
    snprintf(f->tmp, sizeof f->tmp, "%s.tmpXXXXXX", path);
    f->fd = mkstemp(f->tmp);
    if (f->fd < 0) {
        int e = errno;
        f->tmp[0] = 0;
        return mx_fail(err, MX_EINPUT, "%s: cannot create: %s", path, strerror(e));
    }
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

int mx_atomic_commit(mx_atomic_file *f, mx_error *err)
{
    /* mkstemp makes 0600; give the file the usual umask-derived mode */
    mode_t um = umask(0);
    umask(um);
    if (fchmod(f->fd, 0666 & ~um) || fsync(f->fd) || close(f->fd)) {
        int e = errno;
        f->fd = -1;
        mx_atomic_abort(f);
        return mx_fail(err, MX_EFAIL, "%s: cannot finish writing: %s", f->path, strerror(e));
    }
    f->fd = -1;
    if (rename(f->tmp, f->path)) {
        int e = errno;
        mx_atomic_abort(f);
        return mx_fail(err, MX_EFAIL, "%s: cannot rename into place: %s", f->path,
                       strerror(e));
    }
    f->tmp[0] = 0;
    return 0;
}

void mx_atomic_abort(mx_atomic_file *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    if (f->tmp[0])
        unlink(f->tmp);
    f->tmp[0] = 0;
}

int mx_write_file_atomic(const char *path, const void *buf, size_t len, int force,
                         mx_error *err)
{
    mx_atomic_file f;
    if (mx_atomic_begin(&f, path, force, err) || mx_atomic_write(&f, buf, len, err) ||
        mx_atomic_commit(&f, err))
        return -1;
    return 0;
}
