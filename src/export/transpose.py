

# --- transpose: column-major order
def e_transpose(arg, bits, a):
    return [(bits, np.ascontiguousarray(a.T))]


def d_transpose(arg, bits, r, c, p):
    return np.ascontiguousarray(parts(p, (bits, c, r))[0].T)


TRANSFORMS["transpose"] = (e_transpose, d_transpose)
