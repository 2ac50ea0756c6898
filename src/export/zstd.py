

# --- zstd:L
def zstd_size(b):  # the content size a frame declares (mxbench writes it), or -1
    h = b[4] if len(b) > 5 and b[:4] == b"\x28\xb5\x2f\xfd" else 0
    o, w = 6 - (h >> 5 & 1) + (0, 1, 2, 4)[h & 3], (h >> 5 & 1, 2, 4, 8)[h >> 6]
    return int.from_bytes(b[o:o + w], "little") + (256 if w == 2 else 0) if w and len(b) >= o + w else -1


def zstd_codec(arg):
    import zstd

    def dec(b, n, shape):  # the size is checked before zstd allocates it
        return (zstd.decompress(b) if n else b"") if zstd_size(b) == n else bad("a zstd stream of the wrong size")
    return (lambda b, shape: zstd.compress(b, int(arg)) if b else bytes.fromhex("28b52ffd2000010000")), dec


ENTROPY["zstd"] = zstd_codec
