#!/bin/sh
# Rebuilds the seed inputs of tests/fuzz/corpus/ (crash regressions found by
# `make fuzz` are added there by hand and never removed). Usage, from the
# project root after a build: tests/fuzz/make-seeds.sh build/mxbench
set -eu
MX=$1
C=tests/fuzz/corpus
mkdir -p $C/container $C/npy $C/safetensors $C/manifest $C/spec $C/entropy $C/http
i=0
for f in data/edge/odd_13x37.npy data/edge/specials_8x8.npy data/edge/sparse_31x64.npy data/edge/one_1x1.npy; do
    for spec in bfctx bfxor 'expsplit|rans' 'zeromask,bytesplit,delta:cols|zstd:1' 'q4:cols,shuffle|lz4' \
        'bitshuffle,transpose|brotli:1' 'trunc:2,xor:rows|lz4hc:2'; do
        i=$((i + 1))
        "$MX" -q compress -f -p "$spec" "$f" -o "$C/container/seed$i.mxb"
    done
done
# rows wide enough for bfxor's vector decoder; older formats (bfxor's first
# frame layout, container v1) so that their readers are fuzzed too
"$MX" -q compress -f -p bfxor tests/compat/attn_24x256.npy -o "$C/container/bfxor-wide.mxb"
cp tests/compat/*.mxb "$C/container/"
# npy64 OUT: the 8192 bytes of 64x64 uint16 values on stdin as a .npy
npy64() {
    python3 -c '
import struct, sys
v = sys.stdin.buffer.read()
assert len(v) == 8192
h = "{\x27descr\x27: \x27<u2\x27, \x27fortran_order\x27: False, \x27shape\x27: (64, 64), }"
h += " " * (118 - len(h)) + "\n"
open(sys.argv[1], "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() + v)' "$1"
}
# entropy_seed SPEC STAGE OUT [HEX]: /tmp/mx-seed.npy coded with SPEC into
# /tmp/mx-seed.mxb, and its stream, out of the container, as a seed of
# fuzz_entropy (STAGE of the entropy table, 16-bit, 64x64); the stream
# must start with the bytes HEX
entropy_seed() {
    "$MX" -q compress -f -p "$1" /tmp/mx-seed.npy -o /tmp/mx-seed.mxb
    n=$("$MX" info /tmp/mx-seed.mxb | sed -n 's/.*-> \([0-9]*\) bytes.*/\1/p')
    python3 - "$n" "$2" "$3" "${4:-}" <<'PY'
import sys
n, stage, out, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], bytes.fromhex(sys.argv[4])
f = open("/tmp/mx-seed.mxb", "rb").read()
frame = f[len(f) - 8 - n:len(f) - 8]
assert frame.startswith(prefix), "%s: the stream does not start with %s" % (out, prefix.hex())
open(out, "wb").write(bytes([stage, 3, 63, 63]) + frame)
PY
}
# a bfxor frame (stage 7; 64x64 is wide enough for the vector paths)
python3 - <<'PY' | npy64 /tmp/mx-seed.npy
import struct, sys
buf = open("data/l1.attn.forward.s1.npy", "rb").read()
hlen = struct.unpack("<H", buf[8:10])[0]
vals = buf[10 + hlen:]
sys.stdout.buffer.write(b"".join(vals[r * 512:r * 512 + 128] for r in range(64)))
PY
entropy_seed bfxor 7 "$C/entropy/bfxor64"
# a quantlr frame with a rank-4 prediction (stage 10): a matrix of rank 4,
# so the prediction is chosen. (The seed quantlr64-order0 is the same from
# the build before 2026-12-01 that wrote mode 8 frames, factors order-0
# coded: kept, as this cannot remake it.)
python3 - <<'PY' | npy64 /tmp/mx-seed.npy
import math, struct, sys
rows = []
for r in range(64):
    for c in range(64):
        x = sum(math.sin(0.3 * (r + 1) * (j + 1)) * math.cos(0.17 * (c + 1) * (j + 2)) for j in range(4))
        rows.append(struct.unpack("<I", struct.pack("<f", x))[0] >> 16)
sys.stdout.buffer.write(struct.pack("<4096H", *rows))
PY
entropy_seed quantlr:sim=0.99 10 "$C/entropy/quantlr64"
# a bfdelta raw frame (stage 8; 64x64 = RAW_MIN values; mode 6, then the
# zero of a raw frame), and its file for fuzz_container: pseudo-random
# values that never repeat a row, so the frame is raw
python3 - <<'PY' | npy64 /tmp/mx-seed.npy
import math, struct, sys
vals = []
for i in range(64 * 64):
    x = math.sin(12.9898 * (i + 1)) * 43758.5453
    vals.append(struct.unpack("<I", struct.pack("<f", (x - math.floor(x) - 0.5) * 3.0))[0] >> 16)
sys.stdout.buffer.write(struct.pack("<4096H", *vals))
PY
entropy_seed bfdelta 8 "$C/entropy/bfdelta64-raw" 0600
cp /tmp/mx-seed.mxb "$C/container/bfdelta-raw.mxb"
rm -f /tmp/mx-seed.npy /tmp/mx-seed.mxb
# multi-frame files (container.h "Frames")
"$MX" -q compress -f --frame-rows 4 -p 'expsplit|rans' data/edge/odd_13x37.npy -o "$C/container/frames1.mxb"
"$MX" -q compress -f --frame-rows 5 -p auto data/edge/sparse_31x64.npy -o "$C/container/frames2.mxb"
cp data/edge/*.npy $C/npy/
python3 - "$C" <<'PY'
import json, struct, sys
c = sys.argv[1]
def npy(name, version, d, payload):
    pre = 10 if version == 1 else 12
    total = (pre + len(d) + 1 + 63) // 64 * 64
    h = (d + " " * (total - pre - len(d) - 1) + "\n").encode()
    ln = struct.pack("<H", len(h)) if version == 1 else struct.pack("<I", len(h))
    open("%s/npy/%s" % (c, name), "wb").write(b"\x93NUMPY" + bytes([version, 0]) + ln + h + payload)
npy("v2.npy", 2, "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), }", bytes(range(12)))
npy("v3f.npy", 3, "{'descr': 'bfloat16', 'fortran_order': True, 'shape': (3, 2), }", bytes(range(12)))
npy("f4.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", struct.pack("<3f", 1.0, -2.5, 3e38))
hdr = {"__metadata__": {"a": "b"}, "w": {"dtype": "BF16", "shape": [2, 2], "data_offsets": [0, 8]},
       "f": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}}
j = json.dumps(hdr).encode()
open(c + "/safetensors/seed.safetensors", "wb").write(struct.pack("<Q", len(j)) + j + bytes(range(12)))
open(c + "/manifest/full.csv", "w").write('file,rows,cols,kind,source\na.npy,2,3,forward,"x, y"\nb.bin,4,4,backward,z\n')
open(c + "/manifest/list.csv", "w").write("a.npy\nb.npy\n\n")
for k, s in enumerate(["expsplit,delta:rows|brotli:11", "trunc:3|zstd:3", "q8:cols,bytesplit|lz4hc", "auto",
                       "zeromask,xor:cols|rans", "bfctx", "zstd:-5"]):
    open("%s/spec/s%d" % (c, k), "w").write(s)
for k in range(8):
    open("%s/entropy/e%d" % (c, k), "wb").write(bytes([k, 3, 15, 15]) + bytes((k * 37 + i * 11) % 256 for i in range(64)))
PY
# whole requests for fuzz_http (the first byte: bit 0 decompress, bits 1-2
# the body's kind, bits 3-4 the pipeline; see tests/fuzz/fuzz_http.c)
python3 - "$C" <<'PY'
import sys
c = sys.argv[1]
def form(b, fields):
    out = b""
    for name, value in fields:
        out += b"--" + b + b"\r\nContent-Disposition: form-data; name=\"" + name + b"\"\r\n\r\n" + value + b"\r\n"
    return out + b"--" + b + b"--\r\n"
raw = bytes((i * 7919) % 251 for i in range(64))
mxb = open(c + "/container/seed1.mxb", "rb").read()
seeds = {
    "form-compress": bytes([0]) + b"AB\n" + form(b"AB", [(b"file", raw), (b"rows", b"4"), (b"cols", b"8")]),
    "form-decompress": bytes([1]) + b"xyz\n" + form(b"xyz", [(b"file", mxb)]),
    "raw-compress": bytes([2]) + raw,
    "raw-decompress": bytes([5]) + mxb,
    "no-name-part": bytes([0]) + b"AB\n--AB\r\n\r\nabcd\r\n--AB--\r\n",
    "other-field": bytes([0]) + b"AB\n" + form(b"AB", [(b"data", raw)]),
    "content-type": bytes([6]) + b'multipart/form-data; boundary="q q"\n' + form(b"q q", [(b"file", raw)]),
    "health": bytes([6 | 0x40 | 0x80 | 0x20]) + b"x\n",
}
for name, data in seeds.items():
    open("%s/http/%s" % (c, name), "wb").write(data)
PY
# files for fuzz_file: 4 selector bytes (pipeline, frame rows, threads,
# raw columns), then an .npy or raw bf16 (see tests/fuzz/fuzz_file.c)
mkdir -p $C/file
k=0
for f in data/edge/odd_13x37.npy data/edge/specials_8x8.npy data/edge/empty_0x8.npy $C/npy/v3f.npy $C/npy/f4.npy; do
    k=$((k + 1))
    { printf "\\$(printf %03o $k)\\003\\003\\000"; cat "$f"; } >"$C/file/npy$k"
done
python3 - "$C/file" <<'PY'
import sys
vals = bytes((i * 131) % 256 for i in range(2 * 12 * 10))
for k, sel in enumerate([bytes([0, 2, 0, 9]), bytes([3, 0, 3, 11]), bytes([6, 4, 0, 4])]):
    open("%s/raw%d" % (sys.argv[1], k), "wb").write(sel + vals)
PY
