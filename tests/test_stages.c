/* Every stage and pipeline family: bit-exact round trips (lossless) on the
 * bundled data and the edge cases, error bounds (lossy), spec parsing. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../codecs/quant.h"
#include "../codecs/stage.h"
#include "../codecs/work.h"
#include "../codecs/bf16.h"
#include "../src/engine.h"
#include "../codecs/metrics.h"
#include "check.h"
#include "testdata.h"

static const char *const lossless_specs[] = {
    "raw", "zstd:1", "zstd:-5", "lz4", "lz4hc:4", "brotli:4",
    "bytesplit|zstd:3", "expsplit|zstd:3", "shuffle|lz4", "bitshuffle|zstd:1",
    "transpose|zstd:1", "delta:rows|zstd:1", "delta:cols|lz4", "xor:rows|zstd:1",
    "xor:cols|raw", "zeromask|zstd:1",
    /* combinations exercise streams of every width through every stage */
    "expsplit,zeromask,delta:cols|lz4", "transpose,bytesplit,xor:cols|brotli:1",
    "shuffle,bitshuffle|raw", "zeromask,expsplit,transpose,delta:rows|zstd:1",
    "bitshuffle,zeromask,transpose|zstd:1", "bytesplit,bitshuffle,xor:rows|raw",
    "expsplit,shuffle,delta:rows,zeromask|zstd:2",
    /* our own coders, alone and on every stream width */
    "rans", "bfctx", "expsplit|rans", "bytesplit,zeromask|bfctx", "bitshuffle|rans",
    "transpose|bfctx", "delta:cols|bfctx", "bytesplit,bitshuffle|bfctx", "auto", "auto:max",
    "outliers:0.01|zstd:1", "outliers:0.5,expsplit|rans", "outliers:1|bfctx",
    "bfxor", "bytesplit|bfxor", "transpose|bfxor", "delta:cols|bfxor", "zeromask|bfxor",
    "bfdelta", "bytesplit|bfdelta", "transpose|bfdelta", "zeromask|bfdelta",
};

static int lossy_roundtrip(const mx_sample *s, const char *spec, mx_matrix *out);

/* One context for the whole test (its scratch meets every stage and
 * shape in turn), and one of three threads. */
static mx_ctx *ctx, *ctx3;

/* The similarity-targeted stages (spec_fmt takes the target) meet their
 * target on every matrix they are given (where the similarity is defined:
 * finite values, not all zero): qsim at or above it, quant strictly above,
 * as the competition's lossy rule asks. */
static void check_sim_target(const char *spec_fmt, const char *name, const mx_matrix *m,
                             double target)
{
    char spec[64];
    snprintf(spec, sizeof spec, spec_fmt, target);
    mx_sample tmp;
    memset(&tmp, 0, sizeof tmp);
    snprintf(tmp.name, sizeof tmp.name, "%s", name);
    tmp.m = *m;
    size_t n = mx_matrix_count(m), nonzero = 0;
    for (size_t i = 0; i < n; i++) {
        if (!mx_bf16_is_finite(m->data[i]))
            return;
        nonzero += (m->data[i] & 0x7fff) != 0;
    }
    if (!nonzero)
        return;
    mx_matrix out;
    if (lossy_roundtrip(&tmp, spec, &out))
        return;
    double sim = mx_similarity_bf16(m->data, out.data, n).similarity;
    int strict = strncmp(spec, "quant", 5) == 0;
    CHECK(strict ? sim > target : sim >= target, "%s on %s: similarity %.7f below %g", spec,
          name, sim, target);
    mx_matrix_free(&out);
}

static void check_qsim(const char *name, const mx_matrix *m, double target)
{
    check_sim_target("qsim:%g|zstd:1", name, m, target);
    check_sim_target("outliers:0.001,qsim:%g|zstd:1", name, m, target);
    check_sim_target("qrot:%g|zstd:1", name, m, target);
    check_sim_target("quant:rowsim=%g", name, m, target);
    check_sim_target("quant:blocksim=%g", name, m, target);
    check_sim_target("quant:sim=%g", name, m, target);
}

/* A standard normal draw (Box-Muller on a fixed LCG: the same everywhere). */
static double gaussian(uint32_t *seed)
{
    *seed = *seed * 1664525u + 1013904223u;
    double u1 = ((*seed >> 8) + 1.0) / 16777217.0;
    *seed = *seed * 1664525u + 1013904223u;
    double u2 = (*seed >> 8) / 16777216.0;
    return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Random Gaussian and heavy-tailed (Student-t like) matrices, fixed seeds. */
static void check_qsim_random(void)
{
    uint32_t seed = 99;
    for (int heavy = 0; heavy < 2; heavy++) {
        mx_matrix m;
        mx_matrix_alloc(&m, 200, 300);
        for (size_t i = 0; i < 200 * 300; i++) {
            double g = gaussian(&seed);
            if (heavy) {
                seed = seed * 1664525u + 1013904223u;
                double u3 = ((seed >> 8) + 1.0) / 16777217.0;
                g /= sqrt(u3); /* scale mixture: heavy tails */
            }
            m.data[i] = mx_float_to_bf16((float)g);
        }
        check_qsim(heavy ? "heavy-tailed" : "gaussian", &m, 0.99);
        check_qsim(heavy ? "heavy-tailed" : "gaussian", &m, 0.999);
        mx_matrix_free(&m);
    }
}

/* On rows with one huge value each, the rotation pays: absmax scales set
 * by a spike waste codes that a rotated row does not. */
static void check_qrot_spikes(void)
{
    mx_sample s;
    memset(&s, 0, sizeof s);
    snprintf(s.name, sizeof s.name, "spiky 64x256");
    mx_matrix_alloc(&s.m, 64, 256);
    uint32_t seed = 17;
    for (size_t i = 0; i < 64 * 256; i++) {
        double g = gaussian(&seed);
        s.m.data[i] = mx_float_to_bf16((float)(i % 256 == (i / 256) * 3 % 256 ? 60 * g : g));
    }
    size_t len[2] = {0, 0};
    const char *specs[2] = {"qsim:0.99|zstd:19", "qrot:0.99|zstd:19"};
    for (int k = 0; k < 2; k++) {
        mx_pipeline p;
        mx_error err = {0};
        uint8_t *buf;
        if (mx_pipeline_parse(specs[k], &p, &err) || mx_compress(ctx, &p, &s.m, &buf, &len[k], &err)) {
            CHECK(0, "%s: %s", specs[k], err.msg);
            continue;
        }
        free(buf);
    }
    CHECK(len[1] < len[0], "qrot (%zu bytes) should beat qsim (%zu) on spiky rows", len[1], len[0]);
    check_sim_target("qrot:%g|zstd:1", s.name, &s.m, 0.99);
    mx_matrix_free(&s.m);
}

/* The output does not depend on the thread count, nor does decoding. */
static void check_threads(const mx_sample *s, const char *spec)
{
    mx_pipeline p;
    mx_error err = {0};
    uint8_t *b1, *b3;
    size_t l1, l3;
    mx_pipeline_parse(spec, &p, &err);
    if (mx_compress(ctx, &p, &s->m, &b1, &l1, &err)) {
        CHECK(0, "%s: %s", spec, err.msg);
        return;
    }
    if (mx_compress(ctx3, &p, &s->m, &b3, &l3, &err)) {
        CHECK(0, "%s: %s", spec, err.msg);
        free(b1);
        return;
    }
    CHECK(l1 == l3 && memcmp(b1, b3, l1) == 0, "%s on %s: -T 1 and -T 3 differ", spec, s->name);
    mx_matrix m, ref = s->m; /* a lossy pipeline: what one thread decodes */
    if (mx_pipeline_lossy(&p) && mx_decompress(ctx, b1, l1, &ref, &err)) {
        CHECK(0, "%s on %s: %s", spec, s->name, err.msg);
        ref = s->m;
    }
    CHECK(mx_decompress(ctx3, b3, l3, &m, &err) == 0 &&
              memcmp(m.data, ref.data, mx_matrix_count(&s->m) * 2) == 0,
          "%s on %s: decode on 3 threads (%s)", spec, s->name, err.msg);
    mx_matrix_free(&m);
    if (ref.data != s->m.data)
        mx_matrix_free(&ref);
    free(b1);
    free(b3);
}

/* A context that has coded and decoded everything before writes and reads
 * the same bytes as a new one: what its work keeps never shows. */
static void check_reuse(const mx_sample *s, const char *spec)
{
    mx_pipeline p;
    mx_error err = {0};
    uint8_t *b_used, *b_new;
    size_t l_used, l_new;
    mx_ctx *fresh = mx_ctx_create();
    if (!fresh || mx_pipeline_parse(spec, &p, &err) ||
        mx_compress(ctx, &p, &s->m, &b_used, &l_used, &err)) {
        CHECK(0, "%s on %s: %s", spec, s->name, err.msg);
        mx_ctx_free(fresh);
        return;
    }
    if (mx_compress(fresh, &p, &s->m, &b_new, &l_new, &err) == 0) {
        CHECK(l_used == l_new && memcmp(b_used, b_new, l_new) == 0,
              "%s on %s: a used context wrote other bytes than a new one", spec, s->name);
        mx_matrix a, b;
        if (mx_decompress(ctx, b_new, l_new, &a, &err) == 0) {
            if (mx_decompress(fresh, b_new, l_new, &b, &err) == 0) {
                CHECK(memcmp(a.data, b.data, mx_matrix_count(&a) * 2) == 0,
                      "%s on %s: a used context decoded other values", spec, s->name);
                mx_matrix_free(&b);
            }
            mx_matrix_free(&a);
        }
        CHECK(err.code == 0, "%s on %s: %s", spec, s->name, err.msg);
        free(b_new);
    } else {
        CHECK(0, "%s on %s: new context: %s", spec, s->name, err.msg);
    }
    free(b_used);
    mx_ctx_free(fresh);
}

/* auto and auto:max never do worse than the zstd:3 pipeline (both in our
 * container); returns what spec chose */
static void check_auto(const char *name, const mx_matrix *m, const char *spec, char *chosen)
{
    mx_pipeline a, z;
    mx_error err = {0};
    uint8_t *ba, *bz;
    size_t la, lz;
    mx_pipeline_parse(spec, &a, &err);
    mx_pipeline_parse("zstd:3", &z, &err);
    chosen[0] = 0;
    if (mx_compress(ctx, &a, m, &ba, &la, &err)) {
        CHECK(0, "%s on %s: %s", spec, name, err.msg);
        return;
    }
    mx_strlcpy(chosen, mx_ctx_info(ctx)->pipeline, MX_SPEC_MAX);
    if (mx_compress(ctx, &z, m, &bz, &lz, &err)) {
        CHECK(0, "zstd:3 on %s: %s", name, err.msg);
        free(ba);
        return;
    }
    CHECK(la <= lz, "%s (%s) on %s: %zu bytes, zstd:3 %zu", spec, chosen, name, la, lz);
    CHECK(strncmp(chosen, "auto", 4) != 0 && chosen[0], "%s reports what it chose: '%s'", spec,
          chosen);
    free(ba);
    free(bz);
}

/* auto's sample sees what our fast coder misses: rows that repeat a short
 * pattern along their columns (LZ territory), and hands them to zstd:3. */
static void check_auto_falls_back(void)
{
    mx_matrix m;
    char chosen[MX_SPEC_MAX];
    uint32_t seed = 7;
    mx_matrix_alloc(&m, 512, 256);
    for (uint64_t r = 0; r < m.rows; r++) {
        uint16_t pat[3];
        for (int k = 0; k < 3; k++) {
            seed = seed * 1103515245u + 12345u;
            pat[k] = (uint16_t)(seed >> 9);
        }
        for (uint64_t c = 0; c < m.cols; c++)
            m.data[r * m.cols + c] = pat[c % 3];
    }
    check_auto("periodic rows", &m, "auto", chosen);
    CHECK(strcmp(chosen, "zstd:3") == 0, "auto on periodic rows chose %s", chosen);
    mx_matrix_free(&m);
}

static void check_lossless(const mx_sample *s, const char *spec)
{
    mx_pipeline p;
    mx_error err = {0};
    CHECK(mx_pipeline_parse(spec, &p, &err) == 0, "%s: %s", spec, err.msg);
    uint8_t *buf;
    size_t len;
    if (mx_compress(ctx, &p, &s->m, &buf, &len, &err)) {
        CHECK(0, "%s on %s: compress: %s", spec, s->name, err.msg);
        return;
    }
    mx_matrix out;
    if (mx_decompress(ctx, buf, len, &out, &err)) {
        CHECK(0, "%s on %s: decompress: %s", spec, s->name, err.msg);
        free(buf);
        return;
    }
    size_t n = mx_matrix_count(&s->m);
    CHECK(out.rows == s->m.rows && out.cols == s->m.cols &&
              memcmp(out.data, s->m.data, n * 2) == 0 && out.origin == s->m.origin &&
              out.origin_blob_len == s->m.origin_blob_len,
          "%s on %s: round trip differs", spec, s->name);
    mx_matrix_free(&out);
    free(buf);
}

/* Decodes a lossy pipeline's output for comparisons. */
static int lossy_roundtrip(const mx_sample *s, const char *spec, mx_matrix *out)
{
    mx_pipeline p;
    mx_error err = {0};
    uint8_t *buf;
    size_t len;
    if (mx_pipeline_parse(spec, &p, &err) || mx_compress(ctx, &p, &s->m, &buf, &len, &err)) {
        CHECK(0, "%s on %s: %s", spec, s->name, err.msg);
        return -1;
    }
    int rc = mx_decompress(ctx, buf, len, out, &err);
    CHECK(rc == 0, "%s on %s: decompress: %s", spec, s->name, err.msg);
    free(buf);
    return rc;
}

/* quantlr codes quant:sim's codes less a prediction: it must decode to
 * exactly quant's values; its frame is never more than one byte (the rank)
 * larger than quant's; and on a matrix close to low rank the prediction must
 * pay (else the test below is blind to a prediction that never engages). */
static size_t packed_size(const mx_sample *s, const char *spec, mx_matrix *out)
{
    mx_pipeline p;
    mx_error err = {0};
    uint8_t *buf = NULL;
    size_t len = 0;
    if (mx_pipeline_parse(spec, &p, &err) || mx_compress(ctx, &p, &s->m, &buf, &len, &err) ||
        mx_decompress(ctx, buf, len, out, &err)) {
        CHECK(0, "%s on %s: %s", spec, s->name, err.msg);
        free(buf);
        return 0;
    }
    free(buf);
    return len;
}

static void check_quantlr_against_quant(const mx_sample *s, double max_share)
{
    mx_matrix a, b;
    size_t la = packed_size(s, "quant:sim=0.99", &a);
    if (!la)
        return;
    size_t lb = packed_size(s, "quantlr:sim=0.99", &b);
    if (lb) {
        size_t n = mx_matrix_count(&s->m);
        CHECK(memcmp(a.data, b.data, n * 2) == 0, "quantlr on %s: values differ from quant's", s->name);
        CHECK(lb <= la + 1, "quantlr on %s: %zu bytes, quant %zu", s->name, lb, la);
        CHECK(lb <= max_share * la, "quantlr on %s: %zu bytes, not under %.2f x quant's %zu", s->name,
              lb, max_share, la);
        mx_matrix_free(&b);
    }
    mx_matrix_free(&a);
}

/* quantlr's frame with a prediction, its header damaged field by field and
 * cut at every length through it: each a one-line "corrupt data" error,
 * never a crash (the container's checksums would catch these first; the
 * stage must not rely on them). */
static void check_quantlr_corrupt(const mx_matrix *m)
{
    const mx_stage *st = mx_stage_find("quantlr");
    mx_params p = {0};
    mx_error err = {0};
    mx_work w = MX_WORK_INIT;
    mx_stream_desc d = {16, m->rows, m->cols};
    size_t n = (size_t)(m->rows * m->cols) * 2, len = 0;
    uint8_t *frame = malloc(st->bound(&p, n)), *out = malloc(n);
    if (!frame || !out || mx_stage_parse(st, "0.99", &p, &err) ||
        st->compress(&p, &w, &d, (const uint8_t *)m->data, n, frame, st->bound(&p, n), &len, &err)) {
        CHECK(0, "quantlr frame: %s", err.msg);
        goto out;
    }
    /* mode byte, step (4 bytes), rank, exponents */
    size_t k = len > 5 ? frame[5] : 0;
    CHECK(frame[0] == 9 && k > 0, "quantlr chose no prediction on a low-rank matrix (rank %zu)", k);
    if (!k)
        goto out;
    CHECK(st->decompress(&p, &w, &d, frame, len, out, n, &err) == 0, "intact frame: %s", err.msg);
    const struct { size_t at; uint8_t to; const char *says; } bad[] = {
        {5, 65, "rank"}, {5, 255, "rank"}, {6, 100, "exponent"}, {6, 0x80, "exponent"},
        {6 + k, 0x7f, "corrupt"}, {6 + k, 0xff, "corrupt"}, /* the escapes' count */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t keep = frame[bad[i].at];
        frame[bad[i].at] = bad[i].to;
        err.msg[0] = 0;
        int rc = st->decompress(&p, &w, &d, frame, len, out, n, &err);
        CHECK(rc != 0 && strstr(err.msg, "corrupt data") && strstr(err.msg, bad[i].says),
              "quantlr byte %zu = %u: rc %d, '%s'", bad[i].at, bad[i].to, rc, err.msg);
        frame[bad[i].at] = keep;
    }
    /* cut through the factors (and a little beyond) */
    size_t cuts = 0;
    for (size_t cut = 1; cut < len && cut < 6 + k + 2 * (size_t)(k * (m->rows + m->cols)); cut += 31) {
        err.msg[0] = 0;
        cuts += st->decompress(&p, &w, &d, frame, cut, out, n, &err) != 0 && strstr(err.msg, "corrupt");
        CHECK(strchr(err.msg, '\n') == NULL, "a multi-line error");
    }
    CHECK(cuts > 100, "cut quantlr frames refused: %zu", cuts);
    size_t tried = 0;
    for (size_t cut = 1; cut < len && cut < 6 + k + 2 * (size_t)(k * (m->rows + m->cols)); cut += 31)
        tried++;
    CHECK(cuts == tried, "a cut quantlr frame decoded or failed otherwise: %zu of %zu refused", cuts, tried);
out:
    mx_work_free(&w);
    free(frame);
    free(out);
}

/* A 512 x 256 matrix of rank 6 plus noise at a tenth of its scale. */
static void check_quantlr_low_rank(void)
{
    uint32_t seed = 5;
    enum { R = 512, C = 256, K = 6 };
    static double u[R][K], v[K][C];
    for (int r = 0; r < R; r++)
        for (int j = 0; j < K; j++)
            u[r][j] = gaussian(&seed);
    for (int j = 0; j < K; j++)
        for (int c = 0; c < C; c++)
            v[j][c] = gaussian(&seed);
    mx_sample s;
    memset(&s, 0, sizeof s);
    snprintf(s.name, sizeof s.name, "rank-6 + noise");
    mx_matrix_alloc(&s.m, R, C);
    for (int r = 0; r < R; r++)
        for (int c = 0; c < C; c++) {
            double x = 0;
            for (int j = 0; j < K; j++)
                x += u[r][j] * v[j][c];
            s.m.data[r * C + c] = mx_float_to_bf16((float)(x + 0.25 * gaussian(&seed)));
        }
    check_quantlr_against_quant(&s, 0.75);
    check_quantlr_corrupt(&s.m);
    mx_matrix_free(&s.m);
}

static void check_trunc(const mx_sample *s, int k)
{
    char spec[32];
    snprintf(spec, sizeof spec, "trunc:%d|zstd:1", k);
    mx_matrix out;
    if (lossy_roundtrip(s, spec, &out))
        return;
    size_t n = mx_matrix_count(&s->m), bad = 0;
    uint16_t low = (uint16_t)((1u << k) - 1u);
    for (size_t i = 0; i < n; i++) {
        uint16_t a = s->m.data[i], b = out.data[i];
        if (!mx_bf16_is_finite(a)) {
            bad += a != b; /* NaN payloads and Inf are kept as they are */
            continue;
        }
        double x = mx_bf16_to_float(a), y = mx_bf16_to_float(b);
        /* half a unit of the kept precision; a full unit where rounding up
         * would overflow and we truncate; absolute for subnormals */
        double ulp_rel = ldexp(1.0, k - 7), sub = ldexp(1.0, k - 133);
        double bound = (fabs(x) > 3.0e38 ? ulp_rel : ulp_rel / 2) * fabs(x) + sub;
        bad += !mx_bf16_is_finite(b) || (b & low) || fabs(x - y) > bound ||
               (y != 0 && signbit(x) != signbit(y));
    }
    CHECK(bad == 0, "%s on %s: %zu values out of bound", spec, s->name, bad);
    mx_matrix_free(&out);
}

static void check_quant(const mx_sample *s, int bits, int cols_axis)
{
    char spec[32];
    snprintf(spec, sizeof spec, "q%d:%s|zstd:1", bits, cols_axis ? "cols" : "rows");
    mx_matrix out;
    if (lossy_roundtrip(s, spec, &out))
        return;
    int qmax = bits == 8 ? 127 : 7;
    uint64_t R = s->m.rows, C = s->m.cols;
    size_t ng = cols_axis ? (size_t)C : (size_t)R, bad = 0;
    double *amax = calloc(ng + 1, sizeof *amax);
    for (uint64_t r = 0; r < R; r++)
        for (uint64_t c = 0; c < C; c++) {
            uint16_t a = s->m.data[r * C + c];
            size_t g = cols_axis ? (size_t)c : (size_t)r;
            if (mx_bf16_is_finite(a) && fabs(mx_bf16_to_float(a)) > amax[g])
                amax[g] = fabs(mx_bf16_to_float(a));
        }
    for (uint64_t r = 0; r < R; r++)
        for (uint64_t c = 0; c < C; c++) {
            uint16_t a = s->m.data[r * C + c], b = out.data[r * C + c];
            size_t g = cols_axis ? (size_t)c : (size_t)r;
            if (!mx_bf16_is_finite(a)) {
                bad += mx_bf16_to_float(b) != 0.0f; /* documented: non-finite -> 0 */
                continue;
            }
            double x = mx_bf16_to_float(a), y = mx_bf16_to_float(b);
            /* the scale is absmax/qmax rounded up to bf16: at most 2^-7 above */
            double scale = amax[g] / qmax * (1.0 + ldexp(1.0, -7)) + 1e-40;
            bad += !(fabs(x - y) <= scale / 2 + fabs(y) * ldexp(1.0, -8) + 1e-40);
        }
    CHECK(bad == 0, "%s on %s: %zu values out of bound", spec, s->name, bad);
    free(amax);
    mx_matrix_free(&out);
}

/* topk keeps exactly ceil(p*n) values, bit for bit, all at least as large
 * in magnitude as any it drops, and zeroes the rest. */
static void check_topk(const mx_sample *s, double p)
{
    char spec[32];
    snprintf(spec, sizeof spec, "topk:%g|zstd:1", p);
    mx_matrix out;
    if (lossy_roundtrip(s, spec, &out))
        return;
    size_t n = mx_matrix_count(&s->m), kept = 0, bad = 0;
    unsigned min_kept = 0x8000, max_dropped = 0;
    for (size_t i = 0; i < n; i++) {
        uint16_t a = s->m.data[i], b = out.data[i];
        if (b == a && (a & 0x7fff)) {
            kept++;
            min_kept = (a & 0x7fffu) < min_kept ? (a & 0x7fffu) : min_kept;
        } else if (b == 0 || b == a) { /* dropped, or a kept (signed) zero */
            max_dropped = (a & 0x7fffu) > max_dropped ? (a & 0x7fffu) : max_dropped;
        } else {
            bad++;
        }
    }
    /* a kept zero looks dropped: count the non-zero values kept */
    size_t want = n ? (size_t)ceil((double)n * p) : 0, nonzero = 0;
    for (size_t i = 0; i < n; i++)
        nonzero += (s->m.data[i] & 0x7fff) != 0;
    want = want < nonzero ? want : nonzero;
    CHECK(bad == 0 && kept == want, "%s on %s: kept %zu non-zero values, want %zu; %zu altered",
          spec, s->name, kept, want, bad);
    CHECK(n == 0 || min_kept == 0x8000 || min_kept >= max_dropped,
          "%s on %s: dropped a value larger than one kept", spec, s->name);
    mx_matrix_free(&out);
}

/* lowrank recovers a matrix of that rank (up to bf16 rounding of the
 * factors), and a higher rank never fits a real matrix worse. */
static void check_lowrank(void)
{
    mx_sample s;
    memset(&s, 0, sizeof s);
    snprintf(s.name, sizeof s.name, "rank-3 60x45");
    mx_matrix_alloc(&s.m, 60, 45);
    uint32_t seed = 5;
    double u[60][3], v[45][3];
    for (int i = 0; i < 60 * 3 + 45 * 3; i++) {
        seed = seed * 1664525u + 1013904223u;
        double x = (seed >> 8) / 16777216.0 - 0.5;
        if (i < 180)
            u[i / 3][i % 3] = x;
        else
            v[(i - 180) / 3][(i - 180) % 3] = x;
    }
    for (int i = 0; i < 60; i++)
        for (int j = 0; j < 45; j++)
            s.m.data[i * 45 + j] =
                mx_float_to_bf16((float)(u[i][0] * v[j][0] + u[i][1] * v[j][1] + u[i][2] * v[j][2]));
    mx_matrix out;
    if (lossy_roundtrip(&s, "lowrank:3|zstd:1", &out) == 0) {
        double sim = mx_similarity_bf16(s.m.data, out.data, 60 * 45).similarity;
        CHECK(sim > 0.99, "lowrank:3 on a rank-3 matrix: similarity %.6f", sim);
        mx_matrix_free(&out);
    }
    if (lossy_roundtrip(&s, "lowrank:1|zstd:1", &out) == 0) {
        double sim = mx_similarity_bf16(s.m.data, out.data, 60 * 45).similarity;
        CHECK(sim < 0.99, "lowrank:1 on a rank-3 matrix fits too well (%.6f): test is blind", sim);
        mx_matrix_free(&out);
    }
    mx_matrix_free(&s.m);
}

static void check_lowrank_order(const mx_sample *s)
{
    double sim[2] = {0, 0};
    const char *specs[2] = {"lowrank:2|raw", "lowrank:16|raw"};
    for (int k = 0; k < 2; k++) {
        mx_matrix out;
        if (lossy_roundtrip(s, specs[k], &out))
            return;
        sim[k] = mx_similarity_bf16(s->m.data, out.data, mx_matrix_count(&s->m)).similarity;
        mx_matrix_free(&out);
    }
    CHECK(!(sim[1] < sim[0] - 1e-3), "%s: lowrank:16 (%.5f) worse than lowrank:2 (%.5f)",
          s->name, sim[1], sim[0]);
}

static void check_parse_errors(void)
{
    static const char *const bad[] = {
        "", "|zstd", "bytesplit", "zstd|bytesplit", "bytesplit|", "foo|zstd", "zstd:23",
        "zstd:0", "zstd:abc", "zstd:", "brotli:12", "brotli:-1", "lz4hc:13", "lz4hc:0",
        "lz4:1", "bytesplit:3|zstd", "delta:diag|zstd", "bytesplit,,expsplit|zstd",
        "bytesplit,|zstd", ",bytesplit|zstd", "bytesplit,trunc:3|zstd", "trunc:0|zstd",
        "trunc:8|zstd", "zstd,lz4", "zstd|lz4|raw", "bytesplit|zstd|lz4", "q8:diag|zstd",
        "a,b,c,d,e,f,g,h,i|zstd", "nosuchstage", "auto:min", "auto|zstd",
        "delta,delta,delta,delta,delta,delta,delta,delta,delta|zstd",
        "qsim:1|zstd", "qsim:0|zstd", "qsim:abc|zstd", "bytesplit,qsim|zstd",
        "quant:sim=1", "quant:sim=", "quant:0", "bytesplit|quant", "quant,zstd", "qsim|quant",
        "topk:0", "topk:1.5", "topk:x", "bytesplit,topk|zstd", "outliers:0", "outliers:2",
        "expsplit,outliers,qsim|zstd", "lowrank:0|zstd", "lowrank:257|zstd", "qrot:1|zstd", "bytesplit,qrot|zstd", "quant:colsim=0.9", "quant:rowsim", "quant:=0.9",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mx_pipeline p;
        mx_error err = {0};
        int rc = mx_pipeline_parse(bad[i], &p, &err);
        CHECK(rc == -1 && err.code == MX_EINPUT && err.msg[0] && !strchr(err.msg, '\n'),
              "spec '%s' should be rejected with one line (rc %d: %s)", bad[i], rc, err.msg);
    }
    static const char *const canon[][2] = {
        {"zstd", "zstd:3"},
        {"delta|zstd", "delta:rows|zstd:3"},
        {"xor:cols,bytesplit|lz4hc", "xor:cols,bytesplit|lz4hc:9"},
        {"trunc,q8:cols|brotli", "trunc:3,q8:cols|brotli:11"},
        {"zstd:-7", "zstd:-7"},
        {"auto", "auto"},
        {"auto:max", "auto:max"},
        {"quant:0.95", "quant:sim=0.95"},
        {"quant:blocksim=0.999", "quant:blocksim=0.999"},
    };
    for (size_t i = 0; i < sizeof canon / sizeof canon[0]; i++) {
        mx_pipeline p;
        mx_error err = {0};
        char buf[MX_SPEC_MAX];
        CHECK(mx_pipeline_parse(canon[i][0], &p, &err) == 0, "%s: %s", canon[i][0], err.msg);
        mx_pipeline_format(&p, buf, sizeof buf);
        CHECK(strcmp(buf, canon[i][1]) == 0, "canonical of %s is %s", canon[i][0], buf);
        CHECK(mx_pipeline_lossy(&p) == (strchr(buf, 'q') || strstr(buf, "trunc")), "lossy flag");
    }
    {
        mx_pipeline p;
        mx_error err = {0};
        char buf[MX_SPEC_MAX];
        CHECK(mx_pipeline_parse("qsim|zstd", &p, &err) == 0, "qsim default: %s", err.msg);
        mx_pipeline_format(&p, buf, sizeof buf);
        CHECK(strcmp(buf, "qsim:0.99|zstd:3") == 0, "canonical qsim: %s", buf);
    }
}

/* One setting of a stage's parameters (arg: what follows "name:", or
 * NULL): its text parses, prints back as it parsed, and the stage
 * round-trips the samples (bit for bit unless lossy). */
static void check_setting(const mx_stage *st, const char *arg, const mx_sample *s, size_t n)
{
    char text[MX_STAGE_TEXT_MAX + 8], canon[MX_STAGE_TEXT_MAX], again[MX_STAGE_TEXT_MAX];
    char spec[MX_SPEC_MAX];
    mx_params p, q;
    mx_error err = {0};
    snprintf(text, sizeof text, "%s%s%s", st->name, arg ? ":" : "", arg ? arg : "");
    if (mx_stage_parse(st, arg, &p, &err)) {
        CHECK(0, "%s: %s", text, err.msg);
        return;
    }
    mx_stage_format(st, &p, canon, sizeof canon);
    const char *colon = strchr(canon, ':');
    CHECK(mx_stage_parse(st, colon ? colon + 1 : NULL, &q, &err) == 0 &&
              memcmp(&p, &q, sizeof p) == 0,
          "%s prints as %s, which parses to another value (%s)", text, canon, err.msg);
    mx_stage_format(st, &q, again, sizeof again);
    CHECK(strcmp(canon, again) == 0, "%s: %s then %s", text, canon, again);
    snprintf(spec, sizeof spec, "%s%s", canon, st->kind == MX_STAGE_TRANSFORM ? "|zstd:1" : "");
    for (size_t i = 0; i < n; i++) {
        mx_matrix out;
        if (lossy_roundtrip(&s[i], spec, &out))
            continue;
        CHECK(out.rows == s[i].m.rows && out.cols == s[i].m.cols &&
                  (st->lossy ||
                   memcmp(out.data, s[i].m.data, mx_matrix_count(&s[i].m) * 2) == 0),
              "%s on %s: round trip differs", spec, s[i].name);
        mx_matrix_free(&out);
    }
}

/* Every stage of the registry, with no parameter, each parameter at its
 * ends (an end excluded: next to it) and at every choice, and each of a
 * stage's alternatives: a new stage is tested here as soon as it is
 * listed in Makefile.am. */
static void check_every_stage(const mx_sample *s, size_t n)
{
    for (size_t k = 0; mx_stages[k]; k++) {
        const mx_stage *st = mx_stages[k];
        check_setting(st, NULL, s, n);
        for (size_t i = 0; i < MX_STAGE_PARAMS && st->params[i].name; i++) {
            const mx_param *d = &st->params[i];
            char arg[96];
            int64_t ends[2] = {d->min, d->max};
            switch (d->type) {
            case MX_PARAM_CHOICE:
                for (size_t c = 0; d->choices[c]; c++) {
                    snprintf(arg, sizeof arg, "%s=%s", d->name, d->choices[c]);
                    check_setting(st, arg, s, n);
                }
                break;
            case MX_PARAM_INT:
                for (int e = 0; e < 2; e++) {
                    /* zstd's most negative levels barely compress: its end
                     * of -5 is as good a test and not as slow */
                    int64_t v = ends[e] < -5 ? -5 : ends[e];
                    snprintf(arg, sizeof arg, "%s=%lld", d->name, (long long)v);
                    check_setting(st, arg, s, n);
                }
                break;
            case MX_PARAM_DECIMAL:
                for (int e = 0; e < 2; e++) {
                    int64_t v = ends[e] + (e ? -(int64_t)d->open_max : d->open_min);
                    double k = 1;
                    for (int j = 0; j < d->digits; j++)
                        k *= 10;
                    snprintf(arg, sizeof arg, "%s=%.*g", d->name, d->digits, (double)v / k);
                    check_setting(st, arg, s, n);
                }
                break;
            }
        }
    }
}

/* Every coder writes every byte of what it decodes: the decoder's matrix
 * is not zeroed first (mx_matrix_alloc_unset). Decoded over zeros and
 * over ones, a byte left alone would differ. */
static void check_writes_every_value(const mx_sample *s, size_t n)
{
    mx_work w = MX_WORK_INIT;
    for (size_t k = 0; mx_stages[k]; k++) {
        const mx_stage *st = mx_stages[k];
        if (st->kind != MX_STAGE_ENTROPY)
            continue;
        for (size_t i = 0; i < n; i++) {
            mx_params p = {0};
            mx_error err = {0};
            mx_stream_desc d = {16, s[i].m.rows, s[i].m.cols};
            size_t bytes = mx_matrix_count(&s[i].m) * 2, cap = 0, len = 0;
            uint8_t *frame = NULL, *zeros = malloc(bytes + 1), *ones = malloc(bytes + 1);
            int rc = !zeros || !ones || mx_stage_parse(st, NULL, &p, &err);
            if (!rc) {
                cap = st->bound(&p, bytes);
                rc = !(frame = malloc(cap + 1)) ||
                     st->compress(&p, &w, &d, (const uint8_t *)s[i].m.data, bytes, frame, cap, &len, &err);
            }
            if (!rc) {
                memset(zeros, 0, bytes + 1);
                memset(ones, 0xff, bytes + 1);
                rc = st->decompress(&p, &w, &d, frame, len, zeros, bytes, &err) ||
                     st->decompress(&p, &w, &d, frame, len, ones, bytes, &err);
            }
            CHECK(rc == 0, "%s on %s: %s", st->name, s[i].name, err.msg);
            CHECK(rc || memcmp(zeros, ones, bytes) == 0, "%s on %s: a decoded byte was left unwritten",
                  st->name, s[i].name);
            free(frame);
            free(zeros);
            free(ones);
        }
    }
    mx_work_free(&w);
}

static void check_quant_scale(void)
{
    /* the scale is the smallest bf16 >= absmax/qmax */
    for (float amax = 1e-30f; amax < 1e30f; amax *= 3.7f) {
        uint16_t h = mx_quant_scale(amax, 127);
        float s = mx_bf16_to_float(h), below = mx_bf16_to_float((uint16_t)(h - 1));
        CHECK(amax / s <= 127.0f && amax / below > 127.0f * (1 - 1e-6f),
              "scale for %g: %g", amax, s);
    }
}

int main(void)
{
    size_t n;
    ctx = mx_ctx_create();
    ctx3 = mx_ctx_create();
    if (!ctx || !ctx3)
        return 99;
    mx_ctx_set_threads(ctx3, 3);
    mx_sample *s = testdata_load(&n);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < sizeof lossless_specs / sizeof lossless_specs[0]; k++)
            check_lossless(&s[i], lossless_specs[k]);
        char chosen[MX_SPEC_MAX];
        check_auto(s[i].name, &s[i].m, "auto", chosen);
        check_auto(s[i].name, &s[i].m, "auto:max", chosen);
        check_qsim(s[i].name, &s[i].m, 0.99);
        check_qsim(s[i].name, &s[i].m, 0.999);
        check_threads(&s[i], "bfctx");
        check_threads(&s[i], "expsplit|zstd:3");
        check_threads(&s[i], "auto");
        check_threads(&s[i], "auto:max");
        check_threads(&s[i], "quant:sim=0.99");
        check_quantlr_against_quant(&s[i], 2.0);
        check_threads(&s[i], "bfxor");
        check_threads(&s[i], "bfdelta");
        static const char *const kept[] = {"bfdelta", "auto", "zstd:3", "lz4hc:4", "rans",
                                           "expsplit|rans", "bfxor", "quant:sim=0.99"};
        for (size_t k = 0; k < sizeof kept / sizeof kept[0]; k++)
            check_reuse(&s[i], kept[k]);
        check_topk(&s[i], 0.1);
        check_topk(&s[i], 0.001);
        if (i % 4 == 0)
            check_lowrank_order(&s[i]);
        for (int k = 1; k <= 7; k++)
            check_trunc(&s[i], k);
        for (int ax = 0; ax < 2; ax++) {
            check_quant(&s[i], 8, ax);
            check_quant(&s[i], 4, ax);
        }
    }
    check_auto_falls_back();
    /* every stage on a bundled matrix and the odd edge cases */
    {
        mx_sample pick[4];
        size_t np = 0;
        for (size_t i = 0; i < n && np < 4; i++)
            if (i == 0 || !strcmp(s[i].name, "edge:odd_13x37") ||
                !strcmp(s[i].name, "edge:specials_8x8") || !strcmp(s[i].name, "edge:one_1x1"))
                pick[np++] = s[i];
        check_every_stage(pick, np);
        check_writes_every_value(pick, np);
    }
    check_parse_errors();
    check_quant_scale();
    check_qsim_random();
    check_lowrank();
    check_quantlr_low_rank();
    check_qrot_spikes();
    mx_samples_free(s, n);
    mx_ctx_free(ctx);
    mx_ctx_free(ctx3);
    return check_exit("test_stages");
}
