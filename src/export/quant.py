

# --- quant:sim=T (codecs/stage_quant.c): rint(x / step), the largest step (64 + j) 2^(e - 6)
# keeping the similarity (double, float32 torch) over T, less the reference row's
F32 = np.float32


def qt_tree(a):  # C's double sum: pairwise, over a power of two of terms
    a = np.r_[a, np.zeros((1 << max(0, len(a) - 1).bit_length()) - len(a))]
    while len(a) > 1:
        a = a[0::2] + a[1::2]
    return float(a[0])


def qt_norm8(d):  # torch's float32 2-norm: squares on 8 lanes, then the lanes and the rest
    s, n = d * d, len(d) // 8 * 8
    lanes = np.cumsum(s[:n].reshape(-1, 8), 0, dtype=F32)[-1] if n else s[:0]
    return float(np.sqrt(np.cumsum(np.r_[F32(0), lanes, s[n:]], dtype=F32)[-1]))


def qt_step(k):
    return F32(np.ldexp(float(64 + k % 64), k // 64 - 6))


def qt_codes(x, s):  # float32, as in C
    return np.clip(np.rint(x / s), F32(-2 ** 24), F32(2 ** 24))


def qt_value(q, s):  # bf16 bits of q s, infinities clamped
    h = bf16_rne(q.astype(F32) * s).astype(I64)
    return np.where(h & 0x7FFF == 0x7F80, h - 1, h)


def qt_ctx(rb, qr):  # context * 4096: row class, reference size
    return (rb * 8 + np.minimum(7, bitlen(abs(qr)))) << 12


def qt_passes(x, k, target):
    s = qt_step(k)
    if not 0 < s < np.inf:
        return False
    y = (qt_value(qt_codes(x, s), s).astype(np.uint32) << 16).view(F32)
    A, B = x.astype(float), y.astype(float)
    na, nb, ta, tb = np.sqrt(qt_tree(A * A)), np.sqrt(qt_tree(B * B)), qt_norm8(x), qt_norm8(y)
    if not na:
        return (not nb) > target and (not tb) > target
    f64 = nb and qt_tree(A * B) / (na * nb) * (1 - np.sqrt(qt_tree((A - B) * (A - B))) / na)
    # float32 squares of tiny values can be 0 where the double ones are not: as C
    t32 = tb and float(np.cumsum(x * y, dtype=F32)[-1] / F32(ta * tb)) * (1 - qt_norm8(x - y) / ta) if ta else not tb
    return f64 > target and t32 > target


def qt_quantise(v, target):  # the step and the codes (R x C), or None
    with np.errstate(all="ignore"):  # overflows as in C
        x = (v.astype(np.uint32) << 16).view(F32).ravel()
        x = np.where(np.isfinite(x), x, F32(0))
        m, e = np.frexp(max((1 - target) * np.sqrt(np.cumsum(x.astype(float) ** 2)[-1] * 12 / x.size), 1e-30))
        lo = (int(e) - 1) * 64 + int((m * 2 - 1) * 64)  # a guess, then down, up and halves
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
        return s, qt_codes(x, s).astype(I64).reshape(v.shape)


def qt_body(lay, q, d):  # the codes q against the rows d names: escapes, then lanes
    R, C = q.shape
    qr = np.where(d[:, None] > 0, q[np.arange(R) - d], 0)
    dq = q - qr
    rb = np.minimum(15, bitlen(16 * abs(dq).sum(1) // C))
    z = dq.ravel()[lay[2][lay[2] < R * C]]  # escapes, in decoding order
    z = z[(z < -2047) | (z > 2046)].tolist()
    esc = var(len(z)) + b"".join(var(2 * i if i >= 0 else -2 * i - 1) for i in z)
    ix = qt_ctx(rb[:, None], qr) + np.clip(dq + 2048, 0, 4095)
    return esc + wl_encode(lay, [d >> 5, d & 31, rb], 128, [ix], 131)


def qt_encode(v, target):
    sq, lay = qt_quantise(v, target), wl_layout(*v.shape)
    return sq and sq[0].tobytes() + qt_body(lay, sq[1], wl_refs(v, lay[1])[0])


def qt_lanes(b, r, R, C, qmax):  # the codes of the escapes and lanes at Reader r
    lay = wl_layout(R, C)
    esc = np.array([r.var() for _ in range(r.var())], I64)
    esc = np.where(esc & 1, -(esc + 1) // 2, esc // 2)
    dec, used = WLDecoder(b, r.at, [4096] * 128 + [33, 32, 16], lay[0]), 0

    def step(qr, rb, *_):
        nonlocal used
        v = dec.get(qt_ctx(rb, qr)) - 2048
        i = np.flatnonzero((v == -2048) | (v == 2047))
        z = esc[used:used + len(i)]
        if len(z) < len(i) or np.where(v[i] < 0, z >= -2047, z <= 2046).any():
            bad("quant codes")
        v[i], used = z, used + len(i)
        return qr + v
    q = dec.rows(R, C, lay, 128, step)
    return q if used == len(esc) and abs(q).max(initial=0) <= qmax else bad("quant codes")


def qt_decode(b, R, C):
    s = np.frombuffer(b, F32, 1)[0]
    with np.errstate(over="ignore"):
        return qt_value(qt_lanes(b, Reader(b, 4), R, C, 1 << 24) if 0 < s < np.inf else bad("quant codes"), s)


def qt_codec(arg):  # arg: sim=T; mxbench keeps T in whole 1e-5
    t = int(float(arg[4:]) * 100000 + 0.5) / 100000.0
    return wl_codec(7, lambda v: qt_encode(v, t), qt_decode)


ENTROPY["quant"] = qt_codec
LOSSY.add("quant")
