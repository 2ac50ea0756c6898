#include "parallel.h"
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct {
    size_t n, stride, first;
    void (*fn)(void *ctx, size_t i);
    void *ctx;
} job;

static void *run(void *arg)
{
    job *j = arg;
    for (size_t i = j->first; i < j->n; i += j->stride)
        j->fn(j->ctx, i);
    return NULL;
}

void mx_parallel_for(size_t n, int threads, void (*fn)(void *ctx, size_t i), void *ctx)
{
    size_t t = threads > 1 ? (size_t)threads : 1;
    if (t > n)
        t = n;
    if (t <= 1) {
        for (size_t i = 0; i < n; i++)
            fn(ctx, i);
        return;
    }
    pthread_t *tid = malloc(t * sizeof *tid);
    job *jobs = malloc(t * sizeof *jobs);
    if (!tid || !jobs) { /* no memory for threads: do the work here */
        free(tid);
        free(jobs);
        for (size_t i = 0; i < n; i++)
            fn(ctx, i);
        return;
    }
    size_t started = 0;
    for (size_t k = 0; k < t; k++) {
        jobs[k] = (job){n, t, k, fn, ctx};
        if (k == 0 || pthread_create(&tid[k], NULL, run, &jobs[k]) != 0)
            continue; /* item 0's share (and any thread that failed) runs below */
        started |= (size_t)1 << (k < 63 ? k : 63);
    }
    run(&jobs[0]);
    for (size_t k = 1; k < t; k++) {
        if (started & ((size_t)1 << (k < 63 ? k : 63)))
            pthread_join(tid[k], NULL);
        else
            run(&jobs[k]);
    }
    free(tid);
    free(jobs);
}

int mx_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)(n > 64 ? 64 : n) : 1;
}
