

# --- rANS on wide lanes and row references (mxbench's codecs/wlanes.h, rowref.h)
I64 = np.int64
QV, QT = np.rint(2 ** (16 + np.arange(16).reshape(8, 2).T / 16)).astype(I64)  # kept counts, midpoints


def bitlen(x):  # of each integer 0 <= x < 2^53
    return np.frexp(x)[1].astype(I64)


def wl_layout(R, C):  # lanes, rows a block, at[step, lane]: the value's index (R C: none)
    lmax = max(32, min(1024, R * C >> 10))
    K, P = (max(1, min(R, lmax // C)), 1) if C <= lmax else (1, -(-C // lmax))  # blocks, row pieces
    B, W = -(-R // K), -(-C // P)
    at = np.full((K * B, P * W), R * C)
    at[:R, :C] = np.arange(R * C).reshape(R, C)
    return K * W, B, at.reshape(K, B, P, W).transpose(1, 2, 0, 3).reshape(B * P, K * W)


def wl_refs(v, B):  # each row's reference distance (0: none) and class 0..4
    R, C = v.shape
    g, t = np.arange(R), np.arange(R)[:, None] % B
    nk = min(64, max(8, C // 4))
    keys = np.zeros((R, -(-nk // 4) * 4), np.uint16)
    keys[:, :nk] = v[:, np.arange(nk) * C // nk] >> 7
    keys = keys.view(np.uint64)
    kg = v[:, np.arange(48) * C // 48] >> 7
    h = kg[:, 0::3] | kg[:, 1::3] << 9 | kg[:, 2::3] << 18
    o = np.argsort(h, 0, kind="stable")
    same = np.take_along_axis(h, o[1:], 0) == np.take_along_axis(h, o[:-1], 0)
    p = np.full(h.shape, -R)  # the latest row before with the same h
    p[o[1:][same], np.nonzero(same)[1]] = o[:-1][same]
    near, back = np.arange(1, 17), g[:, None] - p
    cand = np.c_[near * (near <= t), np.where(back <= np.minimum(t, 1024), back, 0)]
    miss = np.count_nonzero((keys[g[:, None] - cand] ^ keys[:, None]).view(np.uint16), 2)
    best = cand[g, np.argmax(np.where(cand > 0, -miss * 4096 - cand, -1 << 40), 1)]
    agree = (v[g - best] >> 7 == v >> 7).sum(1)
    cls = np.where((best > 0) & (agree * 5 >= C), 1 + np.minimum(3, agree * 4 // C), 0)
    return np.where(cls > 0, best, 0), cls


def wl_freqs(nz, q):  # frequencies (4096 a context) of symbols nz, kept counts q
    c = QV[q & 7] << (q >> 3) >> 16
    seg = np.flatnonzero(np.r_[True, np.diff(nz >> 12) != 0])  # where each context starts
    u = np.diff(np.r_[seg, len(c)])
    f = 1 + c * np.repeat(4096 - u, u) // np.repeat(np.add.reduceat(c, seg), u)
    big = np.where(c == np.repeat(np.maximum.reduceat(c, seg), u), np.arange(len(c)), len(c))
    f[np.minimum.reduceat(big, seg)] += 4096 - np.add.reduceat(f, seg)
    return f


def wl_encode(lay, heads, hctx, mats, nctx):  # the row headers, then mats[k] on stream k
    L, _, at = lay
    hk = (np.arange(hctx, hctx + 3)[:, None] * 4096 + heads).ravel()
    steps = [(hk[i:i + L], 0) for i in range(0, len(hk), L)]
    for pos in at:
        steps += [(m.ravel()[pos[pos < m.size]], k) for k, m in enumerate(mats)]
    cnt = np.bincount(np.concatenate([hk] + [m.ravel() for m in mats]), minlength=nctx * 4096)
    out = bitmaps = b""
    for u in cnt.reshape(nctx, 4096) > 0:  # span, first symbol, bitmap
        i = np.flatnonzero(u)
        out += var(i[-1] - i[0] + 1) + var(i[0]) if len(i) else b"\0"
        bitmaps += np.packbits(u[i[0]:i[-1] + 1], bitorder="little").tobytes() if len(i) else b""
    nz = np.flatnonzero(cnt)
    q = 8 * bitlen(cnt[nz]) - 8 + ((cnt[nz] << 17 >> bitlen(cnt[nz]))[:, None] >= QT).sum(1)
    f = np.zeros_like(cnt)
    f[nz] = wl_freqs(nz, q)
    start = np.cumsum(f.reshape(-1, 4096), 1).ravel() - f
    x, w = np.full(L, 1 << 15, I64), [[], []]
    for s, k in reversed(steps):  # rANS codes backwards
        fs, xs = f[s], x[:len(s)]
        spill = np.flatnonzero(xs >= fs << 19)
        if len(spill):
            w[k].append(xs[spill])
            xs[spill] >>= 16
        quo, rem = np.divmod(xs, fs)  # (q is the frequency table's, above)
        xs[:] = (quo << 12) + rem + start[s]
    w0, w1 = (np.concatenate(k[::-1] + [hk[:0]]).astype("<u2").tobytes() for k in w)
    return out + bitmaps + q.astype(np.uint8).tobytes() + var(len(w0) // 2) + x.astype("<u4").tobytes() + w0 + w1


class WLDecoder:  # tables of contexts of alphabets alpha at b[o:], then L lanes
    def __init__(self, b, o, alpha, L):
        r, spans, used = Reader(b, o), [], np.zeros((len(alpha), 4096), bool)
        for _ in alpha:
            n = r.var()
            spans.append((r.var() if n else 0, n))
        for c, (first, n) in enumerate(spans):
            bits = np.unpackbits(np.frombuffer(r.take(n + 7 >> 3), np.uint8), bitorder="little")[:n]
            used[c, first:first + n] = bits if first + n <= alpha[c] and (bits.any() or not n) else bad("damaged lanes")
        nz = np.flatnonzero(used)
        f = wl_freqs(nz, np.frombuffer(r.take(len(nz)), np.uint8).astype(I64))
        n0, o = r.var(), r.at
        sym, i = np.repeat(nz, f), np.arange(f.sum())
        self.lut = np.zeros(used.size, I64)  # symbol | freq << 12 | (slot - start) << 25
        self.lut[sym - sym % 4096 + i % 4096] = \
            sym % 4096 | np.repeat(f, f) << 12 | i - np.repeat(np.cumsum(f) - f, f) << 25
        self.x = np.frombuffer(b, "<u4", L, o).astype(I64)
        w = np.frombuffer(b, "<u2", -1, o + 4 * L).astype(I64)
        self.w, self.p = [w[:n0], w[n0:]] if n0 <= len(w) else bad("damaged lanes"), [0, 0]

    def get(self, cm, s=0):  # lane i's symbol in context cm[i] / 4096
        x = self.x[:len(cm)]  # a view, updated in place: this runs once per symbol row
        e = self.lut[cm + (x & 4095)]
        np.multiply(e >> 12 & 8191, x >> 12, out=x)
        x += e >> 25
        low = np.flatnonzero(x < 32768)
        if len(low):
            p = self.p[s] + len(low)
            w = self.w[s][self.p[s]:p]
            x[low] = x[low] << 16 | w if len(w) == len(low) else bad("damaged lanes")
            self.p[s] = p
        return e & 4095

    def rows(self, R, C, lay, hctx, step, valid=0):  # the row headers, then step(r, third, pos, ref) by
        L, B, at = lay  # step: r the reference values (0: none), third the rows' third header, pos and ref
        # the indices of the values and of their references (R C: none); valid(d, third): rows may be so
        hc = np.repeat(np.arange(hctx, hctx + 3) * 4096, R)
        dh, dl, third = np.concatenate([self.get(hc[i:i + L]) for i in range(0, len(hc), L)] + [hc[:0]]).reshape(3, R)
        d = dh << 5 | dl
        if (d > np.minimum(np.arange(R) % B, 1024)).any() or valid and not valid(d, third).all():
            bad("damaged lanes")
        out = np.zeros(R * C + 1, I64)  # and 0 at R C: no reference
        dd, th = np.append(d, 0)[at // C], np.append(third, 0)[at // C]
        for pos, ref, t, a in zip(at, np.where(dd > 0, at - dd * C, R * C), th, (at < R * C).sum(1)):
            out[pos[:a]] = step(out[ref[:a]], t[:a], pos[:a], ref[:a])
        if self.p != [len(w) for w in self.w] or (self.x != 32768).any():
            bad("damaged lanes")
        return out[:-1].reshape(R, C)


def wl_codec(mode, encode, decode):  # frames: the mode and the frame, or 0 and the stream
    def enc(b, shape):
        f = encode(np.frombuffer(b, "<u2").astype(I64).reshape(shape[1:])) if b else None
        return bytes([mode]) + f if f is not None and len(f) < len(b) else b"\0" + b

    def dec(b, n, shape):
        if b[:1] == b"\0" and len(b) == n + 1:
            return b[1:]
        return decode(b[1:], *shape[1:]).astype("<u2").tobytes() if b[0] == mode else bad("a frame of another kind")
    return enc, dec
