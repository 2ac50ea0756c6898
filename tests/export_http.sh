#!/bin/sh
# mxbench export over real HTTP: each solution's FastAPI server round trips
# the bundled samples with the ratios of --batch, refuses hostile input with
# a one-line 4xx and answers /health during long decodes (export_http.py).
# Needs what export.sh needs; skipped without.
. "${top_srcdir:-.}/tests/twin_skip.sh"
. "${top_srcdir:-.}/tests/export_env.sh"

# the server, over real HTTP (with a 12 MB upload cap, so that 413 is cheap to test)
for spec in 'expsplit|zstd:3' 'zstd:3' 'raw' 'q8:rows|zstd:3' auto 'quant:sim=0.99' 'quantlr:0.99'; do
    "$MX" -q export -p "$spec" -o "$tmp/server.py" -f || bad "export $spec"
    port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    $PY "$tmp/server.py" --port "$port" --host 127.0.0.1 --max-upload 12000000 >"$tmp/server.log" 2>&1 &
    pid=$!
    # quantlr (slow in numpy, packed): two samples it predicts
    files="$DATA/*.npy"
    case $spec in quantlr*) files="$DATA/l0.ln1.backward.s1.npy $DATA/l3.mlp_act.backward.s1.npy" ;; esac
    # shellcheck disable=SC2086
    "$MX" --batch -q --repeat 1 -p "$spec" --csv "$tmp/batch.csv" -f $files >/dev/null ||
        bad "--batch for $spec"
    # shellcheck disable=SC2086
    $PY "$T/export_http.py" "http://127.0.0.1:$port" "$spec" "$tmp/batch.csv" "$tmp/server.py" "$MX" $files ||
        bad "HTTP with $spec (server log: $(tail -3 "$tmp/server.log"))"
    grep -q Traceback "$tmp/server.log" && bad "$spec: a traceback in the server log: $(grep -m3 Error "$tmp/server.log")"
    kill $pid 2>/dev/null
    wait $pid 2>/dev/null
    pid=""
done
exit $fail
