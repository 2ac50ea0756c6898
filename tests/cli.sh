#!/bin/sh
# CLI behaviour: round trips byte for byte, and every bad input gives one
# line on stderr, exit status 2, and leaves no output file behind.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
MX="$top_builddir/mxbench"
DATA="$top_srcdir/data"
PY=${PYTHON:-/usr/bin/python3} # Debian's, with numpy
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0

bad() { echo "FAIL: $*"; fail=1; }

# expect_error WHAT OUTFILE CMD...: exit 2, one stderr line, OUTFILE absent
expect_error() {
    what=$1 out=$2
    shift 2
    n=$((n + 1))
    "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    rc=$?
    lines=$(wc -l <"$tmp/stderr")
    [ "$rc" = 2 ] || bad "$what: exit $rc, want 2 ($(cat "$tmp/stderr"))"
    [ "$lines" = 1 ] || bad "$what: $lines stderr lines, want 1: $(cat "$tmp/stderr")"
    grep -q '^mxbench: ' "$tmp/stderr" || bad "$what: message not prefixed 'mxbench: '"
    if [ -n "$out" ] && [ -e "$out" ]; then bad "$what: left $out behind"; rm -f "$out"; fi
    ls "$tmp" | grep -q 'tmp[A-Za-z0-9]\{6\}$' && bad "$what: left a temp file"
}

npy="$DATA/l0.ln1.forward.s1.npy"
cp "$npy" "$tmp/in.npy"

# --- round trips ---------------------------------------------------------
for f in "$DATA"/*.npy; do
    b=$(basename "$f")
    "$MX" -q compress "$f" -o "$tmp/$b.mxb" || bad "compress $b"
    "$MX" -q decompress "$tmp/$b.mxb" || bad "decompress $b"
    cmp -s "$f" "$tmp/$b" || bad "round trip of $b differs"
    "$MX" verify "$tmp/$b.mxb" | grep -q ': OK' || bad "verify $b"
done

# files of earlier formats still decode: bfxor's first frame layout
# (*.bfxor4.mxb), quantlr's first frames (mode 8: factors order-0 coded,
# rank 4 here; *.quantlr8.mxb, to what that build decoded), and container v1 (XXH64/XXH32 checksums, *.v1.mxb, made
# by the last build that wrote v1) across pipelines, one file of frames and
# raw input; a lossy one must decode to what that build decoded (*.v1.npy)
COMPAT="$top_srcdir/tests/compat"
tail -c +129 "$DATA/edge/row_1x257.npy" >"$tmp/row_1x257.bin"
n=0
for pair in "attn_24x256.bfxor4.mxb $COMPAT/attn_24x256.npy" \
            "odd_13x37.bfxor4.mxb $DATA/edge/odd_13x37.npy" \
            "attn_24x256.bfxor.v1.mxb $COMPAT/attn_24x256.npy" \
            "attn_24x256.quant.v1.mxb $COMPAT/attn_24x256.quant.v1.npy" \
            "odd_13x37.bfctx.v1.mxb $DATA/edge/odd_13x37.npy" \
            "odd_13x37.expsplit-zstd3.v1.mxb $DATA/edge/odd_13x37.npy" \
            "odd_13x37.frames4.v1.mxb $DATA/edge/odd_13x37.npy" \
            "odd_13x37.q8.v1.mxb $COMPAT/odd_13x37.q8.v1.npy" \
            "sparse_31x64.automax.v1.mxb $DATA/edge/sparse_31x64.npy" \
            "specials_8x8.expsplit-rans.v1.mxb $DATA/edge/specials_8x8.npy" \
            "row_1x257.raw.v1.mxb $tmp/row_1x257.bin" \
            "lowrank_64x48.quantlr8.mxb $COMPAT/lowrank_64x48.quantlr8.npy"; do
    set -- $pair
    n=$((n + 1))
    "$MX" -q decompress -o "$tmp/compat.out" -f "$COMPAT/$1" || bad "decompress $1"
    cmp -s "$2" "$tmp/compat.out" || bad "$1 decodes differently"
    "$MX" verify "$COMPAT/$1" | grep -q ': OK' || bad "verify $1"
    case $1 in *.v1.mxb) "$MX" info "$COMPAT/$1" | grep -q 'format     mxb v1' || bad "info of $1 says v1";; esac
done
[ "$n" = "$(ls "$COMPAT"/*.mxb | wc -l)" ] || bad "a file in tests/compat is not tested"

# the scalar paths (what a CPU without AVX2 runs) give the same bytes
for f in "$DATA"/*.npy "$DATA"/edge/*.npy; do
    b=$(basename "$f")
    "$MX" -q compress -p bfxor -f "$f" -o "$tmp/simd.mxb" || bad "compress bfxor $b"
    MXBENCH_SIMD=0 "$MX" -q compress -p bfxor -f "$f" -o "$tmp/scalar.mxb" || bad "scalar compress $b"
    cmp -s "$tmp/simd.mxb" "$tmp/scalar.mxb" || bad "scalar compress of $b differs"
    MXBENCH_SIMD=0 "$MX" -q decompress -f "$tmp/simd.mxb" -o "$tmp/simd.npy" || bad "scalar $b"
    cmp -s "$f" "$tmp/simd.npy" || bad "scalar decode of $b differs"
done
# default names: IN -> IN.mxb -> IN
"$MX" -q compress "$tmp/in.npy" && [ -f "$tmp/in.npy.mxb" ] || bad "default output name"
mv "$tmp/in.npy" "$tmp/orig.npy"
"$MX" -q decompress "$tmp/in.npy.mxb" && cmp -s "$tmp/in.npy" "$tmp/orig.npy" || bad "default restore name"
mv "$tmp/orig.npy" "$tmp/in.npy"
# raw input with --shape comes back raw
head -c 4096 "$npy" | tail -c 4000 >"$tmp/r.bin"
"$MX" -q compress --shape 40x50 -p 'bytesplit|lz4' "$tmp/r.bin" && "$MX" -q decompress "$tmp/r.bin.mxb" -o "$tmp/r2.bin" &&
    cmp -s "$tmp/r.bin" "$tmp/r2.bin" || bad "raw round trip"
"$MX" info "$tmp/r.bin.mxb" | grep -q '40 x 50' || bad "info shows the shape"
# a lossy pipeline decodes (not bit-exact) and says it is lossy
"$MX" -q compress -p 'q8:rows|zstd:3' "$tmp/in.npy" -o "$tmp/q.mxb" &&
    "$MX" info "$tmp/q.mxb" | grep -q 'lossy' || bad "lossy compress/info"
"$MX" -q decompress "$tmp/q.mxb" -o "$tmp/q.npy" && [ -s "$tmp/q.npy" ] || bad "lossy decompress"
# big matrices go in frames, a frame at a time (here: small frames)
"$MX" -q compress --frame-rows 100 "$tmp/in.npy" -o "$tmp/fr.mxb" &&
    "$MX" -q decompress "$tmp/fr.mxb" -o "$tmp/fr.npy" && cmp -s "$tmp/in.npy" "$tmp/fr.npy" ||
    bad "multi-frame .npy round trip"
rows=$("$MX" info "$tmp/fr.mxb" | sed -n 's/.*format .*, \([0-9]*\) frames/\1/p')
[ "$rows" = 6 ] || bad "info of a 512-row matrix in 100-row frames says '$rows' frames"
"$MX" info "$tmp/fr.mxb" | grep -qx '  origin     \.npy' || bad "info of frames names no origin: $("$MX" info "$tmp/fr.mxb")"
"$MX" verify "$tmp/fr.mxb" | grep -q ': OK (6 frames' || bad "verify a multi-frame file"
"$MX" -q compress --frame-rows 7 --shape 40x50 "$tmp/r.bin" -o "$tmp/fr.bin.mxb" &&
    "$MX" -q decompress "$tmp/fr.bin.mxb" -o "$tmp/fr.bin" && cmp -s "$tmp/r.bin" "$tmp/fr.bin" ||
    bad "multi-frame raw round trip"
head -c 3000 "$tmp/fr.mxb" >"$tmp/cut.mxb"
expect_error "a multi-frame file cut short" "$tmp/cut.npy" "$MX" decompress "$tmp/cut.mxb" -o "$tmp/cut.npy"
expect_error "verify a multi-frame file cut short" "" "$MX" verify "$tmp/cut.mxb"
# frames that chose differently are each named with their count, in the
# order first met: four random rows over and over (zstd:3 codes a repeat as
# one match), then Gaussian values (bfdelta's)
"$PY" - "$tmp/mix.npy" <<'PY'
import sys
import numpy as np
rng = np.random.default_rng(1)
repeats = np.tile(rng.integers(0, 65536, size=(4, 64), dtype=np.uint16), (128, 1))
gauss = (rng.standard_normal((512, 64)).astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)
np.save(sys.argv[1], np.concatenate([repeats, gauss]))
PY
"$MX" -q compress --frame-rows 256 "$tmp/mix.npy" -o "$tmp/mix.mxb" || bad "compress mixed frames"
line=$("$MX" info "$tmp/mix.mxb" | grep '^  pipeline')
[ "$line" = "  pipeline   zstd:3 (2 frames), bfdelta (2 frames); lossless" ] ||
    bad "info of frames with two pipelines: '$line'"
"$MX" -q decompress "$tmp/mix.mxb" -o "$tmp/mix2.npy" && cmp -s "$tmp/mix.npy" "$tmp/mix2.npy" ||
    bad "mixed frames round trip"
# NaN/Inf values a lossy pipeline changes are counted in a warning (the
# count from the decoded bytes here); -q and lossless pipelines say nothing
"$PY" - "$tmp/inf.npy" <<'PY'
import sys
import numpy as np
g = np.random.default_rng(2).standard_normal((256, 64)).astype(np.float32)
g[3, 5], g[100, 7], g[200, 1] = np.inf, np.nan, -np.inf
np.save(sys.argv[1], (g.view(np.uint32) >> 16).astype(np.uint16))
PY
# (the second in frames of 7 rows, three at a time)
for run in '-T1 quant:sim=0.99' '--frame-rows=7 -T3 quant:sim=0.99' '-T1 q8:rows|zstd:3' '-T1 trunc|zstd:3'; do
    opts=${run% *} spec=${run##* }
    # shellcheck disable=SC2086
    "$MX" compress -f $opts -p "$spec" "$tmp/inf.npy" -o "$tmp/inf.mxb" 2>"$tmp/warn" >/dev/null &&
        "$MX" -q decompress -f "$tmp/inf.mxb" -o "$tmp/inf2.npy" || bad "$spec on NaN/Inf"
    lost=$("$PY" -c "
import sys, numpy as np
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
print(int((((a & 0x7f80) == 0x7f80) & (a != b)).sum()))" "$tmp/inf.npy" "$tmp/inf2.npy")
    if [ "$lost" = 0 ]; then
        ! grep -q warning "$tmp/warn" || bad "$spec keeps NaN/Inf but warns: $(cat "$tmp/warn")"
    else
        grep -qx "mxbench: warning: $tmp/inf.npy: $lost NaN/Inf values will not decode as they were (.* changes them; a lossless pipeline keeps them)" "$tmp/warn" ||
            bad "$spec changes $lost NaN/Inf: warning '$(cat "$tmp/warn")'"
    fi
    "$MX" compress -q -f -p "$spec" "$tmp/inf.npy" -o "$tmp/inf.mxb" 2>"$tmp/warn" && [ ! -s "$tmp/warn" ] ||
        bad "$spec -q: $(cat "$tmp/warn")"
done
"$MX" compress -f "$tmp/inf.npy" -o "$tmp/inf.mxb" 2>"$tmp/warn" >/dev/null && ! grep -q warning "$tmp/warn" ||
    bad "auto on NaN/Inf warns: $(cat "$tmp/warn")"
expect_error "--frame-rows 0" "" "$MX" compress --frame-rows 0 "$tmp/in.npy" -o "$tmp/z.mxb"
expect_error "an empty -o" "" "$MX" compress "$tmp/in.npy" -o ''
expect_error "an empty --csv=" "" "$MX" --batch "$tmp/in.npy" --csv=

# --- existing outputs are never overwritten without -f ---------------------
cp "$tmp/in.npy.mxb" "$tmp/keep.mxb"
echo "precious" >"$tmp/precious"
expect_error "compress onto existing file" "" "$MX" compress "$tmp/in.npy" -o "$tmp/precious"
grep -q precious "$tmp/precious" || bad "existing output was modified"
expect_error "decompress onto existing file" "" "$MX" decompress "$tmp/keep.mxb" -o "$tmp/precious"
grep -q precious "$tmp/precious" || bad "existing output was modified"
"$MX" -q decompress -f "$tmp/keep.mxb" -o "$tmp/precious" && cmp -s "$tmp/precious" "$tmp/in.npy" || bad "-f overwrites"

# (interrupts, SIGKILL, races and odd outputs: tests/hostile.sh)

# --- bad inputs ------------------------------------------------------------
"$MX" -q compress "$tmp/in.npy" -o "$tmp/self.mxb" -f
cp "$tmp/in.npy" "$tmp/self.npy"
expect_error "compress onto its input" "" "$MX" compress -f "$tmp/self.npy" -o "$tmp/self.npy"
cmp -s "$tmp/self.npy" "$tmp/in.npy" || bad "compress -f onto the input destroyed it"
expect_error "decompress onto its input" "" "$MX" decompress -f "$tmp/self.mxb" -o "$tmp/self.mxb"
"$MX" verify "$tmp/self.mxb" >/dev/null || bad "decompress -f onto the input destroyed it"
expect_error "missing input" "$tmp/nope.npy.mxb" "$MX" compress "$tmp/nope.npy"
head -c 1000 "$npy" >"$tmp/trunc.npy"
expect_error "truncated npy" "$tmp/trunc.npy.mxb" "$MX" compress "$tmp/trunc.npy"
python3 - "$tmp/f8.npy" <<'PY'
import struct, sys
d = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }"
h = d + " " * (64 - 10 - len(d) - 1) + "\n"
open(sys.argv[1], "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() + bytes(32))
PY
expect_error "wrong dtype" "$tmp/f8.npy.mxb" "$MX" compress "$tmp/f8.npy"
printf 'hello' >"$tmp/notes.txt"
expect_error "unknown file type" "$tmp/notes.txt.mxb" "$MX" compress "$tmp/notes.txt"
: >"$tmp/empty.npy"
expect_error "empty .npy" "$tmp/empty.npy.mxb" "$MX" compress "$tmp/empty.npy"
grep -q "empty.npy: not an .npy file (0 bytes" "$tmp/stderr" || bad "empty .npy: $(cat "$tmp/stderr")"
expect_error "odd raw size" "$tmp/o.bin.mxb" sh -c "printf abc >'$tmp/o.bin'; '$MX' compress '$tmp/o.bin'"
expect_error "raw shape mismatch" "$tmp/r.bin.x" "$MX" compress --shape 3x3 "$tmp/r.bin" -o "$tmp/r.bin.x"
expect_error "bad shape" "$tmp/r.bin.y" "$MX" compress --shape 3by3 "$tmp/r.bin" -o "$tmp/r.bin.y"
# --shape against an .npy's own header: the same answer for a file and stdin
expect_error "npy shape mismatch" "$tmp/n.x" "$MX" compress --shape 3x5 "$tmp/in.npy" -o "$tmp/n.x"
grep -q "header says 512x256, the shape given is 3x5" "$tmp/stderr" || bad "npy shape mismatch: $(cat "$tmp/stderr")"
expect_error "npy shape mismatch on stdin" "" sh -c "'$MX' compress --shape 3x5 -c - <'$tmp/in.npy'"
grep -q "header says 512x256, the shape given is 3x5" "$tmp/stderr" || bad "npy shape mismatch on stdin: $(cat "$tmp/stderr")"
[ -s "$tmp/stdout" ] && bad "npy shape mismatch on stdin wrote to stdout"
"$MX" -q compress --shape 512x256 "$tmp/in.npy" -o "$tmp/n.mxb" && cmp -s "$tmp/n.mxb" "$tmp/in.npy.mxb" ||
    bad "--shape equal to the .npy's changed the output"
rm -f "$tmp/n.mxb"
# a .safetensors tensor is held to --shape too; --tensor on any other input
# is refused rather than ignored (stdin is named stdin, as tables name it)
python3 - "$tmp/in.npy" "$tmp/t.safetensors" <<'PY'
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
data = raw[raw.index(b"\n", 10) + 1:]  # the .npy's values, after its header
h = json.dumps({"x": {"dtype": "BF16", "shape": [512, 256], "data_offsets": [0, len(data)]}}).encode()
h += b" " * (-len(h) % 8)
open(sys.argv[2], "wb").write(struct.pack("<Q", len(h)) + h + data)
PY
expect_error "safetensors shape mismatch" "$tmp/t.x" "$MX" compress --shape 256x512 --tensor x "$tmp/t.safetensors" -o "$tmp/t.x"
grep -q "t.safetensors:x: the file's header says 512x256, the shape given is 256x512" "$tmp/stderr" ||
    bad "safetensors shape mismatch: $(cat "$tmp/stderr")"
"$MX" -q compress --shape 512x256 --tensor x "$tmp/t.safetensors" -o "$tmp/t.mxb" || bad "safetensors with its own shape"
rm -f "$tmp/t.mxb"
expect_error "--tensor on an .npy" "$tmp/n.x" "$MX" compress --tensor x "$tmp/in.npy" -o "$tmp/n.x"
grep -q "in.npy: --tensor picks a tensor of a .safetensors file" "$tmp/stderr" || bad "--tensor on an .npy: $(cat "$tmp/stderr")"
expect_error "--tensor on stdin" "" sh -c "'$MX' compress --tensor x -c - <'$tmp/in.npy'"
grep -q "^mxbench: stdin: --tensor" "$tmp/stderr" || bad "--tensor on stdin: $(cat "$tmp/stderr")"
expect_error "bad spec" "$tmp/a.mxb" "$MX" compress -p 'bytesplit|' "$tmp/in.npy" -o "$tmp/a.mxb"
expect_error "unknown stage" "$tmp/a.mxb" "$MX" compress -p 'lzma:9' "$tmp/in.npy" -o "$tmp/a.mxb"
expect_error "level out of range" "$tmp/a.mxb" "$MX" compress -p 'zstd:23' "$tmp/in.npy" -o "$tmp/a.mxb"
expect_error "brotli out of range" "$tmp/a.mxb" "$MX" compress -p 'brotli:12' "$tmp/in.npy" -o "$tmp/a.mxb"
expect_error "compressing a .mxb" "$tmp/keep.mxb.mxb" "$MX" compress "$tmp/keep.mxb"
# corrupt and truncated containers
size=$(wc -c <"$tmp/keep.mxb")
cp "$tmp/keep.mxb" "$tmp/corrupt.mxb"
printf '\377' | dd of="$tmp/corrupt.mxb" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
expect_error "corrupt container" "$tmp/corrupt" "$MX" decompress "$tmp/corrupt.mxb"
head -c $((size - 10)) "$tmp/keep.mxb" >"$tmp/short.mxb"
expect_error "truncated container" "$tmp/short" "$MX" decompress "$tmp/short.mxb"
# a file of another kind is named as such, not as a bad frame
expect_error "info on an .npy" "" "$MX" info "$tmp/in.npy"
grep -q "in.npy: not an mxbench file" "$tmp/stderr" || bad "info on an .npy: $(cat "$tmp/stderr")"
# a name of no known kind lists the kinds (a .bin needs no --shape)
head -c 80 /dev/urandom >"$tmp/vals.dat"
expect_error "a .dat file" "$tmp/vals.dat.mxb" "$MX" compress "$tmp/vals.dat"
grep -q "unrecognised file type (want .npy, .safetensors, .bin, .bf16 or .raw; any name with --shape)" \
    "$tmp/stderr" || bad "a .dat file: $(cat "$tmp/stderr")"
# extensions in either case: X.BIN holds raw values as x.bin does (an .npy
# goes by its header, whatever its name); each coded to the same bytes
cp "$npy" "$tmp/UPPER.NPY" && cp "$npy" "$tmp/lower.npy"
"$MX" -q compress -f "$tmp/UPPER.NPY" -o "$tmp/upper.mxb" && "$MX" -q compress -f "$tmp/lower.npy" -o "$tmp/lower.mxb" &&
    cmp -s "$tmp/upper.mxb" "$tmp/lower.mxb" || bad "UPPER.NPY is not coded as lower.npy is"
head -c 4096 "$npy" | tail -c 2048 >"$tmp/VALS.BIN" && cp "$tmp/VALS.BIN" "$tmp/vals.bin"
"$MX" -q compress -f "$tmp/VALS.BIN" -o "$tmp/upper.mxb" && "$MX" -q compress -f "$tmp/vals.bin" -o "$tmp/lower.mxb" &&
    cmp -s "$tmp/upper.mxb" "$tmp/lower.mxb" || bad "VALS.BIN is not coded as vals.bin is"
"$MX" -q decompress -f "$tmp/upper.mxb" -o "$tmp/back.bin" && cmp -s "$tmp/back.bin" "$tmp/VALS.BIN" ||
    bad "VALS.BIN does not come back byte for byte"
rm -f "$tmp/UPPER.NPY" "$tmp/lower.npy" "$tmp/VALS.BIN" "$tmp/vals.bin" "$tmp/upper.mxb" "$tmp/lower.mxb" "$tmp/back.bin"
expect_error "verify corrupt" "" "$MX" verify "$tmp/corrupt.mxb"
expect_error "not a container" "$tmp/in" "$MX" decompress "$tmp/in.npy" -o "$tmp/in"
expect_error "no .mxb suffix and no -o" "" "$MX" decompress "$tmp/in.npy"
expect_error "missing container" "$tmp/gone" "$MX" decompress "$tmp/gone.mxb"
: >"$tmp/empty.mxb"
expect_error "empty container" "$tmp/empty" "$MX" decompress "$tmp/empty.mxb"
# usage errors
expect_error "no command" "" "$MX"
expect_error "unknown command" "" "$MX" squash "$tmp/in.npy"
expect_error "unknown command with --help" "" "$MX" squash --help
grep -q "unknown command 'squash'" "$tmp/stderr" || bad "squash --help: $(cat "$tmp/stderr")"
expect_error "unknown option" "" "$MX" --frobnicate
expect_error "missing option argument" "" "$MX" compress "$tmp/in.npy" -p
expect_error "two inputs to compress" "" "$MX" compress "$tmp/in.npy" "$tmp/keep.mxb"
expect_error "batch option on compress" "" "$MX" compress --repeat 2 "$tmp/in.npy" -o "$tmp/z.mxb"
expect_error "bad repeat" "" "$MX" --batch --repeat 0
expect_error "bad score to beat" "" "$MX" --batch --score-to-beat 1.5
expect_error "both scores to beat" "" "$MX" --batch --score-to-beat 0.5 --raw-score-to-beat 9
expect_error "bad min similarity" "" "$MX" --batch --min-similarity abc
expect_error "missing manifest" "" "$MX" --batch -m "$tmp/none.csv"
printf 'file,kind\n%s/gone.npy,forward\n' "$tmp" >"$tmp/gone.csv"
expect_error "manifest of missing files, -q" "" "$MX" --batch -q -m "$tmp/gone.csv"
grep -q "no sample could be loaded; the first: .*gone.npy: No such file" "$tmp/stderr" || bad "no reason with -q: $(cat "$tmp/stderr")"
expect_error "batch bad spec" "$tmp/t.csv" "$MX" --batch -m "$DATA/manifest.csv" -p 'zstd:99' --csv "$tmp/t.csv"
expect_error "batch csv exists" "" "$MX" --batch -m "$DATA/edge/manifest.csv" --repeat 1 -p raw --csv "$tmp/precious"
# a report that cannot be created is refused before the run, not after it:
# no table on stdout, and the other report is not written either
expect_error "batch csv in a missing directory" "$tmp/j.json" "$MX" --batch -m "$DATA/edge/manifest.csv" \
    --repeat 1 -p raw --json "$tmp/j.json" --csv "$tmp/no/such/dir/o.csv"
grep -q "o.csv: cannot create" "$tmp/stderr" && [ ! -s "$tmp/stdout" ] || bad "csv in a missing directory: $(cat "$tmp/stderr")"
expect_error "sweep plot in a missing directory" "" "$MX" sweep -m "$DATA/edge/manifest.csv" -p 'zstd:{}' \
    --param 1:2:2 --plot "$tmp/no/such/dir/p.svg"
[ ! -s "$tmp/stdout" ] || bad "sweep ran before refusing its plot"

expect_error "unknown rules" "" "$MX" --batch --rules fancy
expect_error "raw score with later rules" "" "$MX" --batch --rules lossy --raw-score-to-beat 5
expect_error "seed without sample" "" "$MX" --batch --seed 4
expect_error "bad sample count" "" "$MX" --batch --sample 0

expect_error "bad port" "" "$MX" serve --port 0
expect_error "port on compress" "" "$MX" compress --port 80 "$tmp/in.npy"
expect_error "bad host" "" "$MX" serve --host nowhere --port 1
expect_error "export of bfctx" "$tmp/sol.py" "$MX" export -p bfctx -o "$tmp/sol.py"
grep -q "'bfctx' cannot be exported: stage 'bfctx'" "$tmp/stderr" || bad "export names bfctx"
expect_error "export of quant:rowsim" "$tmp/sol.py" "$MX" export -p quant:rowsim=0.99 -o "$tmp/sol.py"
grep -q "'quant:rowsim=0.99' cannot be exported: stage 'quant'" "$tmp/stderr" || bad "export names quant"
"$MX" -q export -o "$tmp/sol.py" && grep -q '^SPEC = "auto"$' "$tmp/sol.py" || bad "export without spec (auto)"
expect_error "export over an existing file" "" "$MX" export -p auto:max -o "$tmp/sol.py"

# --- batch outputs ---------------------------------------------------------
"$MX" --batch -q -m "$DATA/manifest.csv" --repeat 1 -p 'expsplit|zstd:3' -p 'q8:rows|zstd:1' \
    --csv "$tmp/out.csv" --json "$tmp/out.json" >"$tmp/table.txt" || bad "batch run"
rows=$(($(grep -c . "$DATA/manifest.csv") - 1))
[ "$(wc -l <"$tmp/out.csv")" = $((rows * 3 + 1)) ] || bad "CSV has $(wc -l <"$tmp/out.csv") lines, want $((rows * 3 + 1))"
python3 - "$tmp/out.csv" "$tmp/out.json" "$rows" <<'PY' || bad "CSV/JSON content"
import csv, json, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
js = json.load(open(sys.argv[2]))
assert len(rows) == len(js) == 3 * int(sys.argv[3]), (len(rows), len(js))
for r, j in zip(rows, js):
    assert r["sample"] == j["sample"] and r["pipeline"] == j["pipeline"]
    ratio = int(r["original_bytes"]) / int(r["compressed_bytes"])
    assert abs(float(r["ratio"]) - ratio) < 1e-9 * ratio
    t = (float(r["ms_compress"]) + float(r["ms_decompress"])) / 1000
    raw = (30 - t) + 1000 * float(r["similarity"]) + 1e6 * ratio
    assert abs(float(r["raw"]) - raw) < 1e-6 * raw, (r["raw"], raw)
    norm = 1 / (1 + math.exp(-0.003 * (raw / 1000 - 2000)))
    assert abs(float(r["normalized"]) - norm) < 1e-9
    if r["pipeline"].startswith("expsplit"):
        assert r["status"] == "exact" and float(r["similarity"]) == 1.0
    if r["pipeline"].startswith("q8"):
        assert r["status"] == "rejected" and float(r["similarity"]) < 1
print("ok")
PY
grep -q '^means over' "$tmp/table.txt" || bad "table has no means section"
# the best pipeline is listed first among the means; baseline row present
awk '/^means over/{m=1; next} m && NR>0 && $1!="pipeline" {print $1; exit}' "$tmp/table.txt" |
    grep -q 'expsplit|zstd:3' || bad "expsplit|zstd:3 should head the means"
grep -q '^baseline:zstd:3' "$tmp/table.txt" || bad "baseline mean row missing"
# the condition: as submitted by default (each sample flattened, the width
# inferred and recorded: the CSV's shape is the sample's own), shape known
# on request; the baseline is the same either way
grep -q '^condition: as submitted' "$tmp/table.txt" || bad "table does not name its condition"
grep -q '^means over [0-9]* samples as submitted' "$tmp/table.txt" || bad "means line without the condition"
"$MX" --batch -q -m "$DATA/manifest.csv" --repeat 1 -p 'bytesplit|zstd:3' --condition known \
    --csv "$tmp/known.csv" >"$tmp/known.txt" || bad "--condition known run"
grep -q '^condition: shape known' "$tmp/known.txt" || bad "--condition known not in the table"
python3 - "$tmp/out.csv" "$tmp/known.csv" "$DATA/manifest.csv" <<'PY' || bad "conditions in CSV"
import csv, sys
sub = list(csv.DictReader(open(sys.argv[1])))
known = list(csv.DictReader(open(sys.argv[2])))
shape = {r["file"]: "%sx%s" % (r["rows"], r["cols"]) for r in csv.DictReader(open(sys.argv[3]))}
for r in sub:
    if r["pipeline"] == "baseline:zstd:3":
        assert r["condition"] == "raw bytes", r
    else:
        assert r["condition"] == "submitted" and r["shape"] == shape[r["sample"]], r
for r in known:
    if r["pipeline"] != "baseline:zstd:3":
        assert r["condition"] == "known" and r["shape"] == shape[r["sample"]], r
base_s = [r["compressed_bytes"] for r in sub if r["pipeline"] == "baseline:zstd:3"]
base_k = [r["compressed_bytes"] for r in known if r["pipeline"] == "baseline:zstd:3"]
assert base_s == base_k, "the baseline depends on the condition"
PY
expect_error "bad condition" "" "$MX" --batch --condition hidden
expect_error "condition on compress" "" "$MX" compress --condition known "$tmp/in.npy"
# --score-to-beat converts the dashboard value to raw
"$MX" --batch -q -m "$DATA/edge/manifest.csv" --repeat 1 -p raw --score-to-beat 0.1224645 |
    grep -q 'score to beat: raw 1343567.927' || bad "--score-to-beat conversion"
# a low --min-similarity accepts the lossy rows
"$MX" --batch -q -m "$DATA/manifest.csv" --repeat 1 -p 'q8:rows|zstd:1' --min-similarity 0.9 |
    grep 'q8:rows' | grep -q rejected && bad "--min-similarity 0.9 still rejects q8"
# rule sets: lossless zeroes a lossy pipeline; the score column is 0..1
"$MX" --batch -q -m "$DATA/manifest.csv" --repeat 1 --rules lossless -p 'trunc:3|zstd:1' -p bfctx \
    --csv "$tmp/rules.csv" >"$tmp/rules.txt" || bad "--rules lossless run"
grep -q 'rules lossless; score to beat' "$tmp/rules.txt" || bad "--rules lossless header"
python3 - "$tmp/rules.csv" <<'PY' || bad "--rules lossless scores"
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    c = int(r["compressed_bytes"]) / int(r["original_bytes"])
    t = (float(r["ms_compress"]) + float(r["ms_decompress"])) / 1000
    want = max(0.0, min(1.0, (1 - c) * (1 - t / 1.012))) if r["status"] == "exact" else 0.0
    assert abs(float(r["score"]) - want) < 1e-9, (r["pipeline"], r["score"], want)
    if r["pipeline"].startswith("trunc"):
        assert float(r["score"]) == 0.0
PY
# --sample/--seed: N rows per pipeline, the same draw for the same seed
"$MX" --batch -q -m "$DATA/manifest.csv" --repeat 1 -p raw --sample 30 --seed 7 --csv "$tmp/s1.csv" >/dev/null &&
"$MX" --batch -q -m "$DATA/manifest.csv" --repeat 1 -p raw --sample 30 --seed 7 --csv "$tmp/s2.csv" >/dev/null || bad "--sample run"
[ "$(cut -d, -f1 "$tmp/s1.csv" | md5sum)" = "$(cut -d, -f1 "$tmp/s2.csv" | md5sum)" ] || bad "--seed is not reproducible"
[ "$(wc -l <"$tmp/s1.csv")" = 61 ] || bad "--sample 30 should give 60 rows"
# a manifest with a bad file: that file is reported, the others run, exit 1
printf 'file\n%s\n%s\nnope.npy\n' "$npy" "$tmp/trunc.npy" >"$tmp/mixed.csv"
"$MX" --batch --repeat 1 -p raw -m "$tmp/mixed.csv" >"$tmp/mixed.txt" 2>"$tmp/mixed.err"
[ $? = 1 ] || bad "a manifest with bad files should exit 1"
grep -q 'l0.ln1.forward.s1.npy' "$tmp/mixed.txt" || bad "the good file did not run"
grep -q 'skipped .*trunc.npy: truncated' "$tmp/mixed.err" || bad "truncated file not reported: $(cat "$tmp/mixed.err")"
grep -q 'skipped .*nope.npy' "$tmp/mixed.err" || bad "missing file not reported"
# sweep: one row per value, an SVG with one line per template
"$MX" sweep -q -m "$DATA/manifest.csv" --repeat 1 -p 'trunc:{}|zstd:1' -p 'q8:rows,trunc:{}|zstd:1' \
    --param 1:4:4 --plot "$tmp/sweep.svg" >"$tmp/sweep.txt" || bad "sweep run"
[ "$(grep -c '^trunc:[1-4]|zstd:1 ' "$tmp/sweep.txt")" = 4 ] || bad "sweep should print 4 trunc rows"
python3 - "$tmp/sweep.svg" <<'PY' || bad "sweep SVG"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
lines = root.findall("{http://www.w3.org/2000/svg}polyline")
assert len(lines) == 2, len(lines)
assert all(len(l.get("points").split()) == 4 for l in lines)
PY
expect_error "sweep without {}" "" "$MX" sweep -p 'zstd:3' --param 1:3:3
expect_error "sweep bad param" "" "$MX" sweep -p 'zstd:{}' --param 1:x:3
expect_error "sweep bad value" "" "$MX" sweep -m "$DATA/manifest.csv" -p 'zstd:{}' --param 20:30:3
expect_error "plot outside sweep" "" "$MX" --batch --plot "$tmp/p.svg"
# positional files work as samples
"$MX" --batch -q --repeat 1 -p lz4 "$npy" "$tmp/r.bin" | grep -q 'r.bin' || bad "batch on files"
# the full shared set loads through its own manifest (when it is there)
if [ -f "$top_srcdir/../shared/data/manifest.csv" ]; then
    "$MX" --batch -q --repeat 1 -p raw -m "$top_srcdir/../shared/data/manifest.csv" >"$tmp/full.txt" ||
        bad "batch on ../shared/data"
    grep -q 'logits.backward.s1.npy' "$tmp/full.txt" || bad "shared data rows missing"
fi
# help, version, list
"$MX" --help | grep -q 'Pipeline spec' || bad "--help"
"$MX" --version | grep -q '^mxbench ' || bad "--version"
"$MX" --list | grep -q 'zeromask' || bad "--list"
"$MX" --list | grep -q '^  auto:max ' || bad "--list names auto:max"

echo "cli.sh: $n error cases checked"
exit $fail
