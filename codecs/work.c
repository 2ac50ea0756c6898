#include "work.h"
#include <stdlib.h>

void *mx_work_state(mx_work *w, const mx_work_kind *kind)
{
    for (size_t i = 0; i < w->n; i++)
        if (w->slot[i].kind == kind)
            return w->slot[i].state;
    if (w->n == MX_WORK_SLOTS)
        return NULL;
    void *state = calloc(1, kind->size);
    if (!state)
        return NULL;
    w->slot[w->n].kind = kind;
    w->slot[w->n].state = state;
    w->n++;
    return state;
}

void mx_work_free(mx_work *w)
{
    for (size_t i = 0; i < w->n; i++) {
        if (w->slot[i].kind->clear)
            w->slot[i].kind->clear(w->slot[i].state);
        free(w->slot[i].state);
    }
    w->n = 0;
}
