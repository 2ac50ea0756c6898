#include "container.h"
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* --- little-endian writer into a growing buffer --- */
typedef struct {
    uint8_t *p;
    size_t len, cap;
    int oom;
} wbuf;

static void put(wbuf *w, const void *src, size_t n)
{
    if (w->oom)
        return;
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->len + n)
            cap *= 2;
        uint8_t *q = realloc(w->p, cap);
        if (!q) {
            w->oom = 1;
            return;
        }
        w->p = q;
        w->cap = cap;
    }
    if (n)
        memcpy(w->p + w->len, src, n);
    w->len += n;
}

static void put_le(wbuf *w, uint64_t v, int bytes)
{
    uint8_t b[8];
    for (int i = 0; i < bytes; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    put(w, b, (size_t)bytes);
}

/* --- bounds-checked reader --- */
typedef struct {
    const uint8_t *p;
    size_t len, off;
    int bad;
} rbuf;

static uint64_t get_le(rbuf *r, int bytes)
{
    if (r->bad || r->len - r->off < (size_t)bytes) {
        r->bad = 1;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)r->p[r->off + (size_t)i] << (8 * i);
    r->off += (size_t)bytes;
    return v;
}

static const uint8_t *get_bytes(rbuf *r, size_t n)
{
    if (r->bad || r->len - r->off < n) {
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

int mx_container_write(const mx_container *c, uint8_t **out, size_t *out_len,
                       mx_error *err)
{
    wbuf w = {0};
    size_t spec_len = strlen(c->spec);
    put(&w, MX_CONTAINER_MAGIC, 4);
    put_le(&w, MX_CONTAINER_VERSION, 2);
    put_le(&w, c->lossy ? 1 : 0, 2);
    put_le(&w, 0, 4); /* header size, patched below */
    put_le(&w, c->rows, 8);
    put_le(&w, c->cols, 8);
    put_le(&w, 1, 1);
    put_le(&w, (uint64_t)c->origin, 1);
    put_le(&w, c->fortran ? 1 : 0, 1);
    put_le(&w, 0, 1);
    put_le(&w, c->value_hash, 8);
    put_le(&w, spec_len, 2);
    put(&w, c->spec, spec_len);
    put_le(&w, c->blob_len, 4);
    put(&w, c->blob, c->blob_len);
    put_le(&w, c->layout.n_levels, 2);
    for (size_t l = 0; l < c->layout.n_levels; l++) {
        const mx_level *lv = &c->layout.level[l];
        put_le(&w, lv->n, 2);
        for (size_t j = 0; j < lv->n; j++) {
            put_le(&w, lv->d[j].bits, 1);
            put_le(&w, lv->nparts[j], 1);
            put_le(&w, lv->d[j].rows, 8);
            put_le(&w, lv->d[j].cols, 8);
        }
    }
    put_le(&w, c->coded.n, 2);
    for (size_t j = 0; j < c->coded.n; j++) {
        put_le(&w, c->coded.size[j], 8);
        put_le(&w, XXH64(c->coded.data[j], c->coded.size[j], 0), 8);
    }
    size_t hdr = w.len + 8;
    if (!w.oom)
        for (int i = 0; i < 4; i++)
            w.p[8 + i] = (uint8_t)(hdr >> (8 * i));
    if (!w.oom)
        put_le(&w, XXH64(w.p, w.len, 0), 8);
    for (size_t j = 0; j < c->coded.n; j++)
        put(&w, c->coded.data[j], c->coded.size[j]);
    if (w.oom) {
        free(w.p);
        return mx_fail(err, MX_EFAIL, "out of memory writing the container");
    }
    *out = w.p;
    *out_len = w.len;
    return 0;
}

#define CORRUPT(what) mx_fail(err, MX_EINPUT, "corrupt or truncated container: %s", what)

int mx_container_read(const uint8_t *buf, size_t len, mx_container *c, mx_error *err)
{
    memset(c, 0, sizeof *c);
    if (!mx_container_sniff(buf, len))
        return mx_fail(err, MX_EINPUT, "not an mxbench file (bad magic)");
    rbuf r = {buf, len, 4, 0};
    c->version = (uint16_t)get_le(&r, 2);
    if (!r.bad && c->version != MX_CONTAINER_VERSION)
        return mx_fail(err, MX_EINPUT, "unsupported format version %u (this build reads %d)",
                       c->version, MX_CONTAINER_VERSION);
    uint64_t flags = get_le(&r, 2);
    uint64_t hdr = get_le(&r, 4);
    if (r.bad || hdr > len || hdr < 16)
        return CORRUPT("header size");
    rbuf h = {buf, (size_t)hdr - 8, 0, 0}; /* the header, minus its hash */
    rbuf tail = {buf, (size_t)hdr, (size_t)hdr - 8, 0};
    uint64_t want_hash = get_le(&tail, 8);
    if (XXH64(buf, (size_t)hdr - 8, 0) != want_hash)
        return CORRUPT("header checksum mismatch");
    h.off = r.off;
    c->lossy = (int)(flags & 1);
    c->rows = get_le(&h, 8);
    c->cols = get_le(&h, 8);
    uint64_t dtype = get_le(&h, 1), origin = get_le(&h, 1);
    c->fortran = (int)get_le(&h, 1);
    get_le(&h, 1);
    if (h.bad || dtype != 1 || origin > MX_ORIGIN_SAFETENSORS || c->fortran > 1)
        return CORRUPT("dtype/origin fields");
    c->origin = (mx_origin)origin;
    c->value_hash = get_le(&h, 8);
    size_t spec_len = (size_t)get_le(&h, 2);
    const uint8_t *spec = get_bytes(&h, spec_len);
    if (!spec || spec_len >= MX_SPEC_MAX)
        return CORRUPT("pipeline spec");
    memcpy(c->spec, spec, spec_len);
    c->spec[spec_len] = 0;
    c->blob_len = (size_t)get_le(&h, 4);
    c->blob = get_bytes(&h, c->blob_len);
    if (h.bad)
        return CORRUPT("origin header");
    c->layout.n_levels = (size_t)get_le(&h, 2);
    if (h.bad || c->layout.n_levels == 0 || c->layout.n_levels > MX_MAX_TRANSFORMS + 1)
        return CORRUPT("level count");
    for (size_t l = 0; l < c->layout.n_levels; l++) {
        mx_level *lv = &c->layout.level[l];
        lv->n = (size_t)get_le(&h, 2);
        if (h.bad || lv->n > MX_MAX_STREAMS)
            return CORRUPT("stream count");
        for (size_t j = 0; j < lv->n; j++) {
            lv->d[j].bits = (uint8_t)get_le(&h, 1);
            lv->nparts[j] = (uint8_t)get_le(&h, 1);
            lv->d[j].rows = get_le(&h, 8);
            lv->d[j].cols = get_le(&h, 8);
            size_t bytes;
            if (h.bad || mx_stream_desc_bytes(&lv->d[j], &bytes))
                return CORRUPT("stream shape");
        }
    }
    c->coded.n = (size_t)get_le(&h, 2);
    if (h.bad || c->coded.n > MX_MAX_STREAMS)
        return CORRUPT("coded stream count");
    c->coded.borrowed = 1;
    uint64_t hashes[MX_MAX_STREAMS];
    uint64_t total = 0;
    for (size_t j = 0; j < c->coded.n; j++) {
        uint64_t sz = get_le(&h, 8);
        hashes[j] = get_le(&h, 8);
        if (h.bad || sz > len)
            return CORRUPT("stream size");
        c->coded.size[j] = (size_t)sz;
        total += sz;
    }
    if (h.bad || h.off != h.len)
        return CORRUPT("header layout");
    if (total != len - hdr)
        return mx_fail(err, MX_EINPUT,
                       "corrupt or truncated container: payload is %zu bytes, header says %llu",
                       len - (size_t)hdr, (unsigned long long)total);
    size_t off = (size_t)hdr;
    for (size_t j = 0; j < c->coded.n; j++) {
        c->coded.data[j] = (uint8_t *)(uintptr_t)(buf + off);
        if (XXH64(buf + off, c->coded.size[j], 0) != hashes[j])
            return mx_fail(err, MX_EINPUT,
                           "corrupt container: checksum mismatch in stream %zu", j);
        off += c->coded.size[j];
    }
    c->header_size = (size_t)hdr;
    return 0;
}
