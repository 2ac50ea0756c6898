/* The container never trusts its input: every flipped bit, truncation or
 * relabelled pipeline must give an error, never a crash or wrong values. */
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include "../src/container.h"
#include "../src/engine.h"
#include "../src/npy.h"
#include "check.h"
#include "edge.h"

static const char *const specs[] = {
    "zstd:3", "expsplit,zeromask|zstd:3", "bytesplit,delta:cols|lz4", "transpose|raw",
    "bitshuffle|brotli:2", "q4:cols|raw", "trunc:2,shuffle|lz4hc:2", "delta:rows|raw",
    "xor:rows|raw", "q8:rows,bytesplit|zstd:1", "bfctx", "bfxor", "bfdelta", "expsplit|rans", "quant:sim=0.99",
    "topk:0.1|lz4", "outliers:0.05,q8:rows|zstd:1", "lowrank:4|zstd:1", "qrot:0.99|zstd:1",
};
#define N_SPECS (sizeof specs / sizeof specs[0])

/* One context for the whole test, as a long-running user keeps one: every
 * corrupt input meets the scratch the inputs before it left. */
static mx_ctx *ctx;

static int encode(const mx_matrix *m, const char *spec, uint8_t **buf, size_t *len)
{
    mx_pipeline p;
    mx_error err = {0};
    int rc = mx_pipeline_parse(spec, &p, &err) || mx_compress(ctx, &p, m, buf, len, &err);
    CHECK(rc == 0, "%s: %s", spec, err.msg);
    return rc;
}

/* The same container rewritten as an older version (every checksum redone,
 * the value hash from the decoded values). */
static int rewrite_as(unsigned version, uint8_t **buf, size_t *len)
{
    mx_container c;
    mx_matrix m;
    mx_error err = {0};
    uint8_t *old;
    size_t old_len;
    int rc = mx_decompress(ctx, *buf, *len, &m, &err);
    if (rc == 0) {
        c.value_hash = mx_container_hash64(version, m.data, mx_matrix_count(&m) * 2);
        mx_matrix_free(&m);
    }
    uint64_t vh = c.value_hash;
    rc = rc || mx_container_read(*buf, *len, &c, &err);
    c.version = (uint16_t)version;
    c.value_hash = vh;
    rc = rc || mx_container_write(&c, &old, &old_len, &err);
    CHECK(rc == 0 && old[4] == version, "rewrite as v%u: %s", version, err.msg);
    if (rc)
        return -1;
    free(*buf);
    *buf = old;
    *len = old_len;
    return 0;
}

static size_t n_flips, n_truncations;

static void check_corruption(const mx_matrix *m, const char *spec, unsigned version)
{
    uint8_t *buf;
    size_t len;
    if (encode(m, spec, &buf, &len))
        return;
    if (version != MX_CONTAINER_VERSION && rewrite_as(version, &buf, &len)) {
        free(buf);
        return;
    }
    mx_matrix out;
    mx_error err = {0};
    size_t accepted = 0;
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            buf[i] ^= (uint8_t)(1u << bit);
            n_flips++;
            if (mx_decompress(ctx, buf, len, &out, &err) == 0) {
                accepted++;
                mx_matrix_free(&out);
            } else {
                CHECK(err.code == MX_EINPUT && err.msg[0], "error code for byte %zu", i);
            }
            buf[i] ^= (uint8_t)(1u << bit);
        }
    }
    CHECK(accepted == 0, "%s v%u: %zu corrupted files decoded without an error", spec, version,
          accepted);
    size_t truncated_ok = 0;
    for (size_t l = 0; l < len; l++) {
        uint8_t *t = malloc(l + 1); /* exact-size copy so ASan sees overreads */
        memcpy(t, buf, l);
        n_truncations++;
        if (mx_decompress(ctx, t, l, &out, &err) == 0) {
            truncated_ok++;
            mx_matrix_free(&out);
        }
        free(t);
    }
    CHECK(truncated_ok == 0, "%s: %zu truncations decoded", spec, truncated_ok);
    uint8_t *longer = malloc(len + 1);
    memcpy(longer, buf, len);
    longer[len] = 0;
    CHECK(mx_decompress(ctx, longer, len + 1, &out, &err) != 0, "%s: trailing byte accepted", spec);
    free(longer);
    CHECK(mx_decompress(ctx, buf, len, &out, &err) == 0, "%s: intact file: %s", spec, err.msg);
    mx_matrix_free(&out);
    free(buf);
}

/* Re-label a valid container with another pipeline (fixing the header hash,
 * as a malicious file would): the decoders must cope with shapes that do
 * not match what they expect. */
static void check_relabel(const mx_matrix *m, const char *from, const char *to)
{
    uint8_t *buf, *fake;
    size_t len, flen;
    mx_error err = {0};
    if (encode(m, from, &buf, &len))
        return;
    mx_container c;
    CHECK(mx_container_read(buf, len, &c, &err) == 0, "%s", err.msg);
    mx_pipeline p;
    mx_pipeline_parse(to, &p, &err);
    mx_pipeline_format(&p, c.spec, sizeof c.spec);
    c.lossy = mx_pipeline_lossy(&p);
    CHECK(mx_container_write(&c, &fake, &flen, &err) == 0, "%s", err.msg);
    mx_matrix out;
    int rc = mx_decompress(ctx, fake, flen, &out, &err);
    if (rc == 0) {
        /* only a lossy label can slip past the value checksum */
        int same = memcmp(out.data, m->data, mx_matrix_count(m) * 2) == 0;
        CHECK(c.lossy || same, "%s relabelled %s decoded to wrong values", from, to);
        mx_matrix_free(&out);
    } else {
        CHECK(err.code == MX_EINPUT && err.msg[0], "error for %s as %s", from, to);
    }
    free(fake);
    free(buf);
}

/* Version 2's checks, by their definition (container.h "Checksums"): the
 * one-shot XXH3-64 of a copy padded with zeros to 248 bytes, then the
 * length as u64 LE. */
static uint64_t padded_xxh3(const void *p, size_t n)
{
    size_t len = (n < MX_CHECK_PAD ? MX_CHECK_PAD : n) + 8;
    uint8_t *b = calloc(1, len);
    if (!b)
        return 0;
    memcpy(b, p, n);
    for (int i = 0; i < 8; i++)
        b[len - 8 + (size_t)i] = (uint8_t)((uint64_t)n >> (8 * i));
    uint64_t h = XXH3_64bits(b, len);
    free(b);
    return h;
}

/* Version 2's checksums are the padded XXH3-64, computed here from the
 * layout with libxxhash itself; a version-1 rewrite of the same file
 * decodes to the same values with XXH64/XXH32 in those places. */
static void check_hashes(const mx_matrix *m)
{
    uint8_t some[600];
    for (size_t i = 0; i < sizeof some; i++)
        some[i] = (uint8_t)(i * 131 + 7);
    const size_t lens[] = {0, 1, 8, 200, 247, 248, 249, 256, 600};
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++)
        CHECK(mx_container_hash64(2, some, lens[i]) == padded_xxh3(some, lens[i]) &&
                  mx_container_hash32(2, some, lens[i]) == (uint32_t)padded_xxh3(some, lens[i]),
              "v2 checks of %zu bytes are the padded XXH3-64", lens[i]);
    static const uint8_t zero[1];
    CHECK(mx_container_hash64(2, zero, 0) != mx_container_hash64(2, zero, 1),
          "the length tells a zero byte from nothing");

    uint8_t *buf;
    size_t len;
    mx_container c;
    mx_error err = {0};
    if (encode(m, "expsplit|zstd:1", &buf, &len))
        return;
    CHECK(buf[4] == 2 && MX_CONTAINER_VERSION == 2, "writes version 2, wrote %u", buf[4]);
    CHECK(mx_container_read(buf, len, &c, &err) == 0 && c.version == 2, "read v2: %s", err.msg);
    size_t n = mx_matrix_count(m) * 2, hdr = c.header_size;
    uint64_t tail = 0;
    for (int i = 7; i >= 0; i--)
        tail = tail << 8 | buf[len - 8 + (size_t)i];
    CHECK(tail == padded_xxh3(buf, len - 8), "v2 trailing checksum is the padded XXH3-64");
    CHECK(c.value_hash == padded_xxh3(m->data, n) && c.value_hash == mx_values_hash(m->data, n / 2),
          "v2 value hash is the padded XXH3-64 of the values");
    uint32_t h32 = (uint32_t)buf[hdr - 4] | (uint32_t)buf[hdr - 3] << 8 |
                   (uint32_t)buf[hdr - 2] << 16 | (uint32_t)buf[hdr - 1] << 24;
    CHECK(h32 == (uint32_t)padded_xxh3(buf, hdr - 4), "v2 header check is the padded XXH3-64's low half");
    /* the last stream's check sits just before the header's */
    const uint8_t *s = c.coded.data[c.coded.n - 1];
    uint32_t s32 = (uint32_t)buf[hdr - 8] | (uint32_t)buf[hdr - 7] << 8 |
                   (uint32_t)buf[hdr - 6] << 16 | (uint32_t)buf[hdr - 5] << 24;
    CHECK(s32 == (uint32_t)padded_xxh3(s, c.coded.size[c.coded.n - 1]),
          "v2 stream check is the padded XXH3-64's low half");
    if (rewrite_as(1, &buf, &len) == 0) {
        mx_matrix out;
        CHECK(mx_container_read(buf, len, &c, &err) == 0 && c.version == 1 &&
                  c.value_hash == XXH64(m->data, n, 0),
              "v1 value hash is XXH64: %s", err.msg);
        for (int i = 7; i >= 0; i--)
            tail = tail << 8 | buf[len - 8 + (size_t)i];
        CHECK(tail == XXH64(buf, len - 8, 0), "v1 trailing checksum is XXH64");
        int rc = mx_decompress(ctx, buf, len, &out, &err);
        CHECK(rc == 0 && memcmp(out.data, m->data, n) == 0, "v1 rewrite decodes: %s", err.msg);
        if (rc == 0)
            mx_matrix_free(&out);
    }
    free(buf);
}

/* A version-1 .npy header of dict, padded as numpy pads it, into h. */
static size_t npy_header(uint8_t *h, const char *dict)
{
    size_t dl = strlen(dict), total = (10 + dl + 1 + 63) / 64 * 64;
    memcpy(h, "\x93NUMPY\x01\x00", 8);
    h[8] = (uint8_t)(total - 10);
    h[9] = (uint8_t)((total - 10) >> 8);
    memcpy(h + 10, dict, dl);
    memset(h + 10 + dl, ' ', total - 10 - dl - 1);
    h[total - 1] = '\n';
    return total;
}

/* The container buf (len bytes) rewritten, checksums and all, with these
 * origin fields: decompress and describe must both refuse it as corrupt.
 * 0, or -1 when buf could not be rewritten (a failed check then). */
static int check_rewrite_refused(const uint8_t *buf, size_t len, const uint8_t *blob,
                                 size_t blob_len, mx_origin origin, int fortran,
                                 const char *what, size_t i)
{
    mx_container c;
    uint8_t *fake;
    size_t flen;
    mx_matrix out;
    mx_container_info info;
    mx_error err = {0};
    if (mx_container_read(buf, len, &c, &err)) {
        CHECK(0, "%s", err.msg);
        return -1;
    }
    c.blob = blob;
    c.blob_len = blob_len;
    c.origin = origin;
    c.fortran = fortran;
    if (mx_container_write(&c, &fake, &flen, &err)) {
        CHECK(0, "%s", err.msg);
        return -1;
    }
    int rc = mx_decompress(ctx, fake, flen, &out, &err);
    CHECK(rc == -1 && err.code == MX_EINPUT && strstr(err.msg, "corrupt container"),
          "%s case %zu decoded: %s", what, i, err.msg);
    if (rc == 0)
        mx_matrix_free(&out);
    CHECK(mx_container_describe(fake, flen, &info, &err) == -1 &&
              strstr(err.msg, "corrupt container"),
          "%s case %zu described: %s", what, i, err.msg);
    free(fake);
    return 0;
}

/* compress refuses m, whose origin header does not describe its values */
static void check_compress_refused(const mx_matrix *m, const char *what)
{
    uint8_t *buf = NULL;
    size_t len;
    mx_pipeline p;
    mx_error err = {0};
    mx_pipeline_parse("zstd:1", &p, &err);
    CHECK(mx_compress(ctx, &p, m, &buf, &len, &err) == -1 && err.code == MX_EINPUT && !buf &&
              strstr(err.msg, "origin"),
          "compress of a %s its header does not describe: %s", what, err.msg);
}

/* The origin .npy header stored in a container is what decompress writes
 * before the values: one that is no .npy header, or not of these values,
 * was written out as it was (after a verify that said OK), so numpy could
 * not read the file. The reader refuses it, headers alone (info) or whole,
 * and compress refuses a matrix whose header does not describe it. */
static void check_origin_header(const mx_matrix *small)
{
    uint8_t good[128], hb[256];
    mx_matrix m = *small; /* 13 x 37, with the header an '<i2' file keeps */
    m.origin = MX_ORIGIN_NPY;
    m.origin_blob = good;
    m.origin_blob_len = npy_header(good, "{'descr': '<i2', 'fortran_order': False, 'shape': (13, 37), }");
    uint8_t *buf;
    size_t len;
    mx_matrix out;
    mx_error err = {0};
    if (encode(&m, "zstd:1", &buf, &len))
        return;
    CHECK(mx_decompress(ctx, buf, len, &out, &err) == 0 && out.origin_blob_len == m.origin_blob_len &&
              memcmp(out.origin_blob, good, m.origin_blob_len) == 0,
          "the kept header comes back: %s", err.msg);
    mx_matrix_free(&out);
    static const char rogue[] = "\x93NUMPY\x01\x00\x40\x00{'descr': '<f8', 'fortran_order': True, "
                                "'shape': (99999999999, -3), }";
    static const struct { const char *dict; int origin, fortran; } cases[] = {
        {NULL, MX_ORIGIN_NPY, 0}, /* the reviewer's header, as it came */
        {"", MX_ORIGIN_NPY, 0},   /* 64 bytes of no header at all */
        {"{'descr': '<u2', 'fortran_order': False, 'shape': (37, 13), }", MX_ORIGIN_NPY, 0},
        {"{'descr': '<u2', 'fortran_order': False, 'shape': (481,), }", MX_ORIGIN_NPY, 0},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (13, 37), }", MX_ORIGIN_NPY, 0},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (13, 37), }", MX_ORIGIN_NPY, 0},
        {"{'descr': '<u2', 'fortran_order': True, 'shape': (13, 37), }", MX_ORIGIN_NPY, 0},
        {"{'descr': '<u2', 'fortran_order': False, 'shape': (13, 37), }", MX_ORIGIN_NPY, 1},
        {"{'descr': '<u2', 'descr': '<f8', 'fortran_order': False, 'shape': (13, 37), }",
         MX_ORIGIN_NPY, 0},
        {"{'descr': '<u2', 'fortran_order': False, 'shape': (13, 37), }", MX_ORIGIN_RAW, 0},
        {"{'descr': '<u2', 'fortran_order': False, 'shape': (13, 37), }", MX_ORIGIN_SAFETENSORS, 0},
        {"{'descr': '<u2', 'fortran_order': False, 'shape': (13, 37), }", MX_ORIGIN_NPY_F32, 0},
        {"-", MX_ORIGIN_RAW, 1}, /* no header; Fortran order for a raw file */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t hl = 0;
        if (!cases[i].dict)
            memcpy(hb, rogue, hl = sizeof rogue - 1);
        else if (!cases[i].dict[0])
            for (hl = 0; hl < 64; hl++)
                hb[hl] = (uint8_t)(hl * 37 + 11);
        else if (cases[i].dict[0] != '-')
            hl = npy_header(hb, cases[i].dict);
        if (check_rewrite_refused(buf, len, hb, hl, (mx_origin)cases[i].origin, cases[i].fortran,
                                  "origin", i))
            break;
    }
    free(buf);
    /* frames: the header is the whole matrix's, in the first frame only */
    mx_ctx_set_frame_rows(ctx, 4);
    if (encode(&m, "zstd:1", &buf, &len) == 0) {
        CHECK(mx_decompress(ctx, buf, len, &out, &err) == 0 && out.origin_blob_len, "frames: %s",
              err.msg);
        mx_matrix_free(&out);
        free(buf);
    }
    /* compress refuses a header that does not describe its matrix */
    m.origin_blob_len = npy_header(good, "{'descr': '<u2', 'fortran_order': False, 'shape': (4, 37), }");
    check_compress_refused(&m, "matrix");
    mx_ctx_set_frame_rows(ctx, 0);
}

/* A .safetensors tensor that is not 2-D keeps its shape as the header
 * decompress writes: it comes back, and one other than exactly what
 * compress writes for such a shape of these values is refused as for .npy
 * origins, both when read and when compressed. */
static void check_tensor_header(const mx_matrix *small)
{
    static const uint64_t dims[3] = {13, 1, 37};
    uint8_t good[MX_NPY_TENSOR_MAX], hb[256];
    mx_matrix m = *small; /* 13 x 37, as a [13, 1, 37] tensor */
    m.origin = MX_ORIGIN_SAFETENSORS;
    m.origin_blob = good;
    m.origin_blob_len = mx_npy_tensor_header(dims, 3, good);
    CHECK(m.origin_blob_len == npy_header(hb, "{'descr': '<u2', 'fortran_order': False, "
                                              "'shape': (13, 1, 37), }") &&
              memcmp(good, hb, m.origin_blob_len) == 0,
          "a tensor's header is numpy's, padded as numpy pads it");
    uint8_t *buf;
    size_t len;
    mx_matrix out;
    mx_error err = {0};
    if (encode(&m, "zstd:1", &buf, &len))
        return;
    CHECK(mx_decompress(ctx, buf, len, &out, &err) == 0 && out.origin == MX_ORIGIN_SAFETENSORS &&
              out.origin_blob_len == m.origin_blob_len &&
              memcmp(out.origin_blob, good, m.origin_blob_len) == 0,
          "the tensor's shape comes back: %s", err.msg);
    mx_matrix_free(&out);
    static const struct { const char *dict; int fortran; } cases[] = {
        {"{'descr': '<u2', 'fortran_order': False, 'shape': (13, 37, 1), }", 0}, /* 481 x 1 */
        {"{'descr': '<u2', 'fortran_order': False, 'shape': (481,), }", 0},      /* 1 x 481 */
        {"{'descr': '<u2', 'fortran_order': False, 'shape': (13, 37), }", 0},    /* 2-D: none */
        {"{'descr': '<i2', 'fortran_order': False, 'shape': (13, 1, 37), }", 0}, /* not ours */
        {"{'descr': '<u2', 'fortran_order': False, 'shape': (13,1,37), }", 0},   /* not ours */
        {"{'descr': '<u2', 'fortran_order': True, 'shape': (13, 1, 37), }", 0},
        {"{'descr': '<u2', 'fortran_order': False, 'shape': (13, 1, 37), }", 1}, /* Fortran */
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (13, 1, 37), }", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (check_rewrite_refused(buf, len, hb, npy_header(hb, cases[i].dict), MX_ORIGIN_SAFETENSORS,
                                  cases[i].fortran, "tensor", i))
            break;
    free(buf);
    /* compress refuses a tensor whose header does not hold its values */
    m.origin_blob_len = npy_header(good, "{'descr': '<u2', 'fortran_order': False, 'shape': (13, 2, 37), }");
    check_compress_refused(&m, "tensor");
}

int main(void)
{
    mx_named_matrix *e;
    size_t ne;
    if (!(ctx = mx_ctx_create()) || mx_edge_cases(&e, &ne))
        return 99;
    const mx_matrix *small = NULL;
    for (size_t i = 0; i < ne; i++)
        if (strcmp(e[i].name, "odd_13x37") == 0)
            small = &e[i].m;
    CHECK(small != NULL, "edge case odd_13x37 exists");
    if (!small)
        return check_exit("test_container");
    for (size_t i = 0; i < N_SPECS; i++)
        check_corruption(small, specs[i], MX_CONTAINER_VERSION);
    for (size_t i = 0; i < N_SPECS; i += 3) /* the version-1 reader too */
        check_corruption(small, specs[i], 1);
    check_hashes(small);
    check_origin_header(small);
    check_tensor_header(small);
    for (size_t i = 0; i < N_SPECS; i++)
        for (size_t j = 0; j < N_SPECS; j++)
            if (i != j)
                for (size_t k = 0; k < ne; k++)
                    check_relabel(&e[k].m, specs[i], specs[j]);

    /* a damaged file says which part is damaged */
    {
        mx_error err = {0};
        uint8_t *buf;
        size_t len;
        mx_container c;
        if (encode(small, "expsplit|zstd:1", &buf, &len) == 0 && mx_container_read(buf, len, &c, &err) == 0) {
            size_t hdr = c.header_size;
            struct { size_t at; const char *says; } cases[] = {
                {hdr + 1, "stream 1 of 3"},
                {len - 9, "stream 3 of 3"},
                {hdr - 2, "header is damaged"},
                {10, "header is damaged"},
                {len - 3, "trailing checksum is damaged"},
            };
            for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
                mx_matrix out2;
                buf[cases[k].at] ^= 0x10;
                CHECK(mx_decompress(ctx, buf, len, &out2, &err) != 0 && strstr(err.msg, cases[k].says),
                      "flip at %zu should say '%s', said '%s'", cases[k].at, cases[k].says, err.msg);
                buf[cases[k].at] ^= 0x10;
            }
            free(buf);
        }
    }
    /* not a container at all */
    mx_matrix out;
    mx_error err = {0};
    CHECK(mx_decompress(ctx, (const uint8_t *)"hello", 5, &out, &err) != 0 &&
              strstr(err.msg, "magic"), "bad magic: %s", err.msg);
    /* a future version, or version 0, is refused by name */
    uint8_t *buf;
    size_t len;
    if (encode(small, "zstd:1", &buf, &len) == 0) {
        for (unsigned v = 0; v < 256; v += 3) {
            if (v >= MX_CONTAINER_OLDEST && v <= MX_CONTAINER_VERSION)
                continue;
            buf[4] = (uint8_t)v;
            CHECK(mx_decompress(ctx, buf, len, &out, &err) != 0 && strstr(err.msg, "version"),
                  "version %u: %s", v, err.msg);
        }
        free(buf);
    }
    /* a container of no values claiming 10^8 rows (or 2^63 columns) is
     * refused by its shape before any decoder walks those rows */
    for (size_t k = 0; k < ne; k++) {
        if (strcmp(e[k].name, "empty_0x8") || encode(&e[k].m, "q8:rows|zstd:1", &buf, &len))
            continue;
        mx_container c;
        uint8_t *fake;
        size_t flen;
        CHECK(mx_container_read(buf, len, &c, &err) == 0, "%s", err.msg);
        static const uint64_t shapes[][2] = {{100000000, 0}, {0, (uint64_t)1 << 63}};
        for (size_t j = 0; j < 2; j++) {
            c.rows = c.total_rows = shapes[j][0];
            c.cols = shapes[j][1];
            CHECK(mx_container_write(&c, &fake, &flen, &err) == 0, "%s", err.msg);
            CHECK(mx_decompress(ctx, fake, flen, &out, &err) != 0 && strstr(err.msg, "without values"),
                  "an empty %llux%llu container: %s", (unsigned long long)c.rows,
                  (unsigned long long)c.cols, err.msg);
            free(fake);
        }
        free(buf);
    }
    mx_named_matrices_free(e, ne);
    fprintf(stderr, "corruption trials: %zu single-bit flips, %zu truncations\n", n_flips,
            n_truncations);
    mx_ctx_free(ctx);
    return check_exit("test_container");
}
