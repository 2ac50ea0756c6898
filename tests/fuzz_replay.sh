#!/bin/sh
# Replays every seed and every crash ever found by `make fuzz` through each
# fuzz target (built here with the test build's sanitizers).
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
fail=0
for t in container npy safetensors manifest spec entropy http file; do
    # without serve (./configure --without-serve) the handler is a stub
    [ "$t" = http ] && [ "${MX_WITH_SERVE:-yes}" = no ] && { echo "skip: replay http (built without serve)"; continue; }
    "$top_builddir/tests/fuzz/replay_$t" "$top_srcdir/tests/fuzz/corpus/$t" || { echo "FAIL: replay $t"; fail=1; }
done
exit $fail
