# Width inference for bf16 values that arrive without a shape.
#
# The numpy twin of mxbench's src/shape_infer.c: the same integers in the same
# order, so both give the same width for the same bytes (tests/shape.sh checks
# them against each other). infer_cols(v) takes a 1-D numpy uint16 array of
# bf16 bit patterns and returns the row length: a divisor of len(v), or
# len(v) itself (one row) when no width stands out. Uses numpy only, with
# explicit dtypes (numpy 1.24 and 2.x give the same answer).
#
# Why it works: activations are (tokens x channels) or (pixels x channels),
# and a channel's magnitude recurs in every row. Let y[i] be the sign of the
# step between the exponents of values i+1 and i (-1, 0 or 1): it does not
# care about a row's overall scale. r(l) is the correlation sum of y with
# itself l values back; at the true width d the steps between neighbouring
# channels repeat row after row, so S(d) = r(d) + r(2d) + ... + r(K d), over
# K = min(64, rows that fit) rows, stands out. The candidates compare by
# z(d) = S(d) / sqrt(K), in noise deviations r(0) / sqrt(positions): many
# rows because a short matrix gives each lag only a few deviations, and
# rows far apart may correlate more than near ones. A multiple of the width
# scores about as high as the width; the smallest divisor of the best that
# keeps 9/10 of its z, and whose own first lag holds a third of the best's
# mean lag, is the answer (a half width keeps a fraction of the z and has no
# first lag). A best z under 4 noise deviations means no width: one row.
import math
from fractions import Fraction

import numpy as np
from numpy.lib.stride_tricks import as_strided

WMIN = 8  # narrowest width considered
LAGS = 64  # rows compared per candidate, at most: lags d, 2d, .., 64d
MAX_CANDIDATES = 64  # more divisors than this: keep the evenest
STAGES = (8192, 32768)  # positions sampled; the second only if the first is unclear
BLOCKS = 8  # the positions are this many runs spread over the matrix
CLEAR = 32  # stage 1 decides when z >= 32 noise deviations
SIGNIF = 4  # a width at all needs z >= 4 noise deviations
MAX_VALUES = 1 << 24  # the statistic reads at most these first values


def _candidates(n, nn):
    hi = nn // 8  # at least 8 rows: 4 lags fit in half the values read
    if hi < WMIN:
        return []
    d = np.arange(1, math.isqrt(n) + 1, dtype=np.int64)
    small = d[np.int64(n) % d == 0]
    allc = np.unique(np.concatenate([small, np.int64(n) // small]))
    c = [int(x) for x in allc if WMIN <= x <= hi]
    if len(c) > MAX_CANDIDATES:
        # the widest power-of-two factor first (real widths are even), then small
        c = sorted(c, key=lambda x: (-(x & -x), x))[:MAX_CANDIDATES]
        c.sort()
    return c


def _runs(y, first, length, gap):
    # BLOCKS runs of length values of y, gap apart from y[first]: a view, not a copy
    return as_strided(y[first:], shape=(BLOCKS, length), strides=(gap * y.strides[0], y.strides[0]),
                      writeable=False)


def _dot(a, b):
    # products of -1/0/1 fit int8; their sum does not (an int8 dot would wrap)
    return int(np.sum(a * b, dtype=np.int64))


def infer_cols(v):
    v = np.asarray(v, dtype=np.uint16).reshape(-1)
    n = int(v.shape[0])
    nn = min(n, MAX_VALUES)
    cands = _candidates(n, nn)
    if not cands:
        return n
    K = {d: min(LAGS, nn // (2 * d)) for d in cands}
    lmax = max(K[d] * d for d in cands)
    region = nn - lmax - 1  # positions i in [lmax + 1, nn): every lag stays inside
    p2 = 1 << region.bit_length() - 1  # the largest power of two <= region (>= 31 here)
    e = v[:nn] & np.uint16(0x7F80)  # the exponent bits, in place: they compare alike
    y = (e[1:] > e[:-1]).view(np.int8) - (e[1:] < e[:-1]).view(np.int8)
    for stage, want in enumerate(STAGES):
        m = min(want, p2)  # >= 16: BLOCKS runs
        length = m // BLOCKS
        gap = (region - length) // (BLOCKS - 1)
        runs = _runs(y, lmax, length, gap)  # y index lmax is position lmax + 1
        den = _dot(runs, runs)
        r = {l: _dot(runs, _runs(y, lmax - l, length, gap))
             for l in {k * d for d in cands for k in range(1, K[d] + 1)}}
        S = {d: sum(r[k * d] for k in range(1, K[d] + 1)) for d in cands}
        # the largest z = S / sqrt(K) (in exact integers), the first of equal ones
        best = max(cands, key=lambda d: Fraction(S[d] * abs(S[d]), K[d]))
        s, k = S[best], K[best]
        # z^2 in noise deviations: s^2 m / (k den^2)
        if s > 0 and s * s * m >= den * den * k * CLEAR ** 2:
            break
        if stage or m == p2:  # the last stage
            if s <= 0 or s * s * m < den * den * k * SIGNIF ** 2:
                return n
            break
    for d in cands:
        if best % d == 0 and S[d] > 0 and 100 * S[d] ** 2 * k >= 81 * s * s * K[d] and \
                3 * r[d] * k >= s:
            return d
    return best
