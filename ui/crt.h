/* crt.h - the one module that owns the terminal (as in htop): curses set-up
 * and tear-down, colours with a monochrome fallback, key reading. */
#ifndef MX_UI_CRT_H
#define MX_UI_CRT_H
#include <curses.h>

typedef enum {
    CRT_NORMAL, CRT_TITLE, CRT_BEATS, CRT_MISSES, CRT_REJECTED, CRT_SELECTED, CRT_CURSOR,
    CRT_STATUS_ERROR, CRT_STATUS_INFO, CRT_KEY, CRT_BAR, CRT_BAR2, CRT_DIM, CRT_HEADER,
    CRT_N
} crt_role;

/* 0, or -1 when stdin/stdout is not a terminal curses can use. */
int crt_init(void);
void crt_done(void);
/* The attribute for a role: a colour pair, or bold/dim/reverse without colour. */
int crt_attr(crt_role role);
/* Next key, or ERR after timeout_ms without one. */
int crt_read_key(int timeout_ms);
#endif
