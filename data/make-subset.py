#!/usr/bin/env python3
"""Rebuild data/ from ../shared/data: the first ROWS rows of one matrix per
tap (forward and backward), taken from different layers so every kind of
layer output is represented. Pure Python (no numpy), so it runs anywhere.

Usage: python3 data/make-subset.py [SHARED_DATA_DIR]
"""
import ast
import csv
import os
import struct
import sys

ROWS = 512
PICKS = ["l0.ln1", "l1.attn", "l2.resid_mid", "l3.mlp_act", "l1.resid", "logits"]


def read_npy(path):
    with open(path, "rb") as f:
        buf = f.read()
    if buf[:6] != b"\x93NUMPY":
        raise SystemExit(f"{path}: not an .npy file")
    major = buf[6]
    if major == 1:
        hlen, start = struct.unpack("<H", buf[8:10])[0], 10
    else:
        hlen, start = struct.unpack("<I", buf[8:12])[0], 12
    header = ast.literal_eval(buf[start:start + hlen].decode("latin1"))
    return header, buf[start + hlen:]


def write_npy(path, shape, data):
    text = "{'descr': '<u2', 'fortran_order': False, 'shape': (%d, %d), }" % shape
    total = 10 + len(text) + 1
    pad = (total + 63) // 64 * 64 - total
    header = (text + " " * pad + "\n").encode("latin1")
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + data)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "shared", "data")
    with open(os.path.join(src, "manifest.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    out = []
    for tap in PICKS:
        for kind in ("forward", "backward"):
            name = f"{tap}.{kind}.s1.npy"
            entry = next(r for r in rows if r["file"] == name)
            header, data = read_npy(os.path.join(src, name))
            assert header["descr"] == "<u2" and not header["fortran_order"], name
            r, c = header["shape"]
            keep = min(ROWS, r)
            write_npy(os.path.join(here, name), (keep, c), data[:keep * c * 2])
            out.append([name, keep, c, kind, entry["source"] + f" (first {keep} rows)"])
    with open(os.path.join(here, "manifest.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file", "rows", "cols", "kind", "source"])
        w.writerows(out)


if __name__ == "__main__":
    main()
