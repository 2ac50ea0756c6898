# For tests/eval.sh: round trips, but flips one bit of what it gives back
# (a FAILED row under the lossless rules; scored by similarity under lossy).
import argparse
from fastapi import FastAPI, UploadFile, File
from fastapi.responses import Response
import uvicorn
app = FastAPI()
@app.get("/health")
def health():
    return {"status": "healthy"}
@app.post("/compress")
async def compress(file: UploadFile = File(...)):
    return Response(content=await file.read(), media_type="application/octet-stream")
@app.post("/decompress")
async def decompress(file: UploadFile = File(...)):
    b = bytearray(await file.read())
    b[len(b) // 2] ^= 1
    return Response(content=bytes(b), media_type="application/octet-stream")
p = argparse.ArgumentParser(); p.add_argument("--port", type=int); p.add_argument("--host")
a = p.parse_args()
uvicorn.run(app, host=a.host, port=a.port, log_level="warning")
