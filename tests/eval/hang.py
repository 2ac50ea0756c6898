# For tests/eval.sh: answers /health, then hangs on /compress (mxbench eval
# must time out, fail the row and stop it).
import argparse, time
from fastapi import FastAPI, UploadFile, File
from fastapi.responses import Response
import uvicorn
app = FastAPI()
@app.get("/health")
def health():
    return {"status": "healthy"}
@app.post("/compress")
def compress(file: UploadFile = File(...)):
    time.sleep(3600)
@app.post("/decompress")
def decompress(file: UploadFile = File(...)):
    return Response(content=file.file.read(), media_type="application/octet-stream")
p = argparse.ArgumentParser(); p.add_argument("--port", type=int); p.add_argument("--host")
a = p.parse_args()
uvicorn.run(app, host=a.host, port=a.port, log_level="warning")
