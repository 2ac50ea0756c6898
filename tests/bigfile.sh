#!/bin/sh
# bigfile.sh MXBENCH GEN_BIG SRC.npy [MIB] - the big-matrix case of issue #6:
# generates a MIB-MiB bf16 .npy (default 1024) in a temporary directory,
# compresses and decompresses it with the default pipeline, checks the
# round trip byte for byte, and reports each step's peak memory as measured
# by /usr/bin/time -v, against the bound of 2x the input plus 256 MiB.
# Part of `make bench`, not `make check`: it takes a minute and 2 GiB disk.
set -eu
B=$1 G=$2 SRC=$3 MIB=${4:-1024}
[ -x /usr/bin/time ] || { echo "bigfile: /usr/bin/time is missing (apt install time)" >&2; exit 2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/mxbig.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
"$G" "$SRC" "$T/big.npy" "$MIB"
in=$(stat -c %s "$T/big.npy")
limit=$(( (2 * in + 256 * 1048576) / 1024 ))
fail=0
run() { # step, command...: prints the step's seconds and peak RSS
    step=$1; shift
    /usr/bin/time -v -o "$T/time" "$@"
    kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/time")
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$T/time")
    verdict=ok
    [ "$kb" -le "$limit" ] || { verdict="OVER the bound"; fail=1; }
    awk -v s="$step" -v w="$wall" -v kb="$kb" -v isz="$in" -v v="$verdict" 'BEGIN {
        printf "  %-11s %8s  peak %6d MiB = %.2fx input  (%s)\n", s, w, kb / 1024, kb * 1024 / isz, v }'
}
echo "big file: $((in / 1048576)) MiB .npy; bound 2x input + 256 MiB = $((limit / 1024)) MiB"
run compress "$B" compress -q "$T/big.npy" -o "$T/big.npy.mxb"
run decompress "$B" decompress -q "$T/big.npy.mxb" -o "$T/back.npy"
run verify sh -c '"$0" verify "$1" >/dev/null' "$B" "$T/big.npy.mxb"
cmp "$T/big.npy" "$T/back.npy" || { echo "  round trip differs" >&2; fail=1; }
out=$(stat -c %s "$T/big.npy.mxb")
awk -v a="$in" -v b="$out" -v ok="$([ $fail = 0 ] && echo yes || echo see above)" \
    'BEGIN { printf "  ratio %.4f; round trip byte-identical: %s\n", a / b, ok }'
exit $fail
