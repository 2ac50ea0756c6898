

# --- zeromask: non-zero bitmap + the non-zero values
def e_zeromask(arg, bits, a):
    if bits not in (8, 16):
        return None
    nz = a != 0
    return [(1, nz.astype(np.uint8)), (bits, a[nz].reshape(1, -1))]


def d_zeromask(arg, bits, r, c, p):
    mask, vals = parts(p, (1, r, c), (bits, 1, p[-1][1].shape[1] if len(p) == 2 else 0))
    mask = mask.astype(bool)
    if vals.size != np.count_nonzero(mask):
        raise ValueError("corrupt data: zeromask counts disagree")
    out = np.zeros((r, c), UT[bits])
    out[mask] = vals.ravel()
    return out


TRANSFORMS["zeromask"] = (e_zeromask, d_zeromask)
