/* mxerr.h - errors as values.
 *
 * Every fallible function in the engine returns 0 on success or -1 on
 * failure and fills an mx_error the caller owns. Nothing in the engine prints
 * or exits; the CLI decides how to report. The code says whose fault it was:
 * MX_EINPUT for bad usage or bad input (the CLI exits 2), MX_EFAIL for a run
 * that went wrong on good input (exit 1). */
#ifndef MX_ERR_H
#define MX_ERR_H
#include <stddef.h>

/* The public header (src/mxbench.h) defines the same type, as a library
 * user's program cannot include this one; tests/test_api.c checks that
 * the two agree. Whichever comes first defines it. */
#ifndef MX_ERROR_TYPE_DEFINED
#define MX_ERROR_TYPE_DEFINED
enum { MX_OK = 0, MX_EFAIL = 1, MX_EINPUT = 2 };

typedef struct {
    int code;       /* MX_OK, MX_EFAIL or MX_EINPUT */
    char msg[512];  /* one line, no trailing newline */
} mx_error;
#endif

/* Sets code and a printf-formatted message; returns -1 so callers can write
 * `return mx_fail(err, MX_EINPUT, "...")`. err may be NULL. */
int mx_fail(mx_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Copies src into dst (size n), truncating; dst is always terminated. */
void mx_strlcpy(char *dst, const char *src, size_t n);

/* Prefixes an existing message with context ("file.npy: "). */
int mx_wrap(mx_error *err, const char *prefix);

#endif
