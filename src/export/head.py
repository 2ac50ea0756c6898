#!/usr/bin/env python3
"""Matrix compression miner exported by mxbench (pipeline __SPEC__): a drop-in for
the competition's baseline.py that also runs --compress/--decompress --input-file.
Made by mxbench export from its src/export/ sections, less comments."""
import argparse
import base64
import io
import json
import sys

import numpy as np

SPEC = "__SPEC__"
CHOICES, CHOOSE = [SPEC], None  # specs written and read; auto's compress
TRANSFORMS, ENTROPY, LOSSY = {}, {}, set()  # filled by the stages' sections
MAX_OUTPUT = 1 << 30  # bytes a decompress may make (--max-output)
