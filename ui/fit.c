/* fit.c - eliding names and specs so the parts that matter stay visible. */
#include "fit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* head bytes of s (len bytes), UI_ELIDE, its last tail bytes. */
static void join(const char *s, size_t len, size_t head, size_t tail, char *out, size_t n)
{
    if (n == 0)
        return;
    size_t o = 0;
    for (size_t i = 0; i < head && o + 1 < n; i++)
        out[o++] = s[i];
    if (o + 1 < n)
        out[o++] = UI_ELIDE;
    for (size_t i = len - tail; i < len && o + 1 < n; i++)
        out[o++] = s[i];
    out[o] = 0;
}

void ui_fit_middle(const char *s, int w, char *out, size_t n)
{
    size_t len = strlen(s);
    if (n == 0)
        return;
    if (w <= 0) {
        out[0] = 0;
        return;
    }
    if (len <= (size_t)w) {
        snprintf(out, n, "%s", s);
        return;
    }
    size_t keep = (size_t)w - 1, head = keep / 2;
    join(s, len, head, keep - head, out, n);
}

static int is_separator(char c)
{
    return c == '.' || c == '_' || c == '-' || c == '/' || c == ' ' || c == ':' || c == '|';
}

static size_t common_head(const char *a, size_t la, const char *b, size_t lb)
{
    size_t i = 0;
    while (i < la && i < lb && a[i] == b[i])
        i++;
    return i;
}

static size_t common_tail(const char *a, size_t la, const char *b, size_t lb)
{
    size_t i = 0;
    while (i < la && i < lb && a[la - 1 - i] == b[lb - 1 - i])
        i++;
    return i;
}

/* Sorting the names (by text, or by reversed text) puts the name sharing
 * the longest head (tail) with each one next to it. */
typedef struct {
    const char *s;
    size_t len, idx;
} piece;

static int by_head(const void *a, const void *b)
{
    const piece *x = a, *y = b;
    size_t c = common_head(x->s, x->len, y->s, y->len);
    if (c == x->len || c == y->len)
        return (x->len > y->len) - (x->len < y->len);
    return (unsigned char)x->s[c] - (unsigned char)y->s[c];
}

static int by_tail(const void *a, const void *b)
{
    const piece *x = a, *y = b;
    size_t c = common_tail(x->s, x->len, y->s, y->len);
    if (c == x->len || c == y->len)
        return (x->len > y->len) - (x->len < y->len);
    return (unsigned char)x->s[x->len - 1 - c] - (unsigned char)y->s[y->len - 1 - c];
}

/* most[i] = the longest head (tail) name i shares with any other name;
 * sorted is scratch of count pieces. */
static void most_shared(const piece *p, size_t count, piece *sorted, size_t *most, int tail)
{
    memcpy(sorted, p, count * sizeof *p);
    for (size_t i = 0; i < count; i++)
        most[i] = 0;
    qsort(sorted, count, sizeof *sorted, tail ? by_tail : by_head);
    for (size_t k = 0; k + 1 < count; k++) {
        const piece *a = &sorted[k], *b = &sorted[k + 1];
        size_t c = tail ? common_tail(a->s, a->len, b->s, b->len)
                        : common_head(a->s, a->len, b->s, b->len);
        if (c > most[a->idx])
            most[a->idx] = c;
        if (c > most[b->idx])
            most[b->idx] = c;
    }
}

/* One name in w columns, keeping a byte past the head (tail) it shares
 * with the names most like it. */
static void fit_one(const piece *p, size_t shared_head, size_t shared_tail, int w, char *out,
                    size_t n)
{
    if (p->len <= (size_t)w) {
        snprintf(out, n, "%.*s", (int)p->len, p->s);
        return;
    }
    size_t keep = w > 1 ? (size_t)w - 1 : 0, head = keep / 2, tail = keep - head;
    if (head > shared_head || tail > shared_tail) {
        join(p->s, p->len, head, tail, out, n);
        return;
    }
    /* the halves miss what differs: move the cut to the nearer difference */
    size_t need_head = shared_head + 1, need_tail = shared_tail + 1;
    if (need_head < keep && (need_tail >= keep || need_head - head <= need_tail - tail)) {
        join(p->s, p->len, need_head, keep - need_head, out, n);
    } else if (need_tail < keep) {
        join(p->s, p->len, keep - need_tail, need_tail, out, n);
    } else { /* a window around the first difference, marked on both sides */
        size_t inner = w > 2 ? (size_t)w - 2 : 0;
        size_t from = shared_head > inner / 2 ? shared_head - inner / 2 : 0;
        if (from + inner > p->len)
            from = p->len - inner;
        size_t o = 0;
        if (n < 3)
            return;
        out[o++] = UI_ELIDE;
        for (size_t i = 0; i < inner && o + 2 < n; i++)
            out[o++] = p->s[from + i];
        out[o++] = UI_ELIDE;
        out[o] = 0;
    }
}

int ui_fit_names(const char *const *names, size_t count, int w, char *out, size_t stride,
                 size_t *cut_head, size_t *cut_tail)
{
    *cut_head = *cut_tail = 0;
    int all_fit = 1;
    for (size_t i = 0; i < count; i++)
        all_fit &= strlen(names[i]) <= (size_t)(w > 0 ? w : 0);
    if (all_fit || count < 2) {
        for (size_t i = 0; i < count; i++)
            ui_fit_middle(names[i], w, out + i * stride, stride);
        return 0;
    }
    piece *p = malloc(count * sizeof *p), *sorted = malloc(count * sizeof *sorted);
    size_t *heads = malloc(count * sizeof *heads), *tails = malloc(count * sizeof *tails);
    if (!p || !sorted || !heads || !tails) {
        free(p), free(sorted), free(heads), free(tails);
        for (size_t i = 0; i < count; i++)
            ui_fit_middle(names[i], w, out + i * stride, stride);
        return -1;
    }
    /* what every name shares says nothing: drop it, leaving a byte of each */
    size_t head = strlen(names[0]), tail = head, shortest = head;
    for (size_t i = 1; i < count; i++) {
        size_t l0 = strlen(names[0]), li = strlen(names[i]);
        size_t h = common_head(names[0], l0, names[i], li), t = common_tail(names[0], l0, names[i], li);
        head = h < head ? h : head;
        tail = t < tail ? t : tail;
        shortest = li < shortest ? li : shortest;
    }
    if (head + tail >= shortest) { /* overlap: one name is inside another */
        tail = 0;
        head = head >= shortest ? (shortest ? shortest - 1 : 0) : head;
    }
    /* cut whole words only: "l0." and ".s1.npy", not the "l" all start with */
    while (head && !is_separator(names[0][head - 1]))
        head--;
    size_t l0 = strlen(names[0]);
    while (tail && !is_separator(names[0][l0 - tail]))
        tail--;
    *cut_head = head;
    *cut_tail = tail;
    for (size_t i = 0; i < count; i++) {
        p[i].s = names[i] + head;
        p[i].len = strlen(names[i]) - head - tail;
        p[i].idx = i;
    }
    most_shared(p, count, sorted, heads, 0);
    most_shared(p, count, sorted, tails, 1);
    for (size_t i = 0; i < count; i++)
        fit_one(&p[i], heads[i], tails[i], w, out + i * stride, stride);
    free(p), free(sorted), free(heads), free(tails);
    return 0;
}

size_t ui_wrap(const char *s, int w, size_t *start, size_t *len, size_t max)
{
    size_t n = 0, i = 0, total = strlen(s);
    if (w <= 0)
        return 0;
    for (;;) {
        while (s[i] == ' ') /* a line starts at a word */
            i++;
        if (i == total)
            return n;
        size_t end = total - i > (size_t)w ? i + (size_t)w : total;
        if (end < total && s[end] != ' ') { /* a word across the edge: break before it */
            size_t b = end;
            while (b > i && s[b - 1] != ' ')
                b--;
            if (b > i) /* else one word fills the line: cut it */
                end = b - 1;
        }
        while (s[end - 1] == ' ')
            end--;
        if (n < max) {
            start[n] = i;
            len[n] = end - i;
        }
        n++;
        i = end;
    }
}
