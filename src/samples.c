#include "samples.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "container.h"
#include "fileio.h"
#include "manifest.h"
#include "npy.h"
#include "safetensors.h"

int mx_shape_parse(const char *s, mx_shape *shape, mx_error *err)
{
    char *end;
    memset(shape, 0, sizeof *shape);
    errno = 0;
    if (*s < '0' || *s > '9')
        goto bad;
    shape->rows = strtoull(s, &end, 10);
    if (errno || (*end != 'x' && *end != 'X') || end[1] < '0' || end[1] > '9')
        goto bad;
    shape->cols = strtoull(end + 1, &end, 10);
    if (errno || *end)
        goto bad;
    shape->set = 1;
    return 0;
bad:
    return mx_fail(err, MX_EINPUT, "bad shape '%s' (want ROWSxCOLS, e.g. 1024x256)", s);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Room for `more` samples after the n of *v, whose allocation holds *cap:
 * grown geometrically, so a manifest of many rows loads in linear time. */
static mx_sample *grow(mx_sample **v, size_t n, size_t *cap, size_t more, mx_error *err)
{
    if (n + more > *cap) {
        size_t want = n + more > 2 * *cap ? n + more : 2 * *cap;
        want = want < 16 ? 16 : want;
        mx_sample *q = want <= SIZE_MAX / sizeof *q ? realloc(*v, want * sizeof *q) : NULL;
        if (!q) {
            mx_fail(err, MX_EFAIL, "out of memory");
            return NULL;
        }
        *v = q;
        *cap = want;
    }
    memset(*v + n, 0, more * sizeof **v);
    return *v + n;
}

static int load_raw(const char *path, const uint8_t *buf, size_t len, const mx_shape *shape,
                    mx_matrix *m, mx_error *err)
{
    if (len % 2)
        return mx_fail(err, MX_EINPUT, "%s: %zu bytes is not a whole number of bf16 values",
                       path, len);
    uint64_t rows = 1, cols = len / 2;
    if (shape && shape->set) {
        rows = shape->rows;
        cols = shape->cols;
        if (mx_shape_check(rows, cols, err))
            return mx_wrap(err, path);
        if ((cols && rows > UINT64_MAX / 2 / cols) || rows * cols * 2 != len)
            return mx_fail(err, MX_EINPUT, "%s: %zu bytes does not match shape %llux%llu", path,
                           len, (unsigned long long)rows, (unsigned long long)cols);
    }
    if (mx_matrix_alloc(m, rows, cols))
        return mx_fail(err, MX_EFAIL, "%s: out of memory", path);
    for (size_t i = 0; i < len / 2; i++)
        m->data[i] = (uint16_t)(buf[2 * i] | buf[2 * i + 1] << 8);
    m->origin = MX_ORIGIN_RAW;
    return 0;
}

static int load_file(const char *path, const mx_shape *shape, const char *tensor, mx_sample **v,
                     size_t *n, size_t *cap, mx_error *err)
{
    uint8_t *buf;
    size_t len;
    if (mx_read_file(path, &buf, &len, err))
        return -1;
    int rc = -1;
    if (mx_npy_sniff(buf, len)) {
        mx_sample *s = grow(v, *n, cap, 1, err);
        if (!s)
            goto out;
        if (mx_npy_parse(buf, len, &s->m, err)) {
            mx_wrap(err, path);
            goto out;
        }
        s->converted = s->m.origin == MX_ORIGIN_NPY_F32;
        if (shape && shape->set && (shape->rows != s->m.rows || shape->cols != s->m.cols)) {
            mx_fail(err, MX_EINPUT, "%s: shape is %llux%llu, manifest says %llux%llu", path,
                    (unsigned long long)s->m.rows, (unsigned long long)s->m.cols,
                    (unsigned long long)shape->rows, (unsigned long long)shape->cols);
            mx_matrix_free(&s->m);
            goto out;
        }
        snprintf(s->name, sizeof s->name, "%s", base_name(path));
        (*n)++;
        rc = 0;
    } else if (mx_container_sniff(buf, len)) {
        mx_fail(err, MX_EINPUT, "%s: is an mxbench compressed file (decompress it first)", path);
    } else if (ends_with(path, ".safetensors")) {
        mx_named_matrix *t;
        size_t nt;
        if (mx_safetensors_parse(buf, len, &t, &nt, err)) {
            mx_wrap(err, path);
            goto out;
        }
        size_t keep = 0;
        for (size_t i = 0; i < nt; i++)
            keep += !tensor || strcmp(t[i].name, tensor) == 0;
        if (keep == 0) {
            mx_fail(err, MX_EINPUT, "%s: no BF16 tensor named '%s'", path, tensor);
            mx_named_matrices_free(t, nt);
            goto out;
        }
        mx_sample *s = grow(v, *n, cap, keep, err);
        if (!s) {
            mx_named_matrices_free(t, nt);
            goto out;
        }
        for (size_t i = 0; i < nt; i++) {
            if (tensor && strcmp(t[i].name, tensor) != 0)
                continue;
            s->m = t[i].m;
            memset(&t[i].m, 0, sizeof t[i].m);
            snprintf(s->name, sizeof s->name, "%s:%s", base_name(path), t[i].name);
                s++;
        }
        *n += keep;
        mx_named_matrices_free(t, nt);
        rc = 0;
    } else if (ends_with(path, ".bin") || ends_with(path, ".bf16") || ends_with(path, ".raw") ||
               (shape && shape->set)) {
        mx_sample *s = grow(v, *n, cap, 1, err);
        if (!s || load_raw(path, buf, len, shape, &s->m, err))
            goto out;
        s->shape_unknown = !(shape && shape->set);
        snprintf(s->name, sizeof s->name, "%s", base_name(path));
        (*n)++;
        rc = 0;
    } else {
        mx_fail(err, MX_EINPUT,
                "%s: unrecognised file type (want .npy, .safetensors, or .bin/.bf16 with --shape)",
                path);
    }
out:
    free(buf);
    return rc;
}

int mx_samples_load_file(const char *path, const mx_shape *shape, const char *tensor,
                         mx_sample **v, size_t *n, mx_error *err)
{
    size_t cap = *n; /* all we know of the caller's array */
    return load_file(path, shape, tensor, v, n, &cap, err);
}

static int load_manifest(const char *manifest, mx_sample **v, size_t *n, mx_skipped *skipped,
                         mx_error *err)
{
    mx_manifest_entry *e;
    size_t ne;
    if (mx_manifest_read(manifest, &e, &ne, err))
        return -1;
    size_t cap = *n;
    for (size_t i = 0; i < ne; i++) {
        mx_shape sh = {e[i].rows, e[i].cols, e[i].has_shape};
        size_t before = *n;
        mx_error ferr = {0};
        if (load_file(e[i].file, &sh, NULL, v, n, &cap, &ferr)) {
            if (!skipped || ferr.code == MX_EFAIL) {
                *err = ferr;
                mx_manifest_free(e, ne);
                return -1;
            }
            if (skipped->kept < MX_SKIPPED_KEEP)
                mx_strlcpy(skipped->msg[skipped->kept++], ferr.msg, sizeof skipped->msg[0]);
            skipped->n++;
            continue;
        }
        for (size_t k = before; k < *n; k++)
            snprintf((*v)[k].kind, sizeof (*v)[k].kind, "%s", e[i].kind);
    }
    mx_manifest_free(e, ne);
    return 0;
}

int mx_samples_load_manifest(const char *manifest, mx_sample **v, size_t *n, mx_error *err)
{
    return load_manifest(manifest, v, n, NULL, err);
}

int mx_samples_load_manifest_lenient(const char *manifest, mx_sample **v, size_t *n,
                                     mx_skipped *skipped, mx_error *err)
{
    memset(skipped, 0, sizeof *skipped);
    return load_manifest(manifest, v, n, skipped, err);
}

void mx_samples_free(mx_sample *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        mx_matrix_free(&v[i].m);
    free(v);
}
