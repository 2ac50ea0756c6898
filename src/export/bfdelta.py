

# --- bfdelta (mxbench's codecs/stage_bfdelta.c): a value's magnitude k from the same column of
# the row's reference, dh = (k - kref + 2^15) >> 4 under (reference exponent, row class), then
# sign flip << 4 | low 4 bits under dh (or under the exponent when there is no reference); a row's
# class is its third header symbol t, or 1 + (t - 1) % 4 for the further kinds of reference of bflr
def bd_ctx(med):  # contexts * 4096 of dh by sign+exponent; of the low symbol by 4096 (exponent 0) + dh
    e, dh = np.arange(512) & 255, np.arange(4096)
    return (np.where(e, 1 + np.clip((e - med + 32) >> 1, 0, 31), 0) * 5 << 12,
            165 + np.r_[np.clip(dh - 2048, -8, 7) + 8, 16 + np.clip((dh >> 3) - 256 - med + 8, 0, 15)] << 12)


def bd_body(v, lay, d, third, r):  # v against reference values r; d, third: the row headers
    med = np.argmax(np.bincount(v.ravel()[::8] >> 7 & 255, minlength=256)[1:]) + 1  # commonest exponent, 1 in 8
    t1, t2 = bd_ctx(med)
    dl = (v & 0x7FFF) - (r & 0x7FFF) + 32768
    i1 = t1[r >> 7] + (np.where(third > 0, (third - 1) % 4 + 1, 0)[:, None] << 12) + (dl >> 4)
    i2 = t2[((r & 0x7F80) == 0) * 4096 + (dl >> 4)] + ((v ^ r) >> 15 << 4 | dl & 15)
    return bytes([med]) + wl_encode(lay, [d >> 5, d & 31, third], 197, [i1, i2], 200)


def bd_encode(v):
    lay = wl_layout(*v.shape)
    d, cls = wl_refs(v, lay[1])
    return bd_body(v, lay, d, cls, np.where(d[:, None] > 0, v[np.arange(len(v)) - d], 0))


def bd_decode(b, R, C, nthird=5, valid=lambda d, t: (d == 0) == (t == 0), make=None):
    lay = wl_layout(R, C)  # make(r, third, pos, ref): the reference values a caller makes of r
    dec = WLDecoder(b, 1, [4096] * 165 + [32] * 32 + [33, 32, nthird], lay[0])
    t1, t2 = bd_ctx(b[0])

    def step(r, t, pos, ref):
        r = make(r, t, pos, ref) if make else r
        h = dec.get(t1[r >> 7] + (np.where(t > 0, (t - 1) % 4 + 1, 0) << 12))
        lo = dec.get(t2[((r & 0x7F80) == 0) * 4096 + h], 1)
        k = (r & 0x7FFF) + (h << 4) + (lo & 15) - 32768
        return (k | lo >> 4 << 15) ^ (r & 0x8000) if not (k >> 15).any() else bad("a bfdelta value out of range")
    return dec.rows(R, C, lay, 197, step, valid)


ENTROPY["bfdelta"] = lambda arg: wl_codec(6, bd_encode, bd_decode)
