#!/bin/sh
# Long work shows progress and keeps what it did (issue 16):
#  (a) under a pseudo-terminal, --batch draws "[done/total] sample  pipeline
#      ... elapsed" on stderr, redrawn with \r, up to all cells, then clears it;
#  (b) nothing of it when stderr is not a terminal, or with -q;
#  (c) SIGINT in the middle: exit 130, the finished rows in the table, CSV
#      and JSON marked partial, equal to a full run's rows, means over the
#      complete samples only, no temporary left behind;
#  (d) the same for eval (a solution run over HTTP), and an interrupt ends
#      a request that hangs at once instead of after its timeout;
#  sweep: the progress line, and an interrupt that keeps the CSV.
# Needs script(1) (util-linux); (d) needs python3 with fastapi, uvicorn, zstd.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
command -v script >/dev/null 2>&1 || { echo "SKIP: no script(1) for a pseudo-terminal"; exit 77; }
MX="$(cd "$top_builddir" && pwd)/mxbench"
T="$(cd "$top_srcdir/tests" && pwd)"
DATA="$(cd "$top_srcdir/data" && pwd)"
PY=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d) || exit 99
pids=""
trap 'for p in $pids; do kill -9 $p 2>/dev/null; done; rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
S="$DATA/l0.ln1.forward.s1.npy $DATA/l1.attn.forward.s1.npy $DATA/l2.resid_mid.forward.s1.npy $DATA/l3.mlp_act.backward.s1.npy"
# 4 samples x (baseline + brotli:11): about a second and a half a sample
SLOW="--repeat 1 -p 'bytesplit|brotli:11'" # for the pty's shell

# in_pty OUT CMD: runs CMD (a shell command line) on a pseudo-terminal,
# its output (stdout and stderr, as a terminal shows them) to OUT; the
# command's pid goes to OUT.pid first. The terminal is $COLS wide. Returns
# the command's exit status.
COLS=200
in_pty() {
    out=$1
    shift
    script -qfec "stty cols $COLS; echo \$\$ >'$out.pid'; exec $*" /dev/null </dev/null >"$out"
}
# wait_for FILE PATTERN SECONDS: until grep -E finds PATTERN in FILE.
wait_for() {
    i=0
    until grep -aqE "$2" "$1" 2>/dev/null; do
        i=$((i + 1))
        [ $i -gt $(($3 * 10)) ] && return 1
        sleep 0.1
    done
}
# starts CMD in a pty in the background; $bg is its script pid
start_pty() {
    out=$1
    shift
    rm -f "$out.pid"
    in_pty "$out" "$@" &
    bg=$!
    pids="$pids $bg"
    wait_for "$out.pid" . 10 || return 1
    pids="$pids $(cat "$out.pid")"
}
# finish: waits for the background pty; $rc its command's exit status
finish() {
    wait $bg
    rc=$?
}

# --- (a) the progress line, up to all cells; the full run of reference -----
mkdir "$tmp/a"
in_pty "$tmp/a/tty" "'$MX' --batch $SLOW $S \
    --csv '$tmp/a/full.csv' --json '$tmp/a/full.json'"
rc=$?
[ $rc = 0 ] || bad "(a) full run under a pty: exit $rc"
$PY - "$tmp/a/tty" "$tmp/a/full.csv" <<'PY' || bad "(a) progress line"
import csv, re, sys
text = open(sys.argv[1], "rb").read().decode()
rows = list(csv.DictReader(open(sys.argv[2])))
assert len(rows) == 8 and all(r["partial"] == "no" for r in rows), [r["partial"] for r in rows]
head = text[:text.index("condition:")]
# each redraw starts with \r; the states in order, every cell, then all 8
states = re.findall(r"\r\[(\d+)/8\] ([^\r]*)", head)
done = [int(d) for d, _ in states]
assert done == sorted(done) and set(done) == set(range(9)), done
# the cell that runs is named: sample, pipeline, elapsed, then the ETA
by_done = {}
for d, rest in states:
    by_done.setdefault(int(d), rest.rstrip())
for k in range(8):
    sample, pipe = rows[k]["sample"], rows[k]["pipeline"]
    assert re.fullmatch(re.escape(sample) + "  " + re.escape(pipe) +
                        r"  \d+:\d\d elapsed(, ~\d+:\d\d left)?", by_done[k]), (k, by_done[k])
    if k:
        assert "left" in by_done[k], by_done[k]
assert re.fullmatch(r"\d+:\d\d elapsed", by_done[8]), by_done[8]
# cleared at the end: blanks over the line, back to column 0, then the table
assert re.search(r"\r +\r$", head), repr(head[-60:])
table = text[text.index("condition:"):]
assert "\r[" not in table and "partial" not in table
PY

# cut to the terminal's width: it never wraps
COLS=40 in_pty "$tmp/a/narrow" "'$MX' --batch --repeat 1 -p raw -p zstd:1 $S" || bad "(a) narrow run"
$PY - "$tmp/a/narrow" <<'PY' || bad "(a) the line is wider than the terminal"
import re, sys
text = open(sys.argv[1], "rb").read().decode()
head = text[:text.index("condition:")]
lines = re.findall(r"\r(\[[^\r]*)", head)
assert len(lines) >= 13 and all(len(l.rstrip()) <= 39 for l in lines), lines
assert any(len(l.rstrip()) == 39 for l in lines), lines
PY

# --- (b) nothing without a terminal, or with -q --------------------------
"$MX" --batch --repeat 1 -p raw "$DATA/l0.ln1.forward.s1.npy" 2>"$tmp/b.err" | cat >"$tmp/b.out"
[ -s "$tmp/b.out" ] || bad "(b) no table through a pipe"
[ -s "$tmp/b.err" ] && bad "(b) stderr through a pipe: $(od -c "$tmp/b.err" | head -3)"
in_pty "$tmp/b.q" "'$MX' --batch -q --repeat 1 -p raw -p zstd:1 '$DATA/l0.ln1.forward.s1.npy'" ||
    bad "(b) -q run"
grep -aq "/3\]" "$tmp/b.q" && bad "(b) -q shows progress"
grep -aq "^condition:" "$tmp/b.q" || bad "(b) -q: no table"
# stdout a terminal, stderr a file: still nothing (the line is stderr's)
in_pty "$tmp/b.f" "'$MX' --batch --repeat 1 -p raw '$DATA/l0.ln1.forward.s1.npy' 2>'$tmp/b.ferr'" ||
    bad "(b) run with stderr to a file"
[ -s "$tmp/b.ferr" ] && bad "(b) stderr to a file: $(od -c "$tmp/b.ferr" | head -3)"
grep -aq "/2\]" "$tmp/b.f" && bad "(b) progress on stdout"
# the control run of the same command on a terminal does draw it
in_pty "$tmp/b.t" "'$MX' --batch --repeat 1 -p raw '$DATA/l0.ln1.forward.s1.npy'" || bad "(b) control"
grep -aq "\[1/2\] " "$tmp/b.t" || bad "(b) control run shows no progress"

# check_partial DIR FULL.csv CELLS WHAT: the interrupted run in DIR (tty,
# p.csv, p.json) of CELLS cells against the full run's rows in FULL.csv
check_partial() {
    $PY - "$1/tty" "$1/p.csv" "$1/p.json" "$2" "$3" "$4" <<'PY'
import csv, json, re, sys
text = open(sys.argv[1], "rb").read().decode().replace("\r", "")
part = list(csv.DictReader(open(sys.argv[2])))
js = json.load(open(sys.argv[3]))
full = {(r["sample"], r["pipeline"]): r for r in csv.DictReader(open(sys.argv[4]))}
cells, what = int(sys.argv[5]), sys.argv[6]
m = re.search(r"^partial: (\d+) of (\d+) cells, interrupted$", text, re.M)
assert m, "no partial line"
k, n = int(m.group(1)), int(m.group(2))
assert n == cells and 0 < k < n, (k, n)
assert len(part) == k == len(js), (len(part), k, len(js))
assert all(r["partial"] == "yes" for r in part) and all(o["partial"] is True for o in js)
# eval's baseline.py is zstd level 3: its rows are the baseline's
alias = {"solution:baseline.py": "baseline:zstd:3"}
cols = len({alias.get(r["pipeline"], r["pipeline"]) for r in full.values()}) + \
    len({r["pipeline"] for r in part if r["pipeline"] in alias})
for p, o in zip(part, js):
    f = full[(p["sample"], alias.get(p["pipeline"], p["pipeline"]))]
    same = ["original_bytes", "compressed_bytes", "ratio", "status"]
    if p["pipeline"] not in alias:
        same += ["chosen", "shape", "condition"]
    for c in same:
        assert p[c] == f[c], (what, p["sample"], p["pipeline"], c, p[c], f[c])
    assert (o["sample"], o["pipeline"]) == (p["sample"], p["pipeline"])
    assert o["compressed_bytes"] == int(f["compressed_bytes"]), (o, f)
# cells run in order: whole samples, then part of one
per = {}
for r in part:
    per.setdefault(r["sample"], []).append(r)
counts = list(per.values())
assert all(len(c) == cols for c in counts[:-1]) and len(counts[-1]) <= cols, [len(c) for c in counts]
complete = [s for s, rs in per.items() if len(rs) == cols]
# the table shows those rows and no others
table = text[text.index("condition:"):]
body = table[:table.index("\nmeans over")]
shown = [l.split()[:2] for l in body.splitlines()[3:] if l.strip()]
assert shown == [[r["sample"], r["pipeline"]] for r in part], (shown, part)
# means over the samples every pipeline finished, equal to the full run's
m = re.search(r"^means over (\d+) of (\d+) samples \(those every pipeline finished; interrupted\)",
              table, re.M)
assert m and int(m.group(1)) == len(complete) and int(m.group(2)) == n // cols, (m, complete)
seen = 0
for line in table[m.end():].splitlines()[2:]:
    if not line.strip() or line.startswith(("widths", "partial")):
        break
    pipe, ratio = line.split()[0], float(line.split()[1])
    want = [float(full[(s, alias.get(pipe, pipe))]["ratio"]) for s in complete]
    assert want and abs(ratio - sum(want) / len(want)) < 1e-4, (what, pipe, ratio, want)
    seen += 1
assert seen == (cols if complete else 0), (what, seen, cols)
print("%s: %d of %d cells kept, %d complete samples" % (what, k, n, len(complete)))
PY
}

# --- (c) SIGINT keeps the finished cells -----------------------------------
mkdir "$tmp/c"
# named temporaries (the fallback that can be left behind), in the output dir
start_pty "$tmp/c/tty" "env MXBENCH_TMPFILE=0 '$MX' --batch $SLOW $S \
    --csv '$tmp/c/p.csv' --json '$tmp/c/p.json'" || bad "(c) did not start"
# three cells done (the progress line says so): the first sample complete,
# the second one not; interrupt during its second cell
wait_for "$tmp/c/tty" "\[[3-7]/8\]" 60 || bad "(c) no progress past 3 cells"
kill -INT "$(cat "$tmp/c/tty.pid")"
finish
[ $rc = 130 ] || bad "(c) interrupted batch: exit $rc, want 130"
check_partial "$tmp/c" "$tmp/a/full.csv" 8 "(c) --batch" || bad "(c) partial output"
left=$(ls -A "$tmp/c" | grep -v -e '^tty$' -e '^tty.pid$' -e '^p.csv$' -e '^p.json$')
[ -z "$left" ] || bad "(c) files left in the output directory: $left"

# a second Ctrl-C ends at once (no table), still leaving no temporary
mkdir "$tmp/c2"
start_pty "$tmp/c2/tty" "env MXBENCH_TMPFILE=0 '$MX' --batch --repeat 1 -p 'bytesplit|brotli:11' $S \
    --csv '$tmp/c2/p.csv'" || bad "(c2) did not start"
wait_for "$tmp/c2/tty" "\[1/8\]" 60 || bad "(c2) no progress"
p=$(cat "$tmp/c2/tty.pid")
kill -INT "$p"
sleep 0.2 # two signals sent at once would arrive as one
kill -INT "$p" 2>/dev/null
finish
[ $rc = 130 ] || bad "(c2) two interrupts: exit $rc, want 130"
# ended at once, by the signal: no table, no CSV, nothing else left
grep -aq "condition:" "$tmp/c2/tty" && bad "(c2) a table after the second Ctrl-C"
[ -z "$(ls -A "$tmp/c2" | grep -v -e '^tty$' -e '^tty.pid$')" ] ||
    bad "(c2) left: $(ls -A "$tmp/c2")"

# --- sweep: progress, and an interrupt keeps its CSV ------------------------
mkdir "$tmp/s"
start_pty "$tmp/s/tty" "'$MX' sweep --repeat 1 -p 'bytesplit|brotli:{}' --param 10:11:2 $S \
    --csv '$tmp/s/p.csv' --plot '$tmp/s/p.svg'" || bad "sweep did not start"
wait_for "$tmp/s/tty" "\[ ?[2-9]/12\] " 60 || bad "sweep: no progress line"
kill -INT "$(cat "$tmp/s/tty.pid")"
finish
[ $rc = 130 ] || bad "sweep interrupted: exit $rc, want 130"
grep -aqE "^partial: ([1-9]|1[01]) of 12 cells, interrupted" "$tmp/s/tty" || bad "sweep: no partial line"
[ -f "$tmp/s/p.svg" ] && bad "sweep: a plot of a partial run"
$PY - "$tmp/s/p.csv" <<'PY' || bad "sweep: partial CSV"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert 0 < len(rows) < 12 and all(r["partial"] == "yes" for r in rows), len(rows)
PY

# --- (d) eval -------------------------------------------------------------
if ! $PY -c 'import fastapi, uvicorn, multipart, numpy, zstd' 2>/dev/null; then
    echo "note: $PY lacks fastapi, uvicorn, multipart, numpy or zstd: eval not tested"
    exit $fail
fi
mkdir "$tmp/d"
cp "$T/apex/baseline.py" "$T/eval/hang.py" "$tmp/d/"
# baseline.py is zstd level 3: its rows equal the baseline column's
E="eval '$tmp/d/baseline.py' --python '$PY' --repeat 1 -p 'bytesplit|brotli:11'"
start_pty "$tmp/d/tty" "'$MX' $E $S --csv '$tmp/d/p.csv' --json '$tmp/d/p.json'" || bad "(d) did not start"
wait_for "$tmp/d/tty" "\[ ?[4-9]/12\]" 90 || bad "(d) no progress past the first sample"
kill -INT "$(cat "$tmp/d/tty.pid")"
finish
[ $rc = 130 ] || bad "(d) interrupted eval: exit $rc, want 130"
check_partial "$tmp/d" "$tmp/a/full.csv" 12 "(d) eval" || bad "(d) partial output"
$PY - "$tmp/d/p.csv" <<'PY' || bad "(d) the solution's rows"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
base = {r["sample"]: r["compressed_bytes"] for r in rows if r["pipeline"] == "baseline:zstd:3"}
sol = [r for r in rows if r["pipeline"] == "solution:baseline.py"]
assert sol and all(r["compressed_bytes"] == base[r["sample"]] for r in sol), sol
PY
sleep 0.5
pgrep -f "$tmp/d/baseline.py" >/dev/null && bad "(d) the solution outlived the interrupted eval"

# a request that hangs (timeout 600 s) ends with the interrupt, not the timeout
start_pty "$tmp/d/hang.tty" "'$MX' eval '$tmp/d/hang.py' --python '$PY' --repeat 1 --timeout 600 \
    '$DATA/l0.ln1.forward.s1.npy' '$DATA/l1.attn.forward.s1.npy' --csv '$tmp/d/hang.csv'" ||
    bad "(d) hang did not start"
wait_for "$tmp/d/hang.tty" "\[1/4\] l0.ln1.forward.s1.npy  solution:hang.py" 90 ||
    bad "(d) hang: the solution's cell never started"
sleep 1
t0=$(date +%s)
kill -INT "$(cat "$tmp/d/hang.tty.pid")"
finish
t1=$(date +%s)
[ $rc = 130 ] || bad "(d) hang: exit $rc, want 130"
[ $((t1 - t0)) -lt 20 ] || bad "(d) hang: the interrupt took $((t1 - t0)) s"
grep -aq "^partial: 1 of 4 cells, interrupted" "$tmp/d/hang.tty" || bad "(d) hang: $(tail -3 "$tmp/d/hang.tty")"
$PY - "$tmp/d/hang.csv" <<'PY' || bad "(d) hang: CSV"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert [(r["pipeline"], r["partial"]) for r in rows] == [("baseline:zstd:3", "yes")], rows
PY
sleep 0.5
pgrep -f "$tmp/d/hang.py" >/dev/null && bad "(d) hang.py outlived the interrupted eval"
exit $fail
