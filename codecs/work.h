/* work.h - what one thread of a coding call owns, handed to every stage
 * call: how many threads the stage may use for its own loops, and scratch
 * that outlives the call.
 *
 * The engine keeps one mx_work per thread of a context (mxbench.h: mx_ctx)
 * and hands each stage call the one of the thread it runs on, so repeated
 * use of a context (a batch, a server, a training loop) finds its decoder
 * tables and lane buffers already there instead of asking the kernel for
 * fresh pages every call, like zstd's CCtx/DCtx. Scratch grows to what a
 * call needs, never to a worst case up front.
 *
 * A stage that keeps scratch declares its kind in its own file (a static
 * mx_work_kind) and asks for it with mx_work_state: no central list. The
 * work is used by one thread at a time; a stage's own parallel loops
 * (mx_parallel_for) must not touch it. Internal to the library. */
#ifndef MX_WORK_H
#define MX_WORK_H
#include <stddef.h>

#define MX_WORK_SLOTS 16

/* A kind of scratch: `size` bytes of state, zeroed when first made;
 * `clear` (may be NULL) frees what the state points to, not the state. */
typedef struct {
    const char *name;
    size_t size;
    void (*clear)(void *state);
} mx_work_kind;

typedef struct {
    int threads; /* threads the stage may use in its own loops (>= 1) */
    size_t n;
    struct {
        const mx_work_kind *kind;
        void *state;
    } slot[MX_WORK_SLOTS];
} mx_work;

/* A work of one thread with no scratch yet (tests, one-shot callers). */
#define MX_WORK_INIT {1, 0, {{0, 0}}}

/* The state of `kind` in w, made (zeroed) on first use and the same block
 * on every later call; NULL when out of memory or out of slots (the caller
 * then fails with MX_EFAIL, or works without). */
void *mx_work_state(mx_work *w, const mx_work_kind *kind);
/* Frees every state; w can be used again (it starts empty). */
void mx_work_free(mx_work *w);
#endif
