#include "export.h"
#include <brotli/encode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../codecs/bytes.h"
#include "presets.h"

/* The sections of src/export/, by file name without ".py". */
typedef struct {
    const char *name, *text;
} section;

static const section sections[] = {
#include "export/sections.h"
};
#define N_SECTIONS (sizeof sections / sizeof sections[0])

/* What every solution has, before and after the stages' twins. */
static const char *const base_head[] = {"head", "xxh3", "container", "npy", "shape"};
static const char *const base_tail[] = {"serve"};

/* Each stage's numpy twin is in its own table entry (stage.h: mx_twin):
 * the sections it needs, in order (a transform needs "levels", the
 * container's stream layouts, which single-stream pipelines go without);
 * whether it takes the bf16 matrix itself (our coders: no transform may
 * precede it); the parameters it knows. */

/* What auto and auto:max add to their candidates' twins: the choice. */
static const char *const automatic_choice = "auto";

static const mx_stage *step_stage(const mx_pipeline *p, size_t i)
{
    return i < p->n_transforms ? p->transforms[i].stage : p->entropy.stage;
}

/* Why a stage cannot be exported where it stands. */
static const char *const why_no_twin = "has no numpy twin here";
static const char *const why_not_alone = "is exported only on its own, with no transform before it";
static const char *const why_not_these = "is exported only as";

/* The first stage of p without a twin (for these parameters, here), or
 * NULL; *why says which of the reasons above. */
static const char *missing_twin(const mx_pipeline *p, const char **why)
{
    for (size_t i = 0; i <= p->n_transforms; i++) {
        const mx_stage *s = step_stage(p, i);
        const mx_twin *t = &s->twin;
        char text[MX_STAGE_TEXT_MAX];
        mx_stage_format(s, i < p->n_transforms ? &p->transforms[i].params : &p->entropy.params,
                        text, sizeof text);
        *why = !t->sections[0]                                      ? why_no_twin
               : t->whole && p->n_transforms                         ? why_not_alone
               : t->only && strncmp(text, t->only, strlen(t->only)) ? why_not_these
                                                                     : NULL;
        if (*why)
            return s->name;
    }
    return NULL;
}

/* The pipelines auto or auto:max may choose (*n of them). */
static const char *const auto_fast_candidates[] = {MX_AUTO_FAST_SPEC, MX_BASELINE_SPEC};
static const char *const *automatic_candidates(const mx_pipeline *p, size_t *n)
{
    *n = p->automatic == MX_AUTO_MAX ? mx_auto_count : 2;
    return p->automatic == MX_AUTO_MAX ? mx_auto_candidates : auto_fast_candidates;
}

/* For auto and auto:max: the first stage they may run without a twin. */
static const char *missing_in_automatic(const mx_pipeline *p, const char **why)
{
    size_t n;
    const char *const *specs = automatic_candidates(p, &n);
    for (size_t i = 0; i < n; i++) {
        mx_pipeline c;
        mx_error ignored = {0};
        *why = why_no_twin;
        const char *name = mx_pipeline_parse(specs[i], &c, &ignored) ? specs[i] : missing_twin(&c, why);
        if (name)
            return name;
    }
    return NULL;
}

/* Names what does export: our coders on their own, then the transforms
 * and the entropy stages of the other pipelines. */
static int refuse(const char *spec, const char *stage, const char *why, mx_error *err)
{
    char list[2][256] = {"", ""};
    size_t at[2] = {0, 0};
    for (size_t i = 0; mx_stages[i]; i++) {
        const mx_stage *s = mx_stages[i];
        int k = s->kind == MX_STAGE_ENTROPY;
        if (s->twin.sections[0] && !s->twin.whole && at[k] < sizeof list[k])
            at[k] += (size_t)snprintf(list[k] + at[k], sizeof list[k] - at[k], " %s", s->name);
    }
    const mx_stage *st = mx_stage_find(stage);
    const char *only = why == why_not_these && st && st->twin.only ? st->twin.only : NULL;
    return mx_fail(err, MX_EINPUT,
                   "'%s' cannot be exported: stage '%s' %s%s%s%s (exportable: auto, "
                   "auto:max, bfdelta, bflr, quant:sim=T or quantlr:sim=T alone; or transforms%s before one of%s)",
                   spec, stage, why, only ? " " : "", only ? only : "", only ? "..." : "", list[0],
                   list[1]);
}

static const section *find_section(const char *name)
{
    for (size_t i = 0; i < N_SECTIONS; i++)
        if (strcmp(sections[i].name, name) == 0)
            return &sections[i];
    return NULL;
}

/* Where line's comment starts ('#' outside strings), or len for none;
 * *triple carries an open triple-quoted string (its quote) from line to
 * line. Our sections use no string prefixes that change this (no r'\'). */
static size_t comment_at(const char *line, size_t len, char *triple)
{
    size_t i = 0;
    while (i < len) {
        char c = line[i];
        if (*triple) {
            if (c == '\\') {
                i += 2;
            } else if (c == *triple && i + 2 < len && line[i + 1] == c && line[i + 2] == c) {
                *triple = 0;
                i += 3;
            } else {
                i++;
            }
        } else if (c == '#') {
            return i;
        } else if ((c == '"' || c == '\'') && i + 2 < len && line[i + 1] == c && line[i + 2] == c) {
            *triple = c;
            i += 3;
        } else if (c == '"' || c == '\'') {
            for (i++; i < len && line[i] != c; i++)
                i += line[i] == '\\';
            i++;
        } else {
            i++;
        }
    }
    return len;
}

/* Copies text as the shipped file has it: comments left out (the sources
 * in src/export/ keep them; the shebang stays), and each line's leading
 * spaces as a tab per four. Both only to fit the 20,000 bytes: Python reads
 * a tab as the same indentation at a quarter of the bytes, and inside
 * brackets and strings leading whitespace does not count (no section's
 * strings depend on it). Blank lines run together into one. */
static void put_compact(mx_bytes *w, const char *text)
{
    char triple = 0;
    int first = w->len == 0;
    while (*text) {
        size_t line = strcspn(text, "\n"), eol = line + (text[line] == '\n');
        int in_string = triple != 0;
        size_t end = first && !strncmp(text, "#!", 2) ? line : comment_at(text, line, &triple);
        first = 0;
        if (!in_string) {
            while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\t'))
                end--;
            /* a comment line: left out whole; a blank line after a blank
             * line too (PEP 8's two between functions cost bytes) */
            int after_blank = w->len >= 2 && w->p[w->len - 1] == '\n' && w->p[w->len - 2] == '\n';
            if ((end == 0 && line > 0) || (end == 0 && after_blank)) {
                text += eol;
                continue;
            }
        } else {
            end = line; /* inside a string: as it is */
        }
        size_t spaces = in_string ? 0 : strspn(text, " ");
        spaces = spaces < end ? spaces : end;
        for (size_t i = 0; i < spaces / 4; i++)
            mx_bytes_put(w, "\t", 1);
        mx_bytes_put(w, text + spaces / 4 * 4, end - spaces / 4 * 4);
        if (text[line] == '\n')
            mx_bytes_put(w, "\n", 1);
        text += eol;
    }
}

/* Appends the section once (used[] remembers), with the spec filled in. */
static int append(mx_bytes *w, const char *name, const section **used, size_t *n_used,
                  const char *spec, mx_error *err)
{
    const section *s = find_section(name);
    if (!s)
        return mx_fail(err, MX_EFAIL, "export: section '%s' is missing from this build", name);
    for (size_t i = 0; i < *n_used; i++)
        if (used[i] == s)
            return 0;
    used[(*n_used)++] = s;
    mx_bytes t = {0};
    const char *mark = "__SPEC__", *r = s->text, *q;
    while ((q = strstr(r, mark))) {
        mx_bytes_put(&t, r, (size_t)(q - r));
        mx_bytes_put(&t, spec, strlen(spec));
        r = q + strlen(mark);
    }
    mx_bytes_put(&t, r, strlen(r) + 1); /* with the NUL */
    if (t.oom) {
        free(t.p);
        return mx_fail(err, MX_EFAIL, "out of memory");
    }
    put_compact(w, (const char *)t.p);
    free(t.p);
    return 0;
}

/* Python's base64.b85encode of z (no padding): 4 bytes to 5 characters, a
 * last piece of m bytes to m + 1; lines of 100 characters, each a string
 * literal (the alphabet has no quote or backslash). */
static void put_b85(mx_bytes *w, const uint8_t *z, size_t n)
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";
    size_t col = 0;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = 0;
        size_t m = n - i < 4 ? n - i : 4;
        for (size_t j = 0; j < 4; j++)
            v = v << 8 | (j < m ? z[i + j] : 0);
        char c[5];
        for (int j = 4; j >= 0; j--) {
            c[j] = alphabet[v % 85];
            v /= 85;
        }
        for (size_t j = 0; j < m + 1; j++) {
            if (col == 0)
                mx_bytes_put(w, "\t\"", 2);
            mx_bytes_put(w, &c[j], 1);
            if (++col == 100) {
                mx_bytes_put(w, "\"\n", 2);
                col = 0;
            }
        }
    }
    if (col)
        mx_bytes_put(w, "\"\n", 2);
}

/* The plain solution (n bytes) as a packed one: the same program,
 * brotli-compressed (the sandbox has brotli) in base85 text, run by exec
 * in the module's own globals, so it serves, runs file tasks and imports
 * as the plain one does; `--source` prints it. */
static int pack(const char *plain, size_t n, const char *spec, mx_bytes *w, mx_error *err)
{
    size_t zn = BrotliEncoderMaxCompressedSize(n);
    uint8_t *z = malloc(zn ? zn : 1);
    if (!z)
        return mx_fail(err, MX_EFAIL, "out of memory");
    if (!BrotliEncoderCompress(BROTLI_MAX_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, n,
                               (const uint8_t *)plain, &zn, z)) {
        free(z);
        return mx_fail(err, MX_EFAIL, "export: brotli could not pack the solution");
    }
    char head[1024];
    int hn = snprintf(head, sizeof head,
                      "#!/usr/bin/env python3\n"
                      "\"\"\"Matrix compression miner exported by mxbench (pipeline %s), packed: its %zu bytes\n"
                      "of Python are brotli-compressed below to fit the competition's %d-byte limit.\n"
                      "`python3 THIS_FILE --source` prints them; otherwise it runs them, and is run as the\n"
                      "plain file would be (a drop-in for baseline.py, also --compress/--decompress).\"\"\"\n"
                      "import base64\nimport sys\n\nimport brotli\n\n"
                      "SOURCE = brotli.decompress(base64.b85decode(\n",
                      spec, n, MX_EXPORT_MAX_BYTES);
    mx_bytes_put(w, head, (size_t)hn);
    put_b85(w, z, zn);
    free(z);
    static const char tail[] = "\t)).decode()\n"
                               "if sys.argv[1:] == [\"--source\"]:\n"
                               "\tsys.stdout.write(SOURCE)\n"
                               "else:\n"
                               "\texec(compile(SOURCE, __file__, \"exec\"))\n";
    mx_bytes_put(w, tail, sizeof tail - 1);
    return 0;
}

/* The twins of p's stages, each section once. */
static int append_twins(mx_bytes *w, const mx_pipeline *p, const section **used, size_t *n_used,
                        const char *spec, mx_error *err)
{
    int rc = 0;
    for (size_t i = 0; !rc && i <= p->n_transforms; i++) {
        const mx_twin *t = &step_stage(p, i)->twin;
        for (size_t k = 0; !rc && k < MX_TWIN_SECTIONS && t->sections[k]; k++)
            rc = append(w, t->sections[k], used, n_used, spec, err);
    }
    return rc;
}

int mx_export_python(const mx_pipeline *p, char **out, size_t *len, mx_error *err)
{
    char spec[MX_SPEC_MAX];
    mx_pipeline_format(p, spec, sizeof spec);
    const char *why = NULL;
    const char *missing = p->automatic ? missing_in_automatic(p, &why) : missing_twin(p, &why);
    if (missing)
        return refuse(spec, missing, why, err);
    mx_bytes w = {0};
    const section *used[N_SECTIONS];
    size_t n_used = 0;
    int rc = 0;
    for (size_t i = 0; !rc && i < sizeof base_head / sizeof *base_head; i++)
        rc = append(&w, base_head[i], used, &n_used, spec, err);
    if (p->automatic) {
        size_t n;
        const char *const *specs = automatic_candidates(p, &n);
        for (size_t i = 0; !rc && i < n; i++) {
            mx_pipeline c;
            rc = mx_pipeline_parse(specs[i], &c, err) || append_twins(&w, &c, used, &n_used, spec, err);
        }
        rc = rc ? rc : append(&w, automatic_choice, used, &n_used, spec, err);
    } else {
        rc = append_twins(&w, p, used, &n_used, spec, err);
    }
    for (size_t i = 0; !rc && i < sizeof base_tail / sizeof *base_tail; i++)
        rc = append(&w, base_tail[i], used, &n_used, spec, err);
    mx_bytes_put(&w, "", 1); /* the NUL */
    if (!rc && w.oom)
        rc = mx_fail(err, MX_EFAIL, "out of memory");
    if (!rc && w.len - 1 > MX_EXPORT_MAX_BYTES) {
        mx_bytes packed = {0};
        rc = pack((const char *)w.p, w.len - 1, spec, &packed, err);
        mx_bytes_put(&packed, "", 1);
        if (!rc && packed.oom)
            rc = mx_fail(err, MX_EFAIL, "out of memory");
        if (!rc && packed.len - 1 > MX_EXPORT_MAX_BYTES)
            rc = mx_fail(err, MX_EFAIL, "exported solution is %zu bytes (%zu packed), over the %d-byte limit",
                         w.len - 1, packed.len - 1, MX_EXPORT_MAX_BYTES);
        free(w.p);
        w = packed;
    }
    if (rc) {
        free(w.p);
        return -1;
    }
    *out = (char *)w.p;
    *len = w.len - 1;
    return 0;
}
