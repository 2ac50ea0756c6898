#!/bin/sh
# mxbench export: the Python solution is assembled from the sections a
# pipeline needs and stays under 20,000 bytes (auto, auto:max, bfdelta,
# quant:sim=0.99 and the largest combinations of the other twins plain;
# quantlr:sim=0.99 packed, and --source gives its plain text); its file
# tasks report a bad task and still write the others; its XXH3 (container
# v2's padded checks) matches python3-xxhash. export_twins.sh checks that it
# writes and reads mxbench's bytes, export_http.sh its server.
# Needs Debian's python3 with numpy, zstd, brotli, lz4, fastapi, uvicorn,
# multipart, requests (and xxhash for one check); skipped without.
. "${top_srcdir:-.}/tests/export_env.sh"

# refusals name the stage and what does export, and leave no file
# (and why: no twin, only on its own, or only with other parameters)
list="(exportable: auto, auto:max, bfdelta, bflr, quant:sim=T or quantlr:sim=T alone; or transforms bytesplit"
for s in 'bfctx#bfctx#has no numpy twin here' 'quant:rowsim=0.99#quant#is exported only as quant:sim=...' \
    'expsplit|bfdelta#bfdelta#is exported only on its own, with no transform before it' \
    'bfxor#bfxor#has no numpy twin here' 'delta:rows|rans#rans#has no numpy twin here'; do
    spec=${s%%#*} rest=${s#*#}
    stage=${rest%%#*} why=${rest#*#}
    "$MX" export -p "$spec" -o "$tmp/x.py" 2>"$tmp/err" && bad "$spec exported"
    grep -qF "'$spec' cannot be exported: stage '$stage' $why $list" "$tmp/err" || bad "refusal of $spec: $(cat "$tmp/err")"
done
[ -e "$tmp/x.py" ] && bad "a refused export left a file"
(cd "$tmp" && "$MX" -q export) || bad "the default (auto) does not export"
grep -q '^SPEC = "auto"$' "$tmp/solution.py" || bad "the default is not auto"

# sections: only what the pipeline needs (transforms bring levels.py, our coders wlanes.py)
"$MX" -q export -p raw -o "$tmp/raw.py" || bad "export raw"
"$MX" -q export -p 'q8:rows|zstd:3' -o "$tmp/q8.py" || bad "export q8"
grep -q '^def e_expsplit' "$tmp/raw.py" "$tmp/q8.py" && bad "expsplit's twin in a pipeline without it"
grep -q '^def split' "$tmp/raw.py" "$tmp/solution.py" && bad "levels.py in a pipeline without transforms"
grep -q '^class WLDecoder' "$tmp/raw.py" "$tmp/q8.py" && bad "wlanes.py in a pipeline without our coders"
grep -q '^class WLDecoder' "$tmp/solution.py" || bad "auto lacks wlanes.py"
grep -q '^def quant_enc' "$tmp/q8.py" && grep -q '^def zstd_codec' "$tmp/q8.py" && grep -q '^def split' "$tmp/q8.py" ||
    bad "q8|zstd lacks its twins"
[ "$(grep -c '^def quant_enc' "$tmp/q8.py")" = 1 ] || bad "a section twice"

# size: every section's cost, then the largest combinations must fit
base=$(wc -c <"$tmp/raw.py")
: >"$tmp/sizes"
for s in bytesplit expsplit shuffle bitshuffle transpose delta xor zeromask trunc:3 q8 q4; do
    "$MX" -q export -p "$s|raw" -o "$tmp/s.py" -f || { bad "export $s|raw"; continue; }
    echo "$(($(wc -c <"$tmp/s.py") - base)) t $s" >>"$tmp/sizes"
done
for s in zstd:19 lz4 lz4hc:9 brotli:11; do
    "$MX" -q export -p "$s" -o "$tmp/s.py" -f || { bad "export $s"; continue; }
    echo "$(($(wc -c <"$tmp/s.py") - base + $(grep -c . /dev/null))) e $s" >>"$tmp/sizes"
done
# lossy transforms first, as the grammar wants
by_size=$(sort -rn "$tmp/sizes" | awk '$2 == "t" {print $3}' | awk '/^(trunc|q8|q4)/ {print; next} {l = l $0 "\n"} END {printf "%s", l}')
ent=$(sort -n "$tmp/sizes" | awk '$2 == "e"' | tail -1 | cut -d' ' -f3)
two=$(sort -rn "$tmp/sizes" | awk '$2 == "t" {print $3}' | head -2 | awk '/^(trunc|q8|q4)/ {print; next} {l = l $0 "\n"} END {printf "%s", l}' | paste -sd, -)
for spec in "$(echo "$two" | cut -d, -f1)|$ent" "$two|$ent"; do
    if "$MX" -q export -p "$spec" -o "$tmp/s.py" -f 2>"$tmp/err"; then
        size=$(wc -c <"$tmp/s.py")
        [ "$size" -le 20000 ] || bad "$spec: $size bytes"
        echo "largest: $spec, $size bytes (base $base)"
    else
        bad "$spec (the largest twins) does not fit: $(cat "$tmp/err")"
    fi
done
# our coders, whole files with the stub width inference (shape.py: budget about
# 2.3 KB more for the real one)
for s in auto auto:max bfdelta bflr 'quant:sim=0.99'; do
    if "$MX" -q export -p "$s" -o "$tmp/s.py" -f 2>"$tmp/err"; then
        size=$(wc -c <"$tmp/s.py")
        [ "$size" -le 20000 ] || bad "$s: $size bytes"
        echo "$s: $size bytes"
    else
        bad "$s does not fit: $(cat "$tmp/err")"
    fi
done
# one over the limit as plain text is packed (brotli, base85): it says its
# plain size, and --source prints exactly that many bytes of the plain
# solution (head.py's docstring, the twin); a plain one has no packing
"$MX" -q export -p 'quant:sim=0.99' -o "$tmp/s.py" -f && grep -q '^SPEC = "quant:sim=0.99"$' "$tmp/s.py" ||
    bad "quant:sim=0.99 is not plain"
if "$MX" -q export -p 'quantlr:sim=0.99' -o "$tmp/lr.py" -f 2>"$tmp/err"; then
    size=$(wc -c <"$tmp/lr.py")
    plain=$(sed -n 's/.*packed: its \([0-9]*\) bytes$/\1/p' "$tmp/lr.py")
    $PY "$tmp/lr.py" --source >"$tmp/lr.src" || bad "quantlr: --source failed"
    [ "$size" -le 20000 ] && [ -n "$plain" ] && [ "$plain" -gt 20000 ] && [ "$(wc -c <"$tmp/lr.src")" = "$plain" ] ||
        bad "quantlr packed: $size bytes, plain '$plain', --source $(wc -c <"$tmp/lr.src")"
    grep -q '^SPEC = "quantlr:0.99"$' "$tmp/lr.src" && grep -q '^def qr_fit' "$tmp/lr.src" ||
        bad "quantlr: --source is not the plain solution"
    echo "quantlr:sim=0.99: $size bytes packed ($plain plain)"
else
    bad "quantlr:sim=0.99 does not fit packed: $(cat "$tmp/err")"
fi
# longer pipelines either fit or are refused whole, naming the limit
all=$(echo "$by_size" | head -8 | paste -sd, -)
if "$MX" -q export -p "$all|$ent" -o "$tmp/all.py" -f 2>"$tmp/err"; then
    [ "$(wc -c <"$tmp/all.py")" -le 20000 ] || bad "$all|$ent: over 20000 bytes"
else
    grep -q "over the 20000-byte limit" "$tmp/err" && [ ! -e "$tmp/all.py" ] || bad "$all|$ent: $(cat "$tmp/err")"
    echo "refused by size: $all|$ent"
fi

# the task interface reports a bad task and still writes the others
"$MX" -q export -p 'expsplit|zstd:3' -o "$tmp/sol.py" -f
printf '{"tasks": [{"task_name": "bad", "input": {"data_to_compress_base64": "Z2FyYmFnZQ==", "expected_output_filepath": "%s"}}, {"task_name": "good", "input": {"data_to_compress_base64": "%s", "expected_output_filepath": "%s"}}]}' \
    "$tmp/bad.mxb" "$(base64 -w0 "$EDGE/odd_13x37.npy")" "$tmp/good.mxb" >"$tmp/tasks.json"
$PY "$tmp/sol.py" --compress --input-file "$tmp/tasks.json" 2>"$tmp/err" && bad "a bad task exited 0"
[ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "task bad:" "$tmp/err" || bad "bad task: $(cat "$tmp/err")"
[ -e "$tmp/bad.mxb" ] && bad "a bad task left a file"
"$MX" -q decompress "$tmp/good.mxb" -o "$tmp/good.npy" && cmp -s "$tmp/good.npy" "$EDGE/odd_13x37.npy" ||
    bad "the good task after a bad one"

# the XXH3 port against python3-xxhash: container v2's checks hash the bytes,
# zeros up to 248 bytes and the length, so only XXH3's long path is ported
if $PY -c 'import xxhash' 2>/dev/null; then
    $PY - "$tmp/sol.py" <<'PY' || bad "xxh3 disagrees with python3-xxhash"
import importlib.util, random, sys, xxhash
m = importlib.util.module_from_spec(importlib.util.spec_from_file_location("sol", sys.argv[1]))
m.__spec__.loader.exec_module(m)
rnd = random.Random(14)
for n in list(range(0, 1100)) + [4095, 4096, 4097, 65536, 1 << 20, 1572864 + 13]:
    b = bytes(rnd.getrandbits(8) for _ in range(n)) if n < 5000 else rnd.randbytes(n)
    h = xxhash.xxh3_64_intdigest(b + bytes(max(0, 248 - n)) + n.to_bytes(8, "little"))
    assert m.check(b) == h.to_bytes(8, "little") == m.check(memoryview(b)), n
    assert m.check(b, 4) == (h & 0xFFFFFFFF).to_bytes(4, "little"), n
PY
else
    echo "note: python3-xxhash missing, XXH3 cross-check skipped"
fi

exit $fail
