/* crt.h - the one module that owns the terminal (as in htop): curses set-up
 * and tear-down, colours with a monochrome fallback, the screen's size, the
 * text cursor, keys and mouse clicks. */
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
void crt_size(int *h, int *w);
/* Shows or hides the text cursor (a line editor shows it). */
void crt_cursor(int on);
/* Clears the terminal on the next refresh (after a resize). */
void crt_repaint(void);
/* Next event after at most timeout_ms: a key, or KEY_MOUSE with the cell
 * clicked and the button bits (mmask_t), or ERR. */
int crt_read(int timeout_ms, int *y, int *x, unsigned long *button);
#endif
