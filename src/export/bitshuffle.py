

# --- bitshuffle: bit planes, lowest first, each rows x cols
def e_bitshuffle(arg, bits, a):
    if bits not in (8, 16, 32):
        return None
    by = a.astype(np.dtype(UT[bits]).newbyteorder("<")).reshape(-1, 1).view(np.uint8)
    planes = np.unpackbits(by, axis=1, bitorder="little").T
    return [(1, planes.reshape(a.shape[0] * bits, a.shape[1]))]


def d_bitshuffle(arg, bits, r, c, p):
    planes = parts(p, (1, r * bits, c))[0].reshape(bits, r * c)
    by = np.packbits(np.ascontiguousarray(planes.T), axis=1, bitorder="little")
    return by.view(np.dtype(UT[bits]).newbyteorder("<")).reshape(r, c)


TRANSFORMS["bitshuffle"] = (e_bitshuffle, d_bitshuffle)
