/* Multi-frame files (container.h "Frames"): a matrix bigger than a frame
 * round-trips through buffers and files (the one framed path, frames.h,
 * from a matrix in memory or from a file read as it goes), both write the
 * very same bytes, and a file cut at a frame boundary, with frames
 * reordered, dropped or trailing bytes, or any bit flipped, is refused
 * from memory and from a file. Frames are made small here with the
 * context's frame rows; the 1 GiB case is in `make bench`
 * (tests/bigfile.sh). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../codecs/bytes.h"
#include "../src/container.h"
#include "../src/engine.h"
#include "../src/filecodec.h"
#include "../src/npy.h"
#include "check.h"

static char dir[4096];
/* Contexts of one and of three threads, used for the whole test. */
static mx_ctx *ctx1, *ctx3;

static void fill(mx_matrix *m, uint64_t seed)
{
    for (size_t i = 0; i < mx_matrix_count(m); i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        /* activation-like: small exponents, random mantissa */
        m->data[i] = (uint16_t)(((seed >> 33) & 0x80ff) | (0x3c00 + ((seed >> 50) & 0x3) * 0x80));
    }
}

static int write_bytes(const char *path, const uint8_t *buf, size_t len)
{
    mx_error err = {0};
    int rc = mx_write_file_atomic(path, buf, len, 1, &err);
    CHECK(rc == 0, "write %s: %s", path, err.msg);
    return rc;
}

/* Both readers must refuse buf; what one says is matched against `says`. */
static void check_refused(const uint8_t *buf, size_t len, const char *says, const char *what)
{
    char path[4200];
    mx_matrix out;
    mx_error err = {0};
    for (int threads = 1; threads <= 3; threads += 2) {
        int rc = mx_decompress(threads == 1 ? ctx1 : ctx3, buf, len, &out, &err);
        CHECK(rc != 0 && (!says || strstr(err.msg, says)), "%s: in memory, %d threads: rc %d, '%s'",
              what, threads, rc, err.msg);
        if (!rc)
            mx_matrix_free(&out);
    }
    snprintf(path, sizeof path, "%s/bad.mxb", dir);
    if (write_bytes(path, buf, len))
        return;
    mx_file_stats st;
    for (int threads = 1; threads <= 3; threads += 2) {
        memset(&err, 0, sizeof err);
        int rc = mx_decompress_file(threads == 1 ? ctx1 : ctx3, path, NULL, &st, &err);
        CHECK(rc == -1 && (!says || strstr(err.msg, says)), "%s: file, %d threads: rc %d, '%s'",
              what, threads, rc, err.msg);
    }
}

/* Frame boundaries of a multi-frame buffer. */
static size_t frame_ends(const uint8_t *buf, size_t len, size_t *ends, size_t max)
{
    size_t n = 0, off = 0;
    while (off < len && n < max) {
        uint64_t flen;
        mx_error err = {0};
        if (mx_container_frame_len(buf + off, len - off, &flen, NULL, &err))
            break;
        off += (size_t)flen;
        ends[n++] = off;
    }
    return n;
}

/* buf with frames [from, to) rewritten as container `version` (every
 * checksum redone), in a new buffer *out; 0 or -1. */
static int frames_as(unsigned version, const uint8_t *buf, const size_t *ends, size_t n,
                     size_t from, size_t to, uint8_t **out, size_t *out_len)
{
    mx_bytes w = {0};
    int rc = 0;
    for (size_t k = 0; k < n && !rc; k++) {
        size_t start = k ? ends[k - 1] : 0, flen = ends[k] - start;
        mx_container c;
        mx_matrix values;
        mx_error err = {0};
        uint8_t *f;
        const uint8_t *frame = buf + start;
        rc = mx_container_read(frame, flen, &c, &err) || mx_matrix_alloc(&values, c.rows, c.cols) ||
             mx_decode_frames(ctx1, &frame, &flen, &values, 1, &err);
        CHECK(rc == 0, "frame %zu: %s", k, err.msg);
        if (rc)
            break;
        uint64_t vh = mx_container_hash64(version, values.data, mx_matrix_count(&values) * 2);
        mx_matrix_free(&values);
        if (k < from || k >= to) {
            mx_bytes_put(&w, buf + start, flen);
            continue;
        }
        rc = mx_container_read(buf + start, flen, &c, &err);
        c.version = (uint16_t)version;
        c.value_hash = vh;
        rc = rc || mx_container_write(&c, &f, &flen, &err);
        CHECK(rc == 0, "frame %zu as v%u: %s", k, version, err.msg);
        if (!rc) {
            mx_bytes_put(&w, f, flen);
            free(f);
        }
    }
    if (rc || w.oom) {
        free(w.p);
        return -1;
    }
    *out = w.p;
    *out_len = w.len;
    return 0;
}

static void check_spec(const char *spec, const mx_matrix *m, uint64_t frame_rows)
{
    mx_pipeline p;
    mx_error err = {0};
    if (mx_pipeline_parse(spec, &p, &err)) {
        CHECK(0, "%s: %s", spec, err.msg);
        return;
    }
    mx_ctx_set_frame_rows(ctx1, frame_rows);
    mx_ctx_set_frame_rows(ctx3, frame_rows);
    uint8_t *buf;
    size_t len;
    if (mx_compress(ctx1, &p, m, &buf, &len, &err)) {
        CHECK(0, "%s: %s", spec, err.msg);
        return;
    }
    {
        /* frames code in parallel: the bytes do not depend on the threads */
        uint8_t *b3;
        size_t l3;
        if (mx_compress(ctx3, &p, m, &b3, &l3, &err) == 0) {
            CHECK(l3 == len && memcmp(b3, buf, len) == 0, "%s: 3 threads wrote other bytes", spec);
            free(b3);
        } else {
            CHECK(0, "%s: 3 threads: %s", spec, err.msg);
        }
    }
    size_t want = (size_t)((m->rows + frame_rows - 1) / frame_rows), ends[64] = {0};
    size_t n = frame_ends(buf, len, ends, 64);
    CHECK(n == want && n && ends[n - 1] == len, "%s: %zu frames ending at %zu, want %zu ending at %zu",
          spec, n, n ? ends[n - 1] : 0, want, len);
    mx_container first;
    CHECK(mx_container_frame_len(buf, len, &(uint64_t){0}, &first, &err) == 0 &&
              first.multi == (want > 1),
          "%s: multi-frame flag", spec);

    /* in memory; a lossy pipeline (row-wise here) decodes as it does in one frame */
    mx_matrix out, ref = *m;
    int lossy = mx_pipeline_lossy(&p);
    if (lossy) {
        uint8_t *one;
        size_t one_len;
        mx_ctx_set_frame_rows(ctx1, 0);
        int rc = mx_compress(ctx1, &p, m, &one, &one_len, &err) ||
                 mx_decompress(ctx1, one, one_len, &ref, &err);
        mx_ctx_set_frame_rows(ctx1, frame_rows);
        if (rc) {
            CHECK(0, "%s: %s", spec, err.msg);
            free(buf);
            return;
        }
        free(one);
    }
    if (mx_decompress(ctx1, buf, len, &out, &err) == 0) {
        CHECK(out.rows == m->rows && out.cols == m->cols &&
                  memcmp(out.data, ref.data, mx_matrix_count(m) * 2) == 0,
              "%s: in-memory round trip differs", spec);
        mx_matrix_free(&out);
    } else {
        CHECK(0, "%s: decompress: %s", spec, err.msg);
    }
    if (lossy)
        mx_matrix_free(&ref);

    /* the file path writes the same bytes and reads them back */
    char npy[4200], mxb[4200], back[4200];
    snprintf(npy, sizeof npy, "%s/m.npy", dir);
    snprintf(mxb, sizeof mxb, "%s/m.npy.mxb", dir);
    snprintf(back, sizeof back, "%s/back.npy", dir);
    uint8_t *file, *got, *orig;
    size_t flen, glen, olen;
    mx_file_stats st;
    mx_atomic_file f;
    if (mx_npy_serialize(m, &file, &flen, &err) || write_bytes(npy, file, flen))
        return;
    mx_ctx *cf = frame_rows == 1 ? ctx3 : ctx1; /* batches of three frames, or one */
    mx_input in;
    int rc = mx_input_open(&in, npy, NULL, NULL, &err);
    CHECK(rc == 0 && !in.src.head.data, "%s: a C-order .npy is read as it goes: %s", spec, err.msg);
    if (!rc) {
        if (!(rc = mx_atomic_begin(&f, mxb, 1, &err)))
            rc = mx_compress_input(cf, &p, &in, &f, &st, &err);
        mx_input_close(&in);
    }
    CHECK(rc == 0, "%s: file compress: %s", spec, err.msg);
    if (rc == 0 && mx_atomic_commit(&f, &err) == 0 && mx_read_file(mxb, &got, &glen, &err) == 0) {
        CHECK(glen == len && memcmp(got, buf, len) == 0,
              "%s: file path wrote %zu bytes, in-memory %zu (or they differ)", spec, glen, len);
        CHECK(mx_ctx_info(cf)->frames == want && st.out_bytes == len,
              "%s: stats %llu frames %llu bytes", spec,
              (unsigned long long)mx_ctx_info(cf)->frames, (unsigned long long)st.out_bytes);
        free(got);
        rc = mx_atomic_begin(&f, back, 1, &err);
        if (!rc)
            rc = mx_decompress_file(ctx3, mxb, &f, &st, &err);
        CHECK(rc == 0 && mx_atomic_commit(&f, &err) == 0, "%s: file decompress: %s", spec,
              err.msg);
        if (rc == 0 && mx_read_file(back, &orig, &olen, &err) == 0) {
            CHECK(lossy || (olen == flen && memcmp(orig, file, flen) == 0),
                  "%s: .npy round trip differs", spec);
            free(orig);
        }
        CHECK(mx_scan_file(ctx1, mxb, &st, &err) == 0 && st.frames.frames == want &&
                  st.frames.rows == m->rows,
              "%s: scan: %s", spec, err.msg);
    } else {
        mx_atomic_abort(&f);
    }
    free(file);

    if (want > 2 && n == want && !mx_pipeline_lossy(&p)) {
        /* cut after the first frame, one in the middle and the last but
         * one (every boundary would decode n^2 / 2 frames: minutes under
         * ASan for a frame per row) */
        size_t cuts[3] = {0, (n - 1) / 2, n - 2};
        for (size_t k = 0; k < 3; k++)
            check_refused(buf, ends[cuts[k]], "truncated", "cut after a frame");
        /* frames 1 and 2 swapped */
        uint8_t *sw = malloc(len);
        if (sw) {
            size_t a = ends[0], b = ends[1];
            memcpy(sw, buf, a);
            memcpy(sw + a, buf + b, ends[2] - b);
            memcpy(sw + a + (ends[2] - b), buf + a, b - a);
            memcpy(sw + ends[2], buf + ends[2], len - ends[2]);
            check_refused(sw, len, "does not continue", "frames swapped");
            /* frame 2 dropped */
            memcpy(sw, buf, a);
            memcpy(sw + a, buf + b, len - b);
            check_refused(sw, len - (b - a), "does not continue", "frame dropped");
            free(sw);
        }
        /* frames of one version only: v1 frames decode, one v1 frame among
         * v2 ones is refused */
        uint8_t *v1;
        size_t v1_len;
        if (frames_as(1, buf, ends, n, 0, n, &v1, &v1_len) == 0) {
            CHECK(v1[4] == 1 && v1[ends[0] + 4] != buf[ends[0] + 4], "%s: rewritten as v1", spec);
            if (mx_decompress(ctx1, v1, v1_len, &out, &err) == 0) {
                CHECK(memcmp(out.data, m->data, mx_matrix_count(m) * 2) == 0,
                      "%s: v1 frames decode differently", spec);
                mx_matrix_free(&out);
            } else {
                CHECK(0, "%s: v1 frames: %s", spec, err.msg);
            }
            free(v1);
        }
        if (frames_as(1, buf, ends, n, 1, 2, &v1, &v1_len) == 0) {
            check_refused(v1, v1_len, "does not continue", "a v1 frame among v2 frames");
            free(v1);
        }
        uint8_t *longer = malloc(len + 1);
        if (longer) {
            memcpy(longer, buf, len);
            longer[len] = 0;
            check_refused(longer, len + 1, "trailing", "a trailing byte");
            free(longer);
        }
    }
    free(buf);
}

int main(void)
{
    ctx1 = mx_ctx_create();
    ctx3 = mx_ctx_create();
    if (!ctx1 || !ctx3)
        return 99;
    mx_ctx_set_threads(ctx3, 3);
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/mxframes.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return 99;
    mx_matrix m;
    if (mx_matrix_alloc(&m, 61, 40))
        return 99;
    fill(&m, 7);
    m.origin = MX_ORIGIN_NPY;
    const char *specs[] = {"auto", "bfctx", "expsplit|rans", "zstd:3", "q8:rows|zstd:1"};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        check_spec(specs[i], &m, 8);
        check_spec(specs[i], &m, 61); /* exactly one frame: a plain file */
        check_spec(specs[i], &m, 1);  /* a frame per row */
    }

    /* every bit flip of a small three-frame file is caught by both readers */
    mx_pipeline p;
    mx_error err = {0};
    uint8_t *buf;
    size_t len, flips = 0;
    mx_matrix small;
    if (mx_matrix_alloc(&small, 6, 5) == 0) {
        fill(&small, 3);
        if (mx_pipeline_parse("expsplit|rans", &p, &err) == 0) {
            mx_ctx_set_frame_rows(ctx1, 2);
            if (mx_compress(ctx1, &p, &small, &buf, &len, &err) == 0) {
                for (size_t i = 0; i < len; i++)
                    for (int bit = 0; bit < 8; bit++, flips++) {
                        buf[i] ^= (uint8_t)(1u << bit);
                        check_refused(buf, len, NULL, "a flipped bit");
                        buf[i] ^= (uint8_t)(1u << bit);
                    }
                free(buf);
            }
        }
        mx_matrix_free(&small);
    }
    fprintf(stderr, "multi-frame: %zu single-bit flips tried\n", flips);
    mx_matrix_free(&m);
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0, "cleanup");
    mx_ctx_free(ctx1);
    mx_ctx_free(ctx3);
    return check_exit("test_frames");
}
