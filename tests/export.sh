#!/bin/sh
# mxbench export: the Python solution is assembled from the sections a
# pipeline needs and stays under 20,000 bytes (auto, auto:max, bfdelta,
# quant:sim=0.99 and the largest combinations of the other twins plain;
# quantlr:sim=0.99 packed, and --source gives its plain text); it writes
# byte for byte the container mxbench writes and each reads the other's
# files (export_check.py, also under numpy 2's promotion rules); its file
# tasks and baseline.py's own _validate agree; its FastAPI server round trips
# the bundled samples over real HTTP with the ratios of --batch and refuses
# hostile input with 4xx (export_http.py); its XXH3 (container v2's padded
# checks) matches python3-xxhash.
# Needs Debian's python3 with numpy, zstd, brotli, lz4, fastapi, uvicorn,
# multipart, requests (and torch, xxhash for two checks); skipped without.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
MX="$(cd "$top_builddir" && pwd)/mxbench"
DATA="$(cd "$top_srcdir/data" && pwd)"
T="$(cd "$top_srcdir/tests" && pwd)"
PY=/usr/bin/python3
if ! $PY -c 'import numpy, zstd, brotli, lz4.block, fastapi, uvicorn, multipart, requests' 2>/dev/null; then
    echo "SKIP: Debian python3 modules missing (run tests/install-deps)"
    exit 77
fi
tmp=$(mktemp -d) || exit 99
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# refusals name the stage and what does export, and leave no file
# (and why: no twin, only on its own, or only with other parameters)
list="(exportable: auto, auto:max, bfdelta, bflr, quant:sim=T or quantlr:sim=T alone; or transforms bytesplit"
for s in 'bfctx#bfctx#has no numpy twin here' 'quant:rowsim=0.99#quant#is exported only as quant:sim=...' \
    'expsplit|bfdelta#bfdelta#is exported only on its own, with no transform before it' \
    'bfxor#bfxor#has no numpy twin here' 'delta:rows|rans#rans#has no numpy twin here'; do
    spec=${s%%#*} rest=${s#*#}
    stage=${rest%%#*} why=${rest#*#}
    "$MX" export -p "$spec" -o "$tmp/x.py" 2>"$tmp/err" && bad "$spec exported"
    grep -qF "'$spec' cannot be exported: stage '$stage' $why $list" "$tmp/err" || bad "refusal of $spec: $(cat "$tmp/err")"
done
[ -e "$tmp/x.py" ] && bad "a refused export left a file"
(cd "$tmp" && "$MX" -q export) || bad "the default (auto) does not export"
grep -q '^SPEC = "auto"$' "$tmp/solution.py" || bad "the default is not auto"

# sections: only what the pipeline needs (transforms bring levels.py, our coders wlanes.py)
"$MX" -q export -p raw -o "$tmp/raw.py" || bad "export raw"
"$MX" -q export -p 'q8:rows|zstd:3' -o "$tmp/q8.py" || bad "export q8"
grep -q '^def e_expsplit' "$tmp/raw.py" "$tmp/q8.py" && bad "expsplit's twin in a pipeline without it"
grep -q '^def split' "$tmp/raw.py" "$tmp/solution.py" && bad "levels.py in a pipeline without transforms"
grep -q '^class WLDecoder' "$tmp/raw.py" "$tmp/q8.py" && bad "wlanes.py in a pipeline without our coders"
grep -q '^class WLDecoder' "$tmp/solution.py" || bad "auto lacks wlanes.py"
grep -q '^def quant_enc' "$tmp/q8.py" && grep -q '^def zstd_codec' "$tmp/q8.py" && grep -q '^def split' "$tmp/q8.py" ||
    bad "q8|zstd lacks its twins"
[ "$(grep -c '^def quant_enc' "$tmp/q8.py")" = 1 ] || bad "a section twice"

# size: every section's cost, then the largest combinations must fit
base=$(wc -c <"$tmp/raw.py")
: >"$tmp/sizes"
for s in bytesplit expsplit shuffle bitshuffle transpose delta xor zeromask trunc:3 q8 q4; do
    "$MX" -q export -p "$s|raw" -o "$tmp/s.py" -f || { bad "export $s|raw"; continue; }
    echo "$(($(wc -c <"$tmp/s.py") - base)) t $s" >>"$tmp/sizes"
done
for s in zstd:19 lz4 lz4hc:9 brotli:11; do
    "$MX" -q export -p "$s" -o "$tmp/s.py" -f || { bad "export $s"; continue; }
    echo "$(($(wc -c <"$tmp/s.py") - base + $(grep -c . /dev/null))) e $s" >>"$tmp/sizes"
done
# lossy transforms first, as the grammar wants
by_size=$(sort -rn "$tmp/sizes" | awk '$2 == "t" {print $3}' | awk '/^(trunc|q8|q4)/ {print; next} {l = l $0 "\n"} END {printf "%s", l}')
ent=$(sort -n "$tmp/sizes" | awk '$2 == "e"' | tail -1 | cut -d' ' -f3)
two=$(sort -rn "$tmp/sizes" | awk '$2 == "t" {print $3}' | head -2 | awk '/^(trunc|q8|q4)/ {print; next} {l = l $0 "\n"} END {printf "%s", l}' | paste -sd, -)
for spec in "$(echo "$two" | cut -d, -f1)|$ent" "$two|$ent"; do
    if "$MX" -q export -p "$spec" -o "$tmp/s.py" -f 2>"$tmp/err"; then
        size=$(wc -c <"$tmp/s.py")
        [ "$size" -le 20000 ] || bad "$spec: $size bytes"
        echo "largest: $spec, $size bytes (base $base)"
    else
        bad "$spec (the largest twins) does not fit: $(cat "$tmp/err")"
    fi
done
# our coders, whole files with the stub width inference (shape.py: budget about
# 2.3 KB more for the real one)
for s in auto auto:max bfdelta bflr 'quant:sim=0.99'; do
    if "$MX" -q export -p "$s" -o "$tmp/s.py" -f 2>"$tmp/err"; then
        size=$(wc -c <"$tmp/s.py")
        [ "$size" -le 20000 ] || bad "$s: $size bytes"
        echo "$s: $size bytes"
    else
        bad "$s does not fit: $(cat "$tmp/err")"
    fi
done
# one over the limit as plain text is packed (brotli, base85): it says its
# plain size, and --source prints exactly that many bytes of the plain
# solution (head.py's docstring, the twin); a plain one has no packing
"$MX" -q export -p 'quant:sim=0.99' -o "$tmp/s.py" -f && grep -q '^SPEC = "quant:sim=0.99"$' "$tmp/s.py" ||
    bad "quant:sim=0.99 is not plain"
if "$MX" -q export -p 'quantlr:sim=0.99' -o "$tmp/lr.py" -f 2>"$tmp/err"; then
    size=$(wc -c <"$tmp/lr.py")
    plain=$(sed -n 's/.*packed: its \([0-9]*\) bytes$/\1/p' "$tmp/lr.py")
    $PY "$tmp/lr.py" --source >"$tmp/lr.src" || bad "quantlr: --source failed"
    [ "$size" -le 20000 ] && [ -n "$plain" ] && [ "$plain" -gt 20000 ] && [ "$(wc -c <"$tmp/lr.src")" = "$plain" ] ||
        bad "quantlr packed: $size bytes, plain '$plain', --source $(wc -c <"$tmp/lr.src")"
    grep -q '^SPEC = "quantlr:0.99"$' "$tmp/lr.src" && grep -q '^def qr_fit' "$tmp/lr.src" ||
        bad "quantlr: --source is not the plain solution"
    echo "quantlr:sim=0.99: $size bytes packed ($plain plain)"
else
    bad "quantlr:sim=0.99 does not fit packed: $(cat "$tmp/err")"
fi
# longer pipelines either fit or are refused whole, naming the limit
all=$(echo "$by_size" | head -8 | paste -sd, -)
if "$MX" -q export -p "$all|$ent" -o "$tmp/all.py" -f 2>"$tmp/err"; then
    [ "$(wc -c <"$tmp/all.py")" -le 20000 ] || bad "$all|$ent: over 20000 bytes"
else
    grep -q "over the 20000-byte limit" "$tmp/err" && [ ! -e "$tmp/all.py" ] || bad "$all|$ent: $(cat "$tmp/err")"
    echo "refused by size: $all|$ent"
fi

# byte for byte, both ways; the file tasks; baseline.py's _validate
EDGE="$DATA/edge"
ZSTD_C_VERSION=$(pkg-config --modversion libzstd 2>/dev/null || echo unknown)
export ZSTD_C_VERSION
SOME="$DATA/l0.ln1.forward.s1.npy $DATA/logits.backward.s1.npy $DATA/l3.mlp_act.forward.s1.npy"
# small synthetic activations whose width is found but codes worse than one
# row: auto and auto:max code that too and keep the smaller, on both sides
$PY -c "
import sys, numpy as np
sys.path.insert(0, '$T')
from shape_inputs import structured
rng = np.random.default_rng(13)
for r, c in ((512, 12), (64, 96)):
    np.save('$tmp/structured_%dx%d.npy' % (r, c), structured(rng, r, c).reshape(r, c))
# a ramp whose rows recur every 16 rows: zstd:3 halves bfdelta's size, a
# repeat too long for auto's row sample to see (so it checks zstd:3 whole)
i = np.arange(256 * 512)
f = ((i % 512 + 1) / 512 * (i // 512 % 16 + 16) / 16).astype(np.float32)
np.save('$tmp/ramp_256x512.npy', (f.view(np.uint32) >> 16).astype(np.uint16).reshape(256, 512))
" || bad "making the synthetic matrices"
SYN="$tmp/structured_512x12.npy $tmp/structured_64x96.npy $tmp/ramp_256x512.npy"
"$MX" -q compress -o "$tmp/ramp.mxb" "$tmp/ramp_256x512.npy" &&
    "$MX" info "$tmp/ramp.mxb" | grep -q 'pipeline *zstd:3' || bad "auto keeps bfdelta on the ramp, where zstd:3 is half its size"
rm -f "$tmp/ramp.mxb"
for spec in 'expsplit|zstd:3' 'bytesplit,delta:cols|brotli:5' 'zeromask,expsplit|raw' auto bfdelta; do
    "$MX" -q export -p "$spec" -o "$tmp/sol.py" -f || { bad "export $spec"; continue; }
    # shellcheck disable=SC2086
    $PY "$T/export_check.py" "$tmp/sol.py" "$MX" "$spec" "$DATA"/*.npy "$EDGE"/*.npy $SYN || bad "export_check $spec"
done
for spec in 'shuffle|lz4hc:4' 'xor:rows,bytesplit|lz4hc:9' 'bitshuffle|brotli:1' 'transpose|raw' 'trunc:3|lz4hc:2' \
    'q8:rows|zstd:3' 'q4:cols,xor:cols|raw' 'delta:rows|zstd:19' 'shuffle|lz4' 'q8:cols|zstd:-3'; do
    "$MX" -q export -p "$spec" -o "$tmp/sol.py" -f || { bad "export $spec"; continue; }
    # shellcheck disable=SC2086
    $PY "$T/export_check.py" "$tmp/sol.py" "$MX" "$spec" $SOME "$EDGE"/*.npy $SYN || bad "export_check $spec"
done
# auto:max, where bflr wins (a sample it predicts at rank 64) and where not
"$MX" -q compress -p auto:max -o "$tmp/lr.mxb" "$DATA/l3.mlp_act.backward.s1.npy" &&
    "$MX" info "$tmp/lr.mxb" | grep -q 'pipeline *bflr' || bad "auto:max does not choose bflr on l3.mlp_act.backward"
rm -f "$tmp/lr.mxb"
"$MX" -q export -p auto:max -o "$tmp/sol.py" -f || bad "export auto:max"
# shellcheck disable=SC2086
$PY "$T/export_check.py" "$tmp/sol.py" "$MX" auto:max "$DATA/l3.mlp_act.backward.s1.npy" "$EDGE"/*.npy $SYN ||
    bad "export_check auto:max"
NPY_PROMOTION_STATE=weak_and_warn $PY -W error::UserWarning -W error::DeprecationWarning "$T/export_check.py" "$tmp/sol.py" \
    "$MX" auto:max "$DATA/l1.attn.backward.s1.npy" || bad "numpy 2 promotion rules: auto:max"
# quantlr (packed) on samples it predicts at ranks 16 and 64, and the edges
"$MX" -q export -p 'quantlr:sim=0.99' -o "$tmp/sol.py" -f || bad "export quantlr"
# shellcheck disable=SC2086
$PY "$T/export_check.py" "$tmp/sol.py" "$MX" 'quantlr:sim=0.99' "$DATA/l0.ln1.backward.s1.npy" \
    "$DATA/l3.mlp_act.backward.s1.npy" "$EDGE"/*.npy $SYN || bad "export_check quantlr:sim=0.99"
NPY_PROMOTION_STATE=weak_and_warn $PY -W error::UserWarning -W error::DeprecationWarning "$T/export_check.py" "$tmp/sol.py" \
    "$MX" 'quantlr:sim=0.99' "$DATA/l1.attn.backward.s1.npy" || bad "numpy 2 promotion rules: quantlr:sim=0.99"
# numpy 2 changed integer promotion (NEP 50): numpy 1.24 can warn wherever
# a result would differ (a UserWarning; removed aliases warn as deprecated):
# both are errors here
"$MX" -q export -p 'zeromask,bitshuffle|zstd:1' -o "$tmp/sol.py" -f
NPY_PROMOTION_STATE=weak_and_warn $PY -W error::UserWarning -W error::DeprecationWarning "$T/export_check.py" "$tmp/sol.py" "$MX" 'zeromask,bitshuffle|zstd:1' \
    "$DATA/l0.ln1.forward.s1.npy" "$EDGE"/*.npy || bad "numpy 2 promotion rules"
for spec in 'q8:cols,shuffle,transpose|lz4hc:3' 'trunc:2,expsplit,delta:cols|raw' 'q4:rows,bytesplit|raw' \
    'quant:sim=0.99' auto; do
    "$MX" -q export -p "$spec" -o "$tmp/sol.py" -f
    NPY_PROMOTION_STATE=weak_and_warn $PY -W error::UserWarning -W error::DeprecationWarning "$T/export_check.py" "$tmp/sol.py" "$MX" "$spec" \
        "$DATA/logits.backward.s1.npy" "$EDGE"/*.npy || bad "numpy 2 promotion rules: $spec"
done

# the task interface reports a bad task and still writes the others
"$MX" -q export -p 'expsplit|zstd:3' -o "$tmp/sol.py" -f
printf '{"tasks": [{"task_name": "bad", "input": {"data_to_compress_base64": "Z2FyYmFnZQ==", "expected_output_filepath": "%s"}}, {"task_name": "good", "input": {"data_to_compress_base64": "%s", "expected_output_filepath": "%s"}}]}' \
    "$tmp/bad.mxb" "$(base64 -w0 "$EDGE/odd_13x37.npy")" "$tmp/good.mxb" >"$tmp/tasks.json"
$PY "$tmp/sol.py" --compress --input-file "$tmp/tasks.json" 2>"$tmp/err" && bad "a bad task exited 0"
[ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "task bad:" "$tmp/err" || bad "bad task: $(cat "$tmp/err")"
[ -e "$tmp/bad.mxb" ] && bad "a bad task left a file"
"$MX" -q decompress "$tmp/good.mxb" -o "$tmp/good.npy" && cmp -s "$tmp/good.npy" "$EDGE/odd_13x37.npy" ||
    bad "the good task after a bad one"

# the XXH3 port against python3-xxhash: container v2's checks hash the bytes,
# zeros up to 248 bytes and the length, so only XXH3's long path is ported
if $PY -c 'import xxhash' 2>/dev/null; then
    $PY - "$tmp/sol.py" <<'PY' || bad "xxh3 disagrees with python3-xxhash"
import importlib.util, random, sys, xxhash
m = importlib.util.module_from_spec(importlib.util.spec_from_file_location("sol", sys.argv[1]))
m.__spec__.loader.exec_module(m)
rnd = random.Random(14)
for n in list(range(0, 1100)) + [4095, 4096, 4097, 65536, 1 << 20, 1572864 + 13]:
    b = bytes(rnd.getrandbits(8) for _ in range(n)) if n < 5000 else rnd.randbytes(n)
    h = xxhash.xxh3_64_intdigest(b + bytes(max(0, 248 - n)) + n.to_bytes(8, "little"))
    assert m.check(b) == h.to_bytes(8, "little") == m.check(memoryview(b)), n
    assert m.check(b, 4) == (h & 0xFFFFFFFF).to_bytes(4, "little"), n
PY
else
    echo "note: python3-xxhash missing, XXH3 cross-check skipped"
fi

# the server, over real HTTP (with a 12 MB upload cap, so that 413 is cheap to test)
for spec in 'expsplit|zstd:3' 'zstd:3' 'raw' 'q8:rows|zstd:3' auto 'quant:sim=0.99' 'quantlr:0.99'; do
    "$MX" -q export -p "$spec" -o "$tmp/server.py" -f || bad "export $spec"
    port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    $PY "$tmp/server.py" --port "$port" --host 127.0.0.1 --max-upload 12000000 >"$tmp/server.log" 2>&1 &
    pid=$!
    # quantlr (slow in numpy, packed): two samples it predicts
    files="$DATA/*.npy"
    case $spec in quantlr*) files="$DATA/l0.ln1.backward.s1.npy $DATA/l3.mlp_act.backward.s1.npy" ;; esac
    # shellcheck disable=SC2086
    "$MX" --batch -q --repeat 1 -p "$spec" --csv "$tmp/batch.csv" -f $files >/dev/null ||
        bad "--batch for $spec"
    # shellcheck disable=SC2086
    $PY "$T/export_http.py" "http://127.0.0.1:$port" "$spec" "$tmp/batch.csv" "$tmp/server.py" "$MX" $files ||
        bad "HTTP with $spec (server log: $(tail -3 "$tmp/server.log"))"
    grep -q Traceback "$tmp/server.log" && bad "$spec: a traceback in the server log: $(grep -m3 Error "$tmp/server.log")"
    kill $pid 2>/dev/null
    wait $pid 2>/dev/null
    pid=""
done
exit $fail
