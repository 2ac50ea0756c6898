

# --- auto and auto:max (src/engine.c): bfdelta, or zstd:3 where it does better (auto:max: or bflr).
# auto codes zstd:3 too only when zstd:3 on 1/64 of the rows (4 blocks at
# golden-ratio offsets) extrapolates to within 15%, or the matrix has at
# most 2^17 values; auto:max always does
def auto_choose(v, rows, cols, origin=0):
    out = compress(v, rows, cols, origin, "bfdelta")
    pb = max(1, rows // 256)
    if SPEC == "auto" and rows >= 16 * pb and rows * cols > 1 << 17:
        x = v.reshape(rows, cols)
        s = np.concatenate([x[min(rows * ((309 + 618 * k) % 1000) // 1000, rows - pb):][:pb] for k in range(4)])
        if len(out) * 100 <= len(PIPES["zstd:3"][1](s.tobytes(), 0)) * rows // (4 * pb) * 85:
            return out
    for spec in CHOICES[1:]:  # the smallest, the first on ties
        z = compress(v, rows, cols, origin, spec)
        out = z if len(z) < len(out) else out
    return out


CHOICES, CHOOSE = ["bfdelta", "zstd:3"] + ["bflr"] * (SPEC == "auto:max"), auto_choose
