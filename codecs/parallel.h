/* parallel.h - the one threading helper of the engine: run fn(ctx, i) for
 * i in [0, n) on up to `threads` threads. Work items must be independent
 * and write only their own results, so the output never depends on the
 * thread count. */
#ifndef MX_PARALLEL_H
#define MX_PARALLEL_H
#include <stddef.h>

void mx_parallel_for(size_t n, int threads, void (*fn)(void *ctx, size_t i), void *ctx);
/* The same, also telling fn which of the threads (0..threads-1) runs it:
 * the index of the per-thread work (work.h) an item may use. */
void mx_parallel_workers(size_t n, int threads, void (*fn)(void *ctx, size_t i, int worker),
                         void *ctx);
/* Online CPUs (at least 1): the default of -T. */
int mx_cpu_count(void);
#endif
