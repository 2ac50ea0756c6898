

# --- the pipelines this file writes and reads: SPEC, or those auto chooses from
def pipeline(spec):
    t, _, e = spec.rpartition("|")
    steps = [s.partition(":")[::2] for s in t.split(",")] if t else []
    name, _, arg = e.partition(":")
    return (steps,) + ENTROPY[name](arg) + (int(any(n in LOSSY for n in [name] + [s for s, _ in steps])),)


PIPES = {s: pipeline(s) for s in AUTO.get(SPEC, [SPEC])}
LOSSY_SPEC = max(p[3] for p in PIPES.values())


# --- the file tasks (the competition's miner_solution.py)
def run_tasks(path, mode):
    failed = 0
    for t in json.load(open(path))["tasks"]:
        try:
            out = (npy_compress if mode == "compress" else npy_decompress)(
                base64.b64decode(t["input"]["data_to_%s_base64" % mode]))
            with open(t["input"]["expected_output_filepath"], "wb") as f:
                f.write(out)
        except (ValueError, KeyError, TypeError, OSError) as e:
            print("task %s: %s" % (t.get("task_name"), (str(e) or type(e).__name__).splitlines()[0]), file=sys.stderr)
            failed = 1
    return failed


# --- the HTTP server (the competition's baseline.py)
def make_app(cap):
    from fastapi import FastAPI, File, Form, HTTPException, UploadFile
    from fastapi.responses import JSONResponse, Response
    app = FastAPI()

    @app.middleware("http")
    async def upload_cap(request, call_next):
        if int(request.headers.get("content-length") or 0) > cap:
            return JSONResponse({"detail": "upload over %d bytes" % cap}, 413)
        return await call_next(request)

    def answer(fn, file, *args):  # plain defs: FastAPI runs them off the event loop
        data = file.file.read(cap + 1)
        if not data or len(data) > cap:
            raise HTTPException(413 if data else 400, "upload over %d bytes" % cap if data else "No data received")
        try:
            return Response(fn(data, *args), media_type="application/octet-stream")
        except (ValueError, MemoryError) as e:  # one line, no traceback
            raise HTTPException(400, (str(e) or type(e).__name__).splitlines()[0])

    @app.get("/health")
    def health():
        return {"status": "healthy"}

    @app.post("/compress")
    def compress_file(file: UploadFile = File(...), rows: int = Form(0), cols: int = Form(0)):
        return answer(compress_data, file, rows, cols)

    @app.post("/decompress")
    def decompress_file(file: UploadFile = File(...)):
        return answer(decompress_data, file)
    return app


def main():
    global MAX_OUTPUT
    ap = argparse.ArgumentParser(description="mxbench export of " + SPEC)
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--host", default="0.0.0.0")
    ap.add_argument("--max-upload", type=int, default=256 << 20)  # bytes; 413 above
    ap.add_argument("--max-output", type=int, default=MAX_OUTPUT)  # bytes of values a decompress makes
    ap.add_argument("--compress", action="store_true")
    ap.add_argument("--decompress", action="store_true")
    ap.add_argument("--input-file")
    a = ap.parse_args()
    MAX_OUTPUT = a.max_output
    if a.compress or a.decompress:
        if a.compress == a.decompress or not a.input_file:
            ap.error("give --compress or --decompress, and --input-file")
        sys.exit(run_tasks(a.input_file, "compress" if a.compress else "decompress"))
    import uvicorn
    uvicorn.run(make_app(a.max_upload), host=a.host, port=a.port, log_level="warning")


if __name__ == "__main__":
    main()
