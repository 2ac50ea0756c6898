

# --- pipelines with transforms: a level of streams after each transform, of
# 1, 4, 8, 16 or 32-bit elements, little-endian, packed low bits first
UT = {1: np.uint8, 4: np.uint8, 8: np.uint8, 16: np.uint16, 32: np.uint32}


def nbytes(bits, rows, cols):
    return (rows * cols * bits + 7) // 8


def pack(bits, a):
    f = a.ravel()
    if bits < 8:
        f = np.packbits(np.unpackbits(f.astype(np.uint8)[:, None], 1, bits, "little"), None, "little")
    return f.astype("<u%d" % max(bits // 8, 1)).tobytes()


def unpack(bits, rows, cols, b):
    n = rows * cols
    if len(b) != nbytes(bits, rows, cols):
        bad("stream size")
    if bits < 8:
        b = np.packbits(np.unpackbits(np.frombuffer(b, np.uint8), None, n * bits, "little").reshape(n, bits), 1,
                        "little")
    return np.frombuffer(b, "<u%d" % max(bits // 8, 1), n).astype(UT[bits]).reshape(rows, cols)


def parts(p, *want):
    """a decoder's parts p [(bits, array)], checked against the (bits, rows, cols) its encoder makes"""
    if [(b, x.shape) for b, x in p] != [(b, (r, c)) for b, r, c in want]:
        bad("streams of the wrong shape")
    return [x for _, x in p]


def split(steps, x):
    """(levels, the last level's streams as (bytes, shape)) of the matrix x"""
    cur, levels = [(16, x)], []
    for name, arg in steps:
        nxt, lv = [], []
        for bits, a in cur:
            p = TRANSFORMS[name][0](arg, bits, a)  # None: the stream goes on as it is
            lv.append((bits, len(p) if p else 0) + a.shape)
            nxt += p or [(bits, a)]
        levels.append(lv)
        cur = nxt
    return levels + [[(b, 0) + a.shape for b, a in cur]], [(pack(b, a), (b,) + a.shape) for b, a in cur]


def join(steps, levels, coded, dec, rows, cols, cap):
    """the matrix's bytes back out of its coded streams, each transform undone"""
    if len(levels) != len(steps) + 1 or any(b not in UT for lv in levels for b, _, _, _ in lv) or \
            any(sum(nbytes(b, r, c) for b, _, r, c in lv) > 4 * cap + 64 for lv in levels):  # as mxbench
        bad("the stream layout")
    cur = [(b, unpack(b, r, c, dec(s, nbytes(b, r, c), (b, r, c)))) for (b, _, r, c), s in zip(levels[-1], coded)]
    for (name, arg), lv in zip(steps[::-1], levels[-2::-1]):
        prev = []
        for bits, k, r, c in lv:  # k parts make this stream, or it went on as it is
            p, cur = cur[:max(k, 1)], cur[max(k, 1):]
            x = TRANSFORMS[name][1](arg, bits, r, c, p) if k else parts(p, (bits, r, c))[0]
            prev.append((bits, parts([(bits, np.asarray(x).astype(UT[bits]))], (bits, r, c))[0]))
        cur = prev if not cur else bad("the stream layout does not add up")
    return parts(cur, (16, rows, cols))[0].astype("<u2").tobytes()
