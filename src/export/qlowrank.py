

# --- qlowrank (codecs/qlowrank.h): an integer low-rank prediction P = round(sum_j u_j v_j 2^e_j)
# of integer codes, the fit in arithmetic exact in C and numpy alike (integers below 2^53,
# correctly rounded / sqrt); quantlr and bflr code against it
QR_GROUPS = ((0, 1), (1, 2), (2, 4), (4, 8), (8, 16), (16, 32), (32, 64))


def qr_scale(x, b):  # to b bits, by a power of two
    m = abs(x).max()
    return np.rint(np.ldexp(x, b - int(bitlen(m)))) if m else x


def qr_fit(q, kmax):  # components (v_j, coefficients of v_j), sum |residual| after each
    E, nb, out, S = q * 256.0, int(bitlen(max(q.shape))), [], []
    for _ in range(kmax + 1):
        A = abs(E)  # once a component: its largest, its row sums (exact), their sum
        rs = A.sum(1)
        S.append(int(rs.astype(I64).sum()) >> 8)
        m = A.max(initial=0)
        b = min(15, 52 - int(bitlen(m)) - nb)
        if b < 8 or not m or len(out) == kmax:
            break
        v = E[np.argmax(rs)]
        for _ in range(4):
            v = qr_scale(E.T @ qr_scale(E @ qr_scale(v, b), b), b)
        if not abs(v).max():
            break
        v8 = np.rint(v * 127 / abs(v).max())
        out.append((v8, (E @ v8) / (v8 @ v8 * 256)))
        E -= np.rint(np.outer((E @ v) / (v @ v), v))
    return out, S


def qr_round(fit, S, k, R, C):  # V, U, e of rank k
    step = 0.8 * (float(S[k]) / float(R * C)) * np.sqrt(12 / max(0.25, 1 - k / C))
    U, e = [], []
    for v8, c in fit[:k]:
        m, x = np.frexp(step / np.sqrt(v8 @ v8))
        x = min(8, max(-24, int(x) - (m < 0.7071067811865476) if step > 0 else -24))
        while x < 8 and abs(c).max() > 32767 * 2.0 ** x:
            x += 1
        U.append(np.clip(np.rint(np.ldexp(c, -x)), -32767, 32767))
        e.append(x)
    return np.array([f[0] for f in fit[:k]], I64).reshape(k, C), np.array(U, I64).reshape(k, R), np.array(e, I64)


def qr_predict(V, U, e):
    return np.clip((U.T << e + 24) @ V + (1 << 23) >> 24, -1 << 25, 1 << 25)


def qr_layout(k, R, C):  # each factor symbol's context * 4096: v (a byte), u (zigzag, 4095: escape)
    g = [(j0, min(j1, k)) for j0, j1 in QR_GROUPS if j0 < k]
    return np.repeat(np.r_[0:len(g), 7:7 + len(g)] << 12, [(j1 - j0) * C for j0, j1 in g] + [(j1 - j0) * R for j0, j1 in g])


def qr_put(V, U, e, C):  # k, e, the escapes, then the factors' lanes
    k, z = len(e), np.where(U < 0, -2 * U - 1, 2 * U).ravel()
    if not k:
        return b"\0"
    cx = qr_layout(k, len(z) // k, C)
    f = wl_encode(wl_layout(1, len(cx)), np.zeros((3, 0), I64), 0, [cx + np.r_[V.ravel() & 255, np.minimum(z, 4095)]], 14)
    esc = z[z >= 4095] - 4095
    return bytes([k]) + e.astype(np.int8).tobytes() + var(len(esc)) + b"".join(map(var, esc.tolist())) + var(len(f)) + f


def qr_read(r, R, C):  # qr_put's V, U and e at Reader r
    k = r.byte()
    e = np.frombuffer(r.take(k), np.int8).astype(I64) if k <= min(64, R, C) else bad("low-rank factors: rank")
    if len(e) < k or (e < -24).any() or (e > 8).any():
        bad("low-rank factors: exponents")
    if not k:
        return None
    esc = np.array([r.var() for _ in range(min(r.var(), k * R + 1))], I64)
    cx = qr_layout(k, R, C)
    L, _, at = wl_layout(1, len(cx))
    dec, x = WLDecoder(r.take(r.var()), 0, [256] * 7 + [4096] * 7, L), np.zeros(len(cx), I64)
    for pos in at:
        x[pos[pos < len(x)]] = dec.get(cx[pos[pos < len(x)]])
    V, z = (x[:k * C] ^ 128) - 128, x[k * C:]
    i = np.flatnonzero(z == 4095)
    if dec.p != [len(w) for w in dec.w] or (dec.x != 32768).any() or (V == -128).any() or len(i) != len(esc) \
            or (esc > 65534 - 4095).any():
        bad("low-rank factors")
    z[i] += esc
    return V.reshape(k, C), np.where(z & 1, -(z + 1) // 2, z // 2).reshape(k, R), e
