

# --- shuffle: byte transpose into one stream
def e_shuffle(arg, bits, a):
    if bits not in (16, 32):
        return None
    w = bits // 8
    by = a.astype(np.dtype(UT[bits]).newbyteorder("<")).view(np.uint8).reshape(-1, w)
    return [(8, by.T.reshape(a.shape[0] * w, a.shape[1]))]


def d_shuffle(arg, bits, r, c, p):
    w = bits // 8
    by = np.ascontiguousarray(parts(p, (8, r * w, c))[0].reshape(w, r * c).T)
    return by.view(np.dtype(UT[bits]).newbyteorder("<")).reshape(r, c)


TRANSFORMS["shuffle"] = (e_shuffle, d_shuffle)
