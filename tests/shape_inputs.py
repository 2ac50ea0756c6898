#!/usr/bin/env python3
"""Inputs for tests/shape.sh, and the numpy twin's answers on them.

  shape_inputs.py gen DIR [NPY...]   writes DIR/NNN.bin (raw bf16) for each
                                     case, and DIR/list (file, and the true
                                     width or 0 where there is none)
  shape_inputs.py check DIR COLS     runs src/export/shape.py on each file and
                                     compares with COLS (one width per line,
                                     from `test_shape --cols`); exit 1 on any
                                     difference, or a real matrix that loses
                                     its width
Needs numpy only."""
import importlib.util
import os
import sys

import numpy as np


def twin():
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "src", "export", "shape.py")
    spec = importlib.util.spec_from_file_location("shape", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def structured(rng, rows, cols, spread=3):
    """A scale per channel and one per row, random signs: activations' shape."""
    col = np.exp2(rng.integers(-spread, spread + 1, cols)).astype(np.float32)
    row = np.exp2(rng.normal(0, 1, rows)).astype(np.float32)
    x = rng.standard_normal((rows, cols)).astype(np.float32) * col[None, :] * row[:, None]
    return (x.view(np.uint32) >> np.uint32(16)).astype(np.uint16).reshape(-1)


def gen(out, npys):
    rng = np.random.default_rng(13)
    cases = []  # (values, true width or 0)
    for p in npys:
        a = np.load(p)
        cases.append((np.ascontiguousarray(a).view(np.uint16).reshape(-1), a.shape[1], p))
        for rows in (128, 256):  # short matrices: a few rows give each lag little signal
            if a.shape[0] >= rows + 37:
                cases.append((np.ascontiguousarray(a[37:37 + rows]).view(np.uint16).reshape(-1),
                              a.shape[1], "slice %dx%d of %s" % (rows, a.shape[1], p)))
    for n in (0, 1, 2, 3, 5, 64, 97):
        cases.append((rng.integers(0, 1 << 16, n, dtype=np.uint16), 0, "noise %d" % n))
    for n in (65521, 1 << 18, 999983, 1 << 20):  # primes and powers of two
        cases.append((rng.integers(0, 1 << 16, n, dtype=np.uint16), 0, "noise %d" % n))
    cases.append((np.zeros(1 << 16, np.uint16), 0, "zeros"))
    cases.append((np.full(1 << 16, 0x3F80, np.uint16), 0, "ones"))
    special = np.array([0x7FC0, 0xFF80, 0x7F80, 0x0000, 0x8000, 0x3F80], np.uint16)
    cases.append((special[rng.integers(0, 6, 1 << 16)], 0, "NaN/Inf/zero mix"))
    m = structured(rng, 256, 256)
    m[::7] = 0x7FC0  # NaN sprinkled over a real structure
    cases.append((m, 0, "structure with NaN"))
    # widths 1..16384, tall and wide; the widths under 64 only for agreement
    widths = list(range(1, 65)) + [96, 100, 127, 128, 192, 255, 256, 384, 500, 512, 768,
                                   1000, 1024, 1536, 2048, 3000, 4096, 5000, 8192, 12288, 16384]
    for c in widths:
        for r in (2, 8, 16, 64, 512):
            if r * c > (1 << 21) or (r * c < 64 and r > 2):
                continue
            cases.append((structured(rng, r, c), c if c >= 64 and r >= 16 else 0,
                          "structured %dx%d" % (r, c)))
    cases.append((structured(rng, 1009, 64), 64, "structured 1009x64 (prime rows)"))
    cases.append((structured(rng, 64, 1009), 1009, "structured 64x1009 (prime width)"))
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "list"), "w") as f:
        for i, (v, w, name) in enumerate(cases):
            fn = os.path.join(out, "%04d.bin" % i)
            v.astype("<u2").tofile(fn)
            f.write("%s\t%d\t%s\n" % (fn, w, name))


def check(out, cols_file):
    sh = twin()
    got_c = [int(x) for x in open(cols_file).read().split()]
    rows = [line.rstrip("\n").split("\t") for line in open(os.path.join(out, "list"))]
    if len(got_c) != len(rows):
        print("FAIL: %d answers from C for %d inputs" % (len(got_c), len(rows)))
        return 1
    bad = 0
    for (fn, width, name), c in zip(rows, got_c):
        v = np.fromfile(fn, dtype="<u2").astype(np.uint16)
        p = sh.infer_cols(v)
        n = v.shape[0]
        if p != c:
            print("FAIL: %s: C %d, numpy %d" % (name, c, p))
            bad += 1
        elif n and (p < 1 or n % p):
            print("FAIL: %s: %d is no divisor of %d" % (name, p, n))
            bad += 1
        elif int(width) and p != int(width) and not name.startswith(("structured", "slice")):
            print("FAIL: %s: inferred %d, width %s" % (name, p, width))
            bad += 1
    hits = sum(1 for (fn, w, name), c in zip(rows, got_c) if int(w) and c == int(w))
    real = sum(1 for (fn, w, name) in rows if int(w))
    print("%d inputs: C and numpy agree on %d; width found for %d of %d with one" %
          (len(rows), len(rows) - bad, hits, real))
    # short slices of real matrices: most must keep their width (the
    # statistic of 4 rows a candidate found 71 to 82% of them)
    sl = [c == int(w) for (fn, w, name), c in zip(rows, got_c) if name.startswith("slice")]
    print("short slices: width found for %d of %d" % (sum(sl), len(sl)))
    if sl and 10 * sum(sl) < 9 * len(sl):
        print("FAIL: width found for only %d of %d short slices" % (sum(sl), len(sl)))
        bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(check(sys.argv[2], sys.argv[3]))
