# Sourced by tests/export*.sh: the paths, the Python they need, a scratch
# directory and bad(), which records a failure.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
MX="$(cd "$top_builddir" && pwd)/mxbench"
DATA="$(cd "$top_srcdir/data" && pwd)"
EDGE="$DATA/edge"
T="$(cd "$top_srcdir/tests" && pwd)"
PY=/usr/bin/python3
if ! $PY -c 'import numpy, zstd, brotli, lz4.block, fastapi, uvicorn, multipart, requests' 2>/dev/null; then
    echo "SKIP: Debian python3 modules missing (run tests/install-deps)"
    exit 77
fi
tmp=$(mktemp -d) || exit 99
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
# a Python zstd module on another libzstd may write other (valid) bytes
ZSTD_C_VERSION=$(pkg-config --modversion libzstd 2>/dev/null || echo unknown)
export ZSTD_C_VERSION
