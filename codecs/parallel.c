#include "parallel.h"
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct {
    size_t n, stride, first;
    void (*fn)(void *ctx, size_t i, int worker);
    void *ctx;
} job;

static void *run(void *arg)
{
    job *j = arg;
    for (size_t i = j->first; i < j->n; i += j->stride)
        j->fn(j->ctx, i, (int)j->first);
    return NULL;
}

typedef struct {
    void (*fn)(void *ctx, size_t i);
    void *ctx;
} plain;

static void run_plain(void *ctx, size_t i, int worker)
{
    (void)worker;
    plain *p = ctx;
    p->fn(p->ctx, i);
}

void mx_parallel_for(size_t n, int threads, void (*fn)(void *ctx, size_t i), void *ctx)
{
    plain p = {fn, ctx};
    mx_parallel_workers(n, threads, run_plain, &p);
}

void mx_parallel_workers(size_t n, int threads, void (*fn)(void *ctx, size_t i, int worker),
                         void *ctx)
{
    size_t t = threads > 1 ? (size_t)threads : 1;
    if (t > n)
        t = n;
    if (t <= 1) {
        for (size_t i = 0; i < n; i++)
            fn(ctx, i, 0);
        return;
    }
    pthread_t *tid = malloc(t * sizeof *tid);
    job *jobs = malloc(t * sizeof *jobs);
    unsigned char *started = calloc(t, 1);
    if (!tid || !jobs || !started) { /* no memory for threads: do the work here */
        free(tid);
        free(jobs);
        free(started);
        for (size_t i = 0; i < n; i++)
            fn(ctx, i, 0);
        return;
    }
    for (size_t k = 0; k < t; k++) {
        jobs[k] = (job){n, t, k, fn, ctx};
        /* share 0 (and any thread that failed to start) runs here, below:
         * one thread at a time still uses each worker index */
        started[k] = k && pthread_create(&tid[k], NULL, run, &jobs[k]) == 0;
    }
    run(&jobs[0]);
    for (size_t k = 1; k < t; k++) {
        if (started[k])
            pthread_join(tid[k], NULL);
        else
            run(&jobs[k]);
    }
    free(tid);
    free(jobs);
    free(started);
}

int mx_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)(n > 64 ? 64 : n) : 1;
}
