/* Readers: .npy (v1/v2/v3, dtypes, Fortran order, shapes, bad files),
 * .safetensors, raw .bin, and manifests (with header, headerless). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../codecs/bf16.h"
#include "../src/fileio.h"
#include "../src/manifest.h"
#include "../src/npy.h"
#include "../src/samples.h"
#include "check.h"

static char tmpdir[256];

/* Builds an .npy of the given version and header dict around payload. */
static size_t make_npy(uint8_t *out, int version, const char *dict, const void *payload,
                       size_t plen)
{
    size_t pre = version == 1 ? 10 : 12, dl = strlen(dict);
    size_t total = (pre + dl + 1 + 63) / 64 * 64, hlen = total - pre;
    memcpy(out, "\x93NUMPY", 6);
    out[6] = (uint8_t)version;
    out[7] = 0;
    for (size_t i = 0; i < pre - 8; i++)
        out[8 + i] = (uint8_t)(hlen >> (8 * i));
    memcpy(out + pre, dict, dl);
    memset(out + pre + dl, ' ', hlen - dl - 1);
    out[total - 1] = '\n';
    memcpy(out + total, payload, plen);
    return total + plen;
}

static void check_npy_versions(void)
{
    uint16_t vals[6] = {0x3f80, 0x4000, 0x4040, 0x8000, 0x7fc1, 0x0001};
    uint8_t buf[512], *back;
    size_t blen;
    for (int v = 1; v <= 3; v++) {
        size_t len = make_npy(buf, v, "{'descr': '<u2', 'fortran_order': False, 'shape': (2, 3), }",
                              vals, sizeof vals);
        mx_matrix m;
        mx_error err = {0};
        CHECK(mx_npy_parse(buf, len, &m, &err) == 0, "v%d: %s", v, err.msg);
        CHECK(m.rows == 2 && m.cols == 3 && memcmp(m.data, vals, sizeof vals) == 0, "v%d", v);
        CHECK(mx_npy_serialize(&m, &back, &blen, &err) == 0 && blen == len &&
                  memcmp(back, buf, len) == 0, "v%d: file bytes restored", v);
        free(back);
        mx_matrix_free(&m);
    }
}

static void check_npy_dtypes_and_shapes(void)
{
    uint16_t vals[24];
    for (int i = 0; i < 24; i++)
        vals[i] = (uint16_t)(0x3f80 + i);
    static const struct { const char *dict; int ok; uint64_t rows, cols; } cases[] = {
        {"{'descr': '<i2', 'fortran_order': False, 'shape': (4, 6), }", 1, 4, 6},
        {"{'descr': '|V2', 'fortran_order': False, 'shape': (24,), }", 1, 1, 24},
        {"{'descr': '<V2', 'fortran_order': False, 'shape': (2, 3, 4), }", 1, 6, 4},
        {"{'descr': 'bfloat16', 'fortran_order': False, 'shape': (24, 1), }", 1, 24, 1},
        {"{\"descr\": \"<u2\", \"fortran_order\": False, \"shape\": (3, 8)}", 1, 3, 8},
        {"{'descr': '>u2', 'fortran_order': False, 'shape': (4, 6), }", 0, 0, 0},
        {"{'descr': '<f2', 'fortran_order': False, 'shape': (4, 6), }", 0, 0, 0},
        {"{'descr': '<u2', 'fortran_order': False, 'shape': (5, 6), }", 0, 0, 0}, /* short */
        {"{'descr': '<u2', 'fortran_order': False, 'shape': (2, 6), }", 0, 0, 0}, /* long */
        {"{'descr': '<u2', 'fortran_order': True, 'shape': (2, 3, 4), }", 0, 0, 0},
        {"{'descr': '<u2', 'shape': (4, 6), }", 0, 0, 0},
        {"{'descr': '<u2', 'fortran_order': False, 'shape': (4, x), }", 0, 0, 0},
        {"{'fortran_order': False, 'shape': (4, 6), }", 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t buf[512];
        size_t len = make_npy(buf, 1, cases[i].dict, vals, sizeof vals);
        mx_matrix m;
        mx_error err = {0};
        int rc = mx_npy_parse(buf, len, &m, &err);
        if (cases[i].ok) {
            CHECK(rc == 0 && m.rows == cases[i].rows && m.cols == cases[i].cols &&
                      memcmp(m.data, vals, sizeof vals) == 0,
                  "%s: %s", cases[i].dict, err.msg);
            mx_matrix_free(&m);
        } else {
            CHECK(rc == -1 && err.code == MX_EINPUT && err.msg[0], "%s accepted", cases[i].dict);
        }
    }
    /* shape () is a 1x1 matrix */
    uint8_t buf[256];
    size_t len = make_npy(buf, 1, "{'descr': '<u2', 'fortran_order': False, 'shape': (), }",
                          vals, 2);
    mx_matrix m;
    mx_error err = {0};
    CHECK(mx_npy_parse(buf, len, &m, &err) == 0 && m.rows == 1 && m.cols == 1, "scalar");
    mx_matrix_free(&m);
    /* truncated anywhere: an error, never a crash */
    len = make_npy(buf, 1, "{'descr': '<u2', 'fortran_order': False, 'shape': (4, 6), }", vals,
                   sizeof vals);
    for (size_t l = 0; l < len; l++) {
        uint8_t *t = malloc(l + 1);
        memcpy(t, buf, l);
        CHECK(mx_npy_parse(t, l, &m, &err) == -1, "truncated at %zu accepted", l);
        free(t);
    }
}

static void check_npy_fortran(void)
{
    /* 2x3 matrix [[1,2,3],[4,5,6]] stored column-major: 1,4,2,5,3,6 */
    uint16_t f[6] = {1, 4, 2, 5, 3, 6}, c[6] = {1, 2, 3, 4, 5, 6};
    uint8_t buf[256], *back;
    size_t len = make_npy(buf, 1, "{'descr': '<u2', 'fortran_order': True, 'shape': (2, 3), }",
                          f, sizeof f), blen;
    mx_matrix m;
    mx_error err = {0};
    CHECK(mx_npy_parse(buf, len, &m, &err) == 0 && memcmp(m.data, c, sizeof c) == 0 && m.fortran,
          "fortran: %s", err.msg);
    CHECK(mx_npy_serialize(&m, &back, &blen, &err) == 0 && blen == len &&
              memcmp(back, buf, len) == 0, "fortran file restored byte for byte");
    free(back);
    mx_matrix_free(&m);
}

static void check_npy_f32(void)
{
    /* 1.0; 1+2^-8 (tie, rounds to even = 1.0); 1+3*2^-8 (tie, rounds up);
     * pi; NaN; -0.0; largest float (rounds to Inf, as torch does) */
    uint32_t f[7] = {0x3f800000, 0x3f808000, 0x3f818000, 0x40490fdb, 0x7fc00001, 0x80000000,
                     0x7f7fffff};
    uint16_t want[7] = {0x3f80, 0x3f80, 0x3f82, 0x4049, 0, 0x8000, 0x7f80};
    uint8_t buf[256];
    size_t len = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (7,), }", f,
                          sizeof f);
    mx_matrix m;
    mx_error err = {0};
    CHECK(mx_npy_parse(buf, len, &m, &err) == 0 && m.origin == MX_ORIGIN_NPY_F32, "f4: %s",
          err.msg);
    for (int i = 0; i < 7; i++) {
        if (i == 4)
            CHECK(mx_bf16_is_nan(m.data[i]), "NaN stays NaN: %04x", m.data[i]);
        else
            CHECK(m.data[i] == want[i], "f32 %08x -> %04x, want %04x", f[i], m.data[i], want[i]);
    }
    /* written back as a bf16 file */
    uint8_t *back;
    size_t blen;
    CHECK(mx_npy_serialize(&m, &back, &blen, &err) == 0 && strstr((char *)back + 10, "'<u2'"),
          "f4 comes back as <u2");
    free(back);
    mx_matrix_free(&m);
}

/* numpy reads the header dict as a Python literal and wants exactly the
 * keys descr, fortran_order and shape: a key twice (numpy keeps the last,
 * mxbench kept the first) or one numpy does not know must be refused, so
 * no file means one thing here and another to numpy. */
static void check_npy_header_keys(void)
{
    uint16_t vals[24] = {0};
    static const struct { const char *dict, *says; } bad[] = {
        {"{'descr': '<u2', 'descr': '<f8', 'fortran_order': False, 'shape': (4, 6), }",
         "bad npy header"},
        {"{'descr': '<u2', 'fortran_order': False, 'shape': (4, 6), 'shape': (4, 6), }",
         "bad npy header"},
        {"{'descr': '<u2', 'fortran_order': False, 'shape': (4, 6), 'x': 1, }", "bad npy header"},
        {"{'x': 'shape', 'descr': '<u2', 'fortran_order': False, 'shape': (4, 6), }",
         "bad npy header"},
        /* numpy refuses these as well: an int, not a tuple; text after the
         * dict; an int for a bool; no comma; no dict */
        {"{'descr': '<u2', 'fortran_order': False, 'shape': (24), }", "shape"},
        {"{'descr': '<u2', 'fortran_order': False, 'shape': (4, 6), } x", "bad npy header"},
        {"{'descr': '<u2', 'fortran_order': 0, 'shape': (4, 6), }", "fortran_order"},
        {"{'descr': '<u2' 'fortran_order': False, 'shape': (4, 6), }", "bad npy header"},
        {"'descr': '<u2', 'fortran_order': False, 'shape': (4, 6)", "bad npy header"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t buf[512];
        size_t len = make_npy(buf, 1, bad[i].dict, vals, sizeof vals);
        mx_matrix m;
        mx_error err = {0};
        int rc = mx_npy_parse(buf, len, &m, &err);
        CHECK(rc == -1 && err.code == MX_EINPUT && strstr(err.msg, bad[i].says),
              "%s: rc %d, '%s' (want '%s')", bad[i].dict, rc, err.msg, bad[i].says);
        if (rc == 0)
            mx_matrix_free(&m);
    }
    /* what numpy takes: any key order, any spacing, no trailing comma */
    uint8_t buf[512];
    size_t len = make_npy(buf, 1, "{ 'shape' : ( 4 ,\t6 , ) , \"fortran_order\":False,'descr':'<u2'}",
                          vals, sizeof vals);
    mx_matrix m;
    mx_error err = {0};
    CHECK(mx_npy_parse(buf, len, &m, &err) == 0 && m.rows == 4 && m.cols == 6, "%s", err.msg);
    mx_matrix_free(&m);
}

/* A refused shape is named as the header writes it: not saturated (a
 * 400-digit dimension is no 18446744073709551615) nor reshaped ((n,) is
 * no 1xn). */
static void check_npy_shape_messages(void)
{
    char digits[401], big[80];
    memset(digits, '9', 400);
    digits[400] = 0;
    snprintf(big, sizeof big, "(%.40s", digits);
    static const struct { const char *shape, *says; } cases[] = {
        {NULL, NULL}, /* the 400-digit one */
        {"(9223372036854775807,)", "shape (9223372036854775807,) is too large"},
        {"(18446744073709551616, 1)", "shape (18446744073709551616, 1) is too large"},
        {"(4294967296, 4294967296)", "shape (4294967296, 4294967296) is too large"},
        {"(65536, 65536, 65536, 65536)", "shape (65536, 65536, 65536, 65536) is too large"},
        {"(4294967296, 4294967296, 2)", "shape (4294967296, 4294967296, 2) is too large"},
        {"(2, 1048577, 0)", "shape (2, 1048577, 0): a matrix without values"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char dict[600];
        snprintf(dict, sizeof dict, "{'descr': '<u2', 'fortran_order': False, 'shape': %s, }",
                 cases[i].shape ? cases[i].shape : "");
        if (!cases[i].shape)
            snprintf(dict, sizeof dict,
                     "{'descr': '<u2', 'fortran_order': False, 'shape': (%s, 32), }", digits);
        uint8_t buf[1024];
        size_t len = make_npy(buf, 1, dict, "", 0);
        mx_matrix m;
        mx_error err = {0};
        int rc = mx_npy_parse(buf, len, &m, &err);
        const char *says = cases[i].says ? cases[i].says : big;
        CHECK(rc == -1 && err.code == MX_EINPUT && strstr(err.msg, says) &&
                  !strstr(err.msg, "18446744073709551615") && !strstr(err.msg, " 1x") &&
                  strlen(err.msg) < 160,
              "%.60s: '%s' (want '%s')", dict + 50, err.msg, says);
        if (rc == 0)
            mx_matrix_free(&m);
    }
}

/* What a container checks its stored header with: a whole header, of a
 * 2-byte dtype, in the order given, of exactly rows x cols. */
static void check_npy_header_fits(void)
{
    uint8_t h[256];
    mx_error err = {0};
    size_t n = make_npy(h, 1, "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3, 4), }", "", 0);
    CHECK(mx_npy_header_fits(h, n, 6, 4, 0, &err) == 0, "(2, 3, 4) fits 6x4: %s", err.msg);
    CHECK(mx_npy_header_fits(h, n, 4, 6, 0, &err) == -1 && strstr(err.msg, "shape"), "4x6");
    CHECK(mx_npy_header_fits(h, n, 6, 4, 1, &err) == -1 && strstr(err.msg, "fortran"), "order");
    CHECK(mx_npy_header_fits(h, n - 1, 6, 4, 0, &err) == -1, "cut short");
    h[n] = h[n + 1] = ' ';
    CHECK(mx_npy_header_fits(h, n + 2, 6, 4, 0, &err) == -1 && strstr(err.msg, "2 bytes follow"),
          "bytes after the header: %s", err.msg);
    n = make_npy(h, 1, "{'descr': '<u2', 'fortran_order': True, 'shape': (24,), }", "", 0);
    CHECK(mx_npy_header_fits(h, n, 1, 24, 1, &err) == 0, "(24,) Fortran fits 1x24: %s", err.msg);
    static const char *const wide[] = {
        "{'descr': '<f4', 'fortran_order': False, 'shape': (6, 4), }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (6, 4), }",
    };
    for (int i = 0; i < 2; i++) {
        n = make_npy(h, 1, wide[i], "", 0);
        CHECK(mx_npy_header_fits(h, n, 6, 4, 0, &err) == -1, "%s fits", wide[i]);
    }
}

static void write_tmp(const char *name, const void *buf, size_t len)
{
    char path[512];
    mx_error err = {0};
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    if (mx_write_file_atomic(path, buf, len, 1, &err))
        fprintf(stderr, "%s\n", err.msg);
}

static void check_safetensors(void)
{
    const char *json = "{\"__metadata__\":{\"format\":\"pt\"},"
                       "\"a\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[0,12]},"
                       "\"f\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]},"
                       "\"b\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[20,28]}}";
    uint8_t buf[1024];
    size_t hl = strlen(json);
    for (int i = 0; i < 8; i++)
        buf[i] = (uint8_t)(hl >> (8 * i));
    memcpy(buf + 8, json, hl);
    for (int i = 0; i < 28; i++)
        buf[8 + hl + (size_t)i] = (uint8_t)i;
    write_tmp("t.safetensors", buf, 8 + hl + 28);
    char path[512];
    snprintf(path, sizeof path, "%s/t.safetensors", tmpdir);
    mx_sample *s = NULL;
    size_t n = 0;
    mx_error err = {0};
    CHECK(mx_samples_load_file(path, NULL, NULL, &s, &n, &err) == 0 && n == 2, "safetensors: %s",
          err.msg);
    if (n == 2) {
        const mx_sample *a = strstr(s[0].name, ":a") ? &s[0] : &s[1];
        const mx_sample *b = a == &s[0] ? &s[1] : &s[0];
        CHECK(strcmp(a->name, "t.safetensors:a") == 0 && a->m.rows == 2 && a->m.cols == 3 &&
                  a->m.data[0] == 0x0100 && a->m.data[5] == 0x0b0a,
              "tensor a: %s", a->name);
        CHECK(b->m.rows == 1 && b->m.cols == 4 && b->m.data[0] == (uint16_t)(20 | 21 << 8),
              "tensor b");
        /* a 1-D tensor keeps its shape as the .npy header decompress
         * writes; a 2-D one needs none */
        static const char want[] = "{'descr': '<u2', 'fortran_order': False, 'shape': (4,), }";
        CHECK(b->m.origin == MX_ORIGIN_SAFETENSORS && b->m.origin_blob_len == 128 &&
                  memcmp(b->m.origin_blob, "\x93NUMPY\x01\x00\x76\x00", 10) == 0 &&
                  memcmp(b->m.origin_blob + 10, want, sizeof want - 1) == 0 &&
                  b->m.origin_blob[127] == '\n',
              "tensor b's shape (4,) is kept");
        CHECK(a->m.origin == MX_ORIGIN_SAFETENSORS && !a->m.origin_blob && !a->m.origin_blob_len,
              "tensor a (2-D) keeps no header");
    }

    mx_samples_free(s, n);
    s = NULL;
    n = 0;
    CHECK(mx_samples_load_file(path, NULL, "b", &s, &n, &err) == 0 && n == 1, "--tensor b");
    mx_samples_free(s, n);
    s = NULL;
    n = 0;
    CHECK(mx_samples_load_file(path, NULL, "zz", &s, &n, &err) == -1, "--tensor zz accepted");
    /* offsets past the end, bad JSON: errors */
    buf[8 + hl - 4] = '9';
    write_tmp("bad.safetensors", buf, 8 + hl + 28);
    snprintf(path, sizeof path, "%s/bad.safetensors", tmpdir);
    CHECK(mx_samples_load_file(path, NULL, NULL, &s, &n, &err) == -1 && err.code == MX_EINPUT,
          "bad offsets accepted");
    buf[9] = '[';
    write_tmp("bad.safetensors", buf, 8 + hl + 28);
    CHECK(mx_samples_load_file(path, NULL, NULL, &s, &n, &err) == -1 && err.code == MX_EINPUT,
          "bad JSON accepted");
    mx_samples_free(s, n);
    s = NULL;
    n = 0;
    /* a refused shape is named as the header writes it, not as 1xn */
    const char *huge = "{\"h\":{\"dtype\":\"BF16\",\"shape\":[9223372036854775807],"
                       "\"data_offsets\":[0,0]}}";
    uint8_t hb[128];
    size_t hn = strlen(huge);
    for (int i = 0; i < 8; i++)
        hb[i] = (uint8_t)(hn >> (8 * i));
    memcpy(hb + 8, huge, hn);
    write_tmp("huge.safetensors", hb, 8 + hn);
    snprintf(path, sizeof path, "%s/huge.safetensors", tmpdir);
    /* no "1x..." shape after the path (the temporary directory's random
     * name may hold "1x" itself) */
    CHECK(mx_samples_load_file(path, NULL, NULL, &s, &n, &err) == -1 &&
              strstr(err.msg, "shape [9223372036854775807] is too large") &&
              !strstr(strstr(err.msg, "tensor 'h'") ? strstr(err.msg, "tensor 'h'") : err.msg, "1x"),
          "huge tensor: %s", err.msg);
    mx_samples_free(s, n);
    s = NULL;
    n = 0;
    /* more dimensions than any .npy holds: no file decompress could write */
    char deep[256];
    int dn = snprintf(deep, sizeof deep, "{\"d\":{\"dtype\":\"BF16\",\"shape\":[");
    for (int i = 0; i < 33; i++)
        dn += snprintf(deep + dn, sizeof deep - (size_t)dn, "%s1", i ? "," : "");
    dn += snprintf(deep + dn, sizeof deep - (size_t)dn, "],\"data_offsets\":[0,2]}}");
    uint8_t db[300];
    for (int i = 0; i < 8; i++)
        db[i] = (uint8_t)((size_t)dn >> (8 * i));
    memcpy(db + 8, deep, (size_t)dn);
    db[8 + dn] = db[9 + dn] = 0;
    write_tmp("deep.safetensors", db, 8 + (size_t)dn + 2);
    snprintf(path, sizeof path, "%s/deep.safetensors", tmpdir);
    CHECK(mx_samples_load_file(path, NULL, NULL, &s, &n, &err) == -1 && err.code == MX_EINPUT &&
              strstr(err.msg, "has 33 dimensions; at most 32"),
          "33-D tensor: %s", err.msg);
    mx_samples_free(s, n);
}

static void check_raw_and_manifest(void)
{
    uint16_t vals[6] = {1, 2, 3, 4, 5, 6};
    write_tmp("m.bin", vals, sizeof vals);
    write_tmp("odd.bf16", vals, 5);
    uint8_t npy[256];
    size_t nl = make_npy(npy, 1, "{'descr': '<u2', 'fortran_order': False, 'shape': (3, 2), }",
                         vals, sizeof vals);
    write_tmp("m.npy", npy, nl);
    const char *man = "file,rows,cols,kind,source\n"
                      "m.bin,2,3,forward,\"raw, with a comma\"\n"
                      "m.npy,3,2,backward,npy\n";
    write_tmp("manifest.csv", man, strlen(man));
    char path[512];
    snprintf(path, sizeof path, "%s/manifest.csv", tmpdir);
    mx_sample *s = NULL;
    size_t n = 0;
    mx_error err = {0};
    CHECK(mx_samples_load_manifest(path, &s, &n, &err) == 0 && n == 2, "manifest: %s", err.msg);
    if (n == 2) {
        CHECK(s[0].m.rows == 2 && s[0].m.cols == 3 && strcmp(s[0].kind, "forward") == 0, "raw");
        CHECK(s[1].m.rows == 3 && strcmp(s[1].kind, "backward") == 0, "npy");
    }
    mx_samples_free(s, n);
    mx_manifest_entry *e;
    size_t ne;
    CHECK(mx_manifest_read(path, &e, &ne, &err) == 0 && ne == 2 &&
              strcmp(e[0].source, "raw, with a comma") == 0, "quoted field");
    mx_manifest_free(e, ne);

    /* the competition's form: file names only, no header */
    const char *list = "m.npy\nm.bin\n\n";
    write_tmp("list.csv", list, strlen(list));
    snprintf(path, sizeof path, "%s/list.csv", tmpdir);
    s = NULL;
    n = 0;
    CHECK(mx_samples_load_manifest(path, &s, &n, &err) == 0 && n == 2 && s[1].m.rows == 1 &&
              s[1].m.cols == 6, "one-column list: %s", err.msg);
    mx_samples_free(s, n);

    static const char *const bad[] = {
        "name,rows\nm.npy,3\n",                 /* no file column */
        "file,rows,cols\nm.bin,4,4\n",          /* shape does not match bytes */
        "file,rows,cols\nm.npy,2,3\n",          /* npy shape disagrees */
        "file,rows,cols\nm.bin,x,3\n",          /* bad number */
        "file\nmissing.npy\n",                  /* no such file */
        "file\nodd.bf16\n",                     /* odd byte count */
        "file\n",                               /* no samples */
        "file\n\"unterminated\n",               /* malformed CSV */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_tmp("bad.csv", bad[i], strlen(bad[i]));
        snprintf(path, sizeof path, "%s/bad.csv", tmpdir);
        s = NULL;
        n = 0;
        int rc = mx_samples_load_manifest(path, &s, &n, &err);
        CHECK(rc == -1 && err.msg[0] && !strchr(err.msg, '\n'), "bad manifest %zu accepted", i);
        mx_samples_free(s, n);
    }
    mx_shape sh;
    CHECK(mx_shape_parse("1024x256", &sh, &err) == 0 && sh.rows == 1024 && sh.cols == 256, "shape");
    CHECK(mx_shape_parse("1024", &sh, &err) == -1, "shape without x");
    CHECK(mx_shape_parse("x5", &sh, &err) == -1, "shape x5");
    CHECK(mx_shape_parse("5x", &sh, &err) == -1, "shape 5x");
    CHECK(mx_shape_parse("-1x5", &sh, &err) == -1, "negative shape");
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/mxtest.XXXXXX");
    if (!mkdtemp(tmpdir))
        return 99;
    check_npy_versions();
    check_npy_dtypes_and_shapes();
    check_npy_header_keys();
    check_npy_shape_messages();
    check_npy_header_fits();
    check_npy_fortran();
    check_npy_f32();
    check_safetensors();
    check_raw_and_manifest();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return check_exit("test_readers");
}
