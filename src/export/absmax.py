

# --- absmax quantisation to int8/int4 codes + bf16 scales (q8, q4; lossy)
def bf16_f32(h):
    return (h.astype(np.uint32) << 16).view(np.float32)


def quant_enc(arg, bits, a, cb):
    if bits != 16:
        return None
    qmax, ax = 2 ** (cb - 1) - 1, 1 if arg == "rows" else 0
    x = np.where(a & 0x7F80 != 0x7F80, bf16_f32(a), np.float32(0))
    amax = np.abs(x).max(axis=ax) if x.size else np.zeros(a.shape[1 - ax], np.float32)
    u = (amax / np.float32(qmax)).astype(np.float32).view(np.uint32)
    sc = np.minimum((u >> 16) + (u & 0xFFFF != 0), 0x7F7F).astype(np.uint16)  # bf16, rounded up
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(4):  # the scale must not let |x|/scale exceed qmax
            over = (amax / bf16_f32(sc) > qmax) & (sc < 0x7F7F)
            sc = sc + over
        sc = np.where(amax > 0, sc, np.uint16(0)).astype(np.uint16)
        sb = np.expand_dims(bf16_f32(sc), ax)
        q = np.where(sb > 0, np.rint(x / sb), np.float32(0))
    q = np.clip(q, -qmax, qmax).astype(np.int32) & (2 ** cb - 1)
    return [(cb, q.astype(np.uint8)), (16, np.expand_dims(sc, ax))]


def quant_dec(arg, bits, r, c, p, cb):
    q, sc = parts(p, (cb, r, c), (16, r, 1) if arg == "rows" else (16, 1, c))
    q = q.astype(np.int32)
    return bf16_rne(np.where(q >= 2 ** (cb - 1), q - 2 ** cb, q).astype(np.float32) * bf16_f32(sc))
