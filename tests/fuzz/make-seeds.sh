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
# a bfxor frame for fuzz_entropy (stage 7 of the entropy table, 16-bit,
# 64x64: wide enough for the vector paths): the stream out of a container
python3 - <<'PY'
import struct
buf = open("data/l1.attn.forward.s1.npy", "rb").read()
hlen = struct.unpack("<H", buf[8:10])[0]
vals = buf[10 + hlen:]
rows = b"".join(vals[r * 512:r * 512 + 128] for r in range(64))
h = "{'descr': '<u2', 'fortran_order': False, 'shape': (64, 64), }"
h += " " * (118 - len(h)) + "\n"
open("/tmp/mx-seed-64.npy", "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() + rows)
PY
"$MX" -q compress -f -p bfxor /tmp/mx-seed-64.npy -o /tmp/mx-seed-64.mxb
n=$("$MX" info /tmp/mx-seed-64.mxb | sed -n 's/.*-> \([0-9]*\) bytes.*/\1/p')
python3 - "$n" "$C/entropy/bfxor64" <<'PY'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
f = open("/tmp/mx-seed-64.mxb", "rb").read()
open(out, "wb").write(bytes([7, 3, 63, 63]) + f[len(f) - 8 - n:len(f) - 8])
PY
rm -f /tmp/mx-seed-64.npy /tmp/mx-seed-64.mxb
# a quantlr frame with a rank-4 prediction (stage 10 of the entropy table,
# 16-bit, 64x64): a matrix of rank 4, so the prediction is chosen. (The
# seed quantlr64-order0 is the same from the build before 2026-12-01 that
# wrote mode 8 frames, factors order-0 coded: kept, as this cannot remake it.)
python3 - <<'PY'
import math, struct
rows = []
for r in range(64):
    for c in range(64):
        x = sum(math.sin(0.3 * (r + 1) * (j + 1)) * math.cos(0.17 * (c + 1) * (j + 2)) for j in range(4))
        rows.append(struct.unpack("<I", struct.pack("<f", x))[0] >> 16)
h = "{'descr': '<u2', 'fortran_order': False, 'shape': (64, 64), }"
h += " " * (118 - len(h)) + "\n"
open("/tmp/mx-seed-lr.npy", "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() +
                                        struct.pack("<4096H", *rows))
PY
"$MX" -q compress -f -p quantlr:sim=0.99 /tmp/mx-seed-lr.npy -o /tmp/mx-seed-lr.mxb
n=$("$MX" info /tmp/mx-seed-lr.mxb | sed -n 's/.*-> \([0-9]*\) bytes.*/\1/p')
python3 - "$n" "$C/entropy/quantlr64" <<'PY'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
f = open("/tmp/mx-seed-lr.mxb", "rb").read()
open(out, "wb").write(bytes([10, 3, 63, 63]) + f[len(f) - 8 - n:len(f) - 8])
PY
rm -f /tmp/mx-seed-lr.npy /tmp/mx-seed-lr.mxb
# a bfdelta raw frame for fuzz_entropy (stage 8, 16-bit, 64x64 = RAW_MIN
# values) and in its file for fuzz_container: pseudo-random values that
# never repeat a row, so the frame is raw
python3 - <<'PY'
import math, struct
vals = []
for i in range(64 * 64):
    x = math.sin(12.9898 * (i + 1)) * 43758.5453
    vals.append(struct.unpack("<I", struct.pack("<f", (x - math.floor(x) - 0.5) * 3.0))[0] >> 16)
h = "{'descr': '<u2', 'fortran_order': False, 'shape': (64, 64), }"
h += " " * (118 - len(h)) + "\n"
open("/tmp/mx-seed-raw.npy", "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() + struct.pack("<4096H", *vals))
PY
"$MX" -q compress -f -p bfdelta /tmp/mx-seed-raw.npy -o /tmp/mx-seed-raw.mxb
n=$("$MX" info /tmp/mx-seed-raw.mxb | sed -n 's/.*-> \([0-9]*\) bytes.*/\1/p')
python3 - "$n" "$C/entropy/bfdelta64-raw" <<'PY'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
f = open("/tmp/mx-seed-raw.mxb", "rb").read()
frame = f[len(f) - 8 - n:len(f) - 8]
assert frame[:2] == b"\x06\x00", "not a bfdelta raw frame"
open(out, "wb").write(bytes([8, 3, 63, 63]) + frame)
PY
cp /tmp/mx-seed-raw.mxb "$C/container/bfdelta-raw.mxb" # and whole, for fuzz_container
rm -f /tmp/mx-seed-raw.npy /tmp/mx-seed-raw.mxb
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
