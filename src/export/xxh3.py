

# --- XXH3-64, seed 0: every checksum of container v2
M64, M32 = (1 << 64) - 1, (1 << 32) - 1
P1, P2, P3 = 0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9
SECRET = bytes.fromhex(
    "b8fe6c3923a44bbe7c01812cf721ad1cded46de9839097db7240a4a4b7b3671fcb79e64eccc0e578825ad07dccff7221"
    "b8084674f743248ee03590e6813a264c3c2852bb91c300cb88d0658b1b532ea371644897a20df94e3819ef46a9deacd8"
    "a8fa763fe39c343ff9dcbbc7c70b4f1d8a51e04bcdb45931c89f7ec9d9787364eac5ac8334d3ebc3c581a0fffa1363eb"
    "170ddd51b7f0da49d316552629d4689e2b16be587d47a1fc8ff8b8d17ad031ce45cb3a8f95160428afd7fbcabb4b407e")
KEYS = np.frombuffer(SECRET, np.uint8)[8 * np.arange(17)[:, None] + np.arange(64)].copy().view("<u8")
LAST = np.frombuffer(SECRET[121:185], "<u8")[None]
# The long hash keeps its eight 64-bit lanes in one Python int, 128 bits
# apart, so that one big-int operation steps all eight.
LANES = np.zeros(16, np.uint64)


def _u(b, o, w=8):
    return int.from_bytes(b[o:o + w], "little")


def _fold(lo, hi):
    return (lo * hi & M64) ^ (lo * hi >> 64)


def _mix(b, o, s):
    return _fold(_u(b, o) ^ _u(SECRET, s), _u(b, o + 8) ^ _u(SECRET, s + 8))


def _xm(h, s, m):
    return ((h ^ (h >> s)) * m) & M64


def _aval(h):
    h = _xm(h, 37, 0x165667919E3779F9)
    return h ^ (h >> 32)


def _lanes(x):
    LANES[0::2] = x
    return int.from_bytes(LANES.tobytes(), "little")


MASK, SCRAMBLE = _lanes([M64] * 8), _lanes(KEYS[16])


def _stripes(d, k):  # XXH3's accumulate over the stripes d[..., i, :], summed
    x = d ^ k
    x = (x & np.uint64(M64 >> 32)) * (x >> np.uint64(32))
    return x.sum(-2, dtype=np.uint64) + d.sum(-2, dtype=np.uint64)[..., [1, 0, 3, 2, 5, 4, 7, 6]]


def xxh3(b):
    """XXH3-64 (seed 0, default secret) of a bytes-like object."""
    n = len(b)
    if n <= 3:
        k = (b[0] << 16 | b[n >> 1] << 24 | b[-1] | n << 8) ^ _u(SECRET, 0, 4) ^ _u(SECRET, 4, 4) if n else \
            _u(SECRET, 56) ^ _u(SECRET, 64)
        k = _xm(_xm(k, 33, P2), 29, P3)
        return k ^ (k >> 32)
    if n <= 8:
        h = (_u(b, n - 4, 4) + (_u(b, 0, 4) << 32)) ^ _u(SECRET, 8) ^ _u(SECRET, 16)
        h ^= ((h << 49 | h >> 15) ^ (h << 24 | h >> 40)) & M64
        h = (h * 0x9FB21C651E98DF25) & M64
        h = ((h ^ ((h >> 35) + n)) * 0x9FB21C651E98DF25) & M64
        return h ^ (h >> 28)
    if n <= 16:
        lo, hi = _u(b, 0) ^ _u(SECRET, 24) ^ _u(SECRET, 32), _u(b, n - 8) ^ _u(SECRET, 40) ^ _u(SECRET, 48)
        return _aval(n + int.from_bytes(lo.to_bytes(8, "little"), "big") + hi + _fold(lo, hi) & M64)
    acc = n * P1
    if n <= 128:
        acc += sum(_mix(b, 16 * i, 32 * i) + _mix(b, n - 16 * i - 16, 32 * i + 16) for i in range((n - 1) // 32 + 1))
        return _aval(acc & M64)
    if n <= 240:
        acc = _aval(sum(_mix(b, 16 * i, 16 * i) for i in range(8)) + acc & M64)
        acc += sum(_mix(b, 16 * i, 16 * i - 125) for i in range(8, n // 16)) + _mix(b, n - 16, 119)
        return _aval(acc & M64)
    st = (n - 1) // 64  # 64-byte stripes before the last one, 16 to a block
    nb = st // 16
    d = np.frombuffer(b, "<u8", st * 8).reshape(st, 8)
    blocks = np.zeros((nb, 16), np.uint64)
    blocks[:, 0::2] = _stripes(d[:nb * 16].reshape(nb, 16, 8), KEYS[:16])
    raw, a = blocks.tobytes(), _lanes([0xC2B2AE3D, P1, P2, P3, 0x85EBCA77C2B2AE63, 0x85EBCA77, 0x27D4EB2F165667C5,
                                       0x9E3779B1])
    for j in range(0, len(raw), 128):  # add a block, scramble
        a = (a + int.from_bytes(raw[j:j + 128], "little")) & MASK
        a = (((a ^ (a >> 47) ^ SCRAMBLE) & MASK) * 0x9E3779B1) & MASK
    a = (np.frombuffer(a.to_bytes(128, "little"), "<u8")[0::2] + _stripes(d[nb * 16:], KEYS[:st % 16])
         + _stripes(np.frombuffer(b[n - 64:], "<u8")[None], LAST)).tolist()
    return _aval(n * P1 + sum(_fold(a[i] ^ _u(SECRET, 11 + 8 * i), a[i + 1] ^ _u(SECRET, 19 + 8 * i))
                              for i in (0, 2, 4, 6)) & M64)
