/* fit.h - fitting text into a number of columns, without curses (so a unit
 * test can check it). Text here is one byte a column: names and specs are
 * ASCII. Internal to ui/. */
#ifndef MX_UI_FIT_H
#define MX_UI_FIT_H
#include <stddef.h>

/* The elision mark. */
#define UI_ELIDE '~'

/* s in at most w columns: as it is when it fits, else its head and tail
 * around UI_ELIDE (the tail keeps units and levels: "...zstd:3"). out has
 * n bytes. */
void ui_fit_middle(const char *s, int w, char *out, size_t n);

/* Shortens count names to at most w columns each, so that different names
 * stay different: when some name does not fit, the head and tail every
 * name shares are dropped (*cut_head and *cut_tail say how many bytes), then
 * each name keeps, around UI_ELIDE, the part that tells it from the names
 * most like it. out[i] starts at out + i * stride (stride > w). Returns 0,
 * or -1 when out of memory (out then holds ui_fit_middle of each name). */
int ui_fit_names(const char *const *names, size_t count, int w, char *out, size_t stride,
                 size_t *cut_head, size_t *cut_tail);

/* s word-wrapped to lines of at most w columns: line i is the len[i] bytes
 * at s + start[i]. Lines break at blanks (dropped there); a word wider
 * than w is cut. Fills at most max lines and returns how many s needs, so
 * max 0 counts them. */
size_t ui_wrap(const char *s, int w, size_t *start, size_t *len, size_t max);
#endif
