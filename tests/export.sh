#!/bin/sh
# mxbench export: the Python solution writes byte-for-byte the container
# mxbench writes, each reads the other's files, and its FastAPI server round
# trips the bundled samples over real HTTP with the same ratios as --batch.
# Needs Debian's python3 with numpy, zstd, brotli, lz4, fastapi, uvicorn,
# multipart and requests (tests/install-deps installs them); skipped without.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
MX="$(cd "$top_builddir" && pwd)/mxbench"
DATA="$(cd "$top_srcdir/data" && pwd)"
PY=/usr/bin/python3
if ! $PY -c 'import numpy, zstd, brotli, lz4.block, fastapi, uvicorn, multipart, requests' 2>/dev/null; then
    echo "SKIP: Debian python3 modules missing (run tests/install-deps)"
    exit 77
fi
TESTS_DIR="$(cd "$top_srcdir/tests" && pwd)"
export TESTS_DIR
tmp=$(mktemp -d) || exit 99
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# refused stages are named
"$MX" export -p bfctx -o "$tmp/x.py" 2>"$tmp/err" && bad "bfctx exported"
grep -q "stage 'bfctx' has no fast numpy form" "$tmp/err" || bad "refusal names the stage: $(cat "$tmp/err")"
[ -e "$tmp/x.py" ] && bad "a refused export left a file"

cat >"$tmp/same.py" <<'PY'
# For one exported solution: containers byte-identical to mxbench's, and
# each side decodes the other's files.
import importlib.util, os, subprocess, sys
sys.path.insert(0, os.environ["TESTS_DIR"])
from npy_raw import read
sol, mx, spec = sys.argv[1], sys.argv[2], sys.argv[3]
m = importlib.util.module_from_spec(importlib.util.spec_from_file_location("sol", sol))
m.__spec__.loader.exec_module(m)
lossy = any(s in spec for s in ("trunc", "q8", "q4"))
# python's lz4 fast mode and zstd's negative levels make other (valid) choices
# than the C libraries on some inputs: those files only have to interoperate
identical = not (spec.endswith("|lz4") or spec == "lz4" or ":-" in spec)
for npy in sys.argv[4:]:
    rows, cols, raw = read(npy)
    open("r.bin", "wb").write(raw)
    py = m.compress(raw, rows, cols)
    subprocess.run([mx, "-q", "compress", "-f", "-p", spec, "--shape", "%dx%d" % (rows, cols),
                    "r.bin", "-o", "c.mxb"], check=True)
    c = open("c.mxb", "rb").read()
    assert py == c or not identical, "%s on %s: python %d bytes, mxbench %d" % (spec, npy, len(py), len(c))
    open("p.mxb", "wb").write(py)
    subprocess.run([mx, "-q", "decompress", "-f", "p.mxb", "-o", "p.bin"], check=True)
    back = open("p.bin", "rb").read()
    assert m.decompress(c) == back, "python and mxbench decode differently"
    if not lossy:
        assert back == raw, "lossless round trip differs"
print("ok")
PY
for spec in 'expsplit|zstd:3' 'bytesplit,delta:cols|brotli:5' 'shuffle|lz4' 'xor:rows,bytesplit|lz4hc:9' \
    'zeromask,expsplit|zstd:1' 'bitshuffle|zstd:1' 'transpose|raw' 'trunc:3|zstd:3' 'q8:rows|zstd:3' 'q4:cols|zstd:-3'; do
    "$MX" -q export -p "$spec" -o "$tmp/sol.py" -f || { bad "export $spec"; continue; }
    size=$(wc -c <"$tmp/sol.py")
    [ "$size" -lt 20000 ] || bad "$spec: solution is $size bytes"
    (cd "$tmp" && $PY same.py sol.py "$MX" "$spec" "$DATA/l0.ln1.forward.s1.npy" "$DATA/logits.backward.s1.npy" \
        "$top_srcdir/data/edge/odd_13x37.npy" "$top_srcdir/data/edge/specials_8x8.npy" >/dev/null) ||
        bad "python and mxbench disagree on $spec"
done

# the server, over real HTTP
cat >"$tmp/client.py" <<'PY'
import csv, os, sys, time
import numpy as np, requests
sys.path.insert(0, os.environ["TESTS_DIR"])
from npy_raw import read
url, spec, batch_csv = sys.argv[1], sys.argv[2], sys.argv[3]
for _ in range(600):
    try:
        if requests.get(url + "/health", timeout=2).json()["status"] == "ok":
            break
    except requests.RequestException:
        time.sleep(0.1)
else:
    sys.exit("server did not come up")
want = {r["sample"]: float(r["ratio"]) for r in csv.DictReader(open(batch_csv)) if r["pipeline"] == spec}
lossy = any(s in spec for s in ("trunc", "q8", "q4"))
for npy in sys.argv[4:]:
    rows, cols, raw = read(npy)
    r = requests.post(url + "/compress", files={"file": ("m.bin", raw)}, data={"rows": rows, "cols": cols})
    assert r.status_code == 200 and r.headers["content-type"] == "application/octet-stream", r.text
    comp = r.content
    ratio = len(raw) / len(comp)
    name = npy.rsplit("/", 1)[1]
    assert abs(ratio - want[name]) < 1e-9 * ratio, (name, ratio, want[name])
    r = requests.post(url + "/decompress", files={"file": ("m.mxb", comp)})
    assert r.status_code == 200, r.text
    if not lossy:
        assert r.content == raw, name
    else:
        a = (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32).astype(np.float64)
        b = (np.frombuffer(r.content, "<u2").astype(np.uint32) << 16).view(np.float32).astype(np.float64)
        sim = a @ b / (np.linalg.norm(a) * np.linalg.norm(b)) * (1 - np.linalg.norm(a - b) / np.linalg.norm(a))
        assert sim > 0.98, (name, sim)
bad = requests.post(url + "/decompress", files={"file": ("x", b"garbage")})
assert bad.status_code == 400, bad.status_code
odd = requests.post(url + "/compress", files={"file": ("x", b"abc")})
assert odd.status_code == 400, odd.status_code
assert requests.get(url + "/health").status_code == 200
print("ok")
PY
for spec in 'expsplit|zstd:3' 'q8:rows|zstd:3'; do
    "$MX" -q export -p "$spec" -o "$tmp/server.py" -f || bad "export $spec"
    port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    $PY "$tmp/server.py" --port "$port" --host 127.0.0.1 >"$tmp/server.log" 2>&1 &
    pid=$!
    "$MX" --batch -q --repeat 1 -m "$DATA/manifest.csv" -p "$spec" --csv "$tmp/batch.csv" -f >/dev/null ||
        bad "--batch for $spec"
    $PY "$tmp/client.py" "http://127.0.0.1:$port" "$spec" "$tmp/batch.csv" "$DATA"/*.npy >/dev/null ||
        bad "HTTP round trips with $spec (server log: $(tail -3 "$tmp/server.log"))"
    kill $pid 2>/dev/null
    wait $pid 2>/dev/null
    pid=""
done
exit $fail
