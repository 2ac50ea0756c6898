#!/bin/sh
# The bytes `mxbench compress` writes, pinned: for every bundled and edge
# sample and every pipeline below (each stage of `mxbench --list` at its
# defaults and at one other value, the presets, the --batch set), the hash
# of the .mxb must be the one in tests/pin/bytes.txt. Also pinned: raw input
# without a shape (the width inferred), with --shape, and files of frames.
# A refactoring must leave every line as it is; a change to a coder's
# output is deliberate and regenerates the file in the same commit:
#     top_builddir=build tests/pin.sh --write
# MX_PIN_SHARE=N runs every Nth output only and checks it against its
# pinned line (tests/run-all's sanitizer build, where each run is slow,
# checks a quarter: the same bytes from another compiler, under ASan).
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
MX="$top_builddir/mxbench"
PIN="$top_srcdir/tests/pin/bytes.txt"
DATA="$top_srcdir/data"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

# Every stage at its defaults and one other value, our coders on streams
# of other widths, the presets and the --batch set.
SPECS='raw
zstd
zstd:19
zstd:-5
lz4
lz4hc
lz4hc:4
brotli
brotli:5
rans
bfctx
bfxor
bfdelta
bflr
quant
quant:sim=0.999
quant:rowsim=0.99
quant:blocksim=0.95
quantlr
bytesplit|zstd:3
expsplit|zstd:3
shuffle|zstd:3
bitshuffle|zstd:3
transpose|zstd:3
delta|zstd:3
delta:cols|zstd:3
xor|zstd:3
xor:cols|zstd:3
zeromask|zstd:3
trunc|zstd:3
trunc:6|zstd:3
q8|zstd:3
q8:cols|zstd:3
q4|zstd:3
q4:cols|zstd:3
qsim|zstd:3
qsim:0.999|zstd:3
qrot|zstd:3
qrot:0.95|zstd:3
topk|zstd:3
topk:0.01|zstd:3
outliers|zstd:3
outliers:0.05|zstd:3
lowrank|zstd:3
lowrank:3|zstd:3
expsplit|rans
bytesplit|rans
zeromask|bfdelta
bytesplit|bfxor
transpose|bfctx
auto
auto:max
zstd:9
lz4hc:9
brotli:6
bytesplit|zstd:9
expsplit|zstd:9
expsplit|brotli:9
shuffle|zstd:9
bitshuffle|zstd:9
transpose,expsplit|zstd:9
bytesplit,delta:cols|zstd:9
bytesplit,xor:rows|zstd:9
zeromask,expsplit|zstd:9
expsplit|lz4hc:9
trunc:3,expsplit|zstd:9
q8:rows|zstd:9
qsim:0.99|zstd:9
bytesplit|zstd:19
qsim:0.99|zstd:19
outliers:0.001,qsim:0.99|zstd:1'
# raw input: the width inferred, or given, and big matrices in frames
UNSHAPED='auto
auto:max
bfdelta
bfctx
zstd:3
expsplit|zstd:3
quant:sim=0.99'
FRAMED='auto
auto:max
bfdelta
bfxor
expsplit|zstd:3
quant:sim=0.99'

# every stage of --list must be in SPECS
for s in $("$MX" --list | sed -n 's/^  \([a-z0-9]*\) .*/\1/p'); do
    echo "$SPECS" | grep -q "^\([a-z0-9:.=,]*,\)\{0,1\}$s\([:|,]\|$\)" ||
        { echo "FAIL: stage '$s' of --list is not pinned: add it to tests/pin.sh, then --write"; exit 1; }
done

# raw copies of the .npy samples (their v1 header is 10 + HEADER_LEN bytes)
mkdir "$tmp/raw"
for f in "$DATA"/*.npy "$DATA"/edge/*.npy; do
    hl=$(od -An -tu2 -j8 -N2 "$f" | tr -d ' ')
    tail -c +$((11 + hl)) "$f" >"$tmp/raw/$(basename "$f" .npy).bin"
done

# jobs: one line each, "input<TAB>options<TAB>spec"
{
    for f in "$DATA"/*.npy "$DATA"/edge/*.npy; do
        echo "$SPECS" | while read -r spec; do printf '%s\t-\t%s\n' "$f" "$spec"; done
    done
    for f in "$tmp"/raw/*.bin; do
        echo "$UNSHAPED" | while read -r spec; do printf '%s\t-\t%s\n' "$f" "$spec"; done
    done
    for f in "$DATA"/*.npy; do
        b=$(basename "$f" .npy)
        shape=$(sed -n "s/^$b.npy,\([0-9]*\),\([0-9]*\),.*/\1x\2/p" "$DATA/manifest.csv")
        printf '%s\t--shape %s\t%s\n' "$tmp/raw/$b.bin" "$shape" auto
        echo "$FRAMED" | while read -r spec; do printf '%s\t--frame-rows 100\t%s\n' "$f" "$spec"; done
        printf '%s\t--frame-rows 100\t%s\n' "$tmp/raw/$b.bin" auto
        printf '%s\t--frame-rows 100\t%s\n' "$tmp/raw/$b.bin" bfdelta
        printf '%s\t--shape %s --frame-rows 100\t%s\n' "$tmp/raw/$b.bin" "$shape" auto
    done
} >"$tmp/jobs"
share=${MX_PIN_SHARE:-1}
case $share in
'' | *[!0-9]* | 0*) echo "FAIL: MX_PIN_SHARE wants a count >= 1, got '$share'"; exit 1 ;;
esac
if [ "$share" != 1 ]; then
    [ "${1:-}" = --write ] && { echo "FAIL: --write pins every output: unset MX_PIN_SHARE"; exit 1; }
    # each input's jobs in turn, from a place that moves on with each
    # input: every spec on some inputs, whatever the number of specs
    awk -F '\t' -v n="$share" '!($1 in at) { at[$1] = inputs++ } (at[$1] + seen[$1]++) % n == 0' \
        "$tmp/jobs" >"$tmp/some" && mv "$tmp/some" "$tmp/jobs"
fi

# Each worker takes every Nth job; a line is "hash<TAB>input<TAB>options<TAB>spec".
run_share() { # k of n
    awk -v k="$1" -v n="$2" 'NR % n == k' "$tmp/jobs" | while IFS='	' read -r in opts spec; do
        o=""
        [ "$opts" = - ] || o=$opts
        out="$tmp/out$1.mxb"
        if "$MX" -q compress -f $o -p "$spec" "$in" -o "$out" 2>/dev/null; then
            h=$(sha256sum <"$out" | cut -c1-16)
        else
            h=error
        fi
        printf '%s\t%s\t%s\t%s\n' "$h" "$(basename "$in")" "$opts" "$spec"
    done >"$tmp/result$1"
}
n=$(nproc 2>/dev/null || echo 2)
k=0
while [ $k -lt "$n" ]; do
    run_share $k "$n" &
    k=$((k + 1))
done
wait
LC_ALL=C sort -t '	' -k2,4 "$tmp"/result* >"$tmp/all"

if [ "${1:-}" = --write ]; then
    mkdir -p "$(dirname "$PIN")"
    cp "$tmp/all" "$PIN"
    echo "wrote $(wc -l <"$PIN") pinned outputs to $PIN"
    exit 0
fi
[ -f "$PIN" ] || { echo "FAIL: no $PIN (tests/pin.sh --write makes it)"; exit 1; }
# the pinned lines of the outputs made (with MX_PIN_SHARE, a part)
if [ "$share" = 1 ]; then
    cp "$PIN" "$tmp/pinned"
else
    awk -F '\t' 'NR == FNR { made[$2 FS $3 FS $4] = 1; next } ($2 FS $3 FS $4) in made' \
        "$tmp/all" "$PIN" >"$tmp/pinned"
fi
[ -s "$tmp/all" ] || { echo "FAIL: MX_PIN_SHARE=$share left no output to check"; exit 1; }
if ! cmp -s "$tmp/all" "$tmp/pinned"; then
    echo "FAIL: compressed bytes differ from the pin (< pinned, > now):"
    diff "$tmp/pinned" "$tmp/all" | grep '^[<>]' | head -40
    exit 1
fi
echo "$(wc -l <"$tmp/all") compressed outputs as pinned (of $(wc -l <"$PIN"))"
