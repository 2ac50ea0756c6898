#include "progress.h"
#include <math.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_CHARS 512

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Columns of the terminal behind f (80 when it does not say). */
static size_t columns(FILE *f)
{
    struct winsize ws;
    if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

void mx_progress_clock(double seconds, char *buf, size_t n)
{
    if (!(seconds >= 0) || seconds > 359999) /* NaN, negative, or past 99 h */
        seconds = 0;
    unsigned long s = (unsigned long)llround(seconds);
    if (s >= 3600)
        snprintf(buf, n, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, n, "%lu:%02lu", s / 60, s % 60);
}

void mx_progress_begin(mx_progress *p, FILE *f, int quiet)
{
    memset(p, 0, sizeof *p);
    p->f = f;
    p->on = !quiet && isatty(fileno(f));
    p->t0_ms = now_ms();
}

/* Overwrites the line on screen with text (padded over what was longer). */
static void draw(mx_progress *p, const char *text, size_t len)
{
    size_t old = p->drawn;
    fputc('\r', p->f);
    fwrite(text, 1, len, p->f);
    for (size_t i = len; i < old; i++)
        fputc(' ', p->f);
    if (old > len) /* back to the end of the text */
        fprintf(p->f, "\r%.*s", (int)len, text);
    fflush(p->f);
    p->drawn = len;
}

void mx_progress_show(mx_progress *p, size_t done, size_t total, const char *what,
                      const char *how)
{
    if (!p->on)
        return;
    double el = (now_ms() - p->t0_ms) / 1000.0;
    char e[24], left[40] = "";
    mx_progress_clock(el, e, sizeof e);
    if (done > 0 && done < total) {
        char l[24];
        mx_progress_clock(el / (double)done * (double)(total - done), l, sizeof l);
        snprintf(left, sizeof left, ", ~%s left", l);
    }
    char line[LINE_MAX_CHARS];
    int digits = snprintf(NULL, 0, "%zu", total);
    int n = snprintf(line, sizeof line, "[%*zu/%zu] %s%s%s%s%s elapsed%s", digits, done, total,
                     what ? what : "", what ? "  " : "", how ? how : "", how ? "  " : "", e, left);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    size_t w = columns(p->f);
    if (len > w - 1) /* the last column would wrap on some terminals */
        len = w - 1;
    draw(p, line, len);
}

void mx_progress_end(mx_progress *p)
{
    if (!p->on || !p->drawn)
        return;
    fputc('\r', p->f);
    for (size_t i = 0; i < p->drawn; i++)
        fputc(' ', p->f);
    fputc('\r', p->f);
    fflush(p->f);
    p->drawn = 0;
}
