/* progress.h - one line on a terminal that says how far long work is:
 *
 *   [ 12/ 36] sample_03.npy  bfdelta  0:04 elapsed, ~0:08 left
 *
 * redrawn in place with \r, cut to the terminal's width (so it never
 * wraps), and cleared at the end. It is off, and writes nothing at all,
 * when the stream is not a terminal or the user asked for quiet. */
#ifndef MX_PROGRESS_H
#define MX_PROGRESS_H
#include <stddef.h>
#include <stdio.h>

typedef struct {
    FILE *f;
    int on;
    double t0_ms;   /* when it began */
    size_t drawn;   /* characters of the line on screen, 0: none */
} mx_progress;

/* On when !quiet and f is a terminal. */
void mx_progress_begin(mx_progress *p, FILE *f, int quiet);
/* done of total finished; `what` and `how` name the item now running
 * (e.g. sample and pipeline; either may be NULL). */
void mx_progress_show(mx_progress *p, size_t done, size_t total, const char *what,
                      const char *how);
/* Clears the line; the stream is as before begin. */
void mx_progress_end(mx_progress *p);

/* "m:ss", or "h:mm:ss" from an hour on (for the line; exposed for tests). */
void mx_progress_clock(double seconds, char *buf, size_t n);
#endif
