

# --- xor:rows|cols: XOR with the previous row/column
def e_xor(arg, bits, a):
    if bits not in (8, 16, 32):
        return None
    d = a.copy()
    if arg == "rows":
        d[1:] = a[1:] ^ a[:-1]
    else:
        d[:, 1:] = a[:, 1:] ^ a[:, :-1]
    return [(bits, d)]


def d_xor(arg, bits, r, c, p):
    return np.bitwise_xor.accumulate(parts(p, (bits, r, c))[0], axis=0 if arg == "rows" else 1)


TRANSFORMS["xor"] = (e_xor, d_xor)
