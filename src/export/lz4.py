

# --- lz4, lz4hc:L: raw lz4 blocks (the size is in the layout)
def lz4_codec(name, arg):
    import lz4.block as lb
    if name == "lz4":
        enc = (lambda b, shape: lb.compress(b, store_size=False))
    else:
        enc = (lambda b, shape: lb.compress(b, mode="high_compression", compression=int(arg), store_size=False))
    return enc, (lambda b, n, shape: lb.decompress(b, uncompressed_size=n) if n else b"")


ENTROPY["lz4"] = lambda arg: lz4_codec("lz4", arg)
ENTROPY["lz4hc"] = lambda arg: lz4_codec("lz4hc", arg)
