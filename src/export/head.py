#!/usr/bin/env python3
"""Matrix compression miner exported by mxbench (pipeline __SPEC__), a
drop-in for the competition's baseline.py: compress_data/decompress_data on
raw bf16 bytes, writing what `mxbench compress -p '__SPEC__'` writes. Serves
on 0.0.0.0:8080; --compress/--decompress --input-file tasks.json runs tasks."""
import argparse
import ast
import base64
import json
import struct
import sys
from types import SimpleNamespace as Fields

import numpy as np

SPEC = "__SPEC__"
MAX_RATIO, MAX_OUTPUT = 1 << 20, 1 << 30  # bounds on a decoded matrix (--max-output)
TRANSFORMS, ENTROPY, LOSSY = {}, {}, set()  # filled by the stages' sections
AUTO, CHOOSE = {}, None  # auto and auto:max: the specs they choose from, and how
