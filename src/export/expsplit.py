

# --- expsplit: bf16 -> sign bits, 8-bit exponents, 7-bit mantissas
def e_expsplit(arg, bits, a):
    if bits != 16:
        return None
    return [(1, (a >> 15).astype(np.uint8)), (8, ((a >> 7) & 255).astype(np.uint8)),
            (8, (a & 127).astype(np.uint8))]


def d_expsplit(arg, bits, r, c, p):
    s, e, m = (x.astype(np.uint16) for x in parts(p, (1, r, c), (8, r, c), (8, r, c)))
    return (s << 15) | (e << 7) | (m & 127)


TRANSFORMS["expsplit"] = (e_expsplit, d_expsplit)
