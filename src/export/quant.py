
# --- quant:sim=T (codecs/stage_quant.c, lanes frame): codes q = rint(x / step)
# with the largest step (64 + j) 2^(e - 6) that keeps the similarity above T
# in double and as baseline.py's float32 torch computes it; each code coded
# as its difference from the same column of the row's reference ---
QT_V, QT_NCTX = 128, 131                # (row bucket, reference bucket), then row headers
QT_ALPHA = np.array([4096] * 128 + [33, 32, 16], I64)
F32 = np.float32


def qt_tree(a):
    """double sum, pairwise over the terms padded with zeros to a power of two"""
    n = 1 << max(0, len(a) - 1).bit_length()
    a = np.concatenate([a, np.zeros(n - len(a))])
    while len(a) > 1:
        a = a[0::2] + a[1::2]
    return float(a[0]) if len(a) else 0.0


def qt_norm8(d):
    """torch's float32 2-norm: squares on eight lanes, then the lanes and the rest in turn"""
    s = d * d
    n = len(s) // 8 * 8
    t = F32(0)
    for v in np.concatenate([np.cumsum(s[:n].reshape(-1, 8), 0, dtype=F32)[-1] if n else [], s[n:]]):
        t = F32(t + v)
    return float(np.sqrt(t))


def qt_passes(x, k, target):
    s = F32(np.ldexp(float(64 + k % 64), k // 64 - 6))
    if not 0 < s < np.inf:
        return False
    y = qt_value(np.clip(np.rint(x / s), -(1 << 24), 1 << 24), s)
    y = ((y.astype(np.uint32) << 16).view(F32))
    A, B = x.astype(np.float64), y.astype(np.float64)
    na, nb = np.sqrt(qt_tree(A * A)), np.sqrt(qt_tree(B * B))
    ta, tb = qt_norm8(x), qt_norm8(y)
    if na == 0 or ta == 0:
        return (nb == 0) > target and (tb == 0) > target
    f64 = 0.0 if nb == 0 else qt_tree(A * B) / (na * nb) * (1 - np.sqrt(qt_tree((A - B) * (A - B))) / na)
    cos = 0.0 if tb == 0 else float(np.cumsum(x * y, dtype=F32)[-1] / F32(ta * tb))
    return f64 > target and cos * (1 - qt_norm8(x - y) / ta) > target


def qt_value(q, s):
    """bf16 bits of q * s, infinities clamped to the largest finite value"""
    u = (q.astype(F32) * s).view(np.uint32).astype(I64)
    h = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) & 0xFFFF
    return np.where(h & 0x7FFF == 0x7F80, h - 1, h)


def qt_encode(v, target):
    """[R, C] uint16 -> the frame after quant's lanes mode byte, or None: store"""
    with np.errstate(all="ignore"):  # huge values overflow into inf, as floats do in C
        return qt_enc(v, target)


def qt_enc(v, target):
    R, C = v.shape
    x = (v.astype(np.uint32) << 16).view(F32)
    x = np.where(np.isfinite(x), x, F32(0)).ravel()
    m, e = np.frexp(max((1 - target) * np.sqrt(np.cumsum(x.astype(np.float64) ** 2)[-1] * 12 / max(1, x.size)
                                               if x.size else 0.0), 1e-30))
    lo = int(e - 1) * 64 + int((m * 2 - 1) * 64)
    hi = lo + 1
    while not qt_passes(x, lo, target):
        hi, lo = lo, lo - 64
        if lo < -150 * 64:
            return None
    while hi < 128 * 64 and qt_passes(x, hi, target):
        lo, hi = hi, hi + 64
    while hi - lo > 1:
        mid = lo + (hi - lo) // 2
        lo, hi = (mid, hi) if qt_passes(x, mid, target) else (lo, mid)
    s = F32(np.ldexp(float(64 + lo % 64), lo // 64 - 6))
    q = np.clip(np.rint(x / s), -(1 << 24), 1 << 24).astype(I64).reshape(R, C)
    lay = wl_layout(R, C)
    L, K, B = lay[:3]
    d, _ = wl_refs(v.astype(I64), B)
    qr = np.where(d[:, None] > 0, q[np.arange(R) - d], 0)
    dq = q - qr
    rb = np.minimum(15, np.searchsorted(np.int64(1) << np.arange(62, dtype=I64),
                                        16 * np.abs(dq).sum(1) // max(C, 1), "right"))
    ix = (rb[:, None] * 8 + np.minimum(7, np.searchsorted(np.int64(1) << np.arange(40, dtype=I64),
                                                          np.abs(qr), "right"))) * 4096 + np.clip(dq + 2048, 0, 4095)
    hk = np.repeat(np.arange(QT_V, QT_NCTX) * 4096, R) + np.concatenate([d >> 5, d & 31, rb])
    tab, f, st = wl_tables(np.bincount(np.concatenate([ix.ravel(), hk]), minlength=QT_NCTX * 4096), QT_NCTX)
    o, od = wl_order(ix, R, C, *lay[1:]), wl_order(dq, R, C, *lay[1:])
    steps = [(hk[j:j + L], min(L, 3 * R - j), 0) for j in range(0, 3 * R, L)]
    out = bytearray(s.tobytes())
    esc = []
    for t, a in enumerate(wl_active(R, C, *lay[1:])):
        steps.append((o[t, :a], a, 0))
        esc += [int(z) for z in od[t, :a][(od[t, :a] < -2047) | (od[t, :a] > 2046)]]
    wl_var(out, len(esc))
    for z in esc:
        wl_var(out, 2 * z if z >= 0 else -2 * z - 1)
    return bytes(out + tab) + wl_encode(L, f, st, steps)


def qt_decode(b, R, C):
    """the frame after quant's lanes mode byte -> [R, C] uint16"""
    with np.errstate(all="ignore"):
        return qt_dec(b, R, C)


def qt_dec(b, R, C):
    lay = wl_layout(R, C)
    L, K, B, P, Lc = lay
    s = np.frombuffer(b, F32, 1)[0]
    n, o = WLDecoder.var(b, 4)
    esc = []
    for _ in range(n):
        z, o = WLDecoder.var(b, o)
        esc.append(-(z + 1) // 2 if z & 1 else z // 2)
    dec = WLDecoder(b, o, QT_NCTX, QT_ALPHA, L)
    if not 0 < s < np.inf:
        raise dec.bad
    hs = np.zeros(3 * R, I64)
    hc = np.repeat(np.arange(QT_V, QT_NCTX) * 4096, R)
    for j in range(0, 3 * R, L):
        hs[j:j + L] = dec.get(hc[j:j + L], min(L, 3 * R - j))
    d, rb = hs[:R] << 5 | hs[R:2 * R], hs[2 * R:]
    if (rb >= 16).any() or (d > np.arange(R) % B).any():
        raise dec.bad
    nst = B * P
    qo = np.zeros((nst + 1) * L, I64)
    dl = wl_order(np.repeat(d[:, None], C, 1), R, C, *lay[1:])
    rbm = wl_order(np.repeat(rb[:, None] * 8 * 4096, C, 1), R, C, *lay[1:])
    gi = np.where(dl > 0, (np.arange(nst)[:, None] - dl * P) * L, nst * L) + np.arange(L)
    qb = np.minimum(7, np.searchsorted(np.int64(1) << np.arange(7, dtype=I64), np.arange(65), "right")) * 4096
    e = 0
    for t, a in enumerate(wl_active(R, C, *lay[1:])):
        qr = qo[gi[t, :a]]
        v = dec.get(rbm[t, :a] + qb[np.minimum(np.abs(qr), 64)], a) - 2048
        for i in np.flatnonzero((v == -2048) | (v == 2047)):
            if e == len(esc) or (esc[e] >= -2047 if v[i] < 0 else esc[e] <= 2046):
                raise dec.bad
            v[i], e = esc[e], e + 1
        qo[t * L:t * L + a] = qr + v
    dec.finish()
    q = wl_unorder(qo[:nst * L], R, C, *lay[1:])
    if e != len(esc) or np.abs(q).max(initial=0) > 1 << 24:
        raise dec.bad
    return qt_value(q, s).astype(np.uint16)
