#include "mxerr.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A message is one line of text whatever it quotes (a spec, a file name,
 * an .npy header): control characters become '?'. */
static void one_line(char *msg)
{
    for (unsigned char *c = (unsigned char *)msg; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            *c = '?';
}

int mx_fail(mx_error *err, int code, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    one_line(err->msg);
    err->code = code;
    return -1;
}

int mx_wrap(mx_error *err, const char *prefix)
{
    if (!err)
        return -1;
    char tmp[sizeof err->msg];
    size_t p = strlen(prefix);
    if (p > sizeof tmp - 3)
        p = sizeof tmp - 3;
    memcpy(tmp, prefix, p);
    memcpy(tmp + p, ": ", 2);
    size_t room = sizeof tmp - p - 3, m = strlen(err->msg);
    if (m > room)
        m = room;
    memcpy(tmp + p + 2, err->msg, m);
    tmp[p + 2 + m] = 0;
    memcpy(err->msg, tmp, sizeof tmp);
    one_line(err->msg);
    return -1;
}

void mx_strlcpy(char *dst, const char *src, size_t n)
{
    if (!n)
        return;
    size_t l = strlen(src);
    if (l >= n)
        l = n - 1;
    memcpy(dst, src, l);
    dst[l] = 0;
}
