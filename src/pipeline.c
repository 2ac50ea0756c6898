#include "pipeline.h"
#include "../codecs/parallel.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_step(const char *text, mx_stage_kind want, mx_step *step,
                      mx_error *err)
{
    char name[64];
    const char *colon = strchr(text, ':');
    size_t len = colon ? (size_t)(colon - text) : strlen(text);
    if (len == 0)
        return mx_fail(err, MX_EINPUT, "empty stage name");
    if (len >= sizeof name)
        return mx_fail(err, MX_EINPUT, "stage name too long: '%.20s...'", text);
    memcpy(name, text, len);
    name[len] = 0;
    const mx_stage *s = mx_stage_find(name);
    if (!s)
        return mx_fail(err, MX_EINPUT, "unknown stage '%s' (see mxbench --list)", name);
    if (s->kind != want)
        return mx_fail(err, MX_EINPUT,
                       want == MX_STAGE_ENTROPY
                           ? "'%s' is a transform; a spec ends with an entropy stage (e.g. '%s|zstd:3')"
                           : "'%s' is an entropy stage; it can only come last, after '|' (%s)",
                       name, name);
    memset(step, 0, sizeof *step);
    step->stage = s;
    return mx_stage_parse(s, colon ? colon + 1 : NULL, &step->params, err);
}

int mx_pipeline_parse(const char *spec, mx_pipeline *p, mx_error *err)
{
    memset(p, 0, sizeof *p);
    if (!spec || !*spec)
        return mx_fail(err, MX_EINPUT, "empty pipeline spec");
    if (strcmp(spec, "auto") == 0 || strcmp(spec, "auto:max") == 0) {
        p->automatic = spec[4] ? MX_AUTO_MAX : MX_AUTO_FAST;
        return 0;
    }
    if (strncmp(spec, "auto", 4) == 0 && spec[4] && strchr(":|,", spec[4]))
        return mx_fail(err, MX_EINPUT, "bad spec '%s': auto is a whole pipeline: 'auto' or 'auto:max'",
                       spec);
    if (strlen(spec) >= MX_SPEC_MAX)
        return mx_fail(err, MX_EINPUT, "pipeline spec longer than %d characters",
                       MX_SPEC_MAX - 1);
    char buf[MX_SPEC_MAX];
    strcpy(buf, spec);
    char *bar = strchr(buf, '|');
    char *ent = buf;
    if (bar) {
        if (strchr(bar + 1, '|'))
            return mx_fail(err, MX_EINPUT, "bad spec '%s': more than one '|'", spec);
        *bar = 0;
        ent = bar + 1;
        char *save = NULL;
        if (!*buf)
            return mx_fail(err, MX_EINPUT, "bad spec '%s': no transform before '|'", spec);
        /* strtok_r skips empty tokens: reject "a,,b", ",a" and "a," first */
        if (strstr(buf, ",,") || buf[0] == ',' || buf[strlen(buf) - 1] == ',')
            return mx_fail(err, MX_EINPUT, "bad spec '%s': empty transform", spec);
        for (char *t = buf;; t = NULL) {
            char *tok = strtok_r(t, ",", &save);
            if (!tok)
                break;
            if (p->n_transforms == MX_MAX_TRANSFORMS)
                return mx_fail(err, MX_EINPUT, "bad spec '%s': more than %d transforms", spec,
                               MX_MAX_TRANSFORMS);
            if (parse_step(tok, MX_STAGE_TRANSFORM, &p->transforms[p->n_transforms], err))
                return mx_wrap(err, "bad spec");
            p->n_transforms++;
        }
    }
    if (strchr(ent, ','))
        return mx_fail(err, MX_EINPUT, "bad spec '%s': transforms go before '|'", spec);
    if (parse_step(ent, MX_STAGE_ENTROPY, &p->entropy, err))
        return mx_wrap(err, "bad spec");
    int seen_lossless = 0;
    for (size_t i = 0; i < p->n_transforms; i++) {
        const mx_stage *s = p->transforms[i].stage;
        if (s->lossy && seen_lossless)
            return mx_fail(err, MX_EINPUT,
                           "bad spec '%s': lossy stage '%s' must come before lossless transforms",
                           spec, s->name);
        seen_lossless |= !s->lossy && !s->keeps_values;
    }
    /* a lossy coder measures similarity on what it is given: the values */
    if (p->entropy.stage->lossy && p->n_transforms)
        return mx_fail(err, MX_EINPUT, "bad spec '%s': '%s' codes the values itself and takes no transforms",
                       spec, p->entropy.stage->name);
    return 0;
}

void mx_pipeline_format(const mx_pipeline *p, char *buf, size_t n)
{
    size_t off = 0;
    if (n == 0) /* as snprintf: nothing written, buf may be NULL */
        return;
    buf[0] = 0;
    if (p->automatic) {
        snprintf(buf, n, "%s", p->automatic == MX_AUTO_MAX ? "auto:max" : "auto");
        return;
    }
    for (size_t i = 0; i < p->n_transforms && off < n; i++) {
        char one[MX_STAGE_TEXT_MAX];
        mx_stage_format(p->transforms[i].stage, &p->transforms[i].params, one, sizeof one);
        off += (size_t)snprintf(buf + off, n - off, "%s%s", i ? "," : "", one);
    }
    if (off < n) {
        char one[MX_STAGE_TEXT_MAX];
        mx_stage_format(p->entropy.stage, &p->entropy.params, one, sizeof one);
        snprintf(buf + off, n - off, "%s%s", p->n_transforms ? "|" : "", one);
    }
}

int mx_pipeline_lossy(const mx_pipeline *p)
{
    if (p->automatic)
        return 0; /* every candidate is lossless */
    for (size_t i = 0; i < p->n_transforms; i++)
        if (p->transforms[i].stage->lossy)
            return 1;
    return p->entropy.stage->lossy;
}

static void record_level(mx_level *lv, const mx_stream_set *set)
{
    lv->n = set->n;
    for (size_t i = 0; i < set->n; i++)
        lv->d[i] = set->s[i].d;
}

void mx_coded_free(mx_coded *c)
{
    if (!c->borrowed)
        for (size_t i = 0; i < c->n; i++)
            free(c->data[i]);
    memset(c, 0, sizeof *c);
}

/* Entropy coding of every stream of the last level, one work item each:
 * the streams in parallel, each on its thread's work, or one stream with
 * every thread for its own loops. */
typedef struct {
    const mx_stage *stage;
    const mx_params *params;
    mx_work *crew;
    int threads;
    mx_stream_set *set;
    mx_coded *coded;
    const mx_coded *in; /* decode: the coded streams */
    mx_error err[MX_MAX_STREAMS];
    size_t cap[MX_MAX_STREAMS];
} entropy_job;

static mx_work *work_for(entropy_job *jb, int worker)
{
    mx_work *w = &jb->crew[worker];
    w->threads = jb->set->n > 1 ? 1 : jb->threads;
    return w;
}

static void compress_one(void *ctx, size_t j, int worker)
{
    entropy_job *jb = ctx;
    mx_stream *s = &jb->set->s[j];
    jb->stage->compress(jb->params, work_for(jb, worker), &s->d, s->data, s->size,
                        jb->coded->data[j], jb->cap[j], &jb->coded->size[j], &jb->err[j]);
}

static void decompress_one(void *ctx, size_t j, int worker)
{
    entropy_job *jb = ctx;
    mx_stream *s = &jb->set->s[j];
    jb->stage->decompress(jb->params, work_for(jb, worker), &s->d, jb->in->data[j],
                          jb->in->size[j], s->data, s->size, &jb->err[j]);
}

/* A set of one 16-bit stream that is the caller's rows x cols values, not
 * owned: never freed. */
static int borrow_values(mx_stream_set *set, uint16_t *values, uint64_t rows, uint64_t cols,
                         mx_error *err)
{
    mx_stream_desc d = {16, rows, cols};
    size_t bytes;
    if (mx_stream_desc_bytes(&d, &bytes) < 0)
        return mx_fail(err, MX_EINPUT, "stream shape %llux%llu of 16 bits is too large",
                       (unsigned long long)rows, (unsigned long long)cols);
    memset(set, 0, sizeof *set);
    set->n = 1;
    set->s[0].d = d;
    set->s[0].data = (uint8_t *)values;
    set->s[0].size = bytes;
    return 0;
}

int mx_pipeline_encode(const mx_pipeline *p, mx_work *crew, int threads, const uint16_t *values,
                       uint64_t rows, uint64_t cols, mx_layout *layout, mx_coded *coded,
                       mx_error *err)
{
    mx_stream_set cur = {0}, next = {0};
    memset(layout, 0, sizeof *layout);
    memset(coded, 0, sizeof *coded);
    crew[0].threads = threads; /* transforms run one after another, with every thread */
    if (p->automatic)
        return mx_fail(err, MX_EINPUT, "'auto' is not a pipeline of its own (mx_compress resolves it)");
    /* a 16-bit stream is LE words, the host's order (configure checks) */
    mx_stream_set borrowed = {0};
    if (p->n_transforms == 0) { /* the coder reads the caller's values: no copy */
        if (borrow_values(&borrowed, (uint16_t *)(uintptr_t)values, rows, cols, err))
            return -1;
        cur = borrowed;
    } else {
        if (mx_stream_set_add(&cur, 16, rows, cols, err) < 0)
            return -1;
        if (rows && cols)
            memcpy(cur.s[0].data, values, (size_t)(rows * cols) * sizeof *values);
    }

    for (size_t t = 0; t < p->n_transforms; t++) {
        const mx_step *st = &p->transforms[t];
        mx_level *lv = &layout->level[t];
        record_level(lv, &cur);
        for (size_t j = 0; j < cur.n; j++) {
            int np = st->stage->encode(&st->params, &crew[0], &cur.s[j], &next, err);
            if (np < 0)
                goto fail;
            if (np == 0 && mx_stream_set_move(&next, &cur, j, err))
                goto fail;
            lv->nparts[j] = (uint8_t)np;
        }
        mx_stream_set_free(&cur);
        cur = next;
        memset(&next, 0, sizeof next);
    }
    record_level(&layout->level[p->n_transforms], &cur);
    layout->n_levels = p->n_transforms + 1;

    const mx_step *en = &p->entropy;
    entropy_job job = {en->stage, &en->params, crew, threads, &cur, coded, NULL, {{0}}, {0}};
    for (size_t j = 0; j < cur.n; j++) {
        job.cap[j] = en->stage->bound(&en->params, cur.s[j].size);
        if (job.cap[j] == 0 && cur.s[j].size) {
            mx_fail(err, MX_EINPUT, "%s: stream of %zu bytes is too large",
                    en->stage->name, cur.s[j].size);
            goto fail;
        }
        uint8_t *dst = malloc(job.cap[j] ? job.cap[j] : 1);
        if (!dst) {
            mx_fail(err, MX_EFAIL, "out of memory (%zu bytes)", job.cap[j]);
            goto fail;
        }
        coded->data[coded->n] = dst;
        coded->n++;
    }
    mx_parallel_workers(cur.n, threads, compress_one, &job);
    for (size_t j = 0; j < cur.n; j++)
        if (job.err[j].code) { /* the first failing stream, whatever the thread count */
            *err = job.err[j];
            goto fail;
        }
    if (!borrowed.n)
        mx_stream_set_free(&cur);
    return 0;
fail:
    if (!borrowed.n)
        mx_stream_set_free(&cur);
    mx_stream_set_free(&next);
    mx_coded_free(coded);
    return -1;
}

/* Allocates a zeroed set shaped like level lv. */
static int alloc_level(const mx_level *lv, mx_stream_set *set, mx_error *err)
{
    memset(set, 0, sizeof *set);
    for (size_t j = 0; j < lv->n; j++)
        if (mx_stream_set_add(set, lv->d[j].bits, lv->d[j].rows, lv->d[j].cols, err) < 0) {
            mx_stream_set_free(set);
            return mx_wrap(err, "corrupt data");
        }
    return 0;
}

int mx_pipeline_decode(const mx_pipeline *p, mx_work *crew, int threads, const mx_layout *layout,
                       const mx_coded *coded, uint16_t *values, uint64_t rows, uint64_t cols,
                       mx_error *err)
{
    if (p->automatic)
        return mx_fail(err, MX_EINPUT, "corrupt container: 'auto' recorded as a pipeline");
    const mx_level *l0 = &layout->level[0];
    if (l0->n != 1 || l0->d[0].bits != 16 || l0->d[0].rows != rows || l0->d[0].cols != cols)
        return mx_fail(err, MX_EINPUT, "corrupt data: level 0 is not the %llux%llu matrix",
                       (unsigned long long)rows, (unsigned long long)cols);
    if (layout->n_levels != p->n_transforms + 1)
        return mx_fail(err, MX_EINPUT, "corrupt data: %zu stream levels for %zu transforms",
                       layout->n_levels, p->n_transforms);
    const mx_level *top = &layout->level[p->n_transforms];
    if (coded->n != top->n)
        return mx_fail(err, MX_EINPUT, "corrupt data: %zu coded streams, layout says %zu",
                       coded->n, top->n);
    mx_stream_set cur, prev;
    crew[0].threads = threads;
    /* no transforms: the coder writes the caller's values, no copy */
    int direct = p->n_transforms == 0;
    if (direct ? borrow_values(&cur, values, rows, cols, err) : alloc_level(top, &cur, err))
        return -1;
    const mx_step *en = &p->entropy;
    entropy_job job = {en->stage, &en->params, crew, threads, &cur, NULL, coded, {{0}}, {0}};
    mx_parallel_workers(cur.n, threads, decompress_one, &job);
    for (size_t j = 0; j < cur.n; j++)
        if (job.err[j].code) {
            *err = job.err[j];
            goto fail;
        }

    for (size_t t = p->n_transforms; t-- > 0;) {
        const mx_step *st = &p->transforms[t];
        const mx_level *lv = &layout->level[t];
        if (alloc_level(lv, &prev, err))
            goto fail;
        size_t k = 0; /* next unconsumed stream of cur */
        for (size_t j = 0; j < lv->n; j++) {
            size_t np = lv->nparts[j];
            size_t take = np ? np : 1;
            if (k + take > cur.n) {
                mx_fail(err, MX_EINPUT, "corrupt data: stream layout does not add up");
                goto fail2;
            }
            if (np == 0) {
                mx_stream *in = &cur.s[k], *out = &prev.s[j];
                if (in->d.bits != out->d.bits || in->d.rows != out->d.rows ||
                    in->d.cols != out->d.cols) {
                    mx_fail(err, MX_EINPUT, "corrupt data: pass-through stream changed shape");
                    goto fail2;
                }
                memcpy(out->data, in->data, out->size);
            } else if (st->stage->decode(&st->params, &crew[0], &cur.s[k], np, &prev.s[j], err)) {
                goto fail2;
            }
            k += take;
        }
        if (k != cur.n) {
            mx_fail(err, MX_EINPUT, "corrupt data: stream layout does not add up");
            goto fail2;
        }
        mx_stream_set_free(&cur);
        cur = prev;
    }
    if (cur.n != 1 || cur.s[0].d.bits != 16) {
        mx_fail(err, MX_EINPUT, "corrupt data: level 0 is not one 16-bit stream");
        goto fail;
    }
    if (!direct) {
        if (cur.s[0].size)
            memcpy(values, cur.s[0].data, cur.s[0].size);
        mx_stream_set_free(&cur);
    }
    return 0;
fail2:
    mx_stream_set_free(&prev);
fail:
    if (!direct)
        mx_stream_set_free(&cur);
    return -1;
}
