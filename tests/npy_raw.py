"""The bundled .npy files, as the HTTP tests need them: raw little-endian
bf16 bytes and a shape (v1 header, C order, 2-byte values).

As a module: read(path) -> (rows, cols, raw).
As a script: npy_raw.py IN.npy OUT.bin writes the raw bytes, prints "rows cols".
"""
import ast
import struct
import sys


def read(path):
    buf = open(path, "rb").read()
    hl = struct.unpack("<H", buf[8:10])[0]
    rows, cols = ast.literal_eval(buf[10:10 + hl].decode())["shape"]
    return rows, cols, buf[10 + hl:]


if __name__ == "__main__":
    r, c, raw = read(sys.argv[1])
    open(sys.argv[2], "wb").write(raw)
    print(r, c)
