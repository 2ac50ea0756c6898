/* report.h - render an mx_batch: aligned text table, CSV (libcsv quoting)
 * and JSON (jansson, one object per row). */
#ifndef MX_REPORT_H
#define MX_REPORT_H
#include <stdio.h>
#include "runner.h"
#include "samples.h"

/* Per-sample rows, then the per-pipeline means (best first). */
void mx_report_table(FILE *f, const mx_batch *b, const mx_sample *samples);
int mx_report_csv(const char *path, const mx_batch *b, const mx_sample *samples, int force,
                  mx_error *err);
int mx_report_json(const char *path, const mx_batch *b, const mx_sample *samples, int force,
                   mx_error *err);
#endif
