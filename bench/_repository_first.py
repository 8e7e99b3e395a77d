"""Imported first by every bench script that reaches the ``surveys`` package.

Python puts a script's folder first on the path, and there ``bench/surveys.py`` would stand in
for the package it shares a name with: the repository goes first, the bench scripts (which
import one another) last.
"""

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if sys.path and Path(sys.path[0] or ".").resolve() == BENCH:
    sys.path[0] = str(BENCH.parent)
    sys.path.append(str(BENCH))
