/* Our entropy coders (rans, bfctx, bfxor, bfdelta, bflr) on hostile and degenerate inputs: empty,
 * one symbol, all equal, all 65536 values, p~1, uniform, random (fixed
 * seeds), plus corrupt input. Also checks they never expand beyond the
 * stored fallback, and that the vector and scalar decoders of the rANS
 * lanes agree symbol for symbol. */
#include <stdlib.h>
#include <string.h>
#include "../codecs/bf16.h"
#include "../codecs/lanes.h"
#include "../codecs/simd.h"
#include "../codecs/stage.h"
#include "check.h"

static uint32_t seed = 1;
/* One work for every call, as a context keeps it: each coder must find
 * whatever the calls before left in it (other coders, other sizes). */
static mx_work work = MX_WORK_INIT;
static uint32_t rnd(void)
{
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
}

static void roundtrip(const char *name, const uint8_t *src, size_t n, uint64_t rows,
                      uint64_t cols, const char *what)
{
    const mx_stage *st = mx_stage_find(name);
    mx_params p;
    mx_error err = {0};
    memset(&p, 0, sizeof p);
    mx_stage_parse(st, NULL, &p, &err);
    mx_stream_desc d = {16, rows, cols};
    if ((size_t)(rows * cols) * 2 != n)
        d.bits = 8, d.rows = 1, d.cols = n;
    size_t cap = st->bound(&p, n), len = 0;
    uint8_t *dst = malloc(cap + 1), *back = malloc(n + 1);
    int rc = st->compress(&p, &work, &d, src, n, dst, cap, &len, &err);
    CHECK(rc == 0, "%s %s: compress: %s", name, what, err.msg);
    CHECK(len <= n + 1, "%s %s: %zu bytes out of %zu in", name, what, len, n);
    rc = rc ? rc : st->decompress(&p, &work, &d, dst, len, back, n, &err);
    CHECK(rc == 0 && (n == 0 || memcmp(src, back, n) == 0), "%s %s: round trip (%s)", name,
          what, err.msg);
    /* each narrower path this CPU has writes the same bytes and reads them:
     * AVX2 under AVX-512 (MXBENCH_SIMD=avx2), then scalar (0) */
    static const char *const narrower[] = {"avx2", "0"};
    for (int k = 0; k < 2 && rc == 0; k++) {
        if (k == 0 ? !mx_simd_avx512() : !mx_simd_avx2())
            continue;
        setenv("MXBENCH_SIMD", narrower[k], 1);
        uint8_t *again = malloc(cap + 1);
        size_t alen = 0;
        int ra = again ? st->compress(&p, &work, &d, src, n, again, cap, &alen, &err) : -1;
        CHECK(ra == 0 && alen == len && memcmp(again, dst, len) == 0,
              "%s %s: the encoder under MXBENCH_SIMD=%s differs", name, what, narrower[k]);
        free(again);
        memset(back, 0, n + 1);
        int rs = st->decompress(&p, &work, &d, dst, len, back, n, &err);
        CHECK(rs == 0 && (n == 0 || memcmp(src, back, n) == 0), "%s %s: round trip under MXBENCH_SIMD=%s (%s)",
              name, what, narrower[k], err.msg);
        unsetenv("MXBENCH_SIMD");
    }
    /* corruption: every truncation fails or (stored frames) is caught by size */
    for (size_t l = 0; rc == 0 && l < len && l < 64; l++)
        CHECK(st->decompress(&p, &work, &d, dst, l, back, n, &err) != 0, "%s %s: truncated to %zu ok",
              name, what, l);
    free(dst);
    free(back);
}

static void run_all(const uint8_t *buf, size_t n, uint64_t rows, uint64_t cols, const char *what)
{
    roundtrip("rans", buf, n, rows, cols, what);
    roundtrip("bfctx", buf, n, rows, cols, what);
    roundtrip("bfxor", buf, n, rows, cols, what);
    roundtrip("bfdelta", buf, n, rows, cols, what);
    roundtrip("bflr", buf, n, rows, cols, what);
}

/* Symbols 0..n-1 coded from symbol number j0 on (lanes start mid-group),
 * in two contexts picked per symbol by sel; decoded by the scalar and the
 * vector decoder, then cut short. */
static void lanes_case(size_t j0, size_t n, unsigned skew)
{
    uint16_t alpha[2] = {256, 256};
    mx_rans_model m;
    mx_error err = {0};
    mx_rans_model_init(&m, 2, alpha, &err);
    uint8_t *sym = malloc(n + 1), *sel = malloc(n + 1), *out = malloc(n + 16);
    for (size_t i = 0; i < n; i++) {
        sel[i] = (uint8_t)(rnd() % 3 ? 1 : 0);
        sym[i] = (uint8_t)(rnd() % skew ? rnd() % (sel[i] ? 4 : 256) : rnd());
        m.t[sel[i] ? 0 : 1].count[sym[i]]++;
    }
    mx_rans_normalize(&m);
    size_t cap = mx_lanes_bound(n);
    uint8_t *buf = malloc(cap), *start = NULL, *first = NULL;
    size_t first_at = 0;
    static uint64_t etab[2 * MX_LANES_ENC_TABLE];
    mx_lanes_enc_pack(&m.t[0], etab);
    mx_lanes_enc_pack(&m.t[1], etab + MX_LANES_ENC_TABLE);
    mx_lanes_enc *e = malloc(sizeof *e);
    /* the vector and the scalar encoder write the same bytes */
    for (int simd = mx_simd_avx2(); simd >= 0; simd--) {
        mx_lanes_enc_init(e, buf, cap);
        e->simd = simd;
        for (size_t i = n; i > 0;) { /* in uneven runs, last first */
            size_t piece = 1 + rnd() % 100;
            piece = piece < i ? piece : i;
            i -= piece;
            mx_lanes_encode(e, j0 + i, etab, 0, sel + i, sym + i, piece);
        }
        start = mx_lanes_enc_finish(e);
        if (!first) {
            first = malloc(cap);
            memcpy(first, buf, cap);
            first_at = (size_t)(start - buf);
        } else {
            CHECK(first_at == (size_t)(start - buf) &&
                      memcmp(first + first_at, start, (size_t)(buf + cap - start)) == 0,
                  "lanes n=%zu: vector and scalar encoders differ", n);
        }
    }
    free(first);
    free(e);
    size_t len = (size_t)(buf + cap - start);
    /* the decoder side builds its tables as a reader would */
    mx_bytes tb = {0};
    mx_rans_model md;
    size_t off = 0;
    mx_rans_model_init(&md, 2, alpha, &err);
    mx_rans_write_tables(&m, &tb);
    CHECK(mx_rans_read_tables(&md, tb.p, tb.len, &off, &err) == 0, "lanes tables: %s", err.msg);
    uint32_t *packed = calloc(2 * MX_LANES_TABLE, sizeof *packed);
    for (int k = 0; k < 2; k++)
        if (md.t[k].lookup)
            mx_lanes_pack(&md.t[k], packed + k * MX_LANES_TABLE);
    for (int simd = 0; simd <= mx_simd_avx2(); simd++) {
        mx_lanes_dec *d = malloc(sizeof *d);
        CHECK(mx_lanes_dec_init(d, start, len, &err) == 0, "lanes init: %s", err.msg);
        d->simd = simd;
        memset(out, 0, n + 16);
        /* in uneven pieces, as rows of odd widths ask */
        for (size_t i = 0; i < n;) {
            size_t piece = 1 + rnd() % 100;
            piece = piece < n - i ? piece : n - i;
            mx_lanes_decode(d, j0 + i, packed, 0, sel + i, out + i, piece);
            i += piece;
        }
        CHECK(mx_lanes_dec_finish(d, &err) == 0 && memcmp(out, sym, n) == 0,
              "lanes j0=%zu n=%zu skew=%u simd=%d: round trip", j0, n, skew, simd);
        /* short of words: reported, never read past the end */
        if (len > 4 * MX_LANES + 2) {
            mx_lanes_dec_init(d, start, len - 2, &err);
            d->simd = simd;
            mx_lanes_decode(d, j0, packed, 0, sel, out, n);
            CHECK(mx_lanes_dec_finish(d, &err) != 0, "lanes n=%zu simd=%d: truncated decodes", n,
                  simd);
        }
        free(d);
    }
    free(packed);
    free(tb.p);
    mx_rans_model_free(&m);
    mx_rans_model_free(&md);
    free(sym);
    free(sel);
    free(out);
    free(buf);
}

int main(void)
{
    for (unsigned skew = 1; skew <= 1000; skew *= 10)
        for (size_t k = 0; k < 7; k++) {
            static const size_t sizes[] = {1, 15, 31, 32, 33, 1000, 40000};
            lanes_case(rnd() % 70, sizes[k], skew);
            lanes_case(0, sizes[k], skew);
        }
    enum { N = 65536 * 2 };
    uint8_t *buf = calloc(N * 2, 1);
    run_all(buf, 0, 0, 0, "empty");
    buf[0] = 7;
    run_all(buf, 1, 0, 0, "one byte");
    buf[1] = 0x3f;
    run_all(buf, 2, 1, 1, "one value");
    memset(buf, 0x42, N);
    run_all(buf, N, 256, 256, "all equal");
    for (size_t i = 0; i < 65536; i++) { /* every 16-bit value once */
        buf[2 * i] = (uint8_t)i;
        buf[2 * i + 1] = (uint8_t)(i >> 8);
    }
    run_all(buf, N, 256, 256, "all 65536 values");
    run_all(buf, N, 1, 65536, "all values, one row");
    run_all(buf, N, 65536, 1, "all values, one column");
    for (size_t i = 0; i < N; i++) /* p ~ 1 with rare exceptions */
        buf[i] = rnd() % 5000 ? 0 : (uint8_t)rnd();
    run_all(buf, N, 128, 512, "p~1");
    for (int s = 1; s <= 5; s++) {
        seed = (uint32_t)s;
        for (size_t i = 0; i < N; i++)
            buf[i] = (uint8_t)rnd();
        run_all(buf, N, 64, 1024, "uniform random");
        /* bf16-like: narrow exponents, random mantissas, repeated rows */
        for (size_t i = 0; i < N / 2; i++) {
            uint16_t v = (uint16_t)((rnd() & 1) << 15 | (118 + rnd() % 8) << 7 | (rnd() & 0x7f));
            if (i >= 512 && rnd() % 3 == 0)
                v = (uint16_t)(buf[2 * (i - 512)] | buf[2 * (i - 512) + 1] << 8);
            buf[2 * i] = (uint8_t)v;
            buf[2 * i + 1] = (uint8_t)(v >> 8);
        }
        run_all(buf, N, 256, 256, "bf16-like");
    }
    /* rank 3 and a little noise, as activations that share a few
     * directions: bflr's prediction (rank > 0, its fit and the vector
     * paths) codes it in well under bfdelta's size */
    {
        float a[3][256], b[3][256];
        for (int j = 0; j < 3; j++)
            for (int i = 0; i < 256; i++) {
                a[j][i] = (float)((int)(rnd() % 2001) - 1000) / 1000.0f;
                b[j][i] = (float)((int)(rnd() % 2001) - 1000) / 1000.0f;
            }
        for (size_t i = 0; i < N / 2; i++) {
            size_t r = i / 256, c = i % 256;
            float x = (float)((int)(rnd() % 201) - 100) / 10000.0f;
            for (int j = 0; j < 3; j++)
                x += a[j][r] * b[j][c];
            uint16_t v = mx_float_to_bf16(x);
            buf[2 * i] = (uint8_t)v;
            buf[2 * i + 1] = (uint8_t)(v >> 8);
        }
        run_all(buf, N, 256, 256, "rank 3");
        size_t len[2];
        const char *const pair[2] = {"bfdelta", "bflr"};
        for (int k = 0; k < 2; k++) {
            const mx_stage *st = mx_stage_find(pair[k]);
            mx_params p = {0};
            mx_error err = {0};
            mx_stream_desc d = {16, 256, 256};
            uint8_t *out = malloc(st->bound(&p, N) + 1);
            len[k] = SIZE_MAX;
            CHECK(out && st->compress(&p, &work, &d, buf, N, out, st->bound(&p, N), &len[k], &err) == 0,
                  "%s rank 3: %s", pair[k], err.msg);
            free(out);
        }
        CHECK(len[1] * 10 < len[0] * 9, "bflr on rank 3: %zu bytes, bfdelta %zu (want 10%% less)", len[1], len[0]);
    }
    /* garbage is refused, never decoded into wrong sizes or crashes */
    static const char *const coders[] = {"bfctx", "bfxor", "bfdelta", "bflr"};
    for (size_t k = 0; k < sizeof coders / sizeof coders[0]; k++) {
        const mx_stage *st = mx_stage_find(coders[k]);
        mx_params p = {0};
        mx_error err = {0};
        mx_stream_desc d = {16, 16, 16};
        uint8_t out[512];
        for (int t = 0; t < 2000; t++) {
            size_t len = 1 + rnd() % 200;
            for (size_t i = 0; i < len; i++)
                buf[i] = (uint8_t)rnd();
            buf[0] = (uint8_t)(rnd() % 11);
            int rc = st->decompress(&p, &work, &d, buf, len, out, sizeof out, &err);
            CHECK(rc != 0 || buf[0] == 0, "%s: random garbage decoded (mode %u, %zu bytes)",
                  coders[k], buf[0], len);
        }
    }
    free(buf);
    mx_work_free(&work);
    return check_exit("test_coders");
}
