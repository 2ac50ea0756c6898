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

# the engine: raw bytes without --shape are coded at the width found, which
# the file records; the same bytes come back
$PY "$top_srcdir/tests/npy_raw.py" "$top_srcdir/data/l1.attn.forward.s1.npy" "$tmp/attn.bin" >"$tmp/shape" ||
    bad "npy_raw"
read -r rows cols <"$tmp/shape"
"$MX" -q compress -p bfctx "$tmp/attn.bin" -o "$tmp/attn.mxb" || bad "compress without --shape"
"$MX" info "$tmp/attn.mxb" | grep -q "shape      $rows x $cols bf16" ||
    bad "info does not show the inferred shape ${rows}x$cols: $("$MX" info "$tmp/attn.mxb")"
"$MX" -q decompress "$tmp/attn.mxb" -o "$tmp/attn.out" && cmp -s "$tmp/attn.bin" "$tmp/attn.out" ||
    bad "raw in, raw out: the bytes differ"
"$MX" compress -f -p bfctx "$tmp/attn.bin" -o "$tmp/attn.mxb" 2>&1 | grep -q "shape ${rows}x$cols inferred" ||
    bad "compress does not say which shape it inferred"
# the automatic pipelines are never worse than one row but for a few bytes
# of header: they code that too and keep the smaller (auto only up to 2^17
# values, where one row can win: noise has no width, the synthetic ones
# are small and lose to one row by up to 13% at their width)
for f in "$tmp/attn.bin" $(sed -n '/noise 1048576/s/\t.*//p; /\tstructured 512x12$/s/\t.*//p; /structured 64x1009/s/\t.*//p; /\tstructured 512x100$/s/\t.*//p; /structured 1009x64/s/\t.*//p' "$tmp/in/list"); do
    n=$(($(wc -c <"$f") / 2))
    for p in auto auto:max; do
        "$MX" -q compress -f -p "$p" "$f" -o "$tmp/u.mxb" &&
            "$MX" -q compress -f -p "$p" --shape "1x$n" "$f" -o "$tmp/o.mxb" || { bad "$p on $f"; continue; }
        [ "$(wc -c <"$tmp/u.mxb")" -le $(($(wc -c <"$tmp/o.mxb") + 8)) ] ||
            bad "$p on $f: $(wc -c <"$tmp/u.mxb") bytes without a shape, $(wc -c <"$tmp/o.mxb") as one row"
        "$MX" -q decompress -f "$tmp/u.mxb" -o "$tmp/u.bin" && cmp -s "$f" "$tmp/u.bin" || bad "$p on $f: round trip"
    done
done
exit $fail
