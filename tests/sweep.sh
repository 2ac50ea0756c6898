#!/bin/sh
# sweep --plot draws what issue 16 asks of the picture, read back from the
# SVG with xml.etree: one label per point holding its swept value, the
# similarity threshold as a vertical line where the axis's own ticks put
# that similarity (0.99 by default, the active --min-similarity otherwise),
# the zstd:3 baseline as a horizontal line at its printed ratio, and a
# title that names the template and the number of samples.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
MX="$top_builddir/mxbench"
DATA="$top_srcdir/data"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# plot NAME EXPECTED_THRESHOLD [sweep options]: a small sweep (two samples,
# three values of two templates), then the checks on its SVG
plot() {
    name=$1 thr=$2
    shift 2
    "$MX" sweep -q --repeat 1 -p 'trunc:{}|zstd:1' -p 'trunc:{}|rans' --param 1:5:3 "$@" \
        --plot "$tmp/$name.svg" "$DATA/l0.ln1.forward.s1.npy" "$DATA/l1.attn.backward.s1.npy" \
        >"$tmp/$name.txt" || { bad "$name: sweep run"; return; }
    base=$(sed -n 's/^baseline zstd:3: ratio \([0-9.]*\) .*/\1/p' "$tmp/$name.txt")
    python3 - "$tmp/$name.svg" "$thr" "$base" <<'PY' || bad "$name: SVG checks"
import sys, xml.etree.ElementTree as ET
NS = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
thr, base = float(sys.argv[2]), float(sys.argv[3])
def cls(c, tag="*"):
    return [e for e in root.iter(NS + tag if tag != "*" else tag) if e.get("class") == c]

# one label per point, and the labels are the swept values, per template
points, labels = cls("point", "circle"), cls("point-label", "text")
assert len(points) == 6, len(points)
assert [t.text for t in labels] == ["1", "3", "5"] * 2, [t.text for t in labels]

# the axis mapping, recovered from the tick groups (grid line + value)
def axis(c, coord):
    ticks = [(float(g.find(NS + "text").text), float(g.find(NS + "line").get(coord)))
             for g in cls(c, "g")]
    assert len(ticks) >= 3, ticks
    (v0, p0), (v1, p1) = ticks[0], ticks[-1]
    # the ticks in between lie on the same straight line
    for v, p in ticks:
        assert abs(p0 + (v - v0) * (p1 - p0) / (v1 - v0) - p) < 0.05, ticks
    return lambda v: p0 + (v - v0) * (p1 - p0) / (v1 - v0)
X, Y = axis("xtick", "x1"), axis("ytick", "y1")

(t,) = cls("threshold", "line")
assert t.get("x1") == t.get("x2"), "threshold line not vertical"
assert abs(float(t.get("x1")) - X(thr)) < 0.05, (t.get("x1"), X(thr))
(tl,) = cls("threshold-label", "text")
assert ("%g" % thr) in tl.text, tl.text

(b,) = cls("baseline", "line")
assert b.get("y1") == b.get("y2"), "baseline line not horizontal"
# the ratio is printed to 4 decimals: half a unit of the last one
assert abs(float(b.get("y1")) - Y(base)) <= abs(Y(base + 0.00005) - Y(base)) + 0.01, (b.get("y1"), Y(base))
(bl,) = cls("baseline-label", "text")
assert "zstd:3" in bl.text and ("%.4f" % base) in bl.text, bl.text

(title,) = cls("title", "text")
assert "2 templates" in title.text and "over 2 samples" in title.text, title.text
assert all(e.text for e in cls("xlabel", "text") + cls("ylabel", "text"))
assert "ratio" in cls("ylabel", "text")[0].text
print("threshold x %.2f, baseline y %.2f" % (float(t.get("x1")), float(b.get("y1"))))
PY
}

plot default 0.99
plot min95 0.95 --min-similarity 0.95
plot lossy 0.99 --rules lossy
# the threshold moved with --min-similarity
python3 - "$tmp/default.svg" "$tmp/min95.svg" <<'PY' || bad "threshold did not move with --min-similarity"
import sys, xml.etree.ElementTree as ET
def x(f):
    return [e.get("x1") for e in ET.parse(f).getroot().iter("{http://www.w3.org/2000/svg}line")
            if e.get("class") == "threshold"]
assert x(sys.argv[1]) != x(sys.argv[2]), (x(sys.argv[1]), x(sys.argv[2]))
PY
exit $fail
