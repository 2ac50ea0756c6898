

# --- delta:rows|cols: difference with the previous row/column (wrapping)
def e_delta(arg, bits, a):
    if bits not in (8, 16, 32):
        return None
    d = a.copy()
    if arg == "rows":
        d[1:] = a[1:] - a[:-1]
    else:
        d[:, 1:] = a[:, 1:] - a[:, :-1]
    return [(bits, d)]


def d_delta(arg, bits, r, c, p):
    return np.cumsum(parts(p, (bits, r, c))[0], axis=0 if arg == "rows" else 1, dtype=UT[bits])


TRANSFORMS["delta"] = (e_delta, d_delta)
