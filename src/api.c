/* api.c - the calls of the public header (mxbench.h) that are not the
 * engine's own: a pipeline on the heap (its struct stays private), what a
 * .mxb holds, reading an .npy file. Including mxbench.h beside the private
 * headers makes the compiler check that both declare the same calls. */
#include "mxbench.h"
#include <stdlib.h>
#include <string.h>
#include "../codecs/metrics.h"
#include "context.h"
#include "engine.h"
#include "fileio.h"
#include "frames.h"
#include "npy.h"
#include "pipeline.h"

const char *mx_version(void)
{
    return PACKAGE_VERSION;
}

mx_pipeline *mx_pipeline_create(const char *spec, mx_error *err)
{
    mx_pipeline *p = malloc(sizeof *p);
    if (!p) {
        mx_fail(err, MX_EFAIL, "out of memory");
        return NULL;
    }
    if (mx_pipeline_parse(spec, p, err)) {
        free(p);
        return NULL;
    }
    return p;
}

void mx_pipeline_free(mx_pipeline *p)
{
    free(p);
}

int mx_container_describe(const uint8_t *buf, size_t len, mx_container_info *info,
                          mx_error *err)
{
    memset(info, 0, sizeof *info);
    mx_ctx *ctx = mx_ctx_create();
    if (!ctx)
        return mx_fail(err, MX_EFAIL, "out of memory");
    mx_byte_source in = {len, buf, NULL, NULL};
    mx_frames_info fi;
    int rc = mx_frames_read(ctx, &in, NULL, 1, &fi, err);
    mx_ctx_free(ctx);
    if (rc)
        return -1;
    info->rows = fi.rows;
    info->cols = fi.cols;
    info->frames = fi.frames;
    info->lossy = fi.lossy;
    info->version = fi.first.version;
    info->origin = fi.first.origin;
    mx_strlcpy(info->pipeline, fi.pipeline, sizeof info->pipeline);
    return 0;
}

int mx_npy_load(const char *path, mx_matrix *m, mx_error *err)
{
    memset(m, 0, sizeof *m);
    uint8_t *buf;
    size_t len;
    if (mx_read_file(path, &buf, &len, err))
        return -1;
    int rc = mx_npy_parse(buf, len, m, err);
    free(buf);
    return rc ? mx_wrap(err, path) : 0;
}
