#!/bin/sh
# data/edge/ must be exactly what tests/gen_edge makes (so nobody edits the
# edge cases by hand and the generator cannot drift unnoticed), and every
# edge file must round-trip through the CLI byte for byte.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
"$top_builddir/tests/gen_edge" "$tmp" || { echo "gen_edge failed"; exit 1; }
fail=0
for f in "$tmp"/*; do
    b=$(basename "$f")
    if ! cmp -s "$f" "$top_srcdir/data/edge/$b"; then
        echo "data/edge/$b differs from tests/gen_edge output (regenerate: tests/gen_edge data/edge)"
        fail=1
    fi
done
n_committed=$(ls "$top_srcdir/data/edge" | wc -l)
n_made=$(ls "$tmp" | wc -l)
[ "$n_committed" = "$n_made" ] || { echo "data/edge has $n_committed files, generator makes $n_made"; fail=1; }
for f in "$top_srcdir"/data/edge/*.npy; do
    b=$(basename "$f")
    for spec in 'expsplit|brotli:11' 'zeromask,bytesplit,delta:cols|zstd:3' 'bitshuffle|lz4'; do
        "$top_builddir/mxbench" -q compress -p "$spec" "$f" -o "$tmp/x.mxb" -f &&
        "$top_builddir/mxbench" -q decompress "$tmp/x.mxb" -o "$tmp/x.npy" -f &&
        cmp -s "$f" "$tmp/x.npy" || { echo "round trip of $b with $spec differs"; fail=1; }
    done
done
# the edge manifest runs through --batch (NaN/Inf included) and succeeds
"$top_builddir/mxbench" --batch -q -m "$top_srcdir/data/edge/manifest.csv" --repeat 1 \
    -p 'expsplit|zstd:3' -p 'q8:rows|zstd:3' > "$tmp/table.txt" || { echo "edge --batch failed"; fail=1; }
grep -q 'specials_8x8.npy' "$tmp/table.txt" || { echo "edge --batch table lacks specials_8x8"; fail=1; }
exit $fail
