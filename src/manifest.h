/* manifest.h - the sample list (CSV, parsed with libcsv).
 *
 * Either a header row naming at least a `file` column (also accepted:
 * `path`, `filename`), with optional `rows`, `cols`, `kind`, `source`; or
 * the competition's form, one file name per line with no header. Paths are
 * relative to the manifest's own directory. */
#ifndef MX_MANIFEST_H
#define MX_MANIFEST_H
#include <stddef.h>
#include <stdint.h>
#include "../codecs/mxerr.h"

typedef struct {
    char *file;   /* resolved path, owned */
    uint64_t rows, cols;
    int has_shape;
    char kind[32];    /* "forward", "backward" or "" */
    char *source;     /* owned, "" when absent */
} mx_manifest_entry;

/* Rows become entries as libcsv delivers them, so memory is about the
 * entries (~100 bytes and the path per row), not the CSV's cells. A UTF-8
 * byte order mark before the header (as spreadsheets write) is skipped. */
int mx_manifest_read(const char *path, mx_manifest_entry **out, size_t *n,
                     mx_error *err);
/* The same on CSV text already in memory; relative file names are joined
 * to dir ("" or ending in '/'); name is used in messages. */
int mx_manifest_parse(const uint8_t *buf, size_t len, const char *dir, const char *name,
                      mx_manifest_entry **out, size_t *n, mx_error *err);
void mx_manifest_free(mx_manifest_entry *v, size_t n);
#endif
