

# --- specs -> (transforms [(name, arg)], encoder, decoder, lossy)
def pipeline(spec):
    t, _, e = spec.rpartition("|")
    steps = [s.partition(":")[::2] for s in t.split(",") if s]
    name, _, arg = e.partition(":")
    return (steps,) + ENTROPY[name](arg) + (int(any(s in LOSSY for s, _ in steps + [(name, 0)])),)


PIPES = {s: pipeline(s) for s in CHOICES}


def one_line(e):
    return (str(e) or type(e).__name__).splitlines()[0]


def run_tasks(path, mode):  # the file tasks (the competition's miner_solution.py)
    failed = 0
    for t in json.load(open(path))["tasks"]:
        try:
            out = (npy_compress if mode == "compress" else npy_decompress)(
                base64.b64decode(t["input"]["data_to_%s_base64" % mode]))
            with open(t["input"]["expected_output_filepath"], "wb") as f:
                f.write(out)
        except Exception as e:
            print("task %s: %s" % (t.get("task_name"), one_line(e)), file=sys.stderr)
            failed = 1
    return failed


def make_app(cap):  # the HTTP server (the competition's baseline.py)
    from fastapi import FastAPI, File, Form, HTTPException, UploadFile
    from fastapi.responses import Response
    app = FastAPI()
    app.get("/health")(lambda: {"status": "healthy"})

    def endpoint(fn):  # a plain def: FastAPI runs it off the event loop
        def run(file: UploadFile = File(...), rows: int = Form(0, ge=0), cols: int = Form(0, ge=0)):
            data = file.file.read(cap + 1)
            if not data or len(data) > cap:
                raise HTTPException(413 if data else 400, "upload over %d bytes" % cap if data else "No data received")
            try:
                return Response(fn(data, rows, cols), media_type="application/octet-stream")
            except (ValueError, MemoryError) as e:
                raise HTTPException(400, one_line(e))
        return run
    app.post("/compress")(endpoint(compress_data))
    app.post("/decompress")(endpoint(lambda data, rows, cols: decompress_data(data)))
    return app


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="0.0.0.0")
    for name, default in ("port", 8080), ("max-upload", 256 << 20), ("max-output", MAX_OUTPUT):
        ap.add_argument("--" + name, type=int, default=default)
    for mode in "compress", "decompress":
        ap.add_argument("--" + mode, dest="mode", action="store_const", const=mode)
    ap.add_argument("--input-file")
    a = ap.parse_args()
    MAX_OUTPUT = a.max_output
    if a.mode:
        sys.exit(run_tasks(a.input_file, a.mode) if a.input_file else ap.error("--input-file is needed"))
    import uvicorn
    uvicorn.run(make_app(a.max_upload), host=a.host, port=a.port, log_level="warning")
