#!/bin/sh
# Drives the real ncurses app in tmux (send-keys / capture-pane): select
# samples, build a pipeline from keys, run it, compare the ratio on screen
# with --batch, a bad spec, history, export, detail, help, resize, quit.
# Every wait polls the screen for text (with a generous cap), so nothing
# here depends on how fast the machine is.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
MX="$(cd "$top_builddir" && pwd)/mxbench"
# built without it (./configure --without-ui): the command says so in one
# line and exits 2; nothing else here applies
if [ "${MX_WITH_UI:-yes}" = no ]; then
    msg=$("$MX" ui 2>&1 </dev/null); rc=$?
    [ "$rc" = 2 ] && [ "$msg" = "mxbench: built without the app (./configure --without-ui)" ] ||
        { echo "FAIL: $MX ui without it: exit $rc, '$msg'"; exit 1; }
    echo "SKIP: built without the app"
    exit 77
fi
DATA="$(cd "$top_srcdir/data" && pwd)"
command -v tmux >/dev/null 2>&1 || { echo "tmux missing (tests/install-deps installs it)"; exit 99; }
tmp=$(mktemp -d) || exit 99
sock="mxtest$$"
T() { tmux -L "$sock" "$@"; }
trap 'T kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
screen() { T capture-pane -p -t ui; }
# wait_for TEXT: poll the screen until TEXT shows (cap: 300 s, for slow sanitizer builds)
wait_for() {
    i=0
    while [ $i -lt ${WAIT_CAP:-1500} ]; do
        screen 2>/dev/null | grep -qF -- "$1" && return 0
        sleep 0.2
        i=$((i + 1))
    done
    echo "--- screen while waiting for '$1':"
    screen
    return 1
}
keys() { T send-keys -t ui "$@"; }
text() { T send-keys -t ui -l "$1"; }

T new-session -d -s ui -x 100 -y 30 \
    "cd '$tmp' && '$MX' ui -m '$DATA/manifest.csv' --python /usr/bin/python3 2>'$tmp/stderr'; echo \$? >'$tmp/exit'; stty -a >'$tmp/stty' 2>&1"
wait_for "Samples (0/12 selected)" || bad "app did not start"
keys Space Space
wait_for "Samples (2/12 selected)" || bad "Space did not select two samples"

# build bytesplit|lz4 from keys, whatever the default pipeline is: pick the
# entropy stage, remove every transform, then add one
keys Tab n; text lz4; keys Enter
wait_for "[lz4]" || bad "entropy picker"
for i in 1 2 3 4 5 6 7 8; do keys Left x; done
wait_for "Pipeline  lz4" || bad "x did not remove the transforms"
keys t; text bytes; keys Enter
wait_for "Pipeline  bytesplit|lz4" || bad "transform picker"
keys Enter
wait_for " 1 bytesplit|lz4" || bad "Enter did not queue the pipeline"
keys r
wait_for "run finished" || bad "run did not finish"
ui_ratio=$(screen | awk '$1 == "bytesplit|lz4" {print $2; exit}')
s1=$(awk -F, 'NR==2{print $1}' "$DATA/manifest.csv")
s2=$(awk -F, 'NR==3{print $1}' "$DATA/manifest.csv")
cli_ratio=$("$MX" --batch -q --repeat 1 -p 'bytesplit|lz4' "$DATA/$s1" "$DATA/$s2" |
    awk '/^means over/{m=1} m && $1 == "bytesplit|lz4" {print $2; exit}')
[ -n "$ui_ratio" ] && [ "$ui_ratio" = "$cli_ratio" ] ||
    bad "ratio on screen '$ui_ratio' differs from --batch '$cli_ratio'"
screen | grep -q 'baseline:zstd:3' || bad "baseline row missing"
screen | grep -q 'threshold (1.01x)' || bad "threshold not shown"

# the rule-set selector re-scores the table in place
keys R
wait_for "rules lossless  to beat:" || bad "R did not switch to the lossless rules"
keys R R
wait_for "scoring with the seed rules" || bad "R did not cycle back to seed"
# the condition: as submitted by default; C switches the next run, and the
# title says which condition the results on screen were measured under
screen | grep -q ' mxbench  as submitted  ' || bad "title does not say as submitted"
keys C
wait_for "as submitted (next run: shape known)" || bad "C did not switch the next run's condition"
keys C
wait_for "next run: as submitted" || bad "C did not switch back"
# a typed bad spec: one error on the status line, the app goes on
keys :; text 'nosuch|zstd'; keys Enter
wait_for "unknown stage 'nosuch'" || bad "bad spec error not shown"
screen | grep -q 'Samples (2/12' || bad "app left its screen after a bad spec"
# history: Up brings the last typed spec back
keys :; keys Up
wait_for "spec: nosuch|zstd" || bad "spec history"
keys Escape
# export
keys e C-u; text "$tmp/out.csv"; keys Enter
wait_for "exported the results" || bad "export"
[ "$(wc -l <"$tmp/out.csv" 2>/dev/null)" = 5 ] || bad "export CSV should have 1 + 2x2 lines"
head -1 "$tmp/out.csv" | grep -q '"sample","kind","pipeline"' || bad "export CSV header"
# detail view of the highlighted row
keys Enter
wait_for "Detail:" || bad "detail view"
wait_for "bytes per stream" || bad "stream sizes in detail"
wait_for "exponents of" || bad "exponent histogram in detail"
keys Escape
# E: a solution scored beside the pipelines (eval in the app), when Debian's
# python3 can run the competition's baseline.py
APEX="$(cd "$top_srcdir/tests/apex" && pwd)"
if /usr/bin/python3 -c 'import torch, fastapi, uvicorn, multipart, zstd' 2>/dev/null; then
    keys E C-u; text "$APEX/baseline.py"; keys Enter
    wait_for "next run scores" || bad "E did not take the solution"
    screen | grep -q "+ solution $APEX/baseline.py" || bad "the queue does not show the solution"
    keys r
    wait_for "solution:baseline.py" || bad "no solution row"
    wait_for "run finished" || bad "the run with a solution did not finish"
    base=$(screen | awk '$1 == "baseline:zstd:3" {print $2; exit}')
    sol=$(screen | awk '$1 == "solution:baseline.py" {print $2; exit}')
    [ -n "$sol" ] && [ "$sol" = "$base" ] || bad "baseline.py's ratio '$sol' is not zstd:3's '$base'"
    pgrep -f "$APEX/baseline.py" >/dev/null && bad "the solution is still running after the run"
    keys E C-u Enter
    wait_for "no solution in the next run" || bad "an empty E did not clear the solution"
fi
# help
keys '?'
wait_for "Press any key to close." || bad "help"
keys x
wait_for "Results: means" || bad "help did not close"
# resize: small, too small, back
T resize-window -t ui -x 80 -y 24
wait_for "Samples (2/12" || bad "redraw at 80x24"
T resize-window -t ui -x 40 -y 10
wait_for "terminal too small" || bad "too-small message"
T resize-window -t ui -x 80 -y 24
wait_for "Results: means" || bad "redraw after growing"
# sweep: one queued pipeline per value of the range
keys S C-u; text 'zstd:{} 1:3:3'; keys Enter
wait_for "queued 3 pipelines of the sweep" || bad "sweep prompt"
screen | grep -q 'zstd:2' || bad "sweep did not queue zstd:2"
keys S C-u; text 'zstd:{} 1:x:3'; keys Enter
wait_for "not a number" || bad "a bad sweep range is not reported"
# cancel: 'c' queued right behind 'r' stops a long run (12 samples x
# brotli:11 cannot finish in the moment between the two keys)
keys a
wait_for "Samples (12/12 selected)" || bad "a did not select all samples"
keys :; text 'expsplit|brotli:11'; keys Enter
wait_for "queued expsplit|brotli:11" || bad "queue a second pipeline"
# a resize during a run redraws and the run goes on (cancelled after)
keys r
T resize-window -t ui -x 70 -y 22
wait_for "running " || bad "redraw at 70x22 during a run"
T resize-window -t ui -x 100 -y 30
keys c
wait_for "run cancelled" || bad "c did not cancel the run"
keys q
i=0
while [ ! -s "$tmp/stty" ] && [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
[ "$(cat "$tmp/exit" 2>/dev/null)" = 0 ] || bad "exit status $(cat "$tmp/exit" 2>/dev/null): $(cat "$tmp/stderr")"
grep -q -- '-icanon' "$tmp/stty" && bad "terminal left in raw mode"
grep -q -- '-echo ' "$tmp/stty" && bad "terminal left without echo"
grep -q 'icanon' "$tmp/stty" || bad "no stty output: $(cat "$tmp/stty")"
exit $fail
