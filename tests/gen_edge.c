/* gen_edge DIR - writes the edge-case matrices as DIR/<name>.npy plus
 * DIR/manifest.csv. `make check` regenerates them and compares with the
 * committed copies in data/edge/. */
#include <stdio.h>
#include <stdlib.h>
#include "../src/fileio.h"
#include "../src/npy.h"
#include "edge.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_edge DIR\n");
        return 2;
    }
    mx_named_matrix *v;
    size_t n;
    mx_error err = {0};
    if (mx_edge_cases(&v, &n)) {
        fprintf(stderr, "gen_edge: out of memory\n");
        return 1;
    }
    char path[4096], manifest[65536];
    size_t off = (size_t)snprintf(manifest, sizeof manifest, "file,rows,cols,kind,source\n");
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        uint8_t *buf;
        size_t len;
        snprintf(path, sizeof path, "%s/%s.npy", argv[1], v[i].name);
        if (mx_npy_serialize(&v[i].m, &buf, &len, &err) ||
            mx_write_file_atomic(path, buf, len, 1, &err)) {
            fprintf(stderr, "gen_edge: %s\n", err.msg);
            rc = 1;
            break;
        }
        free(buf);
        off += (size_t)snprintf(manifest + off, sizeof manifest - off,
                                "%s.npy,%llu,%llu,,edge case (tests/edge.c)\n", v[i].name,
                                (unsigned long long)v[i].m.rows,
                                (unsigned long long)v[i].m.cols);
    }
    snprintf(path, sizeof path, "%s/manifest.csv", argv[1]);
    if (!rc && mx_write_file_atomic(path, manifest, off, 1, &err)) {
        fprintf(stderr, "gen_edge: %s\n", err.msg);
        rc = 1;
    }
    mx_named_matrices_free(v, n);
    return rc;
}
