#include "manifest.h"
#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "fileio.h"

#define MAX_FIELDS 64

/* Rows collected by the libcsv callbacks. */
typedef struct {
    char *field[MAX_FIELDS];
    size_t nfield;
    char **cells; /* rows * MAX_FIELDS */
    size_t *ncells;
    size_t rows, cap;
    int oom;
} csv_rows;

static void on_field(void *s, size_t len, void *data)
{
    csv_rows *r = data;
    if (r->oom || r->nfield >= MAX_FIELDS)
        return;
    char *f = malloc(len + 1);
    if (!f) {
        r->oom = 1;
        return;
    }
    if (len)
        memcpy(f, s, len);
    f[len] = 0;
    r->field[r->nfield++] = f;
}

static void on_row(int c, void *data)
{
    (void)c;
    csv_rows *r = data;
    if (r->oom)
        return;
    if (r->rows == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        char **cells = realloc(r->cells, cap * MAX_FIELDS * sizeof *cells);
        if (cells)
            r->cells = cells;
        size_t *nc = cells ? realloc(r->ncells, cap * sizeof *nc) : NULL;
        if (!cells || !nc) {
            r->oom = 1;
            return;
        }
        r->ncells = nc;
        r->cap = cap;
    }
    memcpy(&r->cells[r->rows * MAX_FIELDS], r->field, r->nfield * sizeof(char *));
    r->ncells[r->rows++] = r->nfield;
    r->nfield = 0;
}

static void rows_free(csv_rows *r)
{
    for (size_t i = 0; i < r->rows; i++)
        for (size_t j = 0; j < r->ncells[i]; j++)
            free(r->cells[i * MAX_FIELDS + j]);
    for (size_t j = 0; j < r->nfield; j++)
        free(r->field[j]);
    free(r->cells);
    free(r->ncells);
}

static const char *cell(const csv_rows *r, size_t row, int col)
{
    if (col < 0 || (size_t)col >= r->ncells[row])
        return "";
    return r->cells[row * MAX_FIELDS + (size_t)col];
}

static int parse_u64(const char *s, uint64_t *v)
{
    if (!*s)
        return -1;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (*end || errno || s[0] == '-')
        return -1;
    *v = x;
    return 0;
}

void mx_manifest_free(mx_manifest_entry *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i].file);
    free(v);
}

int mx_manifest_read(const char *path, mx_manifest_entry **out, size_t *n, mx_error *err)
{
    *out = NULL;
    *n = 0;
    uint8_t *buf;
    size_t len;
    if (mx_read_file(path, &buf, &len, err))
        return -1;
    /* directory of the manifest, for relative paths */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        slash[1] = 0;
    else
        dir[0] = 0;
    int rc = mx_manifest_parse(buf, len, dir, path, out, n, err);
    free(buf);
    return rc;
}

int mx_manifest_parse(const uint8_t *buf, size_t len, const char *dir, const char *path,
                      mx_manifest_entry **out, size_t *n, mx_error *err)
{
    *out = NULL;
    *n = 0;
    struct csv_parser p;
    csv_rows r;
    memset(&r, 0, sizeof r);
    if (csv_init(&p, CSV_APPEND_NULL | CSV_STRICT | CSV_STRICT_FINI) != 0)
        return mx_fail(err, MX_EFAIL, "cannot initialise libcsv");
    size_t used = csv_parse(&p, buf, len, on_field, on_row, &r);
    int bad = used != len;
    if (!bad)
        bad = csv_fini(&p, on_field, on_row, &r) != 0;
    csv_free(&p);
    if (bad) {
        rows_free(&r);
        return mx_fail(err, MX_EINPUT, "%s: malformed CSV", path);
    }
    if (r.oom) {
        rows_free(&r);
        return mx_fail(err, MX_EFAIL, "%s: out of memory", path);
    }
    int cf = -1, cr = -1, cc = -1, ck = -1, cs = -1;
    size_t first = 0;
    if (r.rows) {
        for (size_t j = 0; j < r.ncells[0]; j++) {
            const char *h = cell(&r, 0, (int)j);
            if (!strcasecmp(h, "file") || !strcasecmp(h, "path") || !strcasecmp(h, "filename"))
                cf = (int)j;
            else if (!strcasecmp(h, "rows"))
                cr = (int)j;
            else if (!strcasecmp(h, "cols"))
                cc = (int)j;
            else if (!strcasecmp(h, "kind"))
                ck = (int)j;
            else if (!strcasecmp(h, "source"))
                cs = (int)j;
        }
        if (cf >= 0) {
            first = 1;
        } else if (r.ncells[0] == 1) {
            cf = 0; /* headerless list of file names */
        } else {
            rows_free(&r);
            return mx_fail(err, MX_EINPUT, "%s: no 'file' column in the header row", path);
        }
    }
    mx_manifest_entry *v = calloc(r.rows + 1, sizeof *v);
    if (!v) {
        rows_free(&r);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    size_t k = 0;
    for (size_t i = first; i < r.rows; i++) {
        const char *file = cell(&r, i, cf);
        if (!*file)
            continue; /* blank line */
        mx_manifest_entry *e = &v[k];
        size_t need = strlen(dir) + strlen(file) + 1;
        e->file = malloc(need);
        if (!e->file) {
            mx_manifest_free(v, k);
            rows_free(&r);
            return mx_fail(err, MX_EFAIL, "out of memory");
        }
        snprintf(e->file, need, "%s%s", file[0] == '/' ? "" : dir, file);
        k++;
        const char *rs = cell(&r, i, cr), *cs2 = cell(&r, i, cc);
        if (*rs || *cs2) {
            if (parse_u64(rs, &e->rows) || parse_u64(cs2, &e->cols)) {
                mx_fail(err, MX_EINPUT, "%s: line %zu: bad rows/cols '%s','%s'", path, i + 1, rs,
                        cs2);
                mx_manifest_free(v, k);
                rows_free(&r);
                return -1;
            }
            e->has_shape = 1;
        }
        snprintf(e->kind, sizeof e->kind, "%s", cell(&r, i, ck));
        snprintf(e->source, sizeof e->source, "%s", cell(&r, i, cs));
    }
    rows_free(&r);
    if (k == 0) {
        free(v);
        return mx_fail(err, MX_EINPUT, "%s: no samples listed", path);
    }
    *out = v;
    *n = k;
    return 0;
}
