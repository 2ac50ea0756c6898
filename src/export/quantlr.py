

# --- quantlr:sim=T (codecs/stage_quantlr.c): quant's codes less qlowrank's prediction
def qr_encode(v, target):
    sq = qt_quantise(v, target)
    if sq is None:
        return None
    (s, q), (R, C) = sq, v.shape
    lay = wl_layout(R, C)
    d0, g = wl_refs(v, lay[1])[0], np.arange(R)
    fit, S = qr_fit(q, max(k for k in (0, 4, 8, 16, 32, 64) if k <= min(R, C) // 4))
    best = None
    for k in (0, 4, 8, 16, 32, 64):
        if k <= len(fit):
            V, U, e = qr_round(fit, S, k, R, C)
            res = q - qr_predict(V, U, e)
            d = np.where(abs(res).sum(1) > abs(res - res[g - d0]).sum(1), d0, 0) if k else d0
            f = s.tobytes() + qr_put(V, U, e, C) + qt_body(lay, res, d)
            best = f if best is None or len(f) < len(best) else best
    return best


def qr_decode(b, R, C):
    s, r = np.frombuffer(b, F32, 1)[0], Reader(b, 4)
    f = qr_read(r, R, C) if 0 < s < np.inf else bad("quant codes")
    q = qt_lanes(b, r, R, C, 3 << 24)
    q = q + qr_predict(*f) if f else q
    with np.errstate(over="ignore"):
        return qt_value(q, s) if abs(q).max(initial=0) <= 1 << 24 else bad("quant codes")


ENTROPY["quantlr"] = lambda arg: wl_codec(9, lambda v: qr_encode(v, int(float(arg.split("=")[-1]) * 100000 + 0.5) / 100000.0), qr_decode)
LOSSY.add("quantlr")
