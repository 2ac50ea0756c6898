

# --- brotli:Q (window 2^24)
def brotli_codec(arg):
    import brotli
    q = int(arg)

    def dec(b, n, shape):  # fed in small pieces, so a forged stream cannot grow far past n
        d, out, size = brotli.Decompressor(), [], 0
        for i in range(0, len(b), 256):
            out.append(d.process(b[i:i + 256]))
            size += len(out[-1])
            if size > n:
                raise ValueError("corrupt data: a brotli stream of the wrong size")
        if not d.is_finished():
            raise ValueError("corrupt data: a brotli stream cut short")
        return b"".join(out)
    return (lambda b, shape: brotli.compress(b, quality=q, lgwin=24) if b else b"\x06"), dec


ENTROPY["brotli"] = brotli_codec
