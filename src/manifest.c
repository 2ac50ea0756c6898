#include "manifest.h"
#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "fileio.h"

#define MAX_FIELDS 64

/* The libcsv callbacks' state: the fields of the row being read, the
 * columns the header named, and the entries made so far. */
typedef struct {
    char *field[MAX_FIELDS];
    size_t nfield;
    size_t record;    /* records seen, the header included (for messages) */
    int have_columns; /* the first record has been looked at */
    int cf, cr, cc, ck, cs;
    const char *dir, *path;
    mx_manifest_entry *v;
    size_t n, cap;
    int oom, failed; /* failed: err holds why */
    mx_error *err;
} csv_state;

static void on_field(void *s, size_t len, void *data)
{
    csv_state *r = data;
    if (r->oom || r->failed || r->nfield >= MAX_FIELDS)
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

static const char *cell(const csv_state *r, int col)
{
    if (col < 0 || (size_t)col >= r->nfield)
        return "";
    return r->field[col];
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

/* 1 when the first record is a header (and notes its columns), 0 for the
 * headerless list of file names, -1 when it is neither. */
static int read_header(csv_state *r)
{
    r->cf = r->cr = r->cc = r->ck = r->cs = -1;
    for (size_t j = 0; j < r->nfield; j++) {
        const char *h = r->field[j];
        if (!strcasecmp(h, "file") || !strcasecmp(h, "path") || !strcasecmp(h, "filename"))
            r->cf = (int)j;
        else if (!strcasecmp(h, "rows"))
            r->cr = (int)j;
        else if (!strcasecmp(h, "cols"))
            r->cc = (int)j;
        else if (!strcasecmp(h, "kind"))
            r->ck = (int)j;
        else if (!strcasecmp(h, "source"))
            r->cs = (int)j;
    }
    if (r->cf >= 0)
        return 1;
    if (r->nfield == 1) {
        r->cf = 0;
        return 0;
    }
    return -1;
}

/* Makes the entry of the current record; 0 or -1 (oom or failed set). */
static int add_entry(csv_state *r)
{
    const char *file = cell(r, r->cf);
    if (!*file)
        return 0; /* blank line */
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        mx_manifest_entry *q = realloc(r->v, cap * sizeof *q);
        if (!q)
            return r->oom = 1, -1;
        r->v = q;
        r->cap = cap;
    }
    mx_manifest_entry *e = &r->v[r->n];
    memset(e, 0, sizeof *e);
    size_t need = strlen(r->dir) + strlen(file) + 1;
    const char *src = cell(r, r->cs);
    e->file = malloc(need);
    e->source = malloc(strlen(src) + 1);
    if (!e->file || !e->source) {
        free(e->file);
        free(e->source);
        return r->oom = 1, -1;
    }
    snprintf(e->file, need, "%s%s", file[0] == '/' ? "" : r->dir, file);
    strcpy(e->source, src);
    r->n++;
    const char *rs = cell(r, r->cr), *cs = cell(r, r->cc);
    if (*rs || *cs) {
        if (parse_u64(rs, &e->rows) || parse_u64(cs, &e->cols)) {
            mx_fail(r->err, MX_EINPUT, "%s: line %zu: bad rows/cols '%s','%s'", r->path, r->record,
                    rs, cs);
            return r->failed = 1, -1;
        }
        e->has_shape = 1;
    }
    snprintf(e->kind, sizeof e->kind, "%s", cell(r, r->ck));
    return 0;
}

static void on_row(int c, void *data)
{
    (void)c;
    csv_state *r = data;
    r->record++;
    if (!r->oom && !r->failed) {
        int header = 0;
        if (!r->have_columns) {
            r->have_columns = 1;
            header = read_header(r);
            if (header < 0) {
                mx_fail(r->err, MX_EINPUT, "%s: no 'file' column in the header row", r->path);
                r->failed = 1;
            }
        }
        if (!header && !r->failed)
            add_entry(r);
    }
    for (size_t j = 0; j < r->nfield; j++)
        free(r->field[j]);
    r->nfield = 0;
}

void mx_manifest_free(mx_manifest_entry *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].file);
        free(v[i].source);
    }
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
    if (len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF) { /* UTF-8 BOM */
        buf += 3;
        len -= 3;
    }
    struct csv_parser p;
    csv_state r;
    memset(&r, 0, sizeof r);
    r.dir = dir;
    r.path = path;
    r.err = err;
    if (csv_init(&p, CSV_APPEND_NULL | CSV_STRICT | CSV_STRICT_FINI) != 0)
        return mx_fail(err, MX_EFAIL, "cannot initialise libcsv");
    size_t used = csv_parse(&p, buf, len, on_field, on_row, &r);
    int bad = used != len;
    if (!bad)
        bad = csv_fini(&p, on_field, on_row, &r) != 0;
    csv_free(&p);
    for (size_t j = 0; j < r.nfield; j++) /* a record cut short by an error */
        free(r.field[j]);
    int rc = 0;
    if (r.failed)
        rc = -1;
    else if (bad)
        rc = mx_fail(err, MX_EINPUT, "%s: malformed CSV", path);
    else if (r.oom)
        rc = mx_fail(err, MX_EFAIL, "%s: out of memory", path);
    else if (r.n == 0)
        rc = mx_fail(err, MX_EINPUT, "%s: no samples listed", path);
    if (rc) {
        mx_manifest_free(r.v, r.n);
        return -1;
    }
    *out = r.v;
    *n = r.n;
    return 0;
}
