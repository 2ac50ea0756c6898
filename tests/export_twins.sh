#!/bin/sh
# mxbench export, byte for byte: each exported solution writes the very
# bytes mxbench compress writes and each reads the other's files
# (export_check.py, also under numpy 2's promotion rules), on the bundled
# samples, the edge matrices and small synthetic ones; its file tasks and
# baseline.py's own _validate agree. Needs what export.sh needs (and torch
# for baseline.py's check); skipped without.
. "${top_srcdir:-.}/tests/twin_skip.sh"
. "${top_srcdir:-.}/tests/export_env.sh"

# byte for byte, both ways; the file tasks; baseline.py's _validate
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
# export_check.py makes its file tasks' other layouts (Fortran order, <i2,
# <f4, 3-D) of the first file: a small one, as those test the .npy reading
# and the numpy coders' time goes to the large ones
FIRST="$EDGE/odd_13x37.npy"
# the default and the best stock pipeline on every sample
for spec in 'expsplit|zstd:3' auto; do
    "$MX" -q export -p "$spec" -o "$tmp/sol.py" -f || { bad "export $spec"; continue; }
    # shellcheck disable=SC2086
    $PY "$T/export_check.py" "$tmp/sol.py" "$MX" "$spec" "$FIRST" "$DATA"/*.npy "$EDGE"/*.npy $SYN ||
        bad "export_check $spec"
done
for spec in 'bytesplit,delta:cols|brotli:5' 'zeromask,expsplit|raw' bfdelta 'shuffle|lz4hc:4' \
    'xor:rows,bytesplit|lz4hc:9' 'bitshuffle|brotli:1' 'transpose|raw' 'trunc:3|lz4hc:2' \
    'q8:rows|zstd:3' 'q4:cols,xor:cols|raw' 'delta:rows|zstd:19' 'shuffle|lz4' 'q8:cols|zstd:-3'; do
    "$MX" -q export -p "$spec" -o "$tmp/sol.py" -f || { bad "export $spec"; continue; }
    # shellcheck disable=SC2086
    $PY "$T/export_check.py" "$tmp/sol.py" "$MX" "$spec" "$FIRST" $SOME "$EDGE"/*.npy $SYN || bad "export_check $spec"
done
# auto:max, where bflr wins (a sample it predicts at rank 64) and where not
"$MX" -q compress -p auto:max -o "$tmp/lr.mxb" "$DATA/l3.mlp_act.backward.s1.npy" &&
    "$MX" info "$tmp/lr.mxb" | grep -q 'pipeline *bflr' || bad "auto:max does not choose bflr on l3.mlp_act.backward"
rm -f "$tmp/lr.mxb"
"$MX" -q export -p auto:max -o "$tmp/sol.py" -f || bad "export auto:max"
# shellcheck disable=SC2086
$PY "$T/export_check.py" "$tmp/sol.py" "$MX" auto:max "$FIRST" "$DATA/l3.mlp_act.backward.s1.npy" "$EDGE"/*.npy $SYN ||
    bad "export_check auto:max"
NPY_PROMOTION_STATE=weak_and_warn $PY -W error::UserWarning -W error::DeprecationWarning "$T/export_check.py" "$tmp/sol.py" \
    "$MX" auto:max "$FIRST" "$DATA/l1.attn.backward.s1.npy" || bad "numpy 2 promotion rules: auto:max"
# quantlr (packed) on samples it predicts at ranks 16 and 64, and the edges
"$MX" -q export -p 'quantlr:sim=0.99' -o "$tmp/sol.py" -f || bad "export quantlr"
# shellcheck disable=SC2086
$PY "$T/export_check.py" "$tmp/sol.py" "$MX" 'quantlr:sim=0.99' "$FIRST" "$DATA/l0.ln1.backward.s1.npy" \
    "$DATA/l3.mlp_act.backward.s1.npy" "$EDGE"/*.npy $SYN || bad "export_check quantlr:sim=0.99"
NPY_PROMOTION_STATE=weak_and_warn $PY -W error::UserWarning -W error::DeprecationWarning "$T/export_check.py" "$tmp/sol.py" \
    "$MX" 'quantlr:sim=0.99' "$FIRST" "$DATA/l1.attn.backward.s1.npy" || bad "numpy 2 promotion rules: quantlr:sim=0.99"
# numpy 2 changed integer promotion (NEP 50): numpy 1.24 can warn wherever
# a result would differ (a UserWarning; removed aliases warn as deprecated):
# both are errors here
"$MX" -q export -p 'zeromask,bitshuffle|zstd:1' -o "$tmp/sol.py" -f
NPY_PROMOTION_STATE=weak_and_warn $PY -W error::UserWarning -W error::DeprecationWarning "$T/export_check.py" "$tmp/sol.py" "$MX" 'zeromask,bitshuffle|zstd:1' \
    "$FIRST" "$DATA/l0.ln1.forward.s1.npy" "$EDGE"/*.npy || bad "numpy 2 promotion rules"
for spec in 'q8:cols,shuffle,transpose|lz4hc:3' 'trunc:2,expsplit,delta:cols|raw' 'q4:rows,bytesplit|raw' \
    'quant:sim=0.99' auto; do
    "$MX" -q export -p "$spec" -o "$tmp/sol.py" -f
    NPY_PROMOTION_STATE=weak_and_warn $PY -W error::UserWarning -W error::DeprecationWarning "$T/export_check.py" "$tmp/sol.py" "$MX" "$spec" \
        "$FIRST" "$DATA/logits.backward.s1.npy" "$EDGE"/*.npy || bad "numpy 2 promotion rules: $spec"
done

exit $fail
