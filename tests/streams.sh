#!/bin/sh
# Streams and files as zstd does them (issue 16): '-' for stdin/stdout,
# -c, -d, -k, -q/-v, several inputs, -T0, no binary to a terminal, outputs
# refused before the work, and options a command does not take refused.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
MX="$(cd "$top_builddir" && pwd)/mxbench"
DATA="$(cd "$top_srcdir" && pwd)/data"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 99
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# expect WANT WHAT CMD...: the exit status is WANT, stderr one line
expect() {
    want=$1 what=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" = "$want" ] || bad "$what: exit $rc, want $want ($(cat "$tmp/err"))"
    if [ "$want" = 2 ]; then
        [ "$(wc -l <"$tmp/err")" = 1 ] || bad "$what: want one stderr line: $(cat "$tmp/err")"
    fi
}

cp "$DATA/l0.ln1.forward.s1.npy" a.npy
cp "$DATA/l1.resid.forward.s1.npy" b.npy
"$MX" -q compress a.npy -o a.ref.mxb || bad "reference compress"
"$MX" -q compress b.npy -o b.ref.mxb || bad "reference compress b"
tail -c +129 a.npy >a.bin # the values of a 512x256 .npy without its header
"$MX" -q compress --shape 512x256 a.bin -o a.bin.ref.mxb || bad "reference raw compress"

# --- stdin and stdout, both ways ------------------------------------------
cat a.npy | "$MX" -q compress - -o - >p.mxb || bad "compress - -o -"
cmp -s p.mxb a.ref.mxb || bad "compress - -o - differs from compress FILE"
cat p.mxb | "$MX" -q decompress - -o - >p.npy || bad "decompress - -o -"
cmp -s p.npy a.npy || bad "npy through two pipes differs"
"$MX" -q decompress a.ref.mxb -o - >d.npy || bad "decompress -o -"
cmp -s d.npy a.npy || bad "decompress -o - differs"
[ -e ./- ] && bad "decompress -o - wrote a file named -"
# stdin alone defaults to stdout, as zstd
cat a.npy | "$MX" -q compress - >s.mxb && cmp -s s.mxb a.ref.mxb || bad "compress - (to stdout)"
# raw values from stdin: with --shape, and with the width inferred as for a file
cat a.bin | "$MX" -q compress --shape 512x256 - >r.mxb || bad "raw compress from stdin"
cmp -s r.mxb a.bin.ref.mxb || bad "raw from stdin differs from the file"
"$MX" -q decompress -c r.mxb | cmp -s - a.bin || bad "raw back to stdout"
cp a.bin noshape.bin
"$MX" -q compress noshape.bin -o noshape.ref.mxb || bad "raw file without --shape"
cat a.bin | "$MX" -q compress - >ri.mxb || bad "raw stdin without --shape"
cmp -s ri.mxb noshape.ref.mxb || bad "raw stdin infers differently from the file"
"$MX" info ri.mxb | grep -q 'shape      512 x 256' || bad "raw stdin: width not inferred"
# info and verify read stdin too
"$MX" verify - <a.ref.mxb | grep -q '^stdin: OK' || bad "verify -"
# a bounded stdin: more than the bound is refused, nothing written
MXBENCH_STDIN_MAX=1000 expect 2 "stdin past its bound" "$MX" compress - -o big.mxb <a.npy
grep -q 'more than 1000 bytes' err || bad "stdin bound: $(cat err)"
[ -e big.mxb ] && bad "stdin past its bound left big.mxb"
expect 2 "stdin named twice" "$MX" compress - - <a.npy

# --- -c, -d, -k ------------------------------------------------------------
"$MX" -q compress -c a.npy >c.mxb && cmp -s c.mxb a.ref.mxb || bad "compress -c"
"$MX" -q compress --stdout a.npy | cmp -s - a.ref.mxb || bad "compress --stdout"
"$MX" -q -d -c a.ref.mxb | cmp -s - a.npy || bad "-d -c"
cp a.ref.mxb k.npy.mxb
"$MX" -q -d -k k.npy.mxb && cmp -s k.npy a.npy && [ -f k.npy.mxb ] || bad "-d -k keeps the input"
expect 2 "-d with compress" "$MX" -d compress a.npy
expect 2 "-c with -o FILE" "$MX" compress -c -o x.mxb a.npy

# --- several inputs --------------------------------------------------------
mkdir m && cp a.npy b.npy m/
"$MX" -q compress m/a.npy m/b.npy || bad "compress two inputs"
cmp -s m/a.npy.mxb a.ref.mxb && cmp -s m/b.npy.mxb b.ref.mxb || bad "two inputs: outputs differ"
rm m/a.npy m/b.npy
"$MX" -q decompress m/a.npy.mxb m/b.npy.mxb || bad "decompress two inputs"
cmp -s m/a.npy a.npy && cmp -s m/b.npy b.npy || bad "two inputs: restored files differ"
expect 2 "-o with several inputs" "$MX" compress a.npy b.npy -o one.mxb
[ -e one.mxb ] && bad "-o with several inputs wrote one.mxb"
# containers one after another would be one stream decompress cannot split
expect 2 "compress -c with several inputs" "$MX" compress -c a.npy b.npy
"$MX" -q -d -c a.ref.mxb b.ref.mxb >ab.out || bad "-d -c with several inputs"
cat a.npy b.npy | cmp -s - ab.out || bad "-d -c with several inputs: not one after another"
# an unknown letter inside a bundle is named, not the word before it
msg=$("$MX" compress -19 a.npy 2>&1); [ $? = 2 ] && [ "$msg" = "mxbench: unknown option '-1' (see mxbench --help)" ] ||
    bad "-19: '$msg'"
# what goes to stdout is the work: a failed write is exit 1
if [ -w /dev/full ]; then
    "$MX" info a.ref.mxb >/dev/full 2>/dev/null; rc=$?
    [ $rc = 1 ] || bad "info to a full disk: exit $rc"
fi
# one output that exists: refused before any input is done
rm m/a.npy.mxb
echo precious >m/b.npy.mxb
expect 2 "several inputs, the second output exists" "$MX" compress m/a.npy m/b.npy
[ -e m/a.npy.mxb ] && bad "the first input was compressed before the second output was refused"
grep -q precious m/b.npy.mxb || bad "existing output modified"
# one file named twice: both would land on one output, refused before any work
expect 2 "one input named twice" "$MX" compress m/a.npy ./m/a.npy
grep -q "both m/a.npy and ./m/a.npy would be written there" err || bad "one input named twice: $(cat err)"
[ -e m/a.npy.mxb ] && bad "one input named twice: the first was compressed"
cp a.ref.mxb m/a.npy.mxb
mv m/a.npy m/a.keep
expect 2 "decompress one input named twice" "$MX" decompress m/a.npy.mxb m/../m/a.npy.mxb
[ -e m/a.npy ] && bad "decompress one input named twice: the first was restored"
mv m/a.keep m/a.npy
rm m/a.npy.mxb
# -q: nothing on stderr; -v: more than the default
"$MX" -q compress -f a.npy -o q.mxb 2>err && [ ! -s err ] || bad "-q printed: $(cat err)"
"$MX" compress -f a.npy -o q.mxb 2>err1 && "$MX" -v compress -f a.npy -o q.mxb 2>err2 || bad "-v run"
[ "$(wc -l <err2)" -gt "$(wc -l <err1)" ] || bad "-v says no more than the default"
grep -q 'thread' err2 || bad "-v does not say the threads: $(cat err2)"

# --- -T0 is all cores, and the same bytes ---------------------------------
"$MX" -q compress -T0 -p bfxor a.npy -o t0.mxb || bad "-T0"
"$MX" -q compress -T 1 -p bfxor a.npy -o t1.mxb || bad "-T 1"
cmp -s t0.mxb t1.mxb || bad "-T0 and -T 1 give different bytes"
"$MX" -v compress -T0 -f a.npy -o t0.mxb 2>err || bad "-v -T0"
grep -q "on $(nproc) thread" err || bad "-T0 is not every core ($(nproc)): $(cat err)"
expect 2 "-T 257" "$MX" compress -T 257 a.npy -o x.mxb

# --- reports on stdout -----------------------------------------------------
"$MX" --batch -q --repeat 1 -p raw a.npy --csv - >rep.csv 2>rep.err || bad "--csv -"
head -1 rep.csv | grep -q '^"sample"' || bad "--csv - does not start with the header"
[ "$(wc -l <rep.csv)" = 3 ] || bad "--csv -: $(wc -l <rep.csv) lines, want 3 (header, baseline, raw)"
python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); assert len(r)==2' rep.csv ||
    bad "--csv - does not parse as CSV alone"
"$MX" --batch -q --repeat 1 -p raw a.npy --json - | python3 -c 'import json,sys; assert len(json.load(sys.stdin))==2' ||
    bad "--json - does not parse as JSON"
"$MX" --batch --repeat 1 -p raw a.npy --json - 2>rep.err >/dev/null && grep -q '^means over' rep.err ||
    bad "--json -: the table does not go to stderr"
expect 2 "--csv - and --json -" "$MX" --batch -q --repeat 1 -p raw a.npy --csv - --json -
"$MX" -q export -p raw -o - | grep -q '^SPEC = "raw"$' || bad "export -o -"

# --- no binary to a terminal ------------------------------------------------
if command -v script >/dev/null 2>&1; then
    script -qec "'$MX' compress a.npy -o -" /dev/null >tty.out 2>&1
    rc=$?
    [ "$rc" = 2 ] || bad "compress to a terminal: exit $rc, want 2"
    grep -q 'refusing to write compressed data to a terminal' tty.out || bad "no tty message: $(cat tty.out)"
    script -qec "'$MX' -d -c a.ref.mxb" /dev/null >tty.out 2>&1
    [ $? = 2 ] && grep -q 'refusing to write decompressed data' tty.out || bad "decompress to a terminal"
    # a file that names the terminal is one too; /dev/null is not
    script -qec "'$MX' compress a.npy -o /dev/stdout" /dev/null >tty.out 2>&1
    [ $? = 2 ] && grep -q 'refusing to write compressed data' tty.out || bad "-o /dev/stdout on a terminal: $(cat tty.out)"
    script -qec "'$MX' -d a.ref.mxb -o /dev/tty" /dev/null >tty.out 2>&1
    [ $? = 2 ] && grep -q 'refusing to write decompressed data' tty.out || bad "-o /dev/tty: $(cat tty.out)"
    script -qec "'$MX' -q -d -f a.ref.mxb -o /dev/null" /dev/null >tty.out 2>&1 || bad "-o /dev/null on a terminal: $(cat tty.out)"
    script -qec "'$MX' -q compress -f -c a.npy | wc -c" /dev/null >tty.out 2>&1 || bad "-f to a terminal"
    script -qec "'$MX' -q compress -f -c a.npy" /dev/null >tty.out 2>&1 || bad "-f -c to a terminal"
    [ "$(wc -c <tty.out)" -gt 100000 ] || bad "-f -c wrote $(wc -c <tty.out) bytes to the terminal"
    script -qec "'$MX' compress - -o never.mxb" /dev/null </dev/null >tty.out 2>&1
    [ $? = 2 ] && grep -q 'refusing to read data from a terminal' tty.out || bad "stdin from a terminal"
else
    echo "note: no script(1); terminal tests skipped"
fi

# --- outputs refused before the work ---------------------------------------
# a batch of every built-in pipeline over 40 copies of the bundled data
# takes minutes; an existing --csv must stop it at once, file unchanged
i=0; echo file >big.csv
while [ $i -lt 40 ]; do for f in "$DATA"/*.npy; do echo "$f" >>big.csv; done; i=$((i + 1)); done
echo precious >old.csv
start=$(date +%s)
expect 2 "existing --csv" "$MX" --batch -m big.csv --csv old.csv
[ $(($(date +%s) - start)) -le 2 ] || bad "existing --csv refused only after $(($(date +%s) - start)) s"
grep -q 'old.csv: already exists' err || bad "existing --csv: $(cat err)"
[ "$(cat old.csv)" = precious ] || bad "existing --csv modified"
start=$(date +%s)
expect 2 "existing --json" "$MX" eval nosuch.py -m big.csv --json old.csv
grep -q 'old.csv: already exists' err || bad "existing --json: $(cat err)"
expect 2 "existing --plot" "$MX" sweep -m big.csv -p 'trunc:{}|zstd:1' --param 1:7:7 --plot old.csv
grep -q 'old.csv: already exists' err || bad "existing --plot: $(cat err)"
[ $(($(date +%s) - start)) -le 2 ] || bad "--json/--plot refused only after the work"
[ "$(cat old.csv)" = precious ] || bad "existing --json/--plot output modified"
expect 2 "existing export output" "$MX" export -o old.csv
[ "$(cat old.csv)" = precious ] || bad "export modified an existing file"
"$MX" --batch -q --repeat 1 -p raw a.npy --csv old.csv -f >/dev/null && head -1 old.csv | grep -q sample ||
    bad "-f does not let --csv replace the file"

# --- options a command does not take ---------------------------------------
expect 2 "--csv on compress" "$MX" compress --csv x.csv a.npy
grep -q -- '--csv does not apply to compress' err || bad "message: $(cat err)"
expect 2 "--port on decompress" "$MX" decompress --port 8 a.ref.mxb
expect 2 "-o on --batch" "$MX" --batch -o x a.npy
expect 2 "--plot on eval" "$MX" eval x.py --plot p.svg
expect 2 "-p on info" "$MX" info -p raw a.ref.mxb
expect 2 "unknown option on a command" "$MX" compress --frobnicate a.npy
expect 2 "two -p on compress" "$MX" compress -p raw -p zstd a.npy
[ -e x.csv ] || [ -e x ] || [ -e p.svg ] && bad "a refused command left an output"
# each command's help lists what it takes, and only that
"$MX" compress --help >h.txt || bad "compress --help"
grep -q -- '--shape' h.txt && ! grep -q -- '--csv' h.txt || bad "compress --help lists the wrong options"
for c in batch compress decompress info verify export sweep serve eval ui; do
    "$MX" "$c" --help | grep -q "^Usage: mxbench .*$c\|^Usage: mxbench \[ui\]\|^Usage: mxbench --batch" ||
        bad "$c --help has no usage line"
done

echo "streams.sh: done"
exit $fail
