#!/bin/sh
# Drives the real ncurses app in tmux (send-keys / capture-pane).
# Session 1, 100x30: select samples, build a pipeline from keys, run it,
# compare the ratio on screen with --batch, rules, condition, a bad spec,
# history, export, detail, help, resize, sweep, cancel, quit.
# Session 2, 80x24 (laid out for it first): what must not be lost at that
# size, htop's keys and the mouse, the queue handing a pipeline to the
# builder, refused pipelines, what the means cover after a cancel (checked
# against --batch), a cancel during the last cell, files never overwritten
# without asking, a solution exported from the selected pipeline, -T.
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
S=ui # the session the helpers drive
screen() { T capture-pane -p -t "$S"; }
# wait_for TEXT: poll the screen until TEXT shows (cap: 300 s, for slow sanitizer builds)
wait_for() {
    i=0
    while [ $i -lt ${WAIT_CAP:-1500} ]; do
        screen 2>/dev/null | grep -qF -- "$1" && return 0
        # the app is gone (a crash ends its session): no use waiting
        T has-session -t "$S" 2>/dev/null || break
        sleep 0.2
        i=$((i + 1))
    done
    echo "--- screen while waiting for '$1':"
    screen
    T has-session -t "$S" 2>/dev/null ||
        { echo "--- the app's session ended; its stderr:"; cat "$tmp/stderr" "${d:-$tmp}/stderr" 2>/dev/null | head -20; }
    return 1
}
shows() { screen | grep -qF -- "$1"; }
keys() { T send-keys -t "$S" "$@"; }
text() { T send-keys -t "$S" -l "$1"; }
# click Y X: a left click on the cell (0-based), as an xterm reports it
click() {
    cx=$(printf '%02x' $((33 + $2))) cy=$(printf '%02x' $((33 + $1)))
    T send-keys -t "$S" -H 1b 5b 4d 20 "$cx" "$cy"
    T send-keys -t "$S" -H 1b 5b 4d 23 "$cx" "$cy"
}
# row_of TEXT: the screen row (0-based) where TEXT first shows
row_of() { screen | grep -nF -- "$1" | head -1 | cut -d: -f1 | awk '{print $1 - 1}'; }
# wait_exit DIR: the app's exit status, once the shell after it wrote it
wait_exit() {
    i=0
    while [ ! -s "$1/stty" ] && [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
    cat "$1/exit" 2>/dev/null
}
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
[ "$cores" -gt 64 ] && cores=64

T new-session -d -s ui -x 100 -y 30 \
    "cd '$tmp' && '$MX' ui -m '$DATA/manifest.csv' --python /usr/bin/python3 2>'$tmp/stderr'; echo \$? >'$tmp/exit'; stty -a >'$tmp/stty' 2>&1"
wait_for "Samples (0/12 selected)" || bad "app did not start"
# the builder starts at the app's default pipeline, auto (README)
shows "Pipeline  auto" || bad "the builder does not start at auto"
keys Space Space
wait_for "Samples (2/12 selected)" || bad "Space did not select two samples"
# keys with nothing to act on say so: w on an empty queue, c with no run
keys w
wait_for "the queue is empty: nothing to save" || bad "w on an empty queue"
[ -e "$tmp/mxbench-queue.txt" ] && bad "w on an empty queue wrote a file"
keys c
wait_for "no run to cancel" || bad "c with no run said nothing"

# build bytesplit|lz4 from keys, whatever the default pipeline is: pick the
# entropy stage, remove every transform, then add one
keys Tab n; text quant; keys Enter
wait_for "[quant:sim=0.99]" || bad "entropy picker: quant"
# + and - step a decimal parameter too (by 0.001), within its range
keys +
wait_for "[quant:sim=0.991]" || bad "+ did not step quant's sim: $(screen | grep -i 'sim' | head -2)"
keys - -
wait_for "[quant:sim=0.989]" || bad "- did not step quant's sim"
keys n; text lz4; keys Enter
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
shows 'baseline:zstd:3' || bad "baseline row missing"
shows 'threshold (1.01x)' || bad "threshold not shown"
# the app codes with every core by default, as --batch does
shows "means over 2 samples, $cores threads" || bad "the run did not use $cores threads"

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
shows 'Samples (2/12' || bad "app left its screen after a bad spec"
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
# help is global there too; closing it comes back to the detail view
keys '?'
wait_for "Press any key to close." || bad "? in the detail view"
keys x
wait_for "Detail:" || bad "closing the help left the detail view"
keys Escape
# E: a solution scored beside the pipelines (eval in the app), when Debian's
# python3 can run the competition's baseline.py
APEX="$(cd "$top_srcdir/tests/apex" && pwd)"
if /usr/bin/python3 -c 'import torch, fastapi, uvicorn, multipart, zstd' 2>/dev/null; then
    keys E C-u; text "$APEX/baseline.py"; keys Enter
    wait_for "next run scores" || bad "E did not take the solution"
    # the file's name, whatever the length of the checkout's path
    shows "+ solution baseline.py" || bad "the queue does not show the solution"
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
shows "need 50x12" || bad "the too-small message does not say the size wanted: $(screen | head -3)"
T resize-window -t ui -x 80 -y 24
wait_for "Results: means" || bad "redraw after growing"
# the results scrolled to their last row in a window of none, then grown:
# the window is full again, from the top, not scrolled past its first rows
click "$(row_of 'bytesplit|lz4  ')" 3
keys End
T resize-window -t ui -x 50 -y 12
sleep 0.5
T resize-window -t ui -x 80 -y 24
wait_for "Results: means" || bad "redraw after 50x12"
shows "baseline:zstd:3 " && shows "bytesplit|lz4  " || bad "rows hidden after growing: $(screen)"
# sweep: one queued pipeline per value of the range
keys S C-u; text 'zstd:{} 1:3:3'; keys Enter
wait_for "queued 3 pipelines of the sweep" || bad "sweep prompt"
shows 'zstd:2' || bad "sweep did not queue zstd:2"
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
# q during a run asks first; n goes on
keys q
wait_for "a run is in progress: quit and lose it? (y/n)" || bad "q during a run did not ask"
keys n
wait_for "the run goes on" || bad "n did not keep the run"
keys c
wait_for "run cancelled" || bad "c did not cancel the run"
keys q
[ "$(wait_exit "$tmp")" = 0 ] || bad "exit status $(cat "$tmp/exit" 2>/dev/null): $(cat "$tmp/stderr")"
grep -q -- '-icanon' "$tmp/stty" && bad "terminal left in raw mode"
grep -q -- '-echo ' "$tmp/stty" && bad "terminal left without echo"
grep -q 'icanon' "$tmp/stty" || bad "no stty output: $(cat "$tmp/stty")"

# ---- session 2: 80 x 24 ----
S=ui80
d="$tmp/s80"
mkdir -p "$d"
echo "keep me" >"$d/mxbench-results.csv" # a user's file the app must not lose
T new-session -d -s ui80 -x 80 -y 24 \
    "cd '$d' && '$MX' ui -m '$DATA/manifest.csv' -T 3 -p 'bytesplit|zstd:2' -p zstd:1 -p brotli:11 2>'$d/stderr'; echo \$? >'$d/exit'; stty -a >'$d/stty' 2>&1"
wait_for "Samples (0/12 selected)" || bad "80x24: app did not start"
shows "Pipeline  auto" || bad "80x24: the builder does not start at auto"
shows "F10Quit" || bad "80x24: the footer lost its quit key"
shows "256K" || bad "80x24: sizes lost their unit"
# no two sample names look alike: the 7 rows at the top, then the rest
names=$(screen | awk '/^\[[ x]\] /{print substr($0, 5, index(substr($0, 5), " ") - 1)}')
keys End
wait_for "logits" || bad "End did not reach the last sample"
names=$(printf '%s\n%s\n' "$names" "$(screen | awk '/^\[[ x]\] /{print substr($0, 5, index(substr($0, 5), " ") - 1)}')" | sort -u)
[ "$(printf '%s\n' "$names" | grep -c .)" = 12 ] ||
    bad "80x24: sample names are not 12 different ones: $(echo $names)"
# Enter in Samples does what the status line says (selects)
keys Home
shows "Space or Enter selects a sample" || bad "the status line does not say what Enter does"
keys Enter
wait_for "Samples (1/12 selected)" || bad "Enter in Samples did not select"

# the builder refuses a coder of bf16 values with none to code, and says why
keys n; text bfxor; keys Enter
wait_for "Pipeline  bfxor" || bad "entropy bfxor"
keys t; text expsplit; keys Enter
wait_for "codes whole bf16 values, but after expsplit" || bad "expsplit|bfxor not refused with its reason"
shows "Pipeline  bfxor" || bad "the refused transform changed the builder"
keys :; text 'expsplit|bfxor'; keys Enter
wait_for "codes whole bf16 values, but after expsplit" || bad "a typed expsplit|bfxor not refused"
shows "Queue (3)" || bad "a refused spec reached the queue"

# the mouse: a click picks the queue's row and focuses the queue; Enter
# there hands the pipeline to the builder and moves the focus with it
y=$(row_of " 1 bytesplit|zstd:2")
click "$y" 50
keys Enter
wait_for "Pipeline  bytesplit|zstd:2" || bad "click + Enter in the queue did not load the builder"
wait_for "is in the pipeline panel" || bad "the status does not say where the pipeline went"
# Left and x now edit the builder: the queue keeps its entries
keys Left x
wait_for "Pipeline  zstd:2" || bad "Left x after Enter in the queue did not edit the builder"
shows "Queue (3)" || bad "x after Enter in the queue deleted a queue entry"
# j/k move in the queue; x is no key of the queue; d removes and says so
keys Tab
keys j k j Enter
wait_for "Pipeline  zstd:1" || bad "j/k did not move in the queue"
keys Tab x
sleep 0.5
shows "Queue (3)" || bad "x removed a queue entry"
keys :; text lz4; keys Enter
wait_for "Queue (4)" || bad "queue lz4"
keys End d
wait_for "removed lz4 from the queue" || bad "d did not remove (or did not say so)"
shows "Queue (3)" || bad "d did not remove lz4"

# a cancel keeps only the samples every pipeline finished, and says so
keys a
wait_for "Samples (12/12 selected)" || bad "80x24: a"
keys r
wait_for "1 of 12 samples done" || bad "the results do not say how many samples are done"
screen | head -1 | grep -q "running [0-9]*/48" || bad "80x24: the title lost the counter: $(screen | head -1)"
keys c
wait_for "run cancelled after" || bad "80x24: c did not cancel"
n=$(screen | sed -n 's/.*means over \([0-9]*\) of 12 samples, cancelled.*/\1/p' | head -1)
[ -n "$n" ] && [ "$n" -ge 1 ] && [ "$n" -lt 12 ] || bad "no 'means over N of 12 samples, cancelled': $(screen)"
shows "3 threads" || bad "-T 3 not used by the run"
shows "baseline:zstd:3 " || bad "80x24: baseline:zstd:3 lost its :3"
if [ -n "$n" ]; then
    files=$(awk -F, -v n="$n" -v d="$DATA" 'NR>1 && NR<=n+1 {printf "%s/%s ", d, $1}' "$DATA/manifest.csv")
    cli=$("$MX" --batch -q --repeat 1 -p zstd:1 $files |
        awk '/^means over/{m=1} m && $1 == "zstd:1" {print $2; exit}')
    ui=$(screen | awk '$1 == "zstd:1" {print $2; exit}')
    [ -n "$ui" ] && [ "$ui" = "$cli" ] || bad "means after the cancel ($ui) are not over the $n finished samples ($cli)"
fi

# sorting, htop style: > and <, F6, a click on a column's title
keys '>'
wait_for "sorted by gap" || bad "> did not sort by the next column"
keys '<'
wait_for "sorted by normalized" || bad "< did not sort by the previous column"
keys F6
wait_for "sort by:" || bad "F6 did not open the sort menu"
text pip; keys Enter
wait_for "sorted by pipeline" || bad "F6 did not sort by pipeline"
order=$(screen | awk '/^(baseline|brotli|bytesplit|zstd)/{print $1}' | tr '\n' ' ')
[ "$order" = "baseline:zstd:3 brotli:11 bytesplit|zstd:2 zstd:1 " ] || bad "rows not by pipeline: $order"
y=$(row_of "pipeline   ")
x=$(screen | sed -n "$((y + 1))p" | awk '{print index($0, " ratio")}')
click "$y" "$((x + 2))"
wait_for "sorted by ratio" || bad "a click on 'ratio' did not sort by it"
ratios=$(screen | awk '/^(baseline|brotli|bytesplit|zstd)/{print $2}')
[ "$ratios" = "$(printf '%s\n' "$ratios" | sort -rn)" ] || bad "rows not by ratio: $(echo $ratios)"

# e never overwrites without asking: it offers a new name ...
keys e
wait_for "export CSV to: mxbench-results-2.csv" || bad "e offered a name that exists"
keys Enter
wait_for "exported the results to $d/mxbench-results-2.csv" || bad "e did not say where it wrote"
[ "$(cat "$d/mxbench-results.csv")" = "keep me" ] || bad "e overwrote the user's file"
# ... and asks for an existing one: n keeps it, y overwrites
keys e C-u; text mxbench-results.csv; keys Enter
wait_for "mxbench-results.csv exists: overwrite it? (y/n)" || bad "e did not ask before overwriting"
keys n
wait_for "left as it was" || bad "n did not keep the file"
[ "$(cat "$d/mxbench-results.csv")" = "keep me" ] || bad "n overwrote the user's file"
keys e C-u; text mxbench-results.csv; keys Enter
wait_for "exists: overwrite it?" || bad "e did not ask again"
keys y
wait_for "exported the results to $d/mxbench-results.csv" || bad "y did not overwrite"
head -1 "$d/mxbench-results.csv" | grep -q '"sample"' || bad "y wrote no CSV"

# X: the selected pipeline (the highlighted row) as a solution, path shown;
# what cannot be a solution is refused at once, naming the pipeline
keys F6; text pip; keys Enter Home
wait_for "sorted by pipeline" || bad "sort by pipeline again"
keys X
if "$MX" export -p zstd:3 -o "$tmp/probe.py" 2>"$tmp/probe.err"; then
    wait_for "export zstd:3 to: solution.py" || bad "X did not offer the highlighted pipeline"
    keys Enter
    wait_for "wrote $d/solution.py: zstd:3 as a solution" || bad "X did not write (or show the path)"
    grep -q 'zstd:3' "$d/solution.py" 2>/dev/null || bad "the solution is not zstd:3's"
    keys X
    wait_for "to: solution-2.py" || bad "X offered a name that exists"
    keys Escape
else # as `mxbench export` says (e.g. over the size limit)
    why=$(sed 's/^mxbench: //' "$tmp/probe.err")
    wait_for "cannot export zstd:3: $(echo "$why" | cut -c1-30)" || bad "X did not refuse zstd:3 as the CLI does: $why"
    [ -e "$d/solution.py" ] && bad "X wrote a solution the CLI refuses"
fi

# a cancel during the last cell is no cancel: every cell finished
keys a
wait_for "Samples (0/12 selected)" || bad "a did not unselect all"
click 2 5 # the Samples title: focus, no row
keys Home j j j j j j Space
wait_for "Samples (1/12 selected)" || bad "select l3.mlp_act.forward"
keys r
wait_for "running 3/4" || bad "the last cell did not start"
keys c
wait_for "cancelling after the current cell" || bad "c during the last cell"
wait_for "run finished: 4 of 4 cells" || bad "a cancel during the last cell reported a cancel"
shows "cancelled" && bad "a cancel during the last cell says cancelled: $(screen)"
shows "means over 1 sample, 3 threads" || bad "the finished run's means"

# the condition at 80 columns
keys C
wait_for "shape known" || bad "80x24: the title lost the condition"
screen | head -1 | grep -q "as submitted (next: shape known)" || bad "80x24: condition: $(screen | head -1)"
keys C
# a rejected (lossy) row sinks below every valid row, with no gap, as in
# --batch; under the later rules the column every width shows is "score"
keys :; text 'trunc:7|zstd:3'; keys Enter
wait_for "queued trunc:7|zstd:3" || bad "queue a lossy pipeline"
keys r
wait_for "run finished: 5 of 5 cells" || bad "the run with a lossy pipeline did not finish"
keys F6; text norm; keys Enter
wait_for "sorted by normalized" || bad "sort by normalized again"
lt=$(row_of "trunc:7|zstd:3 (rejected)")
lb=$(row_of "baseline:zstd:3 ")
[ -n "$lt" ] && [ -n "$lb" ] && [ "$lt" -gt "$lb" ] || bad "the rejected row is above the baseline: $(screen)"
gap=$(screen | awk '$1 == "trunc:7|zstd:3" {print $NF; exit}')
[ "$gap" = "-" ] || bad "the rejected row shows a gap '$gap'"
keys R
wait_for "scoring with the lossless rules" || bad "R: lossless"
screen | grep -q "sim lower  *score " || bad "no score column under the lossless rules: $(screen | grep 'sim lower')"
keys R R
wait_for "scoring with the seed rules" || bad "R back to seed"
screen | grep -q "sim lower  *normalized" || bad "the seed rules lost the normalized column"
# help: every htop key listed, its last line shown
keys '?'
wait_for "Press any key to close." || bad "80x24: help lost its last line"
for k in "F10  q" "j k" "click" "F6" "< > s" "rejected or failed"; do
    shows "$k" || bad "80x24: help does not list '$k'"
done
keys x
wait_for "Results: means" || bad "80x24: help did not close"
# F10 quits
keys F10
[ "$(wait_exit "$d")" = 0 ] || bad "F10: exit status $(cat "$d/exit" 2>/dev/null): $(cat "$d/stderr")"

# ---- session 3: a manifest with a missing file opens, as --batch runs ----
S=uimiss
d="$tmp/smiss"
mkdir -p "$d"
head -2 "$DATA/manifest.csv" | sed "2s|^|$DATA/|" >"$d/m.csv"
echo "gone.npy,512,256,forward,a file that is not there" >>"$d/m.csv"
long='bytesplit,delta:cols,xor:rows,shuffle,transpose,delta:rows,xor:cols,bitshuffle'
T new-session -d -s uimiss -x 80 -y 24 \
    "cd '$d' && HOME='$d/home' '$MX' ui -m '$d/m.csv' -p '$long|zstd:19' -p '$long|zstd:3' 2>'$d/stderr'; echo \$? >'$d/exit'; stty -a >'$d/stty' 2>&1"
wait_for "Samples (0/1 selected)" || bad "a manifest with a missing file: the app did not start ($(cat "$d/stderr"))"
shows "skipped 1 file of" || bad "the missing file is not said: $(screen | tail -3)"
# long specs keep their tails in the queue: the two differ at the end
shows "~bitshuffle|zstd:19" && shows "bitshuffle|zstd:3" || bad "queued specs lost their tails: $(screen | grep -F ' 1 ')"
# a pipeline that fails is said when the run ends, not only on its row
# (a solution that lacks a module, as a wrong --python would)
printf 'import mxbench_no_such_module\n' >"$d/crash.py"
keys Space
wait_for "Samples (1/1 selected)" || bad "select the one sample"
keys E C-u; text "$d/crash.py"; keys Enter
wait_for "next run scores" || bad "E did not take crash.py"
keys r
wait_for "1 pipeline FAILED: Enter on its row says why" || bad "a failed solution is not said: $(screen | tail -2)"
# Enter on its row (failed rows sink to the end): the whole reason, word
# wrapped in the panel (the row cuts it), and for a solution how to pick
# its interpreter, in the words of eval's --python
keys End Enter
wait_for "Detail: solution:crash.py" || bad "Enter on the failed row did not open its detail"
if command -v python3 >/dev/null 2>&1; then
    why="No module named 'mxbench_no_such_module'"
else
    why="cannot run python3: No such file or directory"
fi
wait_for "$why" || bad "the detail cuts the failure's reason: $(screen | grep -F 'FAILED')"
shows "ran under python3" && shows "--python PATH chooses the interpreter (default python3)" ||
    bad "the failed solution's detail does not say --python picks the interpreter: $(screen)"
keys Escape
wait_for "Results: means" || bad "Escape did not leave the failed row's detail"
# a pipeline wider than its panel: the row of stages scrolls so that the
# highlighted one stays whole on screen, as htop keeps its cursor in view,
# a ~ at each cut edge; Enter on the queue's first row loads the long
# pipeline with its last stage highlighted
keys BTab Home Enter
wait_for "is in the pipeline panel" || bad "Enter in the queue did not load the long pipeline"
px=$(screen | awk '/Pipeline  /{print index($0, "Pipeline  "); exit}')
chip_row() { screen | sed -n "$(($(row_of 'Pipeline  ') + 2))p" | cut -c"$px"-; }
wait_for "[zstd:19]" || bad "the highlighted last stage is off screen: $(chip_row)"
for c in bitshuffle xor:cols delta:rows transpose shuffle xor:rows delta:cols bytesplit; do
    keys Left
    wait_for "[$c]" || { bad "Left: the highlighted [$c] is off screen: $(chip_row)"; break; }
done
chip_row | grep -q '^\[bytesplit\], .*~$' || bad "no ~ at the row's cut tail: $(chip_row)"
for c in delta:cols xor:rows shuffle transpose delta:rows xor:cols bitshuffle zstd:19; do
    keys Right
    wait_for "[$c]" || { bad "Right: the highlighted [$c] is off screen: $(chip_row)"; break; }
done
chip_row | grep -q '^~.*\[bitshuffle\] | \[zstd:19\]$' || bad "no ~ at the row's cut head: $(chip_row)"
# a click on a stage of the scrolled row picks that stage
y=$(($(row_of 'Pipeline  ') + 1))
x=$(screen | sed -n "$((y + 1))p" | awk '{print index($0, "[bitshuffle]")}')
if [ "$x" -gt 0 ]; then
    click "$y" "$x"
    keys x
    wait_for "[xor:cols] | [zstd:19]" || bad "a click on the scrolled [bitshuffle] picked another: $(chip_row)"
fi
# l over a queue asks first: n keeps it, y replaces it with the file's
keys w C-u; text "$d/q.txt"; keys Enter
wait_for "saved 2 pipelines to $d/q.txt" || bad "w did not save the queue"
keys :; text zstd:1; keys Enter
wait_for "Queue (3)" || bad "queue zstd:1"
keys l C-u; text "$d/q.txt"; keys Enter
wait_for "replace the 3 queued pipelines with q.txt's? (y/n)" || bad "l over a queue did not ask"
keys n
wait_for "the queue is kept as it was" || bad "n did not keep the queue"
shows "Queue (3)" || bad "n changed the queue"
keys l C-u; text "$d/q.txt"; keys Enter
wait_for "(y/n)" || bad "l did not ask again"
keys y
wait_for "Queue (2)" || bad "y did not load the saved queue"
# a hand-written queue file: blanks, comments (whole-line and after a
# spec) and indentation are skipped; an error names its line, blank lines
# counted
printf '# my queue\n\n  zstd:7   # fast\n\tbrotli:5\n' >"$d/hand.txt"
keys l C-u; text "$d/hand.txt"; keys Enter
wait_for "(y/n)" && keys y
wait_for "loaded 2 pipelines from $d/hand.txt" || bad "a commented, indented queue file: $(screen | tail -2)"
shows "zstd:7" && shows "brotli:5" || bad "the commented queue file's specs are not queued"
printf 'zstd:3\n\n\nnosuch:1\n' >"$d/bad.txt"
keys l C-u; text "$d/bad.txt"; keys Enter
wait_for "(y/n)" && keys y
wait_for "bad.txt:4:" || bad "a bad line is not named by its number: $(screen | tail -2)"
shows "Queue (2)" || bad "a bad queue file changed the queue"
# ~/ in a file prompt is $HOME's, as in a shell
mkdir -p "$d/home"
keys e C-u; text '~/r.csv'; keys Enter
wait_for "exported the results to $d/home/r.csv" || bad "~/ was not expanded: $(screen | tail -2)"
keys F10
[ "$(wait_exit "$d")" = 0 ] || bad "missing-file session: exit status $(cat "$d/exit" 2>/dev/null)"
exit $fail
