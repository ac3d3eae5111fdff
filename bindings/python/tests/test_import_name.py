"""The import name: `libmlops`; the old `mlops` still imports for one release,
with a DeprecationWarning, as the very same package."""

from __future__ import annotations

import textwrap

import libmlops

from conftest import run_python


def test_import_mlops_warns_and_is_libmlops():
    code = textwrap.dedent("""
        import hashlib, sys, warnings
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            import mlops
        import libmlops
        from mlops import _lib
        import mlops._errors
        dep = [w for w in caught if issubclass(w.category, DeprecationWarning)]
        assert len(dep) == 1, [str(w.message) for w in caught]
        assert "import 'libmlops' instead" in str(dep[0].message), dep[0].message
        assert dep[0].filename == "<string>", dep[0].filename   # points at the importer
        assert mlops is libmlops
        assert _lib is libmlops._lib and mlops._errors is libmlops._errors
        assert sys.modules["mlops._lib"] is sys.modules["libmlops._lib"]
        assert mlops.ParseError is libmlops.ParseError
        assert mlops.sha256(b"abc") == "sha256:" + hashlib.sha256(b"abc").hexdigest()
        print("ok")
        """)
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["ok"]


def test_import_mlops_fails_when_deprecation_warnings_are_errors():
    proc = run_python(
        "import warnings; warnings.simplefilter('error', DeprecationWarning); import mlops")
    assert proc.returncode != 0
    assert "DeprecationWarning: the 'mlops' module is deprecated" in proc.stderr


def test_import_libmlops_does_not_warn():
    proc = run_python("import warnings; warnings.simplefilter('error'); import libmlops; print(libmlops.__name__)")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["libmlops"]


def test_package_name_is_libmlops():
    assert libmlops.__name__ == "libmlops"
    assert libmlops.Digest.__module__ == "libmlops._digest"
    assert libmlops.ParseError.__module__ == "libmlops._errors"
