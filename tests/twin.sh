#!/bin/sh
# The numpy twins of our coders (src/export/*.py, what `mxbench export`
# ships) write the very bytes the C coders write, on the bundled samples,
# the edge matrices and generated shapes: narrow, wide, tall, one row, one
# column, primes, zeros, NaN/Inf, values too small to square in float32. Needs Debian's python3 with numpy.
. "${top_srcdir:-.}/tests/twin_skip.sh"
top_srcdir=${top_srcdir:-..}
top_builddir=${top_builddir:-.}
PY=${PYTHON:-/usr/bin/python3}
"$PY" -c 'import numpy' 2>/dev/null || { echo "SKIP: no numpy for $PY"; exit 77; }
exec "$PY" "$top_srcdir/tests/twin.py" "$top_builddir/mxbench" "$top_srcdir/src/export" \
    "$top_srcdir"/data/*.npy "$top_srcdir"/data/edge/*.npy \
    1x1 1x2 2x1 1x7 7x1 3x5:zeros 64x64:zeros 16x16:specials 8x8:tiny 200x33:specials 13x37 97x101 \
    1x5000 5000x3 2000x1 1x70000 33x65 300x300:rows 4096x64:rows 40x3000:rows 1024x768:rows \
    17x1025:rows 1x4099:rows 70000x2:rows
