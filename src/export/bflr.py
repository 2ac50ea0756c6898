

# --- bflr (codecs/stage_bflr.c): bfdelta against references a low-rank model makes: P of the
# values on a grid of 2^-s, a reference row moved by P's change from it (or zeros by P)
def bl_float(v):  # bf16 values as doubles, non-finite ones as 0
    return (np.where((v & 0x7F80) != 0x7F80, v, 0) << 16).astype(np.uint32).view(np.float32).astype(np.float64)


def bl_moved(y, dp, s):  # bf16 y + dp 2^-s, each step one rounding as in C; non-finite y kept
    with np.errstate(over="ignore"):
        u = (bl_float(y) + np.ldexp(dp.astype(np.float64), -s)).astype(np.float32).view(np.uint32).astype(I64)
    return np.where((y & 0x7F80) != 0x7F80, u + 0x7FFF + (u >> 16 & 1) >> 16, y)


def bl_cost(v, r):  # each row's bits of differences from r, and its columns whose sign+exponent agree
    return (bitlen(abs((v & 0x7FFF) - (r & 0x7FFF))) + ((v ^ r) >> 15)).sum(1), (v >> 7 == r >> 7).sum(1)


def bl_encode(v):
    (R, C), g = v.shape, np.arange(len(v))
    lay = wl_layout(R, C)
    d0, cls0 = wl_refs(v, lay[1])
    x = bl_float(v)
    m = abs(x).max()
    s = min(23, 35 - int(bitlen(max(R, C)))) - int(np.frexp(m)[1]) if m else 0
    ranks = [k for k in (0, 8, 16, 32, 64) if k <= min(R, C) // 4]
    fit, S = qr_fit(np.rint(np.ldexp(x, s)).astype(I64), ranks[-1])
    base = np.where(d0[:, None] > 0, v[g - d0], 0)
    cost0, best = bl_cost(v, base)[0], None
    for k in ranks[:1 + sum(0 < k <= len(fit) for k in ranks)]:
        V, U, e = qr_round(fit, S, k, R, C)
        P = qr_predict(V, U, e)
        ref, d, t, low = base, d0, cls0, cost0
        for dk, kind in ((0 * g, 4), (d0, 8), (g % lay[1] >= 1, 8)):  # P alone, the row found, the row before
            back = dk[:, None] > 0
            cand = bl_moved(np.where(back, v[g - dk], 0), P - np.where(back, P[g - dk], 0), s)
            cost, agree = bl_cost(v, cand)
            take = (cost < low) & ((dk > 0) | (kind == 4))
            ref, d, low = np.where(take[:, None], cand, ref), np.where(take, dk, d), np.where(take, cost, low)
            t = np.where(take, kind + 1 + np.minimum(3, agree * 4 // C), t)
        f = np.array(s, "<i2").tobytes() + qr_put(V, U, e, C) + bd_body(v, lay, d, t, ref)
        best = f if best is None or len(f) < len(best) else best
    return best


def bl_decode(b, R, C):
    s = int(np.frombuffer(b, "<i2", 1)[0]) if len(b) >= 2 else bad("a bflr frame too short")
    r = Reader(b, 2) if abs(s) <= 300 else bad("a bflr grid out of range")
    f = qr_read(r, R, C)
    P = np.append(qr_predict(*f), 0) if f else np.zeros(R * C + 1, I64)

    def make(y, t, pos, ref):  # P is 0 at R C, no reference
        return np.where(t > 4, bl_moved(y, P[pos] - P[ref], s), y)
    return bd_decode(b[r.at:], R, C, 13, lambda d, t: np.where(t <= 4, (d == 0) == (t == 0), (d > 0) == (t > 8)), make)


ENTROPY["bflr"] = lambda arg: wl_codec(10, bl_encode, bl_decode)
