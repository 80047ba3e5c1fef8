"""For every test directory: the modules at the top of tests/ (pythons.py) are importable
whatever directory a test lives in."""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = str(Path(__file__).resolve().parent)
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)
