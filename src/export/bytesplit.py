

# --- bytesplit: 16-bit values -> high-byte and low-byte planes
def e_bytesplit(arg, bits, a):
    return None if bits != 16 else [(8, (a >> 8).astype(np.uint8)), (8, (a & 255).astype(np.uint8))]


def d_bytesplit(arg, bits, r, c, p):
    hi, lo = parts(p, (8, r, c), (8, r, c))
    return (hi.astype(np.uint16) << 8) | lo


TRANSFORMS["bytesplit"] = (e_bytesplit, d_bytesplit)
