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

int mx_shape_agrees(const mx_shape *shape, uint64_t rows, uint64_t cols, const char *path,
                    mx_error *err)
{
    if (!shape || !shape->set || (shape->rows == rows && shape->cols == cols))
        return 0;
    return mx_fail(err, MX_EINPUT, "%s: the file's header says %llux%llu, the shape given is %llux%llu",
                   path, (unsigned long long)rows, (unsigned long long)cols,
                   (unsigned long long)shape->rows, (unsigned long long)shape->cols);
}

int mx_tensor_misplaced(const char *path, mx_error *err)
{
    return mx_fail(err, MX_EINPUT, "%s: --tensor picks a tensor of a .safetensors file; this "
                   "input holds one matrix", path);
}

/* What a sample is called: the file's name; "stdin" for "-". */
static const char *base_name(const char *path)
{
    if (mx_is_stdio(path))
        return "stdin";
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
    const char *path_in = path;
    path = mx_is_stdio(path_in) ? "stdin" : path; /* in messages, as tables name it */
    if (mx_read_file(path_in, &buf, &len, err))
        return -1;
    int rc = -1;
    /* by name, or by content on stdin, which has none */
    int safetensors = mx_path_has_ext(path, ".safetensors") ||
                      (mx_is_stdio(path_in) && mx_safetensors_sniff(buf, len));
    if (tensor && !safetensors) {
        mx_tensor_misplaced(path, err);
        goto out;
    }
    if (mx_npy_sniff(buf, len)) {
        mx_sample *s = grow(v, *n, cap, 1, err);
        if (!s)
            goto out;
        if (mx_npy_parse(buf, len, &s->m, err)) {
            mx_wrap(err, path);
            goto out;
        }
        s->converted = s->m.origin == MX_ORIGIN_NPY_F32;
        if (mx_shape_agrees(shape, s->m.rows, s->m.cols, path, err)) {
            mx_matrix_free(&s->m);
            goto out;
        }
        snprintf(s->name, sizeof s->name, "%s", base_name(path_in));
        (*n)++;
        rc = 0;
    } else if (mx_container_sniff(buf, len)) {
        mx_fail(err, MX_EINPUT, "%s: is an mxbench compressed file (decompress it first)", path);
    } else if (safetensors) {
        mx_named_matrix *t;
        size_t nt;
        if (mx_safetensors_parse(buf, len, &t, &nt, err)) {
            mx_wrap(err, path);
            goto out;
        }
        size_t keep = 0;
        int disagrees = 0;
        for (size_t i = 0; i < nt; i++)
            if (!tensor || strcmp(t[i].name, tensor) == 0) {
                keep++;
                char label[600];
                snprintf(label, sizeof label, "%s:%s", path, t[i].name);
                disagrees = disagrees || mx_shape_agrees(shape, t[i].m.rows, t[i].m.cols, label, err);
            }
        if (keep == 0 || disagrees) {
            if (keep == 0)
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
            snprintf(s->name, sizeof s->name, "%s:%s", base_name(path_in), t[i].name);
                s++;
        }
        *n += keep;
        mx_named_matrices_free(t, nt);
        rc = 0;
    } else if (mx_path_has_ext(path, ".bin") || mx_path_has_ext(path, ".bf16") ||
               mx_path_has_ext(path, ".raw") || (shape && shape->set) || mx_is_stdio(path_in)) {
        /* stdin has no name to go by: what is not .npy or .safetensors is
         * raw values, as a .bin file */
        mx_sample *s = grow(v, *n, cap, 1, err);
        if (!s || load_raw(path, buf, len, shape, &s->m, err))
            goto out;
        s->shape_unknown = !(shape && shape->set);
        snprintf(s->name, sizeof s->name, "%s", base_name(path_in));
        (*n)++;
        rc = 0;
    } else if (mx_path_has_ext(path, ".npy")) {
        mx_fail(err, MX_EINPUT, "%s: not an .npy file (%zu bytes, no NUMPY header)", path, len);
    } else {
        mx_fail(err, MX_EINPUT,
                "%s: unrecognised file type (want .npy, .safetensors, .bin, .bf16 or .raw; any "
                "name with --shape)",
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

int mx_skipped_none(const char *manifest, const mx_skipped *skipped, mx_error *err)
{
    return mx_fail(err, MX_EINPUT, "%s: no sample could be loaded%s%s", manifest,
                   skipped->kept ? "; the first: " : "", skipped->kept ? skipped->msg[0] : "");
}

/* Draws n_draw samples the way a competition round does: uniformly at
 * random, without replacement while the pool lasts, then with replacement.
 * A fixed seed gives the same round every time (splitmix64). */
int mx_samples_draw(mx_sample **s, size_t *n, size_t n_draw, uint64_t seed, mx_error *err)
{
    uint64_t st = seed;
    size_t pool = *n;
    if (!pool || !n_draw)
        return mx_fail(err, MX_EINPUT, "no samples to draw from");
    mx_sample *out = calloc(n_draw, sizeof *out);
    size_t *order = malloc(pool * sizeof *order + 1);
    if (!out || !order) {
        free(out);
        free(order);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    for (size_t i = 0; i < pool; i++)
        order[i] = i;
    for (size_t k = 0; k < n_draw; k++) {
        st += 0x9e3779b97f4a7c15ull;
        uint64_t z = st;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        size_t pick;
        if (k < pool) { /* partial Fisher-Yates */
            size_t j = k + (size_t)(z % (pool - k));
            size_t t = order[k];
            order[k] = order[j];
            order[j] = t;
            pick = order[k];
        } else {
            pick = (size_t)(z % pool);
        }
        out[k] = (*s)[pick];
        /* the draw shares matrices with the pool: copy the data it needs */
        size_t cnt = mx_matrix_count(&out[k].m);
        out[k].m.data = malloc(cnt * 2 + 1);
        out[k].m.origin_blob = NULL;
        out[k].m.origin_blob_len = 0;
        if (!out[k].m.data) {
            mx_samples_free(out, k);
            free(order);
            return mx_fail(err, MX_EFAIL, "out of memory");
        }
        memcpy(out[k].m.data, (*s)[pick].m.data, cnt * 2);
    }
    free(order);
    mx_samples_free(*s, *n);
    *s = out;
    *n = n_draw;
    return 0;
}

void mx_samples_free(mx_sample *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        mx_matrix_free(&v[i].m);
    free(v);
}
