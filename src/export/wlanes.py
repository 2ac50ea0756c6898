import numpy as np

# --- wide rANS lanes and row references: what mxbench's bfdelta and quant
# code with (codecs/wlanes.c, codecs/rowref.c); the same bytes both ways ---
I64 = np.int64
WL_QV = np.array([65536, 71468, 77936, 84990, 92682, 101070, 110218, 120194], I64)
WL_QT = np.array([68438, 74632, 81386, 88752, 96785, 105545, 115098, 125515], I64)


def wl_layout(R, C):
    """lanes L, K blocks of B rows side by side, rows cut in P chunks of Lc"""
    lmax = max(32, min(1024, (R * C) >> 10))
    if C <= lmax:
        K = max(1, min(R, lmax // C))
        return K * C, K, -(-R // K), 1, C
    P = -(-C // lmax)
    return -(-C // P), 1, R, P, -(-C // P)


def wl_active(R, C, K, B, P, Lc):
    """lanes used by each step of values (a prefix)"""
    if P == 1:
        return np.minimum(K, (R - np.arange(B) + B - 1) // B) * C
    return np.tile(np.minimum(Lc, C - np.arange(P) * Lc), B)


def wl_order(a, R, C, K, B, P, Lc):
    """[R, C] -> [steps, lanes] in decoding order"""
    x = np.zeros((K * B, P * Lc), I64)
    x[:R, :C] = a
    return x.reshape(K, B, P, Lc).transpose(1, 2, 0, 3).reshape(B * P, K * Lc)


def wl_unorder(x, R, C, K, B, P, Lc):
    return x.reshape(B, P, K, Lc).transpose(2, 0, 1, 3).reshape(K * B, P * Lc)[:R, :C]


def wl_refs(v, B):
    """each row's reference distance (0: none) and class: the candidate (16
    nearest rows, the latest row equal on each of 16 groups of 3 sampled
    columns) whose sign+exponents agree most on sampled columns"""
    R, C = v.shape
    g = np.arange(R)
    t = g % B
    nk = min(64, max(8, C // 4))
    ks = np.zeros((R, -(-nk // 4) * 4), np.uint16)
    ks[:, :nk] = v[:, np.arange(nk) * C // nk] >> 7
    ks = ks.view(np.uint64)
    kg = v[:, np.arange(48) * C // 48].astype(I64) >> 7
    cand = np.zeros((R, 32), I64)
    for d in range(1, 17):
        cand[:, d - 1] = np.where(d <= t, d, 0)
    for j in range(16):
        h = kg[:, 3 * j] | kg[:, 3 * j + 1] << 9 | kg[:, 3 * j + 2] << 18
        o = np.argsort(h, kind="stable")
        prev = np.full(R, -1, I64)
        same = h[o[1:]] == h[o[:-1]]
        prev[o[1:][same]] = o[:-1][same]
        cand[:, 16 + j] = np.where((prev >= 0) & (g - prev <= np.minimum(t, 1024)), g - prev, 0)
    x = ks[g[:, None] - cand] ^ ks[:, None, :]
    m = np.uint64(0x7FFF7FFF7FFF7FFF)
    x = (((x & m) + m) | x) >> np.uint64(15) & np.uint64(0x0001000100010001)  # unequal keys
    miss = ((x * np.uint64(0x0001000100010001)) >> np.uint64(48)).astype(I64).sum(2)
    best = cand[g, np.argmax(np.where(cand > 0, -miss * 4096 - cand, -(1 << 40)), 1)]
    agree = ((v[g - best] >> 7) == (v >> 7)).sum(1)
    cls = np.where((best > 0) & (agree * 5 >= C), 1 + np.minimum(3, agree * 4 // C), 0)
    return np.where(cls > 0, best, 0), cls


def wl_var(out, v):
    while v > 127:
        out.append(v & 127 | 128)
        v >>= 7
    out.append(v)


def wl_norm(cq, seg):
    """quantised counts of each context's used symbols -> 12-bit frequencies"""
    u = np.diff(np.append(seg, len(cq)))
    f = 1 + cq * np.repeat(4096 - u, u) // np.repeat(np.add.reduceat(cq, seg), u)
    big = cq == np.repeat(np.maximum.reduceat(cq, seg), u)
    f[np.minimum.reduceat(np.where(big, np.arange(len(cq)), len(cq)), seg)] += 4096 - np.add.reduceat(f, seg)
    return f


def wl_tables(cnt, nctx):
    """counts [nctx * 4096] -> table bytes, freqs and starts [nctx * 4096]"""
    nz = np.flatnonzero(cnt)
    ctx, sym = nz >> 12, nz & 4095
    seg = np.flatnonzero(np.r_[True, ctx[1:] != ctx[:-1]]) if len(nz) else nz
    lo = sym[seg]
    hi = sym[np.append(seg[1:], len(sym)) - 1] if len(nz) else nz
    out = bytearray()
    j = 0
    for c in range(nctx):
        if j < len(seg) and ctx[seg[j]] == c:
            wl_var(out, int(hi[j] - lo[j] + 1))
            wl_var(out, int(lo[j]))
            j += 1
        else:
            out.append(0)
    nbm = (hi - lo + 8) >> 3
    bits = np.zeros(int(nbm.sum()) * 8, np.uint8)
    bits[np.repeat(np.cumsum(nbm) * 8 - nbm * 8 - lo, np.diff(np.append(seg, len(sym)))) + sym] = 1
    c = cnt[nz]
    fl = np.searchsorted(np.int64(1) << np.arange(40, dtype=I64), c, "right") - 1
    q = 8 * fl + ((c << 16 >> fl)[:, None] >= WL_QT).sum(1)
    out += np.packbits(bits, bitorder="little").tobytes() + q.astype(np.uint8).tobytes()
    f = np.zeros(nctx * 4096, I64)
    if len(nz):
        f[nz] = wl_norm((WL_QV[q & 7] << (q >> 3)) >> 16, seg)
    return out, f, np.cumsum(f.reshape(-1, 4096), 1).ravel() - f


def wl_encode(L, f, st, steps):
    """steps: (flat symbol indices, lanes, word stream) in decoding order -> the lanes' bytes"""
    x = np.full(L, 1 << 15, I64)
    words = [[np.zeros(0, I64)], [np.zeros(0, I64)]]
    for ix, a, s in reversed(steps):
        fs, xs = f[ix], x[:a]
        em = xs >= fs << 19
        words[s].append(xs[em])
        xs = np.where(em, xs >> 16, xs)
        q, r = np.divmod(xs, fs)
        x[:a] = (q << 12) + r + st[ix]
    w = [np.concatenate(ws[::-1]).astype("<u2").tobytes() for ws in words]
    out = bytearray()
    wl_var(out, len(w[0]) // 2)
    return bytes(out) + x.astype("<u4").tobytes() + w[0] + w[1]


class WLDecoder:
    """reads tables of nctx contexts (alphabets alpha) at b[o:], then the lanes"""

    def __init__(self, b, o, nctx, alpha, L):
        self.bad = ValueError("corrupt data: bad lanes frame")
        span, first = np.zeros(nctx, I64), np.zeros(nctx, I64)
        for c in range(nctx):
            span[c], o = self.var(b, o)
            if span[c]:
                first[c], o = self.var(b, o)
        if (first + span > alpha).any():
            raise self.bad
        nbm = (span + 7) >> 3
        within = np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span)
        bits = np.unpackbits(np.frombuffer(b, np.uint8, int(nbm.sum()), o), bitorder="little")
        o += int(nbm.sum())
        used = bits[np.repeat(np.cumsum(nbm) * 8 - nbm * 8, span) + within].astype(bool)
        ctx = np.repeat(np.arange(nctx), span)[used]
        sym = (within + np.repeat(first, span))[used]
        q = np.frombuffer(b, np.uint8, len(ctx), o).astype(I64)
        o += len(ctx)
        seg = np.flatnonzero(np.r_[True, ctx[1:] != ctx[:-1]]) if len(ctx) else ctx
        n0, o = self.var(b, o)
        if len(seg) != np.count_nonzero(span) or len(b) - o < 4 * L + 2 * n0 or (len(b) - o) % 2:
            raise self.bad
        f = wl_norm((WL_QV[q & 7] << (q >> 3)) >> 16, seg) if len(seg) else q
        cs = np.cumsum(f) - f
        slot = np.arange(int(f.sum())) - np.repeat(cs, f)
        self.lut = np.zeros(nctx * 4096, I64)  # sym | freq << 12 | (slot - start) << 25
        at = np.repeat(ctx * 4096 + cs - np.repeat(cs[seg], np.diff(np.append(seg, len(f)))), f) + slot
        self.lut[at] = np.repeat(sym | f << 12, f) | slot << 25
        self.x = np.frombuffer(b, "<u4", L, o).astype(I64)
        w = np.frombuffer(b, "<u2", (len(b) - o - 4 * L) // 2, o + 4 * L).astype(I64)
        self.w, self.p = [w[:n0], w[n0:]], [0, 0]

    @staticmethod
    def var(b, o):
        v = s = 0
        while b[o] > 127:
            v |= (b[o] & 127) << s
            s += 7
            o += 1
        return v | b[o] << s, o + 1

    def get(self, cm, a, s=0):
        """one step of a lanes on word stream s, lane i under the context at cm[i] (context * 4096)"""
        x = self.x[:a]
        e = self.lut[cm + (x & 4095)]
        x = (e >> 12 & 8191) * (x >> 12) + (e >> 25)
        m = x < 32768
        n = int(np.count_nonzero(m))
        if n:
            p = self.p[s]
            if p + n > len(self.w[s]):
                raise self.bad
            x[m] = x[m] << 16 | self.w[s][p:p + n]
            self.p[s] = p + n
        self.x[:a] = x
        return e & 4095

    def finish(self):
        if self.p != [len(w) for w in self.w] or (self.x != 32768).any():
            raise self.bad
