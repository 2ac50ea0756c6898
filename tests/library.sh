#!/bin/sh
# libmxbench as a user gets it: `make install` into a temporary root, then
# the README's program (which must be tests/lib_example.c, byte for byte)
# built with pkg-config against what was installed, shared and static, and
# run: its round trip must be exact, its errors reported. Also checks what
# was installed and that the library exports only what mxbench.h declares.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
: "${CC:=cc}" "${CFLAGS:=}" "${LDFLAGS:=}"
command -v pkg-config >/dev/null 2>&1 || { echo "SKIP: pkg-config missing"; exit 77; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# the README's program is the one tested here
sed -n '/^<!-- lib_example.c:/,/^<!-- end of lib_example.c -->/p' "$top_srcdir/README.md" |
    sed '1,2d;$d' | sed '$d' >"$tmp/readme.c"
cmp -s "$tmp/readme.c" "$top_srcdir/tests/lib_example.c" ||
    bad "README.md's program differs from tests/lib_example.c: $(diff "$tmp/readme.c" "$top_srcdir/tests/lib_example.c" | head -5)"

# install (the build is up to date: make check built it)
root=$tmp/root
(unset MAKEFLAGS MFLAGS; cd "$top_builddir" && make -s install DESTDIR="$root" >"$tmp/install.log" 2>&1) ||
    { cat "$tmp/install.log"; bad "make install failed"; exit 1; }
pc=$(find "$root" -name mxbench.pc | head -1)
[ -n "$pc" ] || { bad "no mxbench.pc installed"; exit 1; }
for f in bin/mxbench include/mxbench.h lib/libmxbench.so lib/libmxbench.a share/man/man1/mxbench.1; do
    [ -n "$(find "$root" -path "*/$f" | head -1)" ] || bad "not installed: $f"
done
[ "$(find "$root" -name '*.h' | wc -l)" = 1 ] || bad "more than one header installed: $(find "$root" -name '*.h')"

# what a user types, pointed at the temporary root
PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$root
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
cflags=$(pkg-config --cflags mxbench) && libs=$(pkg-config --libs mxbench) || { bad "pkg-config mxbench"; exit 1; }
libdir=$(pkg-config --libs-only-L mxbench | sed 's/^ *-L//; s/ .*//')
[ -f "$libdir/libmxbench.so" ] || bad "pkg-config's -L ($libdir) has no libmxbench.so"
# shellcheck disable=SC2086
$CC -std=c11 -Wall -Wextra -Werror $CFLAGS -o "$tmp/prog" "$top_srcdir/tests/lib_example.c" $cflags $libs $LDFLAGS \
    2>"$tmp/cc.log" || { cat "$tmp/cc.log"; bad "the README's program does not build with pkg-config"; exit 1; }

run() { # expected exit, then the program's arguments
    want=$1
    shift
    LD_LIBRARY_PATH=$libdir "$tmp/prog" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" = "$want" ] || bad "prog $*: exit $rc, want $want: $(cat "$tmp/out" "$tmp/err")"
}
for spec in auto 'bytesplit|zstd:3' bfxor; do
    run 0 "$spec"
    grep -q '^round trip: exact, similarity 1.000000$' "$tmp/out" || bad "$spec: $(cat "$tmp/out")"
    grep -q "^$spec: 262144 -> [0-9]* bytes with " "$tmp/out" || bad "$spec: $(cat "$tmp/out")"
done
run 2 'nonsense|zstd'
grep -q '^bad pipeline: ..*' "$tmp/err" && [ "$(wc -l <"$tmp/err")" = 1 ] || bad "bad spec: $(cat "$tmp/err")"
# a lossy pipeline differs, and the program says so without failing
run 0 'trunc:3|zstd:3'
grep -q '^round trip: differs, similarity 0\.9' "$tmp/out" || bad "lossy: $(cat "$tmp/out")"

# the header from C++ (11 and 17: <stdatomic.h> is C++23 only), when there
# is a C++ compiler: a cancel flag is std::atomic<int> there
case $CC in *clang*) cxx=clang++ ;; *) cxx=g++ ;; esac # the C compiler's own, for its sanitizers
if command -v $cxx >/dev/null 2>&1; then
    cat >"$tmp/cxx.cc" <<'CC'
#include <mxbench.h>
#include <cstdio>
int main()
{
    mx_ctx *ctx = mx_ctx_create();
    std::atomic<int> stop{0};
    mx_ctx_set_cancel(ctx, &stop);
    mx_ctx_free(ctx);
    std::printf("%s\n", mx_version());
    return ctx ? 0 : 1;
}
CC
    for std in c++11 c++17; do
        $cxx -std=$std -Wall -Wextra -pedantic -Werror $CFLAGS -o "$tmp/cxx" "$tmp/cxx.cc" $cflags $libs \
            $LDFLAGS 2>"$tmp/cc.log" || { cat "$tmp/cc.log"; bad "mxbench.h does not build as $std"; continue; }
        out=$(LD_LIBRARY_PATH=$libdir "$tmp/cxx" 2>&1)
        [ "$out" = "$(pkg-config --modversion mxbench)" ] || bad "the $std program did not run: $out"
    done
fi

# static: libmxbench.a alone in the search path, Libs.private for the rest
mkdir "$tmp/static" && cp "$libdir/libmxbench.a" "$tmp/static/" || bad "no libmxbench.a"
# shellcheck disable=SC2086
$CC -std=c11 $CFLAGS -o "$tmp/prog" "$top_srcdir/tests/lib_example.c" $cflags -L"$tmp/static" \
    $(pkg-config --static --libs mxbench) $LDFLAGS 2>"$tmp/cc.log" ||
    { cat "$tmp/cc.log"; bad "static link with pkg-config --static"; }
run 0 auto

# exported: exactly the calls mxbench.h declares
if command -v nm >/dev/null 2>&1; then
    nm -D --defined-only "$libdir/libmxbench.so" | awk '$2 == "T" {print $3}' | sort >"$tmp/exported"
    sort "$top_builddir/libmxbench.sym" >"$tmp/declared"
    cmp -s "$tmp/exported" "$tmp/declared" || bad "exports differ from mxbench.h: $(diff "$tmp/declared" "$tmp/exported" | head -5)"
    [ "$(wc -l <"$tmp/exported")" -ge 20 ] || bad "only $(wc -l <"$tmp/exported") exports"
fi
# and the installed program runs
"$(find "$root" -path '*/bin/mxbench')" --list >/dev/null || bad "installed mxbench --list"
exit $fail
