"""Shared fixtures: the repository (for header and map oracles), subprocess runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional

import pytest

import libmlops as mlops

BINDING_DIR = Path(__file__).resolve().parents[1]
REPO = BINDING_DIR.parents[1]


def repo_file(relative: str) -> Path:
    """A file of the source tree, or skip when the tests run outside it."""
    path = REPO / relative
    if not path.is_file():
        pytest.skip(f"{relative} not available (tests run outside the source tree)")
    return path


def run_python(code: str, env: Optional[Dict[str, str]] = None, **kw) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter that imports the package under test."""
    full_env = dict(os.environ if env is None else env)
    full_env["PYTHONPATH"] = os.pathsep.join(
        [str(BINDING_DIR)] + ([full_env["PYTHONPATH"]] if full_env.get("PYTHONPATH") else [])
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        **kw,
    )


@pytest.fixture(scope="session")
def library_file() -> Path:
    """The real shared library the tests run against."""
    return Path(mlops.library_path())


def clean_env() -> Dict[str, str]:
    """The environment without any way to find libmlops."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MLOPS_LIBRARY", "LD_LIBRARY_PATH", "PKG_CONFIG_PATH")}
    # An empty search path hides system .pc files too.
    env["PKG_CONFIG_LIBDIR"] = "/nonexistent-mlops-pc"
    return env
