#!/bin/sh
# Hostile inputs, races and signals (issue 12): runs racing for one output,
# signals and SIGKILL mid-write, outputs that are devices, FIFOs or links,
# tiny files claiming absurd shapes, tensor names that are paths, reports
# aimed at their own inputs, and manifests of many bad rows. Each case
# asserts what the user is left with: exit status, one stderr line, the
# bytes of every file, and no temporary anywhere.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
MX="$(cd "$top_builddir" && pwd)/mxbench"
DATA="$(cd "$top_srcdir/data" && pwd)"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
npy="$DATA/l0.ln1.forward.s1.npy"

# expect_error WHAT CMD...: exit 2 and exactly one "mxbench: " line on stderr
expect_error() {
    what=$1
    shift
    "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    rc=$?
    [ "$rc" = 2 ] || bad "$what: exit $rc, want 2 ($(head -c 300 "$tmp/stderr"))"
    [ "$(wc -l <"$tmp/stderr")" = 1 ] && grep -q '^mxbench: ' "$tmp/stderr" ||
        bad "$what: want one 'mxbench: ' line on stderr, got: $(head -c 300 "$tmp/stderr")"
}
# no_temps DIR WHAT: nothing named like a temporary is left in DIR
no_temps() {
    left=$(ls -A "$1" | grep '\.tmp')
    [ -z "$left" ] || { bad "$2: left $left"; (cd "$1" && rm -f $left); }
}
# wait_writing PID DIR: until process PID holds a file in DIR open (its
# output, named or not); 1 if it ended first
wait_writing() {
    i=0
    while kill -0 "$1" 2>/dev/null; do
        ls -l "/proc/$1/fd" 2>/dev/null | grep -q " $2/" && return 0
        i=$((i + 1))
        [ $i -gt 3000 ] && return 1
        sleep 0.01
    done
    return 1
}

# A slow compress to interrupt: brotli:11 on 24 MB of noise (minutes).
head -c 24000000 /dev/urandom >"$tmp/slow.bin"
SLOW="-T 1 -p brotli:11 --shape 3000x4000 $tmp/slow.bin"

# --- item 3: racing runs for one output, without -f: exactly one wins ------
# (through O_TMPFILE and link, then through a named temporary and
# renameat2(RENAME_NOREPLACE))
for tf in 1 0; do
    rm -rf "$tmp/race" && mkdir "$tmp/race"
    rm -f "$tmp"/race.err*
    i=0 pids=""
    while [ $i -lt 8 ]; do
        MXBENCH_TMPFILE=$tf "$MX" -q compress -T 1 -p brotli:11 "$npy" -o "$tmp/race/out.mxb" 2>"$tmp/race.err$i" &
        pids="$pids $!"
        i=$((i + 1))
    done
    wins=0 lost=0
    for pid in $pids; do
        if wait "$pid"; then wins=$((wins + 1)); else lost=$((lost + 1)); fi
    done
    [ $wins = 1 ] || bad "8 runs racing for one output (tmpfile=$tf): $wins succeeded, want exactly 1"
    [ "$(cat "$tmp"/race.err* | grep -c 'already exists')" = $lost ] ||
        bad "the runs that lost should say 'already exists' (tmpfile=$tf): $(cat "$tmp"/race.err*)"
    "$MX" -q decompress "$tmp/race/out.mxb" -o "$tmp/race/back.npy" && cmp -s "$npy" "$tmp/race/back.npy" ||
        bad "the winner's output does not round-trip (tmpfile=$tf)"
    no_temps "$tmp/race" "racing runs (tmpfile=$tf)"
done

# --- item 4: SIGKILL mid-write leaves nothing; -f keeps the old file whole --
for mode in new force; do
    rm -rf "$tmp/out" && mkdir "$tmp/out"
    [ $mode = force ] && cp "$npy" "$tmp/out/slow.mxb"
    "$MX" -q compress -f $SLOW -o "$tmp/out/slow.mxb" &
    pid=$!
    wait_writing $pid "$tmp/out" || bad "SIGKILL ($mode): compress never opened its output"
    kill -KILL $pid
    wait $pid 2>/dev/null
    if [ $mode = new ]; then
        [ -z "$(ls -A "$tmp/out")" ] || bad "SIGKILL mid-write left: $(ls -A "$tmp/out")"
    else
        [ "$(ls -A "$tmp/out")" = slow.mxb ] || bad "SIGKILL mid -f left: $(ls -A "$tmp/out")"
        cmp -s "$npy" "$tmp/out/slow.mxb" || bad "SIGKILL mid -f damaged the file it was replacing"
    fi
done
# where there is no O_TMPFILE (forced here), every catchable terminating
# signal removes the named temporary and the process dies of that signal
for signum in INT:2 TERM:15 HUP:1 QUIT:3 USR1:10 USR2:12 ALRM:14 VTALRM:26 PROF:27 PIPE:13; do
    sig=${signum%:*} num=${signum#*:}
    rm -rf "$tmp/out" && mkdir "$tmp/out"
    MXBENCH_TMPFILE=0 "$MX" -q compress $SLOW -o "$tmp/out/slow.mxb" &
    pid=$!
    wait_writing $pid "$tmp/out" || bad "SIG$sig: compress never opened its output"
    ls -A "$tmp/out" | grep -q '^slow.mxb.tmp' || bad "MXBENCH_TMPFILE=0 should use a named temporary"
    kill -$sig $pid
    wait $pid 2>/dev/null
    rc=$?
    [ $rc = $((128 + num)) ] || bad "SIG$sig: exit status $rc, want death by the signal"
    [ -z "$(ls -A "$tmp/out")" ] || bad "SIG$sig left: $(ls -A "$tmp/out")"
done
# past the file size limit: a one-line error, exit 1, nothing left
for tf in 0 1; do
    rm -rf "$tmp/out" && mkdir "$tmp/out"
    (ulimit -f 64 && MXBENCH_TMPFILE=$tf exec "$MX" -q compress -p raw "$npy" -o "$tmp/out/big.mxb") \
        2>"$tmp/stderr"
    rc=$?
    [ $rc = 1 ] && grep -q 'File too large' "$tmp/stderr" ||
        bad "file size limit (tmpfile=$tf): exit $rc, $(cat "$tmp/stderr")"
    [ -z "$(ls -A "$tmp/out")" ] || bad "file size limit (tmpfile=$tf) left: $(ls -A "$tmp/out")"
done
rm -f "$tmp/slow.bin"

# --- item 5: -f writes through devices and FIFOs, follows links -----------
"$MX" -q compress -p zstd:1 "$npy" -o "$tmp/x.mxb" || bad "compress for the output tests"
if mknod "$tmp/null" c 1 3 2>/dev/null; then
    survived=1
    for force in "" -f; do
        "$MX" -q decompress $force "$tmp/x.mxb" -o "$tmp/null" || bad "decompress $force to a device"
        [ -c "$tmp/null" ] || { bad "decompress $force replaced a character device by a regular file"; survived=0; }
        no_temps "$tmp" "decompress $force to a device"
    done
fi
if [ "${survived:-0}" = 1 ]; then
    # only once a device node is known to survive: the real ones
    "$MX" -q decompress -f "$tmp/x.mxb" -o /dev/null || bad "decompress -f -o /dev/null"
    [ -c /dev/null ] || bad "/dev/null is no longer a character device"
    "$MX" -q decompress -f "$tmp/x.mxb" -o /dev/stdout | cmp -s - "$npy" || bad "-f -o /dev/stdout on a pipe"
    [ -L /dev/stdout ] || bad "/dev/stdout is no longer a symbolic link"
    rm -f "$tmp/null"
else
    echo "SKIP: cannot mknod a character device here; /dev/null and /dev/stdout cases not run"
fi
mkfifo "$tmp/fifo"
for force in "" -f; do
    timeout 30 cat "$tmp/fifo" >"$tmp/from-fifo" & # bounded: the run may never open it
    cpid=$!
    "$MX" -q decompress $force "$tmp/x.mxb" -o "$tmp/fifo" || bad "decompress $force to a FIFO"
    wait $cpid
    [ -p "$tmp/fifo" ] || bad "decompress $force replaced a FIFO by a regular file"
    cmp -s "$tmp/from-fifo" "$npy" || bad "decompress $force: the FIFO's reader got other bytes"
done
rm -f "$tmp/fifo"
# a symlink is followed: its target is replaced (-f), the link stays a link
echo old >"$tmp/target.npy"
ln -s target.npy "$tmp/link.npy"
expect_error "symlink to an existing file, no -f" "$MX" decompress "$tmp/x.mxb" -o "$tmp/link.npy"
grep -q old "$tmp/target.npy" || bad "the link's target was overwritten without -f"
"$MX" -q decompress -f "$tmp/x.mxb" -o "$tmp/link.npy" || bad "decompress -f through a symlink"
[ -L "$tmp/link.npy" ] || bad "-f replaced the symlink itself"
cmp -s "$tmp/target.npy" "$npy" || bad "-f through a symlink did not write its target"
ln -s nowhere.npy "$tmp/dangling.npy"
expect_error "dangling symlink with -f" "$MX" decompress -f "$tmp/x.mxb" -o "$tmp/dangling.npy"
[ -L "$tmp/dangling.npy" ] && [ ! -e "$tmp/nowhere.npy" ] || bad "a dangling link was replaced or followed"
mkdir "$tmp/dir.npy"
expect_error "a directory as output, with -f" "$MX" decompress -f "$tmp/x.mxb" -o "$tmp/dir.npy"
no_temps "$tmp" "output kinds"
rm -rf "$tmp/dir.npy" "$tmp/link.npy" "$tmp/dangling.npy" "$tmp/target.npy"

# --- item 2: tiny files claiming absurd shapes -----------------------------
mkdir "$tmp/shape"
python3 - "$tmp/shape" <<'PY2'
import struct, sys
def npy(name, shape, data=b""):
    d = "{'descr': '<u2', 'fortran_order': False, 'shape': %s, }" % shape
    h = d + " " * ((10 + len(d) + 1 + 63) // 64 * 64 - 10 - len(d) - 1) + "\n"
    open("%s/%s" % (sys.argv[1], name), "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() + data)
npy("rows.npy", "(100000000, 0)")
npy("cols.npy", "(0, 9223372036854775808)")
npy("cols2.npy", "(0, 1048577)")
npy("e0x5.npy", "(0, 5)")
npy("e5x0.npy", "(5, 0)")
npy("e0x0.npy", "(0, 0)")
npy("e3d.npy", "(4, 0, 3)")
npy("emax.npy", "(1048576, 0)")
npy("huge1d.npy", "(9223372036854775807,)")
npy("bigint.npy", "(%s, 32)" % ("9" * 400))
# headers numpy refuses: a key twice (numpy keeps the last), a key it does not know
npy("dupkey.npy", "(2, 2), 'descr': '<f8'", bytes(8))
npy("extrakey.npy", "(2, 2), 'x': 1", bytes(8))
PY2
: >"$tmp/shape/empty.bin"
cd "$tmp/shape" || exit 99
for f in rows.npy cols.npy cols2.npy; do
    expect_error "compress $f" "$MX" compress "$f"
    grep -q 'without values' "$tmp/stderr" || bad "compress $f: $(cat "$tmp/stderr")"
    expect_error "--batch $f" "$MX" --batch -q --repeat 1 -p raw "$f"
    expect_error "compress --frame-rows 1 $f" "$MX" compress --frame-rows 1 "$f" -o x.mxb
done
for f in dupkey.npy extrakey.npy; do
    expect_error "compress $f" "$MX" compress "$f"
    grep -q 'bad npy header' "$tmp/stderr" || bad "compress $f: $(cat "$tmp/stderr")"
done
# a refused shape is named as the header writes it: not 1xn, not saturated
expect_error "compress huge1d.npy" "$MX" compress huge1d.npy
grep -q 'shape (9223372036854775807,) is too large' "$tmp/stderr" || bad "huge1d.npy: $(cat "$tmp/stderr")"
expect_error "compress bigint.npy" "$MX" compress bigint.npy
grep -q 'shape (99999999999.* is too large' "$tmp/stderr" && ! grep -q 18446744073709551615 "$tmp/stderr" ||
    bad "bigint.npy: $(cat "$tmp/stderr")"
expect_error "--shape 0x2^63 on an empty raw file" "$MX" compress --shape 0x9223372036854775808 empty.bin
expect_error "--batch --shape 0x2^63" "$MX" --batch -q --repeat 1 -p raw --shape 0x9223372036854775808 empty.bin
expect_error "--shape 2^62x4" "$MX" compress --shape 4611686018427387904x4 empty.bin
[ -z "$(ls -A | grep -v '\.npy$\|\.bin$')" ] || bad "refused shapes left: $(ls -A | grep -v '\.npy$\|\.bin$')"
# empty matrices round-trip byte for byte, through every kind of pipeline
for f in e0x5.npy e5x0.npy e0x0.npy e3d.npy emax.npy; do
    for spec in auto auto:max bfxor bfctx 'q8:rows|zstd:1' 'expsplit,delta:cols|rans' quant:sim=0.99; do
        for fr in "" "--frame-rows 1"; do
            "$MX" -q compress -f $fr -p "$spec" "$f" -o x.mxb && "$MX" -q decompress -f x.mxb -o x.npy &&
                cmp -s "$f" x.npy || bad "empty $f with $spec $fr does not round-trip"
        done
    done
    "$MX" --batch -q --repeat 1 -p raw -p 'q8:rows|zstd:1' "$f" >/dev/null || bad "--batch on empty $f"
done
for shape in 0x5 7x0; do
    "$MX" -q compress -f --shape $shape empty.bin -o x.mxb && "$MX" -q decompress -f x.mxb -o x.bin &&
        cmp -s empty.bin x.bin && "$MX" info x.mxb | grep -q "shape .*$(echo $shape | sed 's/x/ x /')" ||
        bad "empty raw --shape $shape does not round-trip"
done
cd - >/dev/null || exit 99
no_temps "$tmp/shape" "empty matrices"

# --- a stored .npy header that is not the values' header -----------------
# A .mxb keeps its source's .npy header to give the file back byte for
# byte. One that is no .npy header, or not of exactly these values (put in
# here with every checksum redone), was written out as it was after a
# verify that said OK, and numpy could not read the result: verify, info
# and decompress refuse it, and decompress leaves no file.
PY=/usr/bin/python3
if $PY -c 'import numpy' 2>/dev/null; then
    xxh3="$(cd "$top_srcdir/src/export" && pwd)/xxh3.py"
    mkdir "$tmp/hdr"
    cd "$tmp/hdr" || exit 99
    python3 - <<'PY2'
import struct
d = "{'descr': '<i2', 'fortran_order': False, 'shape': (16, 32), }"  # '<i2': a header mxbench keeps
h = d + " " * ((10 + len(d) + 1 + 63) // 64 * 64 - 10 - len(d) - 1) + "\n"
open("src.npy", "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() +
                            bytes(range(256)) * 4)
PY2
    "$MX" -q compress -p bfdelta src.npy -o base.mxb || bad "compress the stored-header base"
    # a .safetensors tensor that is not 2-D keeps its shape the same way:
    # it came back as a (6, 16) or (1, 40) .npy, the shape lost
    $PY - <<'PY2' || bad "writing tensors"
import json, struct
import numpy as np
rng = np.random.default_rng(7)
for name, shape in (("t3", [2, 3, 16]), ("t1", [40])):
    v = rng.integers(0, 65536, int(np.prod(shape)), dtype=np.uint16).astype("<u2")
    h = json.dumps({"x": {"dtype": "BF16", "shape": shape, "data_offsets": [0, v.nbytes]}}).encode()
    open(name + ".safetensors", "wb").write(struct.pack("<Q", len(h)) + h + v.tobytes())
PY2
    for t in t3 t1; do
        "$MX" -q compress -p bfdelta $t.safetensors -o $t.mxb && "$MX" -q decompress $t.mxb -o $t.npy ||
            bad "round trip of $t.safetensors"
        "$MX" info $t.mxb | grep -q '^  origin  *\.safetensors tensor$' || bad "info $t.mxb: $("$MX" info $t.mxb)"
    done
    # info names the shape it comes back as, then the one coded
    "$MX" info t3.mxb | grep -qx '  shape      (2, 3, 16), coded as 6 x 16 bf16' || bad "info t3.mxb: $("$MX" info t3.mxb)"
    "$MX" info t1.mxb | grep -qx '  shape      (40,), coded as 1 x 40 bf16' || bad "info t1.mxb: $("$MX" info t1.mxb)"
    $PY - <<'PY2' || bad "a tensor's .npy has other values or another shape"
import struct
import numpy as np
for name, shape in (("t3", (2, 3, 16)), ("t1", (40,))):
    raw = open(name + ".safetensors", "rb").read()
    a = np.load(name + ".npy")
    assert a.shape == shape and a.dtype == np.uint16, (name, a.shape, a.dtype)
    assert a.tobytes() == raw[8 + struct.unpack("<Q", raw[:8])[0]:], name
PY2
    $PY - "$xxh3" <<'PY2' || bad "rebuilding containers"
import base64, struct, sys
import numpy as np
ns = {"np": np, "base64": base64}
exec(open(sys.argv[1]).read(), ns)  # check(b, n): the container's H64 (n = 4: H32)
check = ns["check"]

def var(v):
    out = b""
    while v > 127:
        out, v = out + bytes([v & 127 | 128]), v >> 7
    return out + bytes([v])

def get_var(b, o):
    v = s = 0
    while True:
        v, s, o = v | (b[o] & 127) << s, s + 7, o + 1
        if b[o - 1] < 128:
            return v, o

def with_header(buf, blob, origin=None):  # one frame: the same, with blob as its origin header
    o = 8
    for _ in range(2):  # rows, cols
        o = get_var(buf, o)[1]
    n, o = get_var(buf, o + 8)  # after the value hash: the spec
    at = o + n
    n, o = get_var(buf, at)
    q = o + n  # the levels: per level its streams' u8 bits, u8 parts, rows, cols
    levels, q = buf[q], q + 1
    for _ in range(levels):
        streams, q = buf[q], q + 1
        for _ in range(streams):
            q = get_var(buf, get_var(buf, q + 2)[1])[1]
    for _ in range(streams):  # the last level's coded sizes and their H32s
        q = get_var(buf, q)[1] + 4
    h = buf[:at] + var(len(blob)) + blob + buf[o + n:q]
    if origin is not None:
        h = h[:6] + bytes([origin]) + h[7:]
    h += check(h, 4)
    f = h + buf[q + 4:-8]
    return f + check(f)

base = open("base.mxb", "rb").read()
d = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }"
def npy(d):  # a version 1 header, padded as numpy pads it
    h = d + " " * ((10 + len(d) + 1 + 63) // 64 * 64 - 10 - len(d) - 1) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode()
open("same.mxb", "wb").write(with_header(base, npy(d % ("<i2", "(16, 32)"))))
open("rogue.mxb", "wb").write(with_header(
    base, b"\x93NUMPY\x01\x00\x40\x00{'descr': '<f8', 'fortran_order': True, 'shape': (99999999999, -3), }"))
open("noise.mxb", "wb").write(with_header(base, bytes(range(7, 77))))
open("shape.mxb", "wb").write(with_header(base, npy(d % ("<u2", "(32, 16)"))))
open("f8.mxb", "wb").write(with_header(base, npy(d % ("<f8", "(16, 32)"))))
open("raw.mxb", "wb").write(with_header(base, npy(d % ("<u2", "(16, 32)")), origin=0))
# a tensor's header: only the one compress writes for its 6x16 values
t3 = open("t3.mxb", "rb").read()
open("t3same.mxb", "wb").write(with_header(t3, npy(d % ("<u2", "(2, 3, 16)"))))
open("st_shape.mxb", "wb").write(with_header(t3, npy(d % ("<u2", "(2, 3, 17)"))))
open("st_flat.mxb", "wb").write(with_header(t3, npy(d % ("<u2", "(96,)"))))
open("st_2d.mxb", "wb").write(with_header(t3, npy(d % ("<u2", "(6, 16)"))))
open("st_i2.mxb", "wb").write(with_header(t3, npy(d % ("<i2", "(2, 3, 16)"))))
open("st_rogue.mxb", "wb").write(with_header(
    t3, b"\x93NUMPY\x01\x00\x40\x00{'descr': '<f8', 'fortran_order': True, 'shape': (99999999999, -3), }"))
PY2
    cmp -s t3.mxb t3same.mxb || bad "rebuilt with its own header, a tensor's container should be the same bytes"
    cmp -s base.mxb same.mxb || bad "rebuilt with its own header, a container should be the same bytes"
    "$MX" -q verify same.mxb >/dev/null && "$MX" -q decompress same.mxb -o same.npy && cmp -s src.npy same.npy ||
        bad "a container rebuilt with its own header should still decode"
    for f in rogue noise shape f8 raw st_shape st_flat st_2d st_i2 st_rogue; do
        for cmd in verify info; do
            expect_error "$cmd $f.mxb" "$MX" $cmd $f.mxb
            grep -q 'corrupt container' "$tmp/stderr" || bad "$cmd $f.mxb: $(cat "$tmp/stderr")"
        done
        expect_error "decompress $f.mxb" "$MX" decompress $f.mxb -o $f.npy
        [ ! -e $f.npy ] || bad "decompress $f.mxb left $f.npy"
    done
    no_temps "$tmp/hdr" "stored headers"
    cd - >/dev/null || exit 99
else
    echo "SKIP: $PY with numpy missing (run tests/install-deps): stored-header cases not run"
fi

# --- item 6: a tensor name never steers the output path --------------------
mkdir -p "$tmp/st/a/b"
python3 - "$tmp/st/a/b" <<'PY2'
import json, struct, sys
def st(path, names):
    hdr, off = {}, 0
    for n in names:
        hdr[n] = {"dtype": "BF16", "shape": [2, 2], "data_offsets": [off, off + 8]}
        off += 8
    j = json.dumps(hdr).encode()
    open(path, "wb").write(struct.pack("<Q", len(j)) + j + bytes(range(off)))
st(sys.argv[1] + "/.safetensors", ["/../../x"])
st(sys.argv[1] + "/w.safetensors", ["../up", ".hidden", "a:b/c", "ok_name-1.2"])
PY2
cd "$tmp/st/a/b" || exit 99
"$MX" -q compress .safetensors || bad "compress a tensor named /../../x"
for t in ../up .hidden a:b/c ok_name-1.2; do
    "$MX" -q compress --tensor "$t" w.safetensors || bad "compress tensor '$t'"
done
cd - >/dev/null || exit 99
[ -z "$(ls -A "$tmp/st" | grep -v '^a$')" ] && [ -z "$(ls -A "$tmp/st/a" | grep -v '^b$')" ] &&
    [ ! -e "$tmp/x.npy.mxb" ] || bad "a tensor name wrote outside the input's directory"
made=$(cd "$tmp/st/a/b" && ls -A | grep '\.mxb$' | LC_ALL=C sort | tr '\n' ' ')
[ "$made" = "_.__.__x.npy.mxb w._._up.npy.mxb w._hidden.npy.mxb w.a_b_c.npy.mxb w.ok_name-1.2.npy.mxb " ] ||
    bad "outputs named from tensor names: '$made'"
for f in "$tmp"/st/a/b/*.mxb; do
    "$MX" verify "$f" >/dev/null || bad "$f does not verify"
done

# --- item 7: reports are never written over their inputs, -f or not -------
mkdir "$tmp/rep"
cp "$npy" "$tmp/rep/s.npy"
head -c 1000 "$npy" >"$tmp/rep/cut.npy" # listed, but skipped as truncated
printf 'file\ns.npy\ncut.npy\n' >"$tmp/rep/m.csv"
(cd "$tmp/rep" && md5sum m.csv s.npy cut.npy >"$tmp/rep.md5")
B="--batch -q --repeat 1 -p raw"
expect_error "--csv over the manifest" "$MX" $B -m "$tmp/rep/m.csv" --csv "$tmp/rep/m.csv" -f
expect_error "--json over the manifest" "$MX" $B -m "$tmp/rep/m.csv" --json "$tmp/rep/m.csv" -f
expect_error "--csv over a sample" "$MX" $B -m "$tmp/rep/m.csv" --csv "$tmp/rep/s.npy" -f
expect_error "--json over a skipped sample" "$MX" $B -m "$tmp/rep/m.csv" --json "$tmp/rep/cut.npy" -f
expect_error "--csv over an input file" "$MX" $B "$tmp/rep/s.npy" --csv "$tmp/rep/s.npy" -f
expect_error "--csv and --json the same" "$MX" $B -m "$tmp/rep/m.csv" --csv "$tmp/rep/o" --json "$tmp/rep/o"
expect_error "sweep --plot over the manifest" "$MX" sweep -q --repeat 1 -m "$tmp/rep/m.csv" -p 'trunc:{}|zstd:1' \
    --param 1:2:2 --plot "$tmp/rep/m.csv" -f
(cd "$tmp/rep" && md5sum -c --quiet "$tmp/rep.md5") || bad "a report overwrote an input"
[ ! -e "$tmp/rep/o" ] || bad "a refused report was written"
"$MX" $B -m "$tmp/rep/m.csv" --csv "$tmp/rep/o.csv" >/dev/null 2>&1
[ -s "$tmp/rep/o.csv" ] || bad "--csv to a new file beside the inputs"

# --- item 11: manifests of many rows, -q, a byte order mark ----------------
mkdir "$tmp/man"
python3 - "$tmp/man" "$DATA/edge/one_1x1.npy" <<'PY2'
import sys
d, one = sys.argv[1], sys.argv[2]
for rows in (2000, 40000):
    with open("%s/good%d.csv" % (d, rows), "w") as f:
        f.write("file\n" + (one + "\n") * rows)
    with open("%s/missing%d.csv" % (d, rows), "w") as f:
        f.write("file,rows,cols,kind,source\n" + "".join("gone/f%07d.npy,,,,\n" % i for i in range(rows)))
PY2
"$MX" --batch -q --repeat 1 -p raw -m "$tmp/man/missing2000.csv" >/dev/null 2>"$tmp/stderr"
[ "$(wc -l <"$tmp/stderr")" = 1 ] || bad "-q over 2000 missing files printed $(wc -l <"$tmp/stderr") lines"
"$MX" --batch --repeat 1 -p raw -m "$tmp/man/missing2000.csv" >/dev/null 2>"$tmp/stderr"
[ "$(grep -c '^mxbench: skipped .*gone/f' "$tmp/stderr")" = 20 ] && grep -q '^mxbench: skipped 1980 more$' "$tmp/stderr" ||
    bad "2000 missing files should name 20 and count the rest: $(head -c 300 "$tmp/stderr")"
# memory per row: the slope between 2,000 and 40,000 rows, loaded or skipped
# (it was ~5 KB a row: sample and skip records held 4 KB paths)
python3 - "$MX" "$tmp/man" <<'PY2' || bad "memory per manifest row"
import os, subprocess, sys, time
mx, d = sys.argv[1], sys.argv[2]
env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=16")
def peak(name): # KB, of this one run (which must take under 2 minutes)
    p = subprocess.Popen([mx, "--batch", "-q", "--repeat", "1", "-p", "raw", "--sample", "1", "-m",
                          "%s/%s" % (d, name)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while True:
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            return usage.ru_maxrss
        if time.time() > deadline:
            p.kill()
            os.wait4(p.pid, 0)
            raise AssertionError(name + ": still loading after 120 s")
        time.sleep(0.02)
for kind in ("missing", "good"):
    lo, hi = peak(kind + "2000.csv"), peak(kind + "40000.csv")
    per_row = (hi - lo) * 1024 / 38000
    print("%s rows: %.0f bytes a row (peak %d KB for 40000 rows)" % (kind, per_row, hi))
    assert per_row < 2048, "%s rows take %.0f bytes each" % (kind, per_row)
PY2
# a UTF-8 byte order mark before the header, as spreadsheets write it
printf '\357\273\277file,kind\n%s,forward\n' "$npy" >"$tmp/man/bom.csv"
"$MX" --batch -q --repeat 1 -p raw -m "$tmp/man/bom.csv" >"$tmp/stdout" 2>"$tmp/stderr" &&
    grep -q 'l0.ln1.forward.s1.npy' "$tmp/stdout" || bad "a manifest with a BOM: $(cat "$tmp/stderr")"
printf '\357\273\277%s\n' "$npy" >"$tmp/man/bomlist.csv"
"$MX" --batch -q --repeat 1 -p raw -m "$tmp/man/bomlist.csv" >/dev/null 2>"$tmp/stderr" ||
    bad "a headerless list with a BOM: $(cat "$tmp/stderr")"

exit $fail
