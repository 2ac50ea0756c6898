#!/bin/sh
# mxbench serve: the three endpoints over real HTTP with curl: round trips
# byte for byte, the same bytes as `mxbench compress`, 4xx answers to
# malformed, oversized, misrouted requests while the server keeps serving,
# and slow clients dropped while everyone else is served.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
MX="$(cd "$top_builddir" && pwd)/mxbench"
# built without it (./configure --without-serve): the command says so in one
# line and exits 2; nothing else here applies
if [ "${MX_WITH_SERVE:-yes}" = no ]; then
    msg=$("$MX" serve 2>&1 </dev/null); rc=$?
    [ "$rc" = 2 ] && [ "$msg" = "mxbench: built without serve (./configure --without-serve)" ] ||
        { echo "FAIL: $MX serve without it: exit $rc, '$msg'"; exit 1; }
    echo "SKIP: built without serve"
    exit 77
fi
DATA="$(cd "$top_srcdir/data" && pwd)"
command -v curl >/dev/null 2>&1 || { echo "SKIP: curl missing (tests/install-deps installs it)"; exit 77; }
tmp=$(mktemp -d) || exit 99
pid="" pid2="" pid4="" pid5="" pid6=""
trap 'for p in $pid $pid2 $pid4 $pid5 $pid6; do kill $p 2>/dev/null; done; rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# wait_up NAME URL PID LOG: until GET URL/health answers (into $tmp/health),
# else FAIL with the server's log and stop: after 60 s, or once it exited
wait_up() {
    i=0
    until curl -sf "$2/health" >"$tmp/health" 2>/dev/null; do
        i=$((i + 1))
        { [ $i -gt 600 ] || ! kill -0 "$3" 2>/dev/null; } && { bad "$1 did not come up: $(cat "$4")"; exit 1; }
        sleep 0.1
    done
}
port=$(free_port)
URL="http://127.0.0.1:$port"
"$MX" serve -p 'bytesplit|zstd:3' --port "$port" --max-upload 1200000 2>"$tmp/log" &
pid=$!
wait_up server "$URL" $pid "$tmp/log"
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
[ "$(code -F "file=@$tmp/raw.bin" -F cols=7 "$URL/compress")" = 400 ] || bad "cols alone not 400"
[ "$(code -F "file=@$tmp/raw.bin" -F rows=4 -F cols=0 "$URL/compress")" = 400 ] || bad "rows alone not 400"
head -c 2000000 /dev/zero >"$tmp/big"
[ "$(code -F "file=@$tmp/big" "$URL/compress")" = 413 ] || bad "oversized upload not 413"
[ "$(code "$URL/nope")" = 404 ] || bad "unknown path not 404"
[ "$(code "$URL/compress")" = 405 ] || bad "GET /compress not 405"
# malformed forms (issue 12, items 1 and 8): 400, or 422 as FastAPI for a
# form without a "file" field; never a crash, never 200 with an empty file
post() { # post STATUS WHAT BODY-FILE CONTENT-TYPE [ENDPOINT]
    got=$(code --data-binary "@$3" -H "Content-Type: $4" "$URL/${5:-compress}")
    [ "$got" = "$1" ] || bad "$2: $got, want $1 ($(head -c 200 "$tmp/body"))"
}
printf -- '--AB\r\n\r\nabcd\r\n--AB--\r\n' >"$tmp/noname"
post 400 "a part with no headers" "$tmp/noname" 'multipart/form-data; boundary=AB'
curl -sf "$URL/health" >/dev/null || bad "the server died of a part with no headers"
printf -- '--AB\r\nContent-Disposition: form-data; name="file"\r\n\r\nabcd\r\n--AB--\r\n' >"$tmp/ok-form"
post 200 "a minimal form" "$tmp/ok-form" 'multipart/form-data; boundary=AB'
post 400 "a wrong boundary" "$tmp/ok-form" 'multipart/form-data; boundary=XY'
post 400 "a wrong boundary (decompress)" "$tmp/ok-form" 'multipart/form-data; boundary=XY' decompress
post 400 "no boundary" "$tmp/ok-form" 'multipart/form-data'
head -c 3000 /dev/urandom >"$tmp/garbage"
post 400 "a garbage body" "$tmp/garbage" 'multipart/form-data; boundary=AB'
printf -- '--AB--\r\n' >"$tmp/empty-form"
post 400 "an empty multipart" "$tmp/empty-form" 'multipart/form-data; boundary=AB'
: >"$tmp/empty"
post 400 "an empty body" "$tmp/empty" 'multipart/form-data; boundary=AB'
post 400 "an empty raw body" "$tmp/empty" 'application/octet-stream'
post 400 "an empty raw body (decompress)" "$tmp/empty" 'application/octet-stream' decompress
printf -- '--AB\r\nContent-Disposition: form-data; name="file"\r\n\r\nabcd\r\n--AB' >"$tmp/cut-form"
post 400 "a form cut short" "$tmp/cut-form" 'multipart/form-data; boundary=AB'
post 415 "a url-encoded form" "$tmp/ok-form" 'application/x-www-form-urlencoded'
[ "$(code -F "data=@$tmp/raw.bin" "$URL/compress")" = 422 ] || bad "a file under another field name: not 422"
grep -q '"loc":\["body","file"\]' "$tmp/body" || bad "422 body is not FastAPI's: $(cat "$tmp/body")"
[ "$(code -F "data=@$tmp/s.mxb" "$URL/decompress")" = 422 ] || bad "decompress without 'file': not 422"
got=$(code -F "file=@$tmp/g" -F "file=@$tmp/g" "$URL/decompress")
[ "$got" = 400 ] && grep -q "more than one" "$tmp/body" || bad "two 'file' fields: $got $(cat "$tmp/body")"
curl -sf "$URL/health" >/dev/null || bad "server stopped serving after bad requests"
kill -INT $pid
wait $pid
rc=$?
pid=""
[ $rc = 0 ] || bad "server exit status $rc after SIGINT"
grep -q 'stopped' "$tmp/log" || bad "no clean stop message"

# --- limits (issue 12, item 9): output bytes and requests in progress ------
# A 1.1 KB container of 32 MiB of zeros, and 1.4 MB of values to upload.
head -c 33554432 /dev/zero >"$tmp/zeros.bin"
"$MX" -q compress -f -p zstd:3 --shape 4096x4096 "$tmp/zeros.bin" -o "$tmp/bomb.mxb" || bad "bomb"
rm -f "$tmp/zeros.bin"
head -c 1500000 "$DATA/l3.mlp_act.backward.s1.npy" | tail -c 1400000 >"$tmp/upload.bin"
port2=$(free_port)
URL2="http://127.0.0.1:$port2"
# the server's own memory is measured: no ASan quarantine of freed blocks
ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=8" "$MX" serve -p 'bytesplit|brotli:11' -T 1 \
    --port "$port2" --max-connections 2 --max-output 40000000 2>"$tmp/log2" &
pid2=$!
wait_up "server 2" "$URL2" $pid2 "$tmp/log2"
hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$pid2/status"; }
base=$(hwm)
[ "$(code -F "file=@$tmp/bomb.mxb" "$URL2/decompress")" = 200 ] && [ "$(wc -c <"$tmp/body")" = 33554432 ] ||
    bad "a 32 MiB answer under a 40 MB --max-output"
one=$(hwm)
# while two requests are being coded (1 MB by brotli:11 on one thread: 3 s
# or more each), a third gets 503 at once. It is asked until both are
# coding, as garbage: 400 at once while a slot is free, so that it never
# holds one long enough to turn one of the two away
for k in 1 2; do
    curl -s -o /dev/null -w '%{http_code}\n' -F "file=@$tmp/upload.bin" "$URL2/compress" >"$tmp/slow$k" &
done
tries="" i=0
while [ "$(cat "$tmp/slow1" "$tmp/slow2" 2>/dev/null | wc -l)" = 0 ] && [ $i -lt 300 ]; do
    got=$(code -F "file=@$tmp/g" "$URL2/decompress")
    tries="$tries $got"
    [ "$got" = 503 ] && break
    sleep 0.1
    i=$((i + 1))
done
[ "$got" = 503 ] || bad "a request past --max-connections: not 503 while two were coded (got$tries)"
curl -sf "$URL2/health" >/dev/null || bad "/health while the slots are full"
i=0
while [ "$(cat "$tmp/slow1" "$tmp/slow2" 2>/dev/null | wc -l)" -lt 2 ] && [ $i -lt 600 ]; do
    sleep 0.1
    i=$((i + 1))
done
[ "$(cat "$tmp/slow1" "$tmp/slow2")" = "$(printf '200\n200')" ] || bad "the coded requests: $(cat "$tmp"/slow*)"
# load: 3 rounds of 16 requests in parallel, each asking 32 MiB of output
: >"$tmp/codes"
for round in 1 2 3; do
    k=0 pids=""
    while [ $k -lt 16 ]; do
        curl -s -o /dev/null -w '%{http_code}\n' -F "file=@$tmp/bomb.mxb" "$URL2/decompress" >>"$tmp/codes" &
        pids="$pids $!"
        k=$((k + 1))
    done
    for j in $pids; do wait "$j"; done
done
n200=$(grep -c '^200$' "$tmp/codes") n503=$(grep -c '^503$' "$tmp/codes")
[ $((n200 + n503)) = 48 ] || bad "load: statuses other than 200 and 503: $(sort "$tmp/codes" | uniq -c | tr '\n' ' ')"
[ "$n200" -ge 2 ] || bad "load: only $n200 requests served"
peak=$(hwm)
echo "serve load: 48 requests of 32 MiB answers, 16 at a time, --max-connections 2:" \
    "$n200 x 200, $n503 x 503; VmHWM $((base / 1024)) MiB idle, $((one / 1024)) MiB after one, $((peak / 1024)) MiB after all"
# two answers in progress hold about 2 x (32 MiB answer + decode), never 16
[ $((peak - base)) -lt 300000 ] || bad "load: the server grew by $(((peak - base) / 1024)) MiB"
# --max-output is checked from the header, before any allocation
kill -INT $pid2
wait $pid2
pid2=""
ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=8" "$MX" serve --port "$port2" --max-output 16777216 2>"$tmp/log2" &
pid2=$!
wait_up "server 3" "$URL2" $pid2 "$tmp/log2"
base=$(hwm)
[ "$(code -F "file=@$tmp/bomb.mxb" "$URL2/decompress")" = 413 ] && grep -q 'output limit' "$tmp/body" ||
    bad "a 32 MiB answer past --max-output 16 MiB: not 413 ($(cat "$tmp/body"))"
[ $(($(hwm) - base)) -lt 16384 ] || bad "--max-output: the server allocated $((($(hwm) - base) / 1024)) MiB first"
kill -INT $pid2
wait $pid2 || bad "server 3 exit status"
pid2=""

# --- the memory budget: since no slot is held while an upload comes in,
# uploads in memory and answers being sent share --max-connections x
# --max-upload bytes; an upload that does not fit gets 503 at once -------
port4=$(free_port)
URL4="http://127.0.0.1:$port4"
"$MX" serve -p 'bytesplit|zstd:1' --port "$port4" --max-connections 1 --max-upload 300000 2>"$tmp/log4" &
pid4=$!
wait_up "server 4" "$URL4" $pid4 "$tmp/log4"
head -c 290000 "$tmp/raw.bin" >"$tmp/a.bin"
head -c 50000 "$tmp/raw.bin" >"$tmp/b.bin"
# A sends 200,000 of its 290,000 bytes (the server holds 256 KiB for them)
# and waits (at most 2.5 s) for B to be refused
python3 - "$port4" "$tmp/a.bin" "$tmp/held" "$tmp/go" >"$tmp/a.code" <<'PY' &
import os, socket, sys, time
port, path, held, go = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
body = open(path, "rb").read()
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"POST /compress HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
          b"Content-Length: %d\r\n\r\n" % len(body) + body[:200000])
time.sleep(0.2)
open(held, "w").close()
t = time.monotonic()
while not os.path.exists(go) and time.monotonic() - t < 2.5:
    time.sleep(0.02)
s.sendall(body[200000:])
print(s.recv(100).split(b" ")[1].decode())
PY
apid=$!
i=0
while [ ! -e "$tmp/held" ] && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
got=$(code --data-binary "@$tmp/b.bin" -H 'Content-Type: application/octet-stream' "$URL4/compress")
[ "$got" = 503 ] && grep -q 'memory budget' "$tmp/body" ||
    bad "an upload past the memory budget: $got ($(head -c 200 "$tmp/body")), want a 503 that names it"
touch "$tmp/go"
wait $apid
[ "$(cat "$tmp/a.code")" = 200 ] || bad "the upload that held the budget: $(cat "$tmp/a.code"), want 200"
got=$(code --data-binary "@$tmp/b.bin" -H 'Content-Type: application/octet-stream' "$URL4/compress")
[ "$got" = 200 ] || bad "an upload once the budget is free again: $got, want 200"
kill -INT $pid4
wait $pid4 || bad "server 4 exit status"
pid4=""

# --- slow clients: each must keep moving (--timeout S: its request headers
# within S seconds, an upload or an answer at 64 KiB/s over each S) --------
# A hostile client's tricklers against a server with --timeout 1: 25
# connections that send a header line every 0.2 s, 4 that send a POST's
# headers and then 2 bytes of its body every 0.2 s (each reopened when it
# is closed), and one that asks for a 32 MiB answer and reads none of it.
# While they run, everyone else is answered at once, and a slow but steady
# upload (256 KB/s) goes through; the tricklers get 408 and are closed.
port5=$(free_port)
URL5="http://127.0.0.1:$port5"
"$MX" serve -p 'bytesplit|zstd:1' --port "$port5" --timeout 1 2>"$tmp/log5" &
pid5=$!
wait_up "server 5" "$URL5" $pid5 "$tmp/log5"
cat >"$tmp/trickle.py" <<'PY'
import socket, sys, time
port, secs, bomb, ready = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
body = open(bomb, "rb").read()
HEAD = b"POST /compress HTTP/1.1\r\nHost: x\r\n"
POST = HEAD + b"Content-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n"
fails, closed = [], []

class Trickler:
    def __init__(self, kind):
        self.kind, self.sock = kind, None
    def open(self):
        try:
            self.sock = socket.create_connection(("127.0.0.1", port), timeout=2)
            self.sock.setblocking(False)
            self.sock.send(HEAD if self.kind == "headers" else POST)
        except OSError:
            self.sock = None
        self.got, self.t0, self.n = b"", time.monotonic(), 0
    def step(self):  # one more header line or 2 more body bytes; reopen a closed one
        if not self.sock:
            return self.open()
        self.n += 1
        try:
            self.sock.send(b"X-%d: y\r\n" % self.n if self.kind == "headers" else b"ab")
        except OSError:
            pass
    def poll(self):  # what the server said; at its end, the connection's life
        if not self.sock:
            return
        try:
            data = self.sock.recv(65536)
            if data:
                self.got += data
                return
        except BlockingIOError:
            return
        except OSError:
            pass
        closed.append((self.kind, time.monotonic() - self.t0, self.got))
        self.sock.close()
        self.sock = None

ts = [Trickler("headers") for _ in range(25)] + [Trickler("body") for _ in range(4)]
for t in ts:
    t.open()
reader = socket.create_connection(("127.0.0.1", port))
reader.sendall(b"POST /decompress HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
               b"Content-Length: %d\r\n\r\n" % len(body) + body)
start = time.monotonic()
open(ready, "w").close()
while time.monotonic() - start < secs:
    for t in ts:
        t.step()
    end = time.monotonic() + 0.2
    while time.monotonic() < end:
        for t in ts:
            t.poll()
        time.sleep(0.02)
got = 0
reader.settimeout(5)
try:
    while True:
        data = reader.recv(1 << 20)
        if not data:
            break
        got += len(data)
except OSError:
    pass
for kind in ("headers", "body"):
    mine = [c for c in closed if c[0] == kind]
    if not mine:
        fails.append("no %s trickler was closed in %g s" % (kind, secs))
    for _, life, said in mine:
        if life > 3:
            fails.append("a %s trickler was closed only after %.1f s" % (kind, life))
        if not said.startswith(b"HTTP/1.1 408 "):
            fails.append("a %s trickler was closed with %r, not a 408" % (kind, said[:40]))
if got >= 32 << 20:
    fails.append("a reader of none of its answer got all of it in the end (%d bytes)" % got)
for f in fails[:8]:
    print("FAIL: slow clients: " + f)
print("slow clients: %d tricklers closed in %g s (%s); a stalled reader got %d of 33554432 bytes"
      % (len(closed), secs, ", ".join("%s %.1f s" % (k, max(c[1] for c in closed if c[0] == k))
                                   for k in ("headers", "body") if any(c[0] == k for c in closed)), got))
sys.exit(1 if fails else 0)
PY
head -c 600000 "$tmp/raw.bin" >"$tmp/steady.bin"
head -c 2000 "$tmp/raw.bin" >"$tmp/small.bin"
python3 "$tmp/trickle.py" "$port5" 4 "$tmp/bomb.mxb" "$tmp/ready" >"$tmp/trickle.out" 2>&1 &
tpid=$!
i=0
while [ ! -e "$tmp/ready" ] && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
curl -s -o "$tmp/steady.mxb" -w '%{http_code}' --limit-rate 256k --data-binary "@$tmp/steady.bin" \
    -H 'Content-Type: application/octet-stream' "$URL5/compress" >"$tmp/steady.code" &
spid=$!
# at once (the tricklers all holding connections) and 2 s on (reopened ones)
for when in early late; do
    [ $when = late ] && sleep 2
    got=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$URL5/health")
    [ "$got" = 200 ] || bad "slow clients ($when): /health answered $got"
    got=$(curl -s -m 5 -o "$tmp/small.mxb" -w '%{http_code}' -F "file=@$tmp/small.bin" "$URL5/compress")
    [ "$got" = 200 ] || bad "slow clients ($when): /compress of a small file answered $got"
    got=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -F "file=@$tmp/s.mxb" "$URL5/decompress")
    [ "$got" = 200 ] || bad "slow clients ($when): /decompress answered $got"
done
wait $tpid || bad "slow clients: the tricklers' view"
cat "$tmp/trickle.out"
wait $spid
[ "$(cat "$tmp/steady.code")" = 200 ] || bad "a steady upload at 256 KB/s: $(cat "$tmp/steady.code")"
kill -INT $pid5
wait $pid5 || bad "server 5 exit status"
pid5=""

# --- one address cannot hold every connection (--max-per-address N) ------
# Three idle connections from 127.0.0.1 fill its share of 3: a fourth from
# it is closed unanswered, while 127.0.0.2 is served, and so are the three
# when they ask; once they are closed 127.0.0.1 is served again.
port6=$(free_port)
"$MX" serve -p 'bytesplit|zstd:1' --port "$port6" --max-per-address 3 2>"$tmp/log6" &
pid6=$!
wait_up "server 6" "http://127.0.0.1:$port6" $pid6 "$tmp/log6"
python3 - "$port6" <<'PY' || bad "--max-per-address"
import socket, sys, time
port = int(sys.argv[1])
GET = b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"

def ask(sock):  # the status line of the answer to GET, or "" when closed unanswered
    try:
        sock.sendall(GET)
        got = b""
        while True:
            data = sock.recv(4096)
            if not data:
                break
            got += data
    except OSError:
        pass
    sock.close()
    return got.split(b"\r\n")[0].decode()

def connect(src):
    return socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(src, 0))

fails = []
held = [connect("127.0.0.1") for _ in range(3)]
if ask(connect("127.0.0.1")) != "":
    fails.append("a fourth connection from one address was answered")
got = ask(connect("127.0.0.2"))
if got != "HTTP/1.1 200 OK":
    fails.append("another address got %r" % got)
for s in held:
    got = ask(s)
    if got != "HTTP/1.1 200 OK":
        fails.append("a held connection got %r" % got)
# libmicrohttpd counts a connection until its thread has ended, a moment
# after the client saw it closed: ask again for up to a second
for _ in range(50):
    got = ask(connect("127.0.0.1"))
    if got:
        break
    time.sleep(0.02)
if got != "HTTP/1.1 200 OK":
    fails.append("the address, its connections closed, got %r" % got)
for f in fails:
    print("FAIL: " + f)
sys.exit(1 if fails else 0)
PY
kill -INT $pid6
wait $pid6 || bad "server 6 exit status"
exit $fail
