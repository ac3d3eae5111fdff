#!/usr/bin/env python3
"""Run test_drift_exact.py under pytest; 77 (meson's "skipped") when pytest,
numpy or mpmath are not importable. Arguments are passed on to pytest."""
import os
import sys

try:
    import mpmath  # noqa: F401
    import numpy  # noqa: F401
    import pytest
except Exception:  # ImportError, or a broken binary install
    print("pytest/numpy/mpmath not importable: skipping")
    sys.exit(77)

here = os.path.dirname(os.path.abspath(__file__))
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "-rf",
                      os.path.join(here, "test_drift_exact.py"), *sys.argv[1:]]))
