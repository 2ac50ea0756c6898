

# --- raw: the stream bytes as they are
ENTROPY["raw"] = lambda arg: ((lambda b: b), (lambda b, n: b))
