"""The library writes JSON in the C locale whatever the application set.

An application (a German desktop's Python calling
``locale.setlocale(locale.LC_ALL, "")``, an R session, a GUI toolkit) may set
LC_NUMERIC to a locale whose decimal separator is a comma; the drift table's
JSON then said ``"drifted_share":0,5`` and ``"statistic":0,0493``, which no
JSON parser reads. Oracle: Python's json module, and the same document made
in the C locale. The comma locale is compiled into a temporary directory
with localedef (LOCPATH), so the test needs no system locale.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import BINDING_DIR

CODE = r"""
import ctypes, json, locale, sys
import libmlops as mlops
libc = ctypes.CDLL(None)
libc.setlocale.restype = ctypes.c_char_p
libc.setlocale.argtypes = (ctypes.c_int, ctypes.c_char_p)
ref = {"a": [0.5, 1.5, 2.5] * 100, "b": [1.0, 2.0] * 150}
cur = {"a": [0.7, 1.5, 2.9] * 100, "b": [1.0, 3.0] * 150}
def doc():
    t = mlops.drift_table(ref, cur)   # parses the library's JSON report
    return json.dumps(t.report, sort_keys=True), t
c, tc = doc()
name = sys.argv[1].encode()
assert libc.setlocale(locale.LC_ALL, name) == name, "locale not set"
buf = ctypes.create_string_buffer(32)
libc.snprintf(buf, 32, b"%.1f", ctypes.c_double(0.5))
assert buf.value == b"0,5", buf.value   # the application's locale is in force
d, td = doc()
assert d == c, (d, c)
assert td.drifted_share == tc.drifted_share == json.loads(c)["drifted_share"] > 0
print("ok")
"""


def test_drift_json_is_the_same_under_a_comma_decimal_locale(tmp_path):
    localedef = shutil.which("localedef")
    if not localedef or not os.path.isdir("/usr/share/i18n/locales"):
        pytest.skip("localedef or the locale sources are not installed")
    r = subprocess.run([localedef, "-i", "de_DE", "-f", "UTF-8", str(tmp_path / "de_DE.UTF-8")],
                       capture_output=True)
    if not (tmp_path / "de_DE.UTF-8").is_dir():
        pytest.skip(f"localedef failed: {r.stderr!r}")
    env = dict(os.environ, LOCPATH=str(tmp_path))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BINDING_DIR), env.get("PYTHONPATH")]))
    r = subprocess.run([sys.executable, "-c", CODE, "de_DE.UTF-8"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]
