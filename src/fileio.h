/* fileio.h - whole-file reads and crash-safe writes.
 *
 * An output is never visible before it is complete, and nothing the user
 * had is lost:
 *  - A new or replaced regular file is written to an unnamed temporary
 *    (O_TMPFILE) in the destination's directory, fsync'd, then linked into
 *    place; a run killed by any signal, SIGKILL included, leaves nothing.
 *    Without -f the link is a no-replace publish (link(2) fails on an
 *    existing name), so of several runs racing for one output exactly one
 *    succeeds; the others fail "already exists". With -f over an existing
 *    regular file the temporary is linked to a unique name and renamed over
 *    it, so the old file stays whole until the new one replaces it.
 *  - File systems without O_TMPFILE (or without /proc) get a named
 *    temporary "OUT.tmpXXXXXX", published with renameat2(RENAME_NOREPLACE)
 *    or link+unlink; the CLI removes it on the catchable signals.
 *  - A symbolic link is followed: its target is replaced, the link stays.
 *  - Character devices and FIFOs (/dev/null, /dev/stdout on a pipe or a
 *    terminal) are written through, with or without -f, as zstd does: there
 *    is no file to replace. Nothing but a regular file is ever renamed over;
 *    directories, sockets, block devices and dangling links are refused.
 *  - "-" is stdin or stdout, as in zstd: an output "-" is streamed to
 *    stdout (fd 1) as it is written, nothing to publish or remove; an input
 *    "-" is read whole from stdin (fd 0), up to mx_stdin_max() bytes.
 * MXBENCH_TMPFILE=0 in the environment forces the named temporary (tests). */
#ifndef MX_FILEIO_H
#define MX_FILEIO_H
#include <stddef.h>
#include <stdint.h>
#include "../codecs/mxerr.h"

/* 1 when path is "-": stdin as an input, stdout as an output. */
int mx_is_stdio(const char *path);
/* 1 when path ends in ext (".npy"), in either case: an input's kind goes
 * by its extension, and DATA.NPY is as much an .npy as data.npy. */
int mx_path_has_ext(const char *path, const char *ext);
/* The most mx_read_file reads from stdin: MX_STDIN_MAX, or fewer bytes
 * when MXBENCH_STDIN_MAX says so (tests). The engine needs whole inputs
 * and stdin cannot be read twice, so it is held in memory; a bound keeps a
 * runaway pipe from taking the machine. */
#define MX_STDIN_MAX ((uint64_t)16 << 30)
uint64_t mx_stdin_max(void);

/* Reads a whole file ("-": stdin) into *buf (malloc'd). */
int mx_read_file(const char *path, uint8_t **buf, size_t *len, mx_error *err);

typedef enum {
    MX_OUT_NONE = 0,
    MX_OUT_UNNAMED, /* O_TMPFILE, linked into place on commit */
    MX_OUT_NAMED,   /* a named temporary, renamed into place on commit */
    MX_OUT_THROUGH, /* a character device or FIFO, written directly */
    MX_OUT_STREAM,  /* "-": stdout, written directly and left open */
} mx_out_kind;

typedef struct {
    char path[4096];   /* the destination as given (for messages) */
    char target[4096]; /* where it lands: path, or the file a symlink names */
    char tmp[4096];    /* a named temporary that exists, "" when none: the
                        * one thing a signal handler has to remove */
    int fd;
    int force;
    mx_out_kind kind;
} mx_atomic_file;

/* Opens the output. Fails (MX_EINPUT) if path exists as a regular file and
 * !force, or is a directory, socket, block device or dangling link. */
int mx_atomic_begin(mx_atomic_file *f, const char *path, int force, mx_error *err);
/* The same checks without opening anything: whether path may become an
 * output, so a command can refuse at once, before its work, rather than
 * after it. mx_atomic_begin checks again when the output is written. */
int mx_output_check(const char *path, int force, mx_error *err);
int mx_atomic_write(mx_atomic_file *f, const void *buf, size_t len, mx_error *err);
/* fsync + publish (see above). Fails with MX_EINPUT "already exists" when,
 * without force, another file took the name meanwhile. */
int mx_atomic_commit(mx_atomic_file *f, mx_error *err);
/* Drops the output; safe to call more than once. */
void mx_atomic_abort(mx_atomic_file *f);
/* Convenience: begin + write + commit, aborting on any failure. */
int mx_write_file_atomic(const char *path, const void *buf, size_t len, int force,
                         mx_error *err);
/* For a signal handler (async-signal-safe): removes the named temporary of
 * a mx_write_file_atomic in progress, if any, before the process ends. */
void mx_atomic_signal_cleanup(void);
#endif
