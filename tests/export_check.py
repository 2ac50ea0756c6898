"""Checks one exported solution against mxbench, without a server:

  export_check.py SOLUTION.py MXBENCH SPEC FILE.npy...

- compress(v, rows, cols) and compress_data(raw, rows, cols) write the very
  bytes `mxbench compress -p SPEC --shape RxC` writes, and compress_data(raw)
  those of `mxbench compress -p SPEC` on the raw bytes (lz4's fast mode and
  negative zstd levels excepted: the Python modules choose other valid
  encodings there), and each side decodes the other's output to the same
  values (the input's, when lossless);
- the file-task form (--compress/--decompress --input-file) reads and
  writes .npy files with numpy: what its compress task writes, mxbench
  decodes to the values and shape of the .npy (or of mxbench's own
  encoding, when lossy), and its decompress task gives them back (the
  bytes may differ: a Fortran-order, <i2 or <f4 .npy comes back as C-order
  <u2; <f4 is rounded to bf16);
- baseline.py's own _validate, pointed at the solution, says is_valid.
Prints one line per failure; exits 1 if any.
"""
import base64, importlib.util, json, os, subprocess, sys, tempfile
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from npy_raw import read

sol, mx, spec, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
m = importlib.util.module_from_spec(importlib.util.spec_from_file_location("sol", sol))
m.__spec__.loader.exec_module(m)
lossy = any(p[3] for p in m.PIPES.values())
# python's lz4 fast mode and zstd's negative levels make other (valid) choices
# than the C libraries; so may a Python zstd module built on another libzstd
# than mxbench's (ZSTD_C_VERSION): those files only have to interoperate
identical = not (spec.endswith("|lz4") or spec == "lz4" or ":-" in spec)
if "zstd" in spec.rpartition("|")[2]:
    import zstd
    identical = identical and zstd.ZSTD_version() == os.environ.get("ZSTD_C_VERSION", zstd.ZSTD_version())
tmp = tempfile.mkdtemp()
fails = []


def run(*args):
    return subprocess.run([mx, "-q"] + list(args), check=True)


def data(name):
    return open(os.path.join(tmp, name), "rb").read()


for npy in files:
    name = os.path.basename(npy)
    rows, cols, raw = read(npy)
    open(os.path.join(tmp, "r.bin"), "wb").write(raw)
    py = (m.CHOOSE or m.compress)(np.frombuffer(raw, "<u2").astype(np.uint16), rows, cols)
    if raw and py != m.compress_data(raw, rows, cols):
        fails.append("%s: compress_data and compress differ" % name)
    run("compress", "-f", "-p", spec, "--shape", "%dx%d" % (rows, cols), os.path.join(tmp, "r.bin"),
        "-o", os.path.join(tmp, "c.mxb"))
    c = data("c.mxb")
    if identical and py != c:
        fails.append("%s: python wrote %d bytes, mxbench %d (or they differ)" % (name, len(py), len(c)))
    # as the competition sends it: no shape, the width inferred on both sides
    run("compress", "-f", "-p", spec, os.path.join(tmp, "r.bin"), "-o", os.path.join(tmp, "u.mxb"))
    if identical and raw and m.compress_data(raw) != data("u.mxb"):
        fails.append("%s: without a shape python and mxbench write different bytes" % name)
    open(os.path.join(tmp, "p.mxb"), "wb").write(py)
    run("decompress", "-f", os.path.join(tmp, "p.mxb"), "-o", os.path.join(tmp, "p.bin"))
    back = data("p.bin")
    if m.decompress(c).astype("<u2").tobytes() != back:
        fails.append("%s: python and mxbench decode differently" % name)
    if not lossy and back != raw:
        fails.append("%s: the lossless round trip differs" % name)

# the file tasks: each .npy through --compress, then --decompress; numpy
# reads them, so other layouts of the same values work too
def bf16(x):  # float32 -> bf16 bits, to nearest even (no NaN here)
    u = x.astype(np.float32).view(np.uint32)
    return ((u + 0x7FFF + (u >> 16 & 1)) >> 16).astype(np.uint16)


first = np.load(files[0])
extra = {"fortran.npy": np.asfortranarray(first), "i2.npy": first.view("<i2"),
         "f4.npy": (first.astype(np.uint32) << 16).view(np.float32) * np.float32(1.0078125),
         "3d.npy": first.reshape(1, *first.shape)}
for name, a in extra.items():
    if np.isfinite((first.astype(np.uint32) << 16).view(np.float32)).all():
        np.save(os.path.join(tmp, name), a)
npys = files + [os.path.join(tmp, n) for n in extra if os.path.exists(os.path.join(tmp, n))]
tasks = {"tasks": [{"task_name": os.path.basename(f), "input": {
    "data_to_compress_base64": base64.b64encode(open(f, "rb").read()).decode(),
    "expected_output_filepath": os.path.join(tmp, "t%d.mxb" % i)}} for i, f in enumerate(npys)]}
json.dump(tasks, open(os.path.join(tmp, "c.json"), "w"))
subprocess.run([sys.executable, sol, "--compress", "--input-file", os.path.join(tmp, "c.json")], check=True)
tasks = {"tasks": [{"task_name": os.path.basename(f), "input": {
    "data_to_decompress_base64": base64.b64encode(data("t%d.mxb" % i)).decode(),
    "expected_output_filepath": os.path.join(tmp, "t%d.npy" % i)}} for i, f in enumerate(npys)]}
json.dump(tasks, open(os.path.join(tmp, "d.json"), "w"))
subprocess.run([sys.executable, sol, "--decompress", "--input-file", os.path.join(tmp, "d.json")], check=True)
for i, f in enumerate(npys):
    a = np.load(f)
    v = bf16(a) if a.dtype == np.float32 else a.view("<u2")
    want = v.reshape(int(np.prod(a.shape[:-1])), a.shape[-1])
    run("decompress", "-f", os.path.join(tmp, "t%d.mxb" % i), "-o", os.path.join(tmp, "mx.npy"))
    theirs = np.load(os.path.join(tmp, "mx.npy"))
    if lossy:  # what mxbench makes of the same values
        open(os.path.join(tmp, "v.bin"), "wb").write(want.astype("<u2").tobytes())
        run("compress", "-f", "-p", spec, "--shape", "%dx%d" % want.shape, os.path.join(tmp, "v.bin"),
            "-o", os.path.join(tmp, "v.mxb"))
        run("decompress", "-f", os.path.join(tmp, "v.mxb"), "-o", os.path.join(tmp, "v.out"))
        want = np.frombuffer(data("v.out"), "<u2").reshape(want.shape)
    got = np.load(os.path.join(tmp, "t%d.npy" % i))
    if theirs.shape != want.shape or (theirs != want).any():
        fails.append("%s: mxbench decodes the compress task's output to other values" % os.path.basename(f))
    if got.dtype != "<u2" or got.shape != want.shape or (got != want).any():
        fails.append("%s: the decompress task wrote another matrix (%s %s)" % (os.path.basename(f), got.dtype,
                                                                             got.shape))

# baseline.py's own judgement, with its compress_data/decompress_data replaced
try:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "apex"))
    import baseline
except ImportError as e:
    print("note: baseline.py's _validate not run (%s)" % e)
else:
    baseline.compress_data, baseline.decompress_data = m.compress_data, m.decompress_data
    for f in files:
        raw = read(f)[2]
        v = np.frombuffer(raw, "<u2")
        if not raw or ((v & 0x7FFF) > 0x7F80).any():  # torch.equal says NaN != NaN
            continue
        r = baseline._validate(raw)
        want = 1 - len(m.compress_data(raw)) / len(raw)
        # its similarity is float32 arithmetic (0.9996 to 1.00008 for bit-exact
        # round trips): for lossless, is_valid counts; for lossy, a sane value
        if not (r["is_valid"] or lossy) or abs(r["compression_efficiency"] - want) > 1e-12 or \
                lossy and not r["similarity"] > 0.5:
            fails.append("%s: baseline._validate says %s" % (os.path.basename(f), r))

for f in fails:
    print("FAIL:", spec, f)
sys.exit(1 if fails else 0)
