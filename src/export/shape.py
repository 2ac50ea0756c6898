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
# care about a row's overall scale. For a candidate width d, r(l) is the
# correlation sum of y with itself l values back; at the true width the
# steps between neighbouring channels repeat row after row, so
# S(d) = r(d) + r(2d) + r(3d) + r(4d) stands out. Multiples of the width
# score high too; the smallest divisor of the best candidate that keeps 3/5
# of its score, and whose own first lag holds 1/12 of it, is the answer (a
# half width keeps about half the score but has no first lag). A best score
# within 4 noise deviations of zero means no width: one row.
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

WMIN = 8  # narrowest width considered
LAGS = 4  # rows compared per candidate: lags d, 2d, 3d, 4d
MAX_CANDIDATES = 64  # more divisors than this: keep the evenest
STAGES = (8192, 65536)  # positions sampled; the second only if the first is unclear
BLOCKS = 8  # the positions are this many runs spread over the matrix
CLEAR_SHIFT = 12  # stage 1 decides when S >= 32 noise deviations
SIGNIF_SHIFT = 6  # a width at all needs S >= 4 noise deviations
MAX_VALUES = 1 << 24  # the statistic reads at most these first values


def _candidates(n, nn):
    hi = nn // (2 * LAGS)  # at least 2*LAGS rows: every lag fits in half the values read
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


def _runs(y, first, nb, length, gap):
    # nb runs of length values of y, gap apart from y[first]: a view, not a copy
    return as_strided(y[first:], shape=(nb, length), strides=(gap * y.strides[0], y.strides[0]),
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
    lmax = LAGS * cands[-1]
    region = nn - lmax - 1  # positions i in [lmax + 1, nn): every lag stays inside
    p2 = 1 << region.bit_length() - 1  # the largest power of two <= region (>= 31 here)
    e = v[:nn] & np.uint16(0x7F80)  # the exponent bits, in place: they compare alike
    y = (e[1:] > e[:-1]).view(np.int8) - (e[1:] < e[:-1]).view(np.int8)
    lags = sorted({k * d for d in cands for k in range(1, LAGS + 1)})
    for stage, want in enumerate(STAGES):
        m = min(want, p2)
        nb = min(BLOCKS, m)
        length = m // nb
        gap = (region - length) // (nb - 1) if nb > 1 else 0
        first = lmax  # y index of the first position, lmax + 1
        runs = _runs(y, first, nb, length, gap)
        den = _dot(runs, runs)
        r = {l: _dot(runs, _runs(y, first - l, nb, length, gap)) for l in lags}
        score = {d: sum(r[k * d] for k in range(1, LAGS + 1)) for d in cands}
        best = max(cands, key=score.get)  # the first of equal scores
        s = score[best]
        q = m.bit_length() - 1  # m == 2**q
        last = stage == len(STAGES) - 1 or m == p2
        if s > 0 and den > 0 and (s * s) << q >= (den * den) << CLEAR_SHIFT:
            break
        if last:
            if s <= 0 or den == 0 or (s * s) << q < (den * den) << SIGNIF_SHIFT:
                return n
            break
    for d in cands:
        if best % d == 0 and 5 * score[d] >= 3 * s and 12 * r[d] >= s:
            return d
    return best
