

# --- width inference: a stub until the competition-conditions issue's own
# shape.py replaces this file: with no shape given, a matrix is one row.
def infer_cols(v):
    """The number of columns of the C-order matrix of values v (uint16)."""
    return len(v)
