"""A file-task solution (the interface of ../apex/miner_solution.py) without
pydantic, for mxbench eval --interface tasks: each compress task's .npy goes
out as zstd level 3 of its raw values, each decompress task's output is an
.npy of the values. Usage: python3 tasks_zstd.py --compress|--decompress
--input-file tasks.json"""
import argparse
import base64
import io
import json

import numpy as np
import zstd

p = argparse.ArgumentParser()
p.add_argument("--compress", action="store_true")
p.add_argument("--decompress", action="store_true")
p.add_argument("--input-file")
a = p.parse_args()
for task in json.load(open(a.input_file))["tasks"]:
    t = task["input"]
    if a.compress:
        arr = np.load(io.BytesIO(base64.b64decode(t["data_to_compress_base64"])), allow_pickle=False)
        head = np.array(arr.shape, dtype="<u8").tobytes()
        with open(t["expected_output_filepath"], "wb") as f:
            f.write(head + zstd.compress(np.ascontiguousarray(arr).astype("<u2").tobytes(), 3))
    else:
        blob = base64.b64decode(t["data_to_decompress_base64"])
        shape = tuple(int(x) for x in np.frombuffer(blob[:16], dtype="<u8"))
        arr = np.frombuffer(zstd.decompress(blob[16:]), dtype="<u2").reshape(shape)
        np.save(t["expected_output_filepath"], arr)
