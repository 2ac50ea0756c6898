/* fileio.h - whole-file reads and crash-safe writes.
 *
 * Writes go to a temporary file in the destination's directory, are fsync'd
 * and then renamed over the destination, so a reader never sees a partial
 * file and an interrupted run leaves the old file (or none) in place. */
#ifndef MX_FILEIO_H
#define MX_FILEIO_H
#include <stddef.h>
#include <stdint.h>
#include "mxerr.h"

int mx_read_file(const char *path, uint8_t **buf, size_t *len, mx_error *err);

typedef struct {
    char path[4096]; /* final destination */
    char tmp[4096];  /* temporary file, "" when none is open */
    int fd;
} mx_atomic_file;

/* Creates the temporary file. Fails if path exists and !force. */
int mx_atomic_begin(mx_atomic_file *f, const char *path, int force, mx_error *err);
int mx_atomic_write(mx_atomic_file *f, const void *buf, size_t len, mx_error *err);
/* fsync + rename into place. */
int mx_atomic_commit(mx_atomic_file *f, mx_error *err);
/* Removes the temporary file; safe to call more than once. */
void mx_atomic_abort(mx_atomic_file *f);
/* Convenience: begin + write + commit, aborting on any failure. */
int mx_write_file_atomic(const char *path, const void *buf, size_t len, int force,
                         mx_error *err);
#endif
