

# --- trunc:K (lossy): round away K mantissa bits, to nearest even
def e_trunc(arg, bits, a):
    if bits != 16:
        return None
    k = int(arg)
    v = a.astype(np.uint32)
    keep = np.uint32(0xFFFF ^ ((1 << k) - 1))
    out = (v + np.uint32((1 << (k - 1)) - 1) + ((v >> k) & 1)) & keep
    bad = ((out & 0x7F80) == 0x7F80) | (((out ^ v) & 0x8000) != 0)
    out = np.where(bad, v & keep, out)
    out = np.where((a & 0x7F80) == 0x7F80, v, out)
    return [(16, out.astype(np.uint16))]


def d_trunc(arg, bits, r, c, p):
    return parts(p, (16, r, c))[0]


TRANSFORMS["trunc"] = (e_trunc, d_trunc)
LOSSY.add("trunc")
