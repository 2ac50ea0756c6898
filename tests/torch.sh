#!/bin/sh
# mxbench's float32 similarity is the competition's own: the similarity
# that baseline.py's _validate computes with real torch (its compress and
# decompress swapped for mxbench's output) equals --batch's similarity_f32
# to the last bit, for lossy pipelines on the bundled samples and on some of
# ../shared when present. quant:sim=0.99 and qsim:0.99 stay above 0.99 both
# ways. Needs Debian's python3 with torch, numpy, fastapi, uvicorn, zstd
# (tests/install-deps); skipped without.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
PY=${PYTHON:-/usr/bin/python3}
if ! $PY -c 'import torch, numpy, fastapi, uvicorn, zstd' 2>/dev/null; then
    echo "SKIP: $PY with torch, numpy, fastapi, uvicorn and zstd missing (run tests/install-deps)"
    exit 77
fi
MX="$(cd "$top_builddir" && pwd)/mxbench"
APEX="$(cd "$top_srcdir/tests/apex" && pwd)"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# samples: the bundled ones, and the gradients of ../shared that stray most
# in float32 (long sums of one sign)
echo file >"$tmp/manifest.csv"
for f in "$top_srcdir"/data/*.npy; do echo "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"; done >>"$tmp/manifest.csv"
for f in data/l0.mlp_act.backward.s1.npy data/l2.ln1.backward.s1.npy data/l1.mlp_act.forward.s1.npy \
    data-llama/l4.mlp_act.backward.s22.npy data-llama/l0.resid.forward.s22.npy; do
    [ -f "$top_srcdir/../shared/$f" ] && echo "$(cd "$top_srcdir/../shared" && pwd)/$f" >>"$tmp/manifest.csv"
done
specs="quant:sim=0.99 qsim:0.99|zstd:1 q8:rows|zstd:1"
set -f
args=""
for p in $specs; do args="$args -p $p"; done
# shellcheck disable=SC2086
"$MX" --batch -q --repeat 1 --condition known -m "$tmp/manifest.csv" $args --csv "$tmp/b.csv" \
    >"$tmp/table.txt" || bad "--batch run"
set +f
grep -q 'sim_f32' "$tmp/table.txt" || bad "the table does not show the float32 similarity"
# each sample through each pipeline, decoded by mxbench
i=0
tail -n +2 "$tmp/manifest.csv" | while read -r npy; do
    for p in $specs; do
        i=$((i + 1))
        "$MX" -q compress -f -p "$p" "$npy" -o "$tmp/$i.mxb" &&
            "$MX" -q decompress -f "$tmp/$i.mxb" -o "$tmp/$i.npy" || echo "FAIL: $p on $npy"
        printf '%s\t%s\t%s\n' "$npy" "$p" "$tmp/$i.npy"
    done
done >"$tmp/runs" || fail=1
grep '^FAIL' "$tmp/runs" && fail=1
cat >"$tmp/check.py" <<'PY'
import csv, os, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
import baseline  # the competition's own file, unchanged

def validate(orig, dec):
    # _validate compresses and decompresses itself: hand it mxbench's output
    baseline.compress_data = lambda data: b"x"
    baseline.decompress_data = lambda data: dec
    return baseline._validate(orig)["similarity"]

rows = {(os.path.basename(r["sample"]), r["pipeline"]): r for r in csv.DictReader(open(sys.argv[2]))}
bad = n = 0
worst = 1.0
for line in open(sys.argv[3]):
    if line.startswith("FAIL"):
        continue
    npy, spec, dec = line.rstrip("\n").split("\t")
    a = np.ascontiguousarray(np.load(npy)).view(np.uint16).tobytes()
    b = np.ascontiguousarray(np.load(dec)).view(np.uint16).tobytes()
    r = rows.get((os.path.basename(npy), spec))
    if r is None:
        print("FAIL: no --batch row for", npy, spec, [k for k in rows if k[0] == os.path.basename(npy)][:4])
        bad += 1
        continue
    torch_sim = validate(a, b)
    mine = float(r["similarity_f32"])
    n += 1
    if torch_sim != mine:
        print("FAIL: %s %s: torch %.17g, mxbench %.17g" % (os.path.basename(npy), spec, torch_sim, mine))
        bad += 1
    if spec.split("|")[0] in ("quant:sim=0.99", "qsim:0.99"):
        worst = min(worst, torch_sim, float(r["similarity"]))
        if not (torch_sim > 0.99 and float(r["similarity"]) > 0.99):
            print("FAIL: %s %s: similarity %s (float64), %.9f (torch float32): not both above 0.99"
                  % (os.path.basename(npy), spec, r["similarity"], torch_sim))
            bad += 1
print("%d runs: torch and mxbench agree on %d; the lowest similarity of the 0.99 targets %.8f"
      % (n, n - bad, worst))
sys.exit(1 if bad or n == 0 else 0)
PY
$PY "$tmp/check.py" "$APEX" "$tmp/b.csv" "$tmp/runs" || fail=1
exit $fail
