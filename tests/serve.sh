#!/bin/sh
# mxbench serve: the three endpoints over real HTTP with curl: round trips
# byte for byte, the same bytes as `mxbench compress`, and 4xx answers to
# malformed, oversized, misrouted requests while the server keeps serving.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
MX="$(cd "$top_builddir" && pwd)/mxbench"
DATA="$(cd "$top_srcdir/data" && pwd)"
command -v curl >/dev/null 2>&1 || { echo "SKIP: curl missing (tests/install-deps installs it)"; exit 77; }
tmp=$(mktemp -d) || exit 99
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$port"
"$MX" serve -p 'bytesplit|zstd:3' --port "$port" --max-upload 1200000 2>"$tmp/log" &
pid=$!
i=0
until curl -sf "$URL/health" >"$tmp/health" 2>/dev/null; do
    i=$((i + 1))
    [ $i -gt 600 ] && { bad "server did not come up: $(cat "$tmp/log")"; exit 1; }
    sleep 0.1
done
grep -q '"status":"ok"' "$tmp/health" || bad "health: $(cat "$tmp/health")"

code() { curl -s -o "$tmp/body" -w '%{http_code}' "$@"; }
for f in "$DATA"/l0.ln1.forward.s1.npy "$DATA"/l3.mlp_act.backward.s1.npy; do
    b=$(basename "$f")
    # raw bf16 bytes and shape, straight from the .npy (v1 header)
    python3 "$top_srcdir/tests/npy_raw.py" "$f" "$tmp/raw.bin" >"$tmp/shape"
    read -r rows cols <"$tmp/shape"
    [ "$(code -F "file=@$tmp/raw.bin" -F rows="$rows" -F cols="$cols" "$URL/compress")" = 200 ] || bad "$b: compress"
    cp "$tmp/body" "$tmp/s.mxb"
    "$MX" -q compress -f -p 'bytesplit|zstd:3' --shape "${rows}x$cols" "$tmp/raw.bin" -o "$tmp/c.mxb"
    cmp -s "$tmp/s.mxb" "$tmp/c.mxb" || bad "$b: served bytes differ from mxbench compress"
    [ "$(code -F "file=@$tmp/s.mxb" "$URL/decompress")" = 200 ] || bad "$b: decompress"
    cmp -s "$tmp/body" "$tmp/raw.bin" || bad "$b: round trip differs"
    # a raw body (not a form) works too
    [ "$(code --data-binary "@$tmp/raw.bin" -H 'Content-Type: application/octet-stream' "$URL/compress")" = 200 ] ||
        bad "$b: octet-stream body"
    # no rows/cols, as the competition sends it: the width is inferred, as
    # compress does without --shape, and recorded
    "$MX" -q compress -f -p 'bytesplit|zstd:3' "$tmp/raw.bin" -o "$tmp/u.mxb"
    cmp -s "$tmp/body" "$tmp/u.mxb" || bad "$b: served bytes without a shape differ from compress without --shape"
    "$MX" info "$tmp/u.mxb" | grep -q "shape      $rows x $cols bf16" || bad "$b: width not inferred"
done
printf 'garbage' >"$tmp/g"
[ "$(code -F "file=@$tmp/g" "$URL/decompress")" = 400 ] || bad "garbage container not 400"
printf 'abc' >"$tmp/odd"
[ "$(code -F "file=@$tmp/odd" "$URL/compress")" = 400 ] || bad "odd byte count not 400"
[ "$(code -F "file=@$tmp/raw.bin" -F rows=3 -F cols=3 "$URL/compress")" = 400 ] || bad "bad shape not 400"
[ "$(code -F "file=@$tmp/raw.bin" -F rows=x "$URL/compress")" = 400 ] || bad "bad rows not 400"
head -c 2000000 /dev/zero >"$tmp/big"
[ "$(code -F "file=@$tmp/big" "$URL/compress")" = 413 ] || bad "oversized upload not 413"
[ "$(code "$URL/nope")" = 404 ] || bad "unknown path not 404"
[ "$(code "$URL/compress")" = 405 ] || bad "GET /compress not 405"
curl -sf "$URL/health" >/dev/null || bad "server stopped serving after bad requests"
kill -INT $pid
wait $pid
rc=$?
pid=""
[ $rc = 0 ] || bad "server exit status $rc after SIGINT"
grep -q 'stopped' "$tmp/log" || bad "no clean stop message"
exit $fail
