

# --- raw: the stream bytes as they are
ENTROPY["raw"] = lambda arg: ((lambda b, shape: b), (lambda b, n, shape: b))
