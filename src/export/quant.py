

# --- quant:sim=T (mxbench's codecs/stage_quant.c, lanes frame): codes q =
# rint(x / step), the step (64 + j) 2^(e - 6) the largest that keeps the
# similarity above T in double and as baseline.py's float32 torch computes
# it; each code as its difference from the same column of the row's reference
F32 = np.float32


def qt_tree(a):
    """a double sum, pairwise over the terms padded with zeros to a power of two"""
    a = np.r_[a, np.zeros((1 << max(0, len(a) - 1).bit_length()) - len(a))]
    while len(a) > 1:
        a = a[0::2] + a[1::2]
    return float(a[0]) if len(a) else 0.0


def qt_norm8(d):
    """torch's float32 2-norm: squares on eight lanes, then the lanes and the rest in turn"""
    s, n = d * d, len(d) // 8 * 8
    t = F32(0)
    for v in np.r_[np.cumsum(s[:n].reshape(-1, 8), 0, dtype=F32)[-1] if n else s[:0], s[n:]]:
        t = F32(t + v)
    return float(np.sqrt(t))


def qt_step(k):
    return F32(np.ldexp(float(64 + k % 64), k // 64 - 6))


def qt_value(q, s):
    """bf16 bits of q * s, infinities clamped to the largest finite value"""
    u = (q.astype(F32) * s).view(np.uint32).astype(I64)
    h = (u + 0x7FFF + (u >> 16 & 1)) >> 16 & 0xFFFF
    return np.where(h & 0x7FFF == 0x7F80, h - 1, h)


def qt_passes(x, k, target):
    s = qt_step(k)
    if not 0 < s < np.inf:
        return False
    y = (qt_value(np.clip(np.rint(x / s), -1 << 24, 1 << 24), s).astype(np.uint32) << 16).view(F32)
    A, B = x.astype(float), y.astype(float)
    na, nb, ta, tb = np.sqrt(qt_tree(A * A)), np.sqrt(qt_tree(B * B)), qt_norm8(x), qt_norm8(y)
    if not na:
        return (not nb) > target and (not tb) > target
    f64 = nb and qt_tree(A * B) / (na * nb) * (1 - np.sqrt(qt_tree((A - B) * (A - B))) / na)
    cos = tb and float(np.cumsum(x * y, dtype=F32)[-1] / F32(ta * tb))
    return f64 > target and cos * (1 - qt_norm8(x - y) / ta) > target


def qt_encode(v, target):
    with np.errstate(all="ignore"):  # huge values overflow to inf, as floats do in C
        R, C = v.shape
        x = (v.astype(np.uint32) << 16).view(F32).ravel()
        x = np.where(np.isfinite(x), x, F32(0))
        m, e = np.frexp(max((1 - target) * np.sqrt(np.cumsum(x.astype(float) ** 2)[-1] * 12 / x.size), 1e-30))
        lo = int(e - 1) * 64 + int((m * 2 - 1) * 64)
        hi = lo + 1
        while not qt_passes(x, lo, target):
            lo, hi = lo - 64, lo
            if lo < -150 * 64:
                return None
        while hi < 128 * 64 and qt_passes(x, hi, target):
            lo, hi = hi, hi + 64
        while hi - lo > 1:
            k = lo + (hi - lo) // 2
            lo, hi = (k, hi) if qt_passes(x, k, target) else (lo, k)
        s = qt_step(lo)
        q = np.clip(np.rint(x / s), -1 << 24, 1 << 24).astype(I64).reshape(R, C)
        lay = wl_layout(R, C)
        d, _ = wl_refs(v.astype(I64), lay[2])
        qr = np.where(d[:, None] > 0, q[np.arange(R) - d], 0)
        dq = q - qr
        p2 = I64(1) << np.arange(62, dtype=I64)
        rb = np.minimum(15, np.searchsorted(p2, 16 * abs(dq).sum(1) // C, "right"))
        ix = (rb[:, None] * 8 + np.minimum(7, np.searchsorted(p2, abs(qr), "right")) << 12) + np.clip(dq + 2048, 0, 4095)
        hk, steps = wl_heads([d >> 5, d & 31, rb], 128, R, lay[0])
        o, od = wl_order(ix, R, C, *lay), wl_order(dq, R, C, *lay)
        esc = bytearray()
        for t, a in enumerate(wl_active(R, C, *lay)):
            steps.append((o[t, :a], a, 0))
            z = od[t, :a][(od[t, :a] < -2047) | (od[t, :a] > 2046)]
            esc += b"".join(var(2 * i if i >= 0 else -2 * i - 1) for i in z.tolist())
        n = int(((dq < -2047) | (dq > 2046)).sum())
        return s.tobytes() + var(n) + bytes(esc) + wl_encode(np.r_[ix.ravel(), hk], 131, lay[0], steps)


def qt_decode(b, R, C):
    with np.errstate(all="ignore"):
        lay = L, K, B, P, Lc = wl_layout(R, C)
        s = np.frombuffer(b, F32, 1)[0]
        n, o = WLDecoder.var(b, 4)
        esc = []
        for _ in range(n):
            z, o = WLDecoder.var(b, o)
            esc.append(-(z + 1) // 2 if z & 1 else z // 2)
        dec = WLDecoder(b, o, 131, [4096] * 128 + [33, 32, 16], L)
        dh, dl, rb = dec.rows(R, L, 128, 3)
        d = dh << 5 | dl
        if not 0 < s < np.inf or (rb > 15).any() or (d > np.arange(R) % B).any():
            raise dec.bad
        nst = B * P
        qo = np.zeros((nst + 1) * L, I64)
        dl, rbm = wl_order(d, R, C, *lay), wl_order(rb << 15, R, C, *lay)
        gi = np.where(dl > 0, (np.arange(nst)[:, None] - dl * P) * L, nst * L) + np.arange(L)
        qb = np.minimum(7, np.searchsorted(I64(1) << np.arange(7, dtype=I64), np.arange(65), "right")) << 12
        e = 0
        for t, a in enumerate(wl_active(R, C, *lay)):
            qr = qo[gi[t, :a]]
            v = dec.get(rbm[t, :a] + qb[np.minimum(abs(qr), 64)], a) - 2048
            for i in np.flatnonzero((v == -2048) | (v == 2047)):
                if e == n or (esc[e] >= -2047 if v[i] < 0 else esc[e] <= 2046):
                    raise dec.bad
                v[i], e = esc[e], e + 1
            qo[t * L:t * L + a] = qr + v
        dec.finish()
        q = qo[:nst * L].reshape(B, P, K, Lc).transpose(2, 0, 1, 3).reshape(K * B, P * Lc)[:R, :C]
        if e != n or abs(q).max(initial=0) > 1 << 24:
            raise dec.bad
        return qt_value(q, s)


def qt_codec(arg):
    mode, _, t = arg.partition("=")
    if mode != "sim":
        raise ValueError("quant:%s has no numpy twin; quant:sim=T has" % mode)
    t = int(float(t) * 100000 + 0.5) / 100000.0  # mxbench keeps T in whole 1e-5
    return (lambda b, shape: wl_frame(b, shape, 7, lambda v: qt_encode(v, t)),
            lambda b, n, shape: wl_unframe(b, n, shape, 7, qt_decode))


ENTROPY["quant"] = qt_codec
LOSSY.add("quant")
