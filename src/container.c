#include "container.h"
#include <stdlib.h>
#include <string.h>
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>
#if defined(__x86_64__)
#include <xxh_x86dispatch.h> /* XXH3 on the widest vectors the CPU has */
#endif
#include "../codecs/bytes.h"
#include "npy.h"

/* --- bounds-checked reader --- */
typedef struct {
    const uint8_t *p;
    size_t len, off;
    int bad;
    int ran_out; /* the failure was the end of the buffer */
} rbuf;

static uint64_t get_le(rbuf *r, int bytes)
{
    if (r->bad || r->len - r->off < (size_t)bytes) {
        r->ran_out |= !r->bad;
        r->bad = 1;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)r->p[r->off + (size_t)i] << (8 * i);
    r->off += (size_t)bytes;
    return v;
}

static uint64_t get_var(rbuf *r)
{
    uint64_t v = 0;
    if (r->bad || mx_read_var(r->p, r->len, &r->off, &v)) {
        r->ran_out |= !r->bad && r->off >= r->len;
        r->bad = 1;
        return 0;
    }
    return v;
}

static const uint8_t *get_bytes(rbuf *r, size_t n)
{
    if (r->bad || r->len - r->off < n) {
        r->ran_out |= !r->bad;
        r->bad = 1;
        return NULL;
    }
    const uint8_t *q = r->p + r->off;
    r->off += n;
    return q;
}

int mx_container_sniff(const uint8_t *buf, size_t len)
{
    return len >= 4 && memcmp(buf, MX_CONTAINER_MAGIC, 4) == 0;
}

/* Version 2: XXH3-64 of p[0..n) padded with zeros to 248 bytes, then n as
 * u64 LE (container.h "Checksums"), by the streaming API: no copy. */
static uint64_t padded_xxh3(const void *p, size_t n)
{
    static const uint8_t zeros[MX_CHECK_PAD];
    uint8_t len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (uint8_t)((uint64_t)n >> (8 * i));
    XXH3_state_t st;
    XXH3_INITSTATE(&st);
    XXH3_64bits_reset(&st);
    XXH3_64bits_update(&st, p, n);
    if (n < MX_CHECK_PAD)
        XXH3_64bits_update(&st, zeros, MX_CHECK_PAD - n);
    XXH3_64bits_update(&st, len, 8);
    return XXH3_64bits_digest(&st);
}

uint64_t mx_container_hash64(unsigned version, const void *p, size_t n)
{
    return version == 1 ? XXH64(p, n, 0) : padded_xxh3(p, n);
}

uint32_t mx_container_hash32(unsigned version, const void *p, size_t n)
{
    return version == 1 ? XXH32(p, n, 0) : (uint32_t)padded_xxh3(p, n);
}

static int known_version(unsigned v)
{
    return v >= MX_CONTAINER_OLDEST && v <= MX_CONTAINER_VERSION;
}

static int version_error(unsigned v, mx_error *err)
{
    return mx_fail(err, MX_EINPUT, "unsupported format version %u (this build reads %d to %d)", v,
                   MX_CONTAINER_OLDEST, MX_CONTAINER_VERSION);
}

int mx_container_write(const mx_container *c, uint8_t **out, size_t *out_len,
                       mx_error *err)
{
    mx_bytes w = {0};
    size_t spec_len = strlen(c->spec);
    unsigned v = c->version ? c->version : MX_CONTAINER_VERSION;
    if (!known_version(v))
        return version_error(v, err);
    mx_bytes_put(&w, MX_CONTAINER_MAGIC, 4);
    mx_bytes_le(&w, v, 1);
    mx_bytes_le(&w, (c->lossy ? 1u : 0u) | (c->fortran ? 2u : 0u) | (c->multi ? 4u : 0u), 1);
    mx_bytes_le(&w, (uint64_t)c->origin, 1);
    mx_bytes_le(&w, 1, 1);
    mx_bytes_var(&w, c->rows);
    mx_bytes_var(&w, c->cols);
    if (c->multi) {
        mx_bytes_var(&w, c->first_row);
        mx_bytes_var(&w, c->total_rows);
    }
    mx_bytes_le(&w, c->value_hash, 8);
    mx_bytes_var(&w, spec_len);
    mx_bytes_put(&w, c->spec, spec_len);
    mx_bytes_var(&w, c->blob_len);
    mx_bytes_put(&w, c->blob, c->blob_len);
    mx_bytes_le(&w, c->layout.n_levels, 1);
    for (size_t l = 0; l < c->layout.n_levels; l++) {
        const mx_level *lv = &c->layout.level[l];
        mx_bytes_le(&w, lv->n, 1);
        for (size_t j = 0; j < lv->n; j++) {
            mx_bytes_le(&w, lv->d[j].bits, 1);
            mx_bytes_le(&w, lv->nparts[j], 1);
            mx_bytes_var(&w, lv->d[j].rows);
            mx_bytes_var(&w, lv->d[j].cols);
        }
    }
    for (size_t j = 0; j < c->coded.n; j++) {
        mx_bytes_var(&w, c->coded.size[j]);
        mx_bytes_le(&w, mx_container_hash32(v, c->coded.data[j], c->coded.size[j]), 4);
    }
    if (!w.oom)
        mx_bytes_le(&w, mx_container_hash32(v, w.p, w.len), 4);
    for (size_t j = 0; j < c->coded.n; j++)
        mx_bytes_put(&w, c->coded.data[j], c->coded.size[j]);
    if (!w.oom)
        mx_bytes_le(&w, mx_container_hash64(v, w.p, w.len), 8);
    if (w.oom) {
        free(w.p);
        return mx_fail(err, MX_EFAIL, "out of memory writing the container");
    }
    *out = w.p;
    *out_len = w.len;
    return 0;
}

int mx_container_origin_check(mx_origin origin, int fortran, const uint8_t *blob,
                              size_t blob_len, uint64_t rows, uint64_t cols, mx_error *err)
{
    int npy = origin == MX_ORIGIN_NPY || origin == MX_ORIGIN_NPY_F32;
    if (fortran && !npy) /* decompress would write an .npy for a raw or tensor origin */
        return mx_fail(err, MX_EINPUT, "Fortran order is flagged for a source that is no .npy");
    if (!blob_len)
        return 0;
    /* a tensor keeps only the header of its own shape, never a 2-D one */
    if (origin == MX_ORIGIN_SAFETENSORS) {
        if (mx_npy_tensor_header_fits(blob, blob_len, rows, cols, err))
            return mx_wrap(err, "the origin .npy header of a .safetensors tensor");
        return 0;
    }
    if (origin != MX_ORIGIN_NPY) /* only a 2-byte .npy's header is kept */
        return mx_fail(err, MX_EINPUT,
                       "an .npy header is stored for a source that is no 2-byte .npy or "
                       ".safetensors tensor");
    if (mx_npy_header_fits(blob, blob_len, rows, cols, fortran, err))
        return mx_wrap(err, "the origin .npy header");
    return 0;
}

/* The origin fields of a container's header, whole matrix and all. */
static int check_origin(const mx_container *c, mx_error *err)
{
    if (mx_container_origin_check(c->origin, c->fortran, c->blob, c->blob_len, c->total_rows,
                                  c->cols, err))
        return mx_wrap(err, "corrupt container");
    return 0;
}

#define CORRUPT(what) mx_fail(err, MX_EINPUT, "corrupt container: bad %s", what)

static int parse(const uint8_t *buf, size_t len, mx_container *c, int diagnose, mx_error *err);

int mx_container_read(const uint8_t *buf, size_t len, mx_container *c, mx_error *err)
{
    memset(c, 0, sizeof *c);
    if (!mx_container_sniff(buf, len))
        return mx_fail(err, MX_EINPUT, "not an mxbench file (bad magic)");
    if (len < 4 + 4 + 2 + 8 + 8)
        return mx_fail(err, MX_EINPUT, "truncated container (%zu bytes)", len);
    if (!known_version(buf[4]))
        return version_error(buf[4], err);
    rbuf tail = {buf, len, len - 8, 0, 0};
    if (mx_container_hash64(buf[4], buf, len - 8) != get_le(&tail, 8)) {
        /* the whole-file checksum failed: say which part is damaged */
        mx_container tmp;
        mx_error perr = {0};
        if (parse(buf, len, &tmp, 1, &perr))
            return mx_fail(err, MX_EINPUT, "corrupt or truncated container: %s",
                           strstr(perr.msg, "damaged") ? perr.msg
                                                       : "the header is damaged or the file is truncated");
        return mx_fail(err, MX_EINPUT,
                       "corrupt container: the trailing checksum is damaged (header and "
                       "streams check out)");
    }
    return parse(buf, len, c, 0, err);
}

/* Parses the header up to its H32. Returns 0 or -1 on a bad field; with
 * partial (h may stop short of the frame), 1 when h ran out first. */
static int parse_header(rbuf *h, mx_container *c, uint32_t *part_hash, uint64_t *payload,
                        int partial, mx_error *err)
{
#define BAD(what) (partial && h->ran_out ? 1 : CORRUPT(what))
    memset(c, 0, sizeof *c);
    h->off = 5;
    c->version = h->p[4];
    uint64_t flags = get_le(h, 1), origin = get_le(h, 1), dtype = get_le(h, 1);
    if (h->bad || flags > 7 || origin > MX_ORIGIN_SAFETENSORS || dtype != 1)
        return BAD("flags, origin or dtype");
    c->lossy = (int)(flags & 1);
    c->fortran = (int)(flags >> 1 & 1);
    c->multi = (int)(flags >> 2 & 1);
    c->origin = (mx_origin)origin;
    c->rows = get_var(h);
    c->cols = get_var(h);
    c->total_rows = c->rows;
    if (c->multi) {
        c->first_row = get_var(h);
        c->total_rows = get_var(h);
        if (!h->bad && (c->rows == 0 || c->first_row > c->total_rows ||
                        c->rows > c->total_rows - c->first_row))
            return CORRUPT("frame rows");
    }
    c->value_hash = get_le(h, 8);
    size_t spec_len = (size_t)get_var(h);
    const uint8_t *spec = get_bytes(h, spec_len);
    if (!spec || spec_len >= MX_SPEC_MAX)
        return BAD("pipeline spec");
    memcpy(c->spec, spec, spec_len);
    c->spec[spec_len] = 0;
    c->blob_len = (size_t)get_var(h);
    c->blob = get_bytes(h, c->blob_len);
    if (h->bad)
        return BAD("origin header");
    c->layout.n_levels = (size_t)get_le(h, 1);
    if (h->bad || c->layout.n_levels == 0 || c->layout.n_levels > MX_MAX_TRANSFORMS + 1)
        return BAD("level count");
    for (size_t l = 0; l < c->layout.n_levels; l++) {
        mx_level *lv = &c->layout.level[l];
        lv->n = (size_t)get_le(h, 1);
        if (h->bad || lv->n > MX_MAX_STREAMS)
            return BAD("stream count");
        for (size_t j = 0; j < lv->n; j++) {
            lv->d[j].bits = (uint8_t)get_le(h, 1);
            lv->nparts[j] = (uint8_t)get_le(h, 1);
            lv->d[j].rows = get_var(h);
            lv->d[j].cols = get_var(h);
            size_t bytes;
            if (h->bad || mx_stream_desc_bytes(&lv->d[j], &bytes))
                return BAD("stream shape");
        }
    }
    c->coded.n = c->layout.level[c->layout.n_levels - 1].n;
    c->coded.borrowed = 1;
    *payload = 0;
    for (size_t j = 0; j < c->coded.n; j++) {
        uint64_t sz = get_var(h);
        part_hash[j] = (uint32_t)get_le(h, 4);
        if (h->bad || sz > SIZE_MAX / 2 || *payload + sz < *payload)
            return BAD("stream size");
        c->coded.size[j] = (size_t)sz;
        *payload += sz;
    }
    return 0;
#undef BAD
}

int mx_container_frame_len(const uint8_t *buf, size_t avail, uint64_t *frame_len,
                           mx_container *hdr, mx_error *err)
{
    if (avail < 5)
        return 1;
    if (!mx_container_sniff(buf, avail))
        return mx_fail(err, MX_EINPUT, "not an mxbench frame (bad magic)");
    if (!known_version(buf[4]))
        return version_error(buf[4], err);
    rbuf h = {buf, avail, 5, 0, 0};
    mx_container c;
    uint32_t part_hash[MX_MAX_STREAMS];
    uint64_t payload;
    int rc = parse_header(&h, &c, part_hash, &payload, 1, err);
    if (rc)
        return rc;
    size_t header_end = h.off;
    uint32_t header_hash = (uint32_t)get_le(&h, 4);
    if (h.bad)
        return 1;
    if (mx_container_hash32(buf[4], buf, header_end) != header_hash)
        return mx_fail(err, MX_EINPUT, "corrupt container: a frame header is damaged (its checksum fails)");
    if (check_origin(&c, err))
        return -1;
    *frame_len = h.off + payload + 8;
    c.header_size = h.off;
    if (hdr)
        *hdr = c;
    return 0;
}

/* Parses the header and locates the streams. With diagnose, also checks the
 * header's and each stream's H32 and names the first damaged part. */
static int parse(const uint8_t *buf, size_t len, mx_container *c, int diagnose, mx_error *err)
{
    rbuf h = {buf, len - 8, 5, 0, 0};
    uint32_t part_hash[MX_MAX_STREAMS];
    uint64_t total;
    if (parse_header(&h, c, part_hash, &total, 0, err))
        return -1;
    size_t header_end = h.off;
    uint32_t header_hash = (uint32_t)get_le(&h, 4);
    if (h.bad)
        return CORRUPT("header");
    if (diagnose && mx_container_hash32(buf[4], buf, header_end) != header_hash)
        return mx_fail(err, MX_EINPUT, "the header is damaged (its checksum fails)");
    if (!diagnose && check_origin(c, err)) /* a diagnosis is of the checksums alone */
        return -1;
    c->header_size = h.off;
    if (total != h.len - h.off)
        return mx_fail(err, MX_EINPUT, "corrupt container: payload is %zu bytes, header says %llu",
                       h.len - h.off, (unsigned long long)total);
    size_t off = h.off;
    for (size_t j = 0; j < c->coded.n; j++) {
        c->coded.data[j] = (uint8_t *)(uintptr_t)(buf + off);
        if (diagnose && mx_container_hash32(buf[4], buf + off, c->coded.size[j]) != part_hash[j])
            return mx_fail(err, MX_EINPUT, "stream %zu of %zu (%zu bytes at offset %zu) is damaged",
                           j + 1, c->coded.n, c->coded.size[j], off);
        off += c->coded.size[j];
    }
    return 0;
}
