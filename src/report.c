#include "report.h"
#include <csv.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../codecs/bytes.h"
#include "fileio.h"

static const char *verdict(int failed, int rejected, int beats, int is_baseline)
{
    if (failed)
        return "FAILED";
    if (rejected)
        return "rejected";
    if (is_baseline)
        return "-";
    return beats ? "yes" : "no";
}

/* "auto (bfctx)" when the pipeline picked another one per sample. */
static void cell_name(const mx_result *r, char *buf, size_t n)
{
    if (r->chosen[0] && strcmp(r->chosen, r->spec) != 0 && strcmp(r->spec, MX_BASELINE_NAME) != 0)
        snprintf(buf, n, "%s (%s)", r->spec, r->chosen);
    else
        snprintf(buf, n, "%s", r->spec);
}

static int width_of(const mx_batch *b, const mx_sample *samples, int col)
{
    size_t w = col ? strlen("pipeline") : strlen("sample");
    for (size_t s = 0; s < b->n_samples; s++)
        for (size_t c = 0; c < b->n_columns; c++) {
            char name[2 * MX_SPEC_MAX + 32];
            cell_name(&b->cell[s * b->n_columns + c], name, sizeof name);
            size_t l = col ? strlen(name) : strlen(samples[s].name) + (samples[s].converted ? 6 : 0);
            if (l > w)
                w = l;
        }
    if (col && w < strlen("MEAN"))
        w = strlen("MEAN");
    return (int)w;
}

/* Under the seed rules the table shows raw and normalized scores; under the
 * later rule sets, the 0..1 score (normalized does not apply). */
static void score_cells(const mx_batch *b, double raw, double score, double norm, char *a,
                        char *n2)
{
    if (b->rules == MX_RULES_SEED) {
        snprintf(a, 32, "%14.3f", raw);
        snprintf(n2, 32, "%10.7f", norm);
    } else {
        snprintf(a, 32, "%14.7f", score);
        snprintf(n2, 32, "%10s", "-");
    }
}

/* The condition a cell ran under, as the CSV and JSON name it. */
static const char *condition_field(const mx_result *r)
{
    return r->condition < 0 ? "raw bytes" : r->condition == MX_SUBMITTED ? "submitted" : "known";
}

void mx_report_table(FILE *f, const mx_batch *b, const mx_sample *samples)
{
    int ws = width_of(b, samples, 0), wp = width_of(b, samples, 1);
    if (b->condition == MX_SUBMITTED)
        fprintf(f, "condition: as submitted (shape hidden: each pipeline gets the values as raw "
                   "bytes and infers the width)\n");
    else
        fprintf(f, "condition: shape known (each pipeline gets the matrix's own shape, which the "
                   "competition does not send)\n");
    /* a column told otherwise (a solution on the tasks interface gets .npy
     * files, shape and all) is named, so the line above does not mislead */
    int noted = 0;
    for (size_t c = 0; c < b->n_columns; c++)
        for (size_t k = 0; k < b->n_samples; k++) {
            const mx_result *r = &b->cell[k * b->n_columns + c];
            if (!r->done || r->condition < 0)
                continue;
            if (r->condition != (int)b->condition) {
                fprintf(f, "%s%s: %s", noted++ ? ", " : "except ", r->spec,
                        r->condition == MX_SUBMITTED ? "shape hidden" : "shape known");
            }
            break;
        }
    fprintf(f, noted ? "\n\n" : "\n");
    const char *hdr = "%-*s  %-*s  %9s  %9s  %9s  %10s  %10s  %14s  %10s  %s\n";
    const char *score_title = b->rules == MX_RULES_SEED ? "raw" : "score";
    char sa[32], sn[32];
    fprintf(f, hdr, ws, "sample", wp, "pipeline", "ratio", "ms_comp", "ms_decomp", "similarity",
            "sim_f32", score_title, "normalized", "beats");
    for (size_t s = 0; s < b->n_samples; s++)
        for (size_t c = 0; c < b->n_columns; c++) {
            const mx_result *r = &b->cell[s * b->n_columns + c];
            char name[400], pipe[2 * MX_SPEC_MAX + 32];
            if (!r->done)
                continue; /* not run: the batch was stopped first */
            snprintf(name, sizeof name, "%s%s", samples[s].name,
                     samples[s].converted ? " (f32)" : "");
            cell_name(r, pipe, sizeof pipe);
            if (r->failed && r->compressed_bytes == 0) {
                fprintf(f, "%-*s  %-*s  FAILED: %s\n", ws, name, wp, pipe, r->error);
                continue;
            }
            score_cells(b, r->raw, r->score, r->normalized, sa, sn);
            fprintf(f, "%-*s  %-*s  %9.4f  %9.3f  %9.3f  %10.7f  %10.7f  %s  %s  %s%s%s\n", ws, name,
                    wp, pipe, r->ratio, r->ms_compress, r->ms_decompress, r->similarity,
                    r->similarity_f32, sa, sn, verdict(r->failed, r->rejected, r->beats, c == 0),
                    r->failed ? ": " : "", r->failed ? r->error : "");
        }
    char over[160];
    if (b->partial)
        snprintf(over, sizeof over, "%zu of %zu samples (those every pipeline finished; "
                 "interrupted)", b->complete_samples, b->n_samples);
    else
        snprintf(over, sizeof over, "%zu sample%s", b->n_samples, b->n_samples == 1 ? "" : "s");
    if (b->rules == MX_RULES_SEED)
        fprintf(f, "\nmeans over %s %s, best first (score to beat: raw %.3f; a pipeline "
                   "beats it at >= 1.01x)\n",
                over, mx_condition_name(b->condition), b->raw_to_beat);
    else
        fprintf(f, "\nmeans over %s %s, best first (rules %s; score to beat: %.7f, "
                   "threshold %.7f at 1.01x)\n",
                over, mx_condition_name(b->condition), mx_rules_name(b->rules), b->raw_to_beat,
                1.01 * b->raw_to_beat);
    fprintf(f, "%-*s  %9s  %9s  %9s  %10s  %10s  %14s  %10s  %s\n", wp, "pipeline", "ratio",
            "ms_comp", "ms_decomp", "similarity", "sim_f32", score_title, "normalized", "beats");
    for (size_t c = 0; c < b->n_columns; c++) {
        const mx_summary *m = &b->order[c];
        if (b->partial && !m->n)
            continue; /* no complete sample: no mean to show */
        score_cells(b, m->raw, m->score, m->normalized, sa, sn);
        fprintf(f, "%-*s  %9.4f  %9.3f  %9.3f  %10.7f  %10.7f  %s  %s  %s\n", wp, m->spec,
                m->ratio, m->ms_compress, m->ms_decompress, m->similarity, m->similarity_f32, sa, sn,
                verdict(m->failed, m->rejected, m->beats, m->column == 0));
    }
    /* how often the width found was the sample's own (the automatic
     * pipelines may keep one row instead, when that codes smaller) */
    size_t runs = 0, own = 0;
    for (size_t s = 0; s < b->n_samples; s++)
        for (size_t c = 1; c < b->n_columns; c++) {
            const mx_result *r = &b->cell[s * b->n_columns + c];
            if (!r->done || r->failed || !r->cols || samples[s].shape_unknown ||
                r->condition != MX_SUBMITTED)
                continue;
            runs++;
            own += r->cols == samples[s].m.cols;
        }
    if (runs)
        fprintf(f, "widths inferred: the sample's own in %zu of %zu runs\n", own, runs);
    mx_report_partial(f, b);
}

void mx_report_partial(FILE *f, const mx_batch *b)
{
    if (b->partial)
        fprintf(f, "partial: %zu of %zu cells, interrupted\n", b->cells_done,
                b->n_samples * b->n_columns);
}

/* One output row's fields, shared by CSV and JSON so they cannot drift. */
#define N_FIELDS 22
static const char *const field_names[N_FIELDS] = {
    "sample", "kind", "pipeline", "chosen", "original_bytes", "compressed_bytes", "ratio", "ms_compress",
    "ms_decompress", "cosine", "norm_sim", "similarity", "raw", "normalized", "beats", "status",
    "score", "condition", "shape", "similarity_f32", "similarity_lower", "partial",
};

static void row_fields(const mx_batch *b, const mx_sample *smp, size_t s, size_t c,
                       char out[N_FIELDS][400])
{
    const mx_result *r = &b->cell[s * b->n_columns + c];
    snprintf(out[0], 400, "%s", smp[s].name);
    snprintf(out[1], 400, "%s", smp[s].kind);
    snprintf(out[2], 400, "%s", r->spec);
    snprintf(out[3], 400, "%s", r->chosen);
    snprintf(out[4], 400, "%zu", r->original_bytes);
    snprintf(out[5], 400, "%zu", r->compressed_bytes);
    snprintf(out[6], 400, "%.17g", r->ratio);
    snprintf(out[7], 400, "%.6f", r->ms_compress);
    snprintf(out[8], 400, "%.6f", r->ms_decompress);
    snprintf(out[9], 400, "%.17g", r->cosine);
    snprintf(out[10], 400, "%.17g", r->norm_sim);
    snprintf(out[11], 400, "%.17g", r->similarity);
    snprintf(out[12], 400, "%.17g", r->raw);
    snprintf(out[13], 400, "%.17g", r->normalized);
    snprintf(out[14], 400, "%s", c == 0 ? "" : r->beats ? "yes" : "no");
    snprintf(out[15], 400, "%s",
             r->failed ? r->error : r->rejected ? "rejected" : r->exact ? "exact" : "lossy");
    snprintf(out[16], 400, "%.17g", r->score);
    snprintf(out[17], 400, "%s", condition_field(r));
    if (r->cols)
        snprintf(out[18], 400, "%llux%llu", (unsigned long long)r->rows, (unsigned long long)r->cols);
    else
        out[18][0] = 0;
    snprintf(out[19], 400, "%.17g", r->similarity_f32);
    snprintf(out[20], 400, "%.17g", r->similarity_lower);
    snprintf(out[21], 400, "%s", b->partial ? "yes" : "no");
}

/* Files are built in memory (mx_bytes), then written atomically. */
static void csv_put_field(mx_bytes *b, const char *s)
{
    char tmp[1024];
    size_t n = csv_write(tmp, sizeof tmp, s, strlen(s));
    if (n > sizeof tmp)
        n = sizeof tmp; /* fields are bounded well below this */
    mx_bytes_put(b, tmp, n);
}

int mx_report_csv(const char *path, const mx_batch *b, const mx_sample *samples, int force,
                  mx_error *err)
{
    mx_bytes sb = {0};
    char f[N_FIELDS][400];
    for (size_t i = 0; i < N_FIELDS; i++) {
        if (i)
            mx_bytes_put(&sb, ",", 1);
        csv_put_field(&sb, field_names[i]);
    }
    mx_bytes_put(&sb, "\n", 1);
    for (size_t s = 0; s < b->n_samples; s++)
        for (size_t c = 0; c < b->n_columns; c++) {
            if (!b->cell[s * b->n_columns + c].done)
                continue;
            row_fields(b, samples, s, c, f);
            for (size_t i = 0; i < N_FIELDS; i++) {
                if (i)
                    mx_bytes_put(&sb, ",", 1);
                csv_put_field(&sb, f[i]);
            }
            mx_bytes_put(&sb, "\n", 1);
        }
    int rc = sb.oom ? mx_fail(err, MX_EFAIL, "out of memory")
                    : mx_write_file_atomic(path, sb.p, sb.len, force, err);
    free(sb.p);
    return rc;
}

/* JSON has no NaN/Inf: such numbers become null. */
static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

int mx_report_json(const char *path, const mx_batch *b, const mx_sample *samples, int force,
                   mx_error *err)
{
    json_t *arr = json_array();
    if (!arr)
        return mx_fail(err, MX_EFAIL, "out of memory");
    for (size_t s = 0; s < b->n_samples; s++)
        for (size_t c = 0; c < b->n_columns; c++) {
            const mx_result *r = &b->cell[s * b->n_columns + c];
            char shape[48] = "";
            if (!r->done)
                continue;
            if (r->cols)
                snprintf(shape, sizeof shape, "%llux%llu", (unsigned long long)r->rows,
                         (unsigned long long)r->cols);
            const char *cond = condition_field(r);
            json_t *o = json_pack(
                "{s:s, s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
                " s:b, s:b, s:b, s:b, s:s, s:s, s:s, s:o, s:o, s:b}",
                "sample", samples[s].name, "kind", samples[s].kind, "pipeline", r->spec,
                "chosen", r->chosen,
                "original_bytes", (json_int_t)r->original_bytes, "compressed_bytes",
                (json_int_t)r->compressed_bytes, "ratio", num(r->ratio), "ms_compress",
                num(r->ms_compress), "ms_decompress", num(r->ms_decompress), "cosine",
                num(r->cosine), "norm_sim", num(r->norm_sim), "similarity", num(r->similarity),
                "raw", num(r->raw), "normalized", num(r->normalized), "score", num(r->score), "exact", r->exact,
                "rejected", r->rejected, "beats", r->beats, "failed", r->failed, "error",
                r->error, "condition", cond, "shape", shape, "similarity_f32",
                num(r->similarity_f32), "similarity_lower", num(r->similarity_lower), "partial",
                b->partial);
            if (!o || json_array_append_new(arr, o)) {
                json_decref(arr);
                return mx_fail(err, MX_EFAIL, "out of memory building JSON");
            }
        }
    char *text = json_dumps(arr, JSON_INDENT(1));
    json_decref(arr);
    if (!text)
        return mx_fail(err, MX_EFAIL, "out of memory");
    mx_bytes sb = {0};
    mx_bytes_put(&sb, text, strlen(text));
    mx_bytes_put(&sb, "\n", 1);
    free(text);
    int rc = sb.oom ? mx_fail(err, MX_EFAIL, "out of memory")
                    : mx_write_file_atomic(path, sb.p, sb.len, force, err);
    free(sb.p);
    return rc;
}
