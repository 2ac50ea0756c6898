/* The file path, as `compress` and `decompress` run it: the input is written
 * to a file, opened (read as it goes, or loaded whole) and compressed in
 * small frames by mx_compress_input, then decompressed by
 * mx_decompress_file (frames.h: the one framed path). So shapes reach the
 * frame code and the coders. The first bytes pick [0] the pipeline, [1] the
 * frame rows (1..8, raised so that there are at most 4 frames: each frame
 * pays for its coder's tables), [2] the threads and [3] the columns of a
 * raw input; the rest is the file: a .npy when it starts with the magic,
 * else raw bf16 (cut to whole rows). Checks: whatever compresses
 * decompresses, and a lossless pipeline gives the very bytes back. One
 * context of each thread count serves every input, as in a long run. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../src/engine.h"
#include "../../src/filecodec.h"
#include "../../src/fileio.h"
#include "../../src/npy.h"
#include "fuzz.h"

/* This process's files, removed after every input: libFuzzer does not
 * always exit through atexit, so nothing may outlive an input. */
static char in_npy[96], in_raw[96], packed[96], back[96];

static void setup(void)
{
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    int pid = (int)getpid();
    snprintf(in_npy, sizeof in_npy, "%s/mxfuzz-%d-in.npy", dir, pid);
    snprintf(in_raw, sizeof in_raw, "%s/mxfuzz-%d-in.bin", dir, pid);
    snprintf(packed, sizeof packed, "%s/mxfuzz-%d-in.mxb", dir, pid);
    snprintf(back, sizeof back, "%s/mxfuzz-%d-back", dir, pid);
}

static void remove_files(void)
{
    unlink(in_npy);
    unlink(in_raw);
    unlink(packed);
    unlink(back);
}

static void put_file(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f))
        abort();
}

/* 0 with the compressed file at packed, or -1 (a refused input). */
static int compress(mx_ctx *ctx, const char *in, const mx_shape *shape, const mx_pipeline *p,
                    int *exact)
{
    mx_error err = {0};
    mx_atomic_file f;
    mx_file_stats st;
    mx_input input;
    unlink(packed);
    if (mx_input_open(&input, in, shape, NULL, &err)) {
        if (err.code != MX_EINPUT) /* refused, never failed */
            abort();
        return -1;
    }
    if (mx_atomic_begin(&f, packed, 0, &err))
        abort();
    int rc = mx_compress_input(ctx, p, &input, &f, &st, &err);
    *exact = !input.converted;
    mx_input_close(&input);
    if (rc == 0 && mx_atomic_commit(&f, &err))
        abort();
    if (rc) {
        mx_atomic_abort(&f);
        if (err.code != MX_EINPUT) /* refused, never failed */
            abort();
    }
    return rc ? -1 : 0;
}

/* Decompresses packed to back; it must succeed. */
static void decompress(mx_ctx *ctx)
{
    mx_error err = {0};
    mx_atomic_file f;
    mx_file_stats st;
    unlink(back);
    if (mx_atomic_begin(&f, back, 0, &err))
        abort();
    if (mx_decompress_file(ctx, packed, &f, &st, &err) || mx_atomic_commit(&f, &err))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const specs[] = {"bfxor", "expsplit|rans", "zstd:1", "auto",
                                        "bytesplit,delta:cols|lz4", "q8:rows|zstd:1", "bfctx"};
    enum { N_SPECS = sizeof specs / sizeof specs[0] };
    static mx_pipeline pipes[N_SPECS];
    static mx_ctx *ctxs[2]; /* of one thread and of two */
    if (!in_npy[0]) {
        setup();
        mx_error err = {0};
        for (size_t i = 0; i < N_SPECS; i++)
            if (mx_pipeline_parse(specs[i], &pipes[i], &err))
                abort();
        for (int t = 0; t < 2; t++)
            if (!(ctxs[t] = mx_ctx_create()))
                abort();
        mx_ctx_set_threads(ctxs[1], 2);
    }
    if (size < 4)
        return 0;
    mx_pipeline p = pipes[data[0] % N_SPECS];
    mx_ctx *ctx = ctxs[data[2] % 4 == 3];
    uint64_t frame_rows = 1 + data[1] % 8;
    const uint8_t *file = data + 4;
    size_t len = size - 4;
    mx_shape shape = {0, 0, 0};
    const char *in = in_npy;
    if (!mx_npy_sniff(file, len)) { /* raw: whole rows of data[3] % 64 + 1 columns */
        in = in_raw;
        shape.cols = 1 + data[3] % 64;
        shape.rows = len / 2 / shape.cols;
        shape.set = 1;
        len = (size_t)(shape.rows * shape.cols * 2);
    }
    uint64_t rows = shape.rows;
    mx_npy_info info;
    size_t hsize;
    mx_error herr = {0};
    if (in == in_npy && mx_npy_header_size(file, len, &hsize, &herr) == 0 &&
        mx_npy_read_header(file, len, &info, &herr) == 0)
        rows = info.rows;
    if (frame_rows < rows / 4)
        frame_rows = rows / 4 + 1;
    mx_ctx_set_frame_rows(ctx, frame_rows);
    put_file(in, file, len);
    int exact;
    if (compress(ctx, in, &shape, &p, &exact) == 0) {
        decompress(ctx);
        if (exact && !mx_pipeline_lossy(&p)) {
            uint8_t *got;
            size_t glen;
            mx_error err = {0};
            if (mx_read_file(back, &got, &glen, &err))
                abort();
            if (glen != len || memcmp(got, file, len))
                abort();
            free(got);
        }
    }
    remove_files();
    return 0;
}
