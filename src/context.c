#include "context.h"
#include <stdlib.h>
#include <string.h>
#include "../codecs/parallel.h"

mx_ctx *mx_ctx_create(void)
{
    mx_ctx *ctx = calloc(1, sizeof *ctx);
    if (ctx)
        ctx->threads = 1;
    return ctx;
}

static void free_work(mx_ctx *ctx, int from)
{
    for (int i = from; i < ctx->n_work; i++)
        mx_work_free(&ctx->work[i]);
}

void mx_ctx_free(mx_ctx *ctx)
{
    if (!ctx)
        return;
    free_work(ctx, 0);
    free(ctx->work);
    free(ctx);
}

void mx_ctx_set_threads(mx_ctx *ctx, int threads)
{
    if (threads <= 0)
        threads = mx_cpu_count();
    ctx->threads = threads > MX_MAX_THREADS ? MX_MAX_THREADS : threads;
    if (ctx->n_work > ctx->threads) { /* the works of threads no longer run */
        free_work(ctx, ctx->threads);
        ctx->n_work = ctx->threads;
    }
}

void mx_ctx_set_frame_rows(mx_ctx *ctx, uint64_t rows)
{
    ctx->frame_rows = rows;
}

void mx_ctx_set_cancel(mx_ctx *ctx, const mx_cancel_flag *flag)
{
    ctx->cancel = flag;
}

void mx_ctx_set_progress(mx_ctx *ctx, mx_progress_fn fn, void *user)
{
    ctx->progress = fn;
    ctx->progress_user = user;
}

const mx_compress_info *mx_ctx_info(const mx_ctx *ctx)
{
    return &ctx->info;
}

mx_work *mx_ctx_crew(mx_ctx *ctx, mx_error *err)
{
    if (ctx->n_work < ctx->threads) {
        mx_work *w = realloc(ctx->work, (size_t)ctx->threads * sizeof *w);
        if (!w) {
            mx_fail(err, MX_EFAIL, "out of memory");
            return NULL;
        }
        for (int i = ctx->n_work; i < ctx->threads; i++)
            w[i] = (mx_work)MX_WORK_INIT;
        ctx->work = w;
        ctx->n_work = ctx->threads;
    }
    return ctx->work;
}

int mx_ctx_step(mx_ctx *ctx, uint64_t done, uint64_t total, mx_error *err)
{
    if ((ctx->cancel && atomic_load(ctx->cancel)) ||
        (ctx->progress && ctx->progress(ctx->progress_user, done, total)))
        return mx_fail(err, MX_EFAIL, "cancelled");
    return 0;
}
