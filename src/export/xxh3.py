

# --- container v2's checks: XXH3-64 (seed 0), always its long path
SECRET = base64.b64decode(  # XXH3's default secret
    "uP5sOSOkS758AYEs9yGtHN7UbemDkJfbckCkpLezZx/LeeZOzMDleIJa0H3M/3IhuAhGdPdDJI7gNZDmgTomTD"
    "woUruRwwDLiNBlixtTLqNxZEiXog35TjgZ70ap3qzYqPp2P+OcND/53LvHxwtPHYpR4EvNtFkxyJ9+ydl4c2Tq"
    "xayDNNPrw8WBoP/6E2PrFw3dUbfw2knTFlUmKdRonisWvlh9R6H8j/i40XrQMc5FyzqPlRYEKK/X+8q7S0B+")
KEYS = np.frombuffer(SECRET, "<u8")[np.arange(17)[:, None] + np.arange(8)]
M64 = (1 << 64) - 1


def wide(x):  # 8 lanes 128 bits apart: as one int, one operation steps all
    return np.stack([x, 0 * x], -1).astype("<u8").tobytes()


def stripes(d, k):  # what stripes d[..., s, :] add to the lanes
    x = d ^ k
    x = (x & np.uint64(M64 >> 32)) * (x >> np.uint64(32))
    return x.sum(-2, dtype=np.uint64) + d.sum(-2, dtype=np.uint64)[..., [1, 0, 3, 2, 5, 4, 7, 6]]


def check(b, n=8):  # H64 of b (n = 4: H32): XXH3 of b, zeros up to 248 bytes, len(b)
    b = bytes(b) + bytes(max(0, 248 - len(b))) + len(b).to_bytes(8, "little")
    st = (len(b) - 1) // 64
    d = np.frombuffer(b, "<u8", st * 8).reshape(st, 8)
    mask, scramble, a = (int.from_bytes(wide(np.array(x, np.uint64)), "little") for x in ([M64] * 8, KEYS[16], [
        0xC2B2AE3D, 0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x85EBCA77C2B2AE63, 0x85EBCA77,
        0x27D4EB2F165667C5, 0x9E3779B1]))
    blocks = wide(stripes(d[:st // 16 * 16].reshape(-1, 16, 8), KEYS[:16]))
    for j in range(0, len(blocks), 128):
        a = (a + int.from_bytes(blocks[j:j + 128], "little")) & mask
        a = ((a ^ a >> 47 ^ scramble) & mask) * 0x9E3779B1 & mask
    a = np.frombuffer(a.to_bytes(128, "little"), "<u8")[::2] + stripes(d[st // 16 * 16:], KEYS[:st % 16]) + \
        stripes(np.frombuffer(b[-64:], "<u8")[None], np.frombuffer(SECRET[121:185], "<u8"))
    a = (a ^ np.frombuffer(SECRET[11:75], "<u8")).tolist()
    h = len(b) * 0x9E3779B185EBCA87 + sum((x * y ^ x * y >> 64) & M64 for x, y in zip(a[::2], a[1::2])) & M64
    h = (h ^ h >> 37) * 0x165667919E3779F9 & M64
    return ((h ^ h >> 32) & (1 << 8 * n) - 1).to_bytes(n, "little")
