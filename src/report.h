/* report.h - render an mx_batch: aligned text table, CSV (libcsv quoting)
 * and JSON (jansson, one object per row).
 *
 * Only cells that ran are shown. A batch stopped early (b->partial) says
 * so: the table ends with "partial: K of N cells, interrupted" and its
 * means cover the samples every pipeline finished; every CSV row and JSON
 * object carries "partial" (CSV: yes/no, JSON: true/false), the same for
 * all rows of a file, so a reader of any one row knows the file is
 * incomplete. */
#ifndef MX_REPORT_H
#define MX_REPORT_H
#include <stdio.h>
#include "runner.h"
#include "samples.h"

/* Per-sample rows, then the per-pipeline means (best first). */
void mx_report_table(FILE *f, const mx_batch *b, const mx_sample *samples);
/* The "partial: ..." line when b->partial; nothing otherwise. */
void mx_report_partial(FILE *f, const mx_batch *b);
int mx_report_csv(const char *path, const mx_batch *b, const mx_sample *samples, int force,
                  mx_error *err);
int mx_report_json(const char *path, const mx_batch *b, const mx_sample *samples, int force,
                   mx_error *err);
#endif
