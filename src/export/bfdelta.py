"""bfdelta, the numpy twin of codecs/stage_bfdelta.c: the same bytes both ways.

A section of the exported solution (mxbench export); tests/twin.py checks it
against the C coder. bd_encode(v) codes an [R, C] uint16 matrix into the
frame that follows bfdelta's mode byte; bd_decode(frame, R, C) undoes it and
raises ValueError for anything that does not decode cleanly.
"""
import numpy as np

BD_CLS, BD_DH, BD_LO = 5, 0, 165          # row classes; first contexts of dh, low symbols
BD_NCTX = 200                             # + 3 row-header contexts at 197..199
BD_ALPHA = np.array([4096] * 165 + [32] * 32 + [33, 32, 5], np.int64)
BD_QV = np.array([65536, 71468, 77936, 84990, 92682, 101070, 110218, 120194], np.int64)
BD_QT = np.array([68438, 74632, 81386, 88752, 96785, 105545, 115098, 125515], np.int64)
I64 = np.int64


def bd_layout(R, C):
    """lanes L, row blocks K of B rows, P chunks of Lc columns"""
    lmax = max(32, min(1024, (R * C) >> 10))
    if C <= lmax:
        K = max(1, min(R, lmax // C))
        return K * C, K, -(-R // K), 1, C
    P = -(-C // lmax)
    return -(-C // P), 1, R, P, -(-C // P)


def bd_active(R, C, K, B, P, Lc):
    if P == 1:
        return np.minimum(K, (R - np.arange(B) + B - 1) // B) * C
    return np.tile(np.minimum(Lc, C - np.arange(P) * Lc), B)


def bd_ctx(med):
    """contexts: of dh by sign+exponent of the reference (x 4096), of the low
    symbol by (no reference) * 4096 + dh"""
    e = np.arange(512, dtype=I64) & 255
    t1 = np.where(e == 0, 0, 1 + np.clip((e - med + 32) >> 1, 0, 31)) * BD_CLS
    dh = np.arange(4096, dtype=I64)
    t2 = BD_LO + np.concatenate([np.clip(dh - 2048, -8, 7) + 8, 16 + np.clip((dh >> 3) - 256 - med + 8, 0, 15)])
    return t1, t2


def bd_norm(cq, seg):
    """quantised counts of each context's used symbols -> 12-bit frequencies"""
    u = np.diff(np.append(seg, len(cq)))
    f = 1 + cq * np.repeat(4096 - u, u) // np.repeat(np.add.reduceat(cq, seg), u)
    first = np.minimum.reduceat(np.where(cq == np.repeat(np.maximum.reduceat(cq, seg), u),
                                         np.arange(len(cq)), len(cq)), seg)
    f[first] += 4096 - np.add.reduceat(f, seg)
    return f


def bd_deq(q):
    return (BD_QV[q & 7] << (q >> 3)) >> 16


def bd_var(out, v):
    while v > 127:
        out.append(v & 127 | 128)
        v >>= 7
    out.append(v)


def bd_refs(v, B):
    """each row's reference distance (0: none) and class"""
    R, C = v.shape
    g = np.arange(R)
    t = g % B
    nk = min(64, max(8, C // 4))
    nw = -(-nk // 4)
    ks = np.zeros((R, 4 * nw), np.uint16)
    ks[:, :nk] = v[:, np.arange(nk) * C // nk] >> 7
    ks = ks.view(np.uint64)
    kg = v[:, np.arange(48) * C // 48].astype(I64) >> 7
    cand = np.zeros((R, 32), I64)
    for d in range(1, 17):
        cand[:, d - 1] = np.where(d <= t, d, 0)
    lim = np.minimum(t, 1024)
    for j in range(16):
        h = kg[:, 3 * j] | kg[:, 3 * j + 1] << 9 | kg[:, 3 * j + 2] << 18
        o = np.argsort(h, kind="stable")
        prev = np.full(R, -1, I64)
        same = h[o[1:]] == h[o[:-1]]
        prev[o[1:][same]] = o[:-1][same]
        cand[:, 16 + j] = np.where((prev >= 0) & (g - prev <= lim), g - prev, 0)
    x = ks[g[:, None] - cand] ^ ks[:, None, :]
    m = np.uint64(0x7FFF7FFF7FFF7FFF)
    x = (((x & m) + m) | x) >> np.uint64(15) & np.uint64(0x0001000100010001)
    miss = ((x * np.uint64(0x0001000100010001)) >> np.uint64(48)).astype(I64).sum(2)
    best = cand[g, np.argmax(np.where(cand > 0, -miss * 4096 - cand, -(1 << 40)), 1)]
    agree = ((v[g - best] >> 7) == (v >> 7)).sum(1)
    cls = np.where((best > 0) & (agree * 5 >= C), 1 + np.minimum(3, agree * 4 // C), 0)
    return np.where(cls > 0, best, 0), cls


def bd_encode(v):
    """v: [R, C] uint16 -> the frame after its mode byte"""
    R, C = v.shape
    L, K, B, P, Lc = bd_layout(R, C)
    v = v.astype(I64)
    med = int(np.argmax(np.bincount(((v >> 7) & 255).ravel(), minlength=256)[1:])) + 1
    d, cls = bd_refs(v, B)
    ref = np.where(d[:, None] > 0, v[np.arange(R) - d], 0)
    t1, t2 = bd_ctx(med)
    dl = (v & 0x7FFF) - (ref & 0x7FFF) + 32768
    s1 = dl >> 4
    i1 = (t1[ref >> 7 & 255] + cls[:, None]) * 4096 + s1
    i2 = t2[((ref & 0x7F80) == 0) * 4096 + s1] * 4096 + ((v ^ ref) >> 15 << 4 | dl & 15)
    hk = np.repeat(np.arange(197, 200) * 4096, R) + np.concatenate([d >> 5, d & 31, cls])
    cnt = np.bincount(np.concatenate([i1.ravel(), i2.ravel(), hk]), minlength=BD_NCTX * 4096)
    # tables
    nz = np.flatnonzero(cnt)
    ctx, sym = nz >> 12, nz & 4095
    seg = np.flatnonzero(np.r_[True, ctx[1:] != ctx[:-1]]) if len(nz) else nz
    lo, hi = sym[seg], sym[np.append(seg[1:], len(sym)) - 1] if len(nz) else nz
    out = bytearray([med])
    j = 0
    for c in range(BD_NCTX):
        if j < len(seg) and ctx[seg[j]] == c:
            bd_var(out, int(hi[j] - lo[j] + 1))
            bd_var(out, int(lo[j]))
            j += 1
        else:
            out.append(0)
    nbm = (hi - lo + 8) >> 3
    bits = np.zeros(int(nbm.sum()) * 8, np.uint8)
    bits[np.repeat(np.cumsum(nbm) * 8 - nbm * 8 - lo, np.diff(np.append(seg, len(sym)))) + sym] = 1
    c = cnt[nz]
    fl = np.searchsorted(np.int64(1) << np.arange(40, dtype=I64), c, "right") - 1
    q = 8 * fl + ((c << 16 >> fl)[:, None] >= BD_QT).sum(1)
    out += np.packbits(bits, bitorder="little").tobytes() + q.astype(np.uint8).tobytes()
    f = np.zeros(BD_NCTX * 4096, I64)
    if len(nz):
        f[nz] = bd_norm(bd_deq(q), seg)
    st = np.cumsum(f.reshape(-1, 4096), 1).ravel() - f
    # symbols in decoding order: headers, then per step dh then low symbols
    def order(a):
        x = np.zeros((K * B, P * Lc), I64)
        x[:R, :C] = a
        return x.reshape(K, B, P, Lc).transpose(1, 2, 0, 3).reshape(B * P, K * Lc)
    o1, o2 = order(i1), order(i2)
    act = bd_active(R, C, K, B, P, Lc)
    x = np.full(L, 1 << 15, I64)
    words = []

    def put(ix, a):
        fs = f[ix]
        xs = x[:a]
        em = xs >= fs << 19
        words.append(xs[em])
        xs = np.where(em, xs >> 16, xs)
        qq, rr = np.divmod(xs, fs)
        x[:a] = (qq << 12) + rr + st[ix]
    for s in range(len(act) - 1, -1, -1):
        a = int(act[s])
        put(o2[s, :a], a)
        put(o1[s, :a], a)
    for lo_ in range((3 * R - 1) // L * L, -1, -L):
        put(hk[lo_:lo_ + L], min(L, 3 * R - lo_))
    words.reverse()
    return bytes(out) + x.astype("<u4").tobytes() + np.concatenate(words + [np.zeros(0, I64)]).astype("<u2").tobytes()


def bd_decode(b, R, C):
    """the frame after its mode byte -> [R, C] uint16"""
    L, K, B, P, Lc = bd_layout(R, C)
    bad = ValueError("corrupt data: bad bfdelta frame")
    med, o = b[0], 1
    span, first = np.zeros(BD_NCTX, I64), np.zeros(BD_NCTX, I64)

    def var():
        nonlocal o
        v_ = s_ = 0
        while b[o] > 127:
            v_ |= (b[o] & 127) << s_
            s_ += 7
            o += 1
        o += 1
        return v_ | b[o - 1] << s_
    for c in range(BD_NCTX):
        span[c] = var()
        if span[c]:
            first[c] = var()
    if (first + span > BD_ALPHA).any():
        raise bad
    nbm = (span + 7) >> 3
    within = np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span)
    bits = np.unpackbits(np.frombuffer(b, np.uint8, int(nbm.sum()), o), bitorder="little")
    o += int(nbm.sum())
    used = bits[np.repeat(np.cumsum(nbm) * 8 - nbm * 8, span) + within].astype(bool)
    ctx = np.repeat(np.arange(BD_NCTX), span)[used]
    sym = (within + np.repeat(first, span))[used]
    q = np.frombuffer(b, np.uint8, len(ctx), o).astype(I64)
    o += len(ctx)
    seg = np.flatnonzero(np.r_[True, ctx[1:] != ctx[:-1]]) if len(ctx) else np.zeros(0, I64)
    if len(seg) != np.count_nonzero(span):
        raise bad
    f = bd_norm(bd_deq(q), seg) if len(seg) else q
    cs = np.cumsum(f) - f
    slot = np.arange(len(seg) * 4096) - np.repeat(cs, f)
    lut = np.zeros(BD_NCTX * 4096, I64)     # freq << 12 | sym | (slot - start) << 25
    lut[np.repeat(ctx * 4096 + cs - np.repeat(cs[seg], np.diff(np.append(seg, len(f)))), f) + slot] = \
        np.repeat(sym | f << 12, f) | slot << 25
    if len(b) - o < 4 * L or (len(b) - o) % 2:
        raise bad
    x = np.frombuffer(b, "<u4", L, o).astype(I64)
    w = np.frombuffer(b, "<u2", (len(b) - o - 4 * L) // 2, o + 4 * L).astype(I64)
    p = 0

    def get(cm, a):
        nonlocal p
        xs = x[:a]
        e = lut[cm + (xs & 4095)]
        xs = (e >> 12 & 8191) * (xs >> 12) + (e >> 25)
        m = xs < 32768
        n = int(np.count_nonzero(m))
        if n:
            xs[m] = xs[m] << 16 | w[p:p + n]
            p += n
        x[:a] = xs
        return e & 4095
    hs = np.empty(3 * R, I64)
    hm = np.repeat(np.arange(197, 200) * 4096, R)
    for lo in range(0, 3 * R, L):
        hs[lo:lo + L] = get(hm[lo:lo + L], min(L, 3 * R - lo))
    d, cls = hs[:R] << 5 | hs[R:2 * R], hs[2 * R:]
    g = np.arange(R)
    if (cls >= BD_CLS).any() or ((d == 0) != (cls == 0)).any() or (d > g % B).any():
        raise bad
    t1, t2 = bd_ctx(med)
    t1, t2 = t1 * 4096, t2 * 4096
    # decoding order: step s = t * P + p holds lanes k * Lc + j (row k B + t,
    # column p Lc + j); a lane's reference is the same lane d rows (d P steps)
    # earlier, or the zero row at the end
    n = B * P
    vo = np.zeros((n + 1) * L, I64)
    rows = np.arange(K)[None, :] * B + np.arange(B)[:, None]
    dr = np.where(rows < R, d[np.minimum(rows, R - 1)], 0)
    dl = np.repeat(np.repeat(dr, Lc, 1), P, 0)
    cl = np.repeat(np.repeat(np.where(rows < R, cls[np.minimum(rows, R - 1)], 0), Lc, 1), P, 0) * 4096
    gi = np.where(dl > 0, (np.arange(n)[:, None] - dl * P) * L, n * L) + np.arange(L)
    act = bd_active(R, C, K, B, P, Lc)
    acc = np.zeros(L, I64)                  # OR of magnitudes: bit 15 up if one was out of range
    for s in range(n):
        a = int(act[s])
        r = vo[gi[s, :a]]
        dh = get(t1[r >> 7 & 511] + cl[s, :a], a)
        lo = get(t2[((r & 0x7F80) == 0) * 4096 + dh], a)
        k = (r & 0x7FFF) + (dh << 4) + (lo & 15) - 32768
        acc[:a] |= k
        vo[s * L:s * L + a] = (k | lo >> 4 << 15) ^ (r & 0x8000)
    if p != len(w) or (x != 32768).any() or acc.max() >> 15 or acc.min() < 0:
        raise bad
    return vo[:n * L].reshape(B, P, K, Lc).transpose(2, 0, 1, 3).reshape(K * B, P * Lc)[:R, :C].astype(np.uint16)
