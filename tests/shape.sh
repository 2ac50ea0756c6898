#!/bin/sh
# Width inference: the C code (tests/test_shape --cols) and its numpy twin
# (src/export/shape.py) give the same width on every input: the bundled
# samples and ../shared's matrices flattened (each must give back its
# width), synthetic matrices of widths 1..16384 tall and wide, prime and
# tiny value counts, zeros, noise, NaN/Inf. Then the engine: a raw file
# compressed without --shape records the width and decompresses to the same
# bytes. Needs Debian's python3 with numpy (tests/install-deps).
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
PY=${PYTHON:-/usr/bin/python3}
if ! $PY -c 'import numpy' 2>/dev/null; then
    echo "SKIP: $PY with numpy missing (run tests/install-deps)"
    exit 77
fi
MX="$(cd "$top_builddir" && pwd)/mxbench"
T="$(cd "$top_builddir" && pwd)/tests/test_shape"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

npys="$top_srcdir"/data/*.npy
for d in "$top_srcdir/../shared/data" "$top_srcdir/../shared/data-llama"; do
    [ -d "$d" ] && npys="$npys $d/*.npy"
done
# shellcheck disable=SC2086
$PY "$top_srcdir/tests/shape_inputs.py" gen "$tmp/in" $npys || { echo "FAIL: generating inputs"; exit 1; }
cut -f1 "$tmp/in/list" | xargs "$T" --cols >"$tmp/c.cols" || bad "test_shape --cols"
$PY "$top_srcdir/tests/shape_inputs.py" check "$tmp/in" "$tmp/c.cols" || fail=1
exit $fail
