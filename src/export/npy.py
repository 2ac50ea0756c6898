

# --- .npy files for the file tasks, read and written as mxbench does
def npy_header(rows, cols):  # what numpy writes for a (rows, cols) '<u2' array
    d = "{'descr': '<u2', 'fortran_order': False, 'shape': (%d, %d), }" % (rows, cols)
    d += " " * (-(len(d) + 11) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(d)) + d.encode()


def npy_compress(b):
    """An .npy of bf16 (<u2, <i2, |V2, bfloat16) or <f4 -> its container."""
    try:
        start = 10 if b[6] == 1 else 12
        end = start + int.from_bytes(b[8:start], "little")
        h = ast.literal_eval(b[start:end].decode("latin1"))
        descr, fortran, shape = h["descr"], int(h["fortran_order"]), tuple(map(int, h["shape"]))
        rows, cols = int(np.prod(shape[:-1], dtype=object)), shape[-1] if shape else 1
        v = np.frombuffer(b, "<f4" if descr == "<f4" else "<u2", rows * cols, end)
    except Exception:
        v = None
    if v is None or b[:6] != b"\x93NUMPY" or end + v.nbytes != len(b) or fortran and len(shape) > 2 or \
            descr not in ("<u2", "<i2", "|V2", "<V2", "bfloat16", "<f4"):
        raise ValueError("not an .npy of bf16 (or <f4) values")
    v = v.reshape(cols, rows).T.ravel() if fortran else v
    if descr == "<f4":
        return compress(bf16_rne(v), rows, cols, 2, fortran)
    keep = fortran or descr != "<u2" or len(shape) != 2 or b[:end] != npy_header(rows, cols)
    return compress(v.astype(np.uint16), rows, cols, 1, fortran, b[:end] if keep else b"")


def npy_decompress(b):
    """A container -> the .npy mxbench writes for it."""
    v, f = decompress(memoryview(b))
    if f.flags & 2 and f.origin == 1 and f.blob:  # back to Fortran order
        v = v.reshape(f.rows, f.cols).T.ravel()
    return (f.blob or npy_header(f.rows, f.cols)) + v.astype("<u2").tobytes()
