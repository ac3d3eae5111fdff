"""Library discovery order and the ABI check."""

from __future__ import annotations

import ctypes.util
import json
import os
import shutil
import stat
import subprocess
import textwrap
from pathlib import Path

import pytest

import libmlops as mlops
from libmlops import _lib

from conftest import clean_env, run_python

REPORT = "import libmlops as mlops; print(mlops.library_source()); print(mlops.library_path())"

# An installed self-contained wheel carries its own library, which comes
# before pkg-config and the system loader: the tests of those steps need a
# package without one (the source tree's).
BUNDLED = [p for p in _lib.bundled_paths(Path(mlops.__file__).resolve().parent) if p.is_file()]
no_bundled_library = pytest.mark.skipif(
    bool(BUNDLED), reason=f"the package under test carries its own library ({BUNDLED[:1]})")


def fake_pkg_config(tmp_path: Path, libdir: str, rc: int = 0) -> str:
    script = tmp_path / "fake-pkg-config"
    script.write_text(f"#!/bin/sh\necho '{libdir}'\nexit {rc}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_mlops_library_is_the_only_candidate_when_set(tmp_path):
    (tmp_path / "libmlops.so").write_bytes(b"")
    found, notes = _lib.candidates(
        {"MLOPS_LIBRARY": "/opt/x/libmlops.so.0"}, package_dir=tmp_path,
        pkg_config=fake_pkg_config(tmp_path, str(tmp_path)))
    assert found == [("MLOPS_LIBRARY", "/opt/x/libmlops.so.0")]


def test_order_is_bundled_then_pkg_config_then_system(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "libmlops.so").write_bytes(b"")
    libdir = tmp_path / "lib"
    libdir.mkdir()
    (libdir / "libmlops.so.0").write_bytes(b"")
    found, notes = _lib.candidates({}, package_dir=pkg, pkg_config=fake_pkg_config(tmp_path, str(libdir)))
    assert found == [
        ("bundled", str(pkg / "libmlops.so")),
        ("pkg-config", str(libdir / "libmlops.so.0")),
        ("system", "libmlops.so.0"),
    ]
    assert notes == [f"pkg-config: libdir {libdir}"]


def test_pkg_config_prefers_the_abi_soname_then_the_dev_link(tmp_path):
    libdir = tmp_path / "lib"
    libdir.mkdir()
    (libdir / "libmlops.so").write_bytes(b"")
    found, _ = _lib.candidates({}, package_dir=tmp_path, pkg_config=fake_pkg_config(tmp_path, str(libdir)))
    assert found == [("pkg-config", str(libdir / "libmlops.so")), ("system", "libmlops.so.0")]
    found, _ = _lib.candidates({}, package_dir=tmp_path, abi=3,
                               pkg_config=fake_pkg_config(tmp_path, str(libdir)))
    assert found[-1] == ("system", "libmlops.so.3")


def test_pkg_config_missing_failing_or_empty_falls_through(tmp_path):
    found, notes = _lib.candidates({}, package_dir=tmp_path, pkg_config=str(tmp_path / "absent"))
    assert found == [("system", "libmlops.so.0")]
    assert notes[0] == (f"bundled: no {tmp_path / 'libmlops.so'} "
                        f"nor {tmp_path.parent / '.libmlops.mesonpy.libs' / 'libmlops.so'}")
    assert notes[1].startswith("pkg-config: not run")
    found, notes = _lib.candidates({}, package_dir=tmp_path, pkg_config=fake_pkg_config(tmp_path, "", rc=1))
    assert found == [("system", "libmlops.so.0")]
    assert notes[1] == "pkg-config: libmlops.pc not found"
    empty = tmp_path / "empty"
    empty.mkdir()
    found, notes = _lib.candidates({}, package_dir=tmp_path, pkg_config=fake_pkg_config(tmp_path, str(empty)))
    assert found == [("system", "libmlops.so.0")]
    assert notes[2] == f"pkg-config: no libmlops.so.0 in {empty}"


def test_abi_mismatch_is_refused_naming_both_versions():
    with pytest.raises(mlops.AbiMismatchError) as info:
        _lib.load({"MLOPS_LIBRARY": mlops.library_path()}, expected_abi=1)
    err = info.value
    assert isinstance(err, ImportError)
    assert (err.found, err.expected, err.path) == (0, 1, mlops.library_path())
    assert "has ABI major 0" in str(err) and "written for ABI major 1" in str(err)
    assert f"version {mlops.library_version()}" in str(err)


def test_mlops_library_that_cannot_load_is_an_error_not_a_fallback(tmp_path):
    with pytest.raises(mlops.LibraryNotFoundError, match="MLOPS_LIBRARY=.*nope.so.*cannot be loaded"):
        _lib.load({"MLOPS_LIBRARY": str(tmp_path / "nope.so")})


def test_a_library_that_is_not_libmlops_is_refused():
    other = ctypes.util.find_library("z")
    if not other:
        pytest.skip("no libz to stand in for a foreign library")
    with pytest.raises(mlops.LibraryNotFoundError, match="is not libmlops"):
        _lib.load({"MLOPS_LIBRARY": other})


# --- end to end, in fresh interpreters -----------------------------------------


@pytest.fixture()
def lib_copy(tmp_path, library_file):
    """A copy of the real library as <tmp>/lib/libmlops.so.0, and a .pc for it."""
    libdir = tmp_path / "lib"
    libdir.mkdir()
    shutil.copy(library_file, libdir / "libmlops.so.0")
    pcdir = tmp_path / "pc"
    pcdir.mkdir()
    (pcdir / "libmlops.pc").write_text(textwrap.dedent(f"""\
        prefix={tmp_path}
        libdir={libdir}
        includedir={tmp_path}/include
        Name: libmlops
        Description: test copy
        Version: {mlops.library_version()}
        Libs: -L${{libdir}} -lmlops
        Cflags: -I${{includedir}}
        """))
    return libdir, pcdir


@no_bundled_library
def test_import_finds_the_library_through_pkg_config(lib_copy):
    if not shutil.which("pkg-config"):
        pytest.skip("pkg-config not installed")
    libdir, pcdir = lib_copy
    env = clean_env()
    env["PKG_CONFIG_PATH"] = str(pcdir)
    proc = run_python(REPORT, env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["pkg-config", str(libdir / "libmlops.so.0")]


@no_bundled_library
def test_import_finds_the_library_through_the_system_loader(lib_copy):
    libdir, _ = lib_copy
    env = clean_env()
    env["LD_LIBRARY_PATH"] = str(libdir)
    proc = run_python(REPORT, env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["system", str(libdir / "libmlops.so.0")]


def test_mlops_library_wins_over_pkg_config(lib_copy, library_file):
    libdir, pcdir = lib_copy
    env = clean_env()
    env["PKG_CONFIG_PATH"] = str(pcdir)
    env["LD_LIBRARY_PATH"] = str(libdir)
    env["MLOPS_LIBRARY"] = str(library_file)
    proc = run_python(REPORT, env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["MLOPS_LIBRARY", str(library_file)]


@no_bundled_library
def test_import_without_any_library_fails_clearly():
    if ctypes.util.find_library("mlops"):
        pytest.skip("a system libmlops is installed")
    # (In a fresh process: in this one dlopen("libmlops.so.0") would find the
    # copy already loaded.)
    proc = run_python("import libmlops", clean_env())
    assert proc.returncode != 0
    text = proc.stderr
    assert "LibraryNotFoundError: libmlops not found. Set MLOPS_LIBRARY" in text
    assert "bundled: no " in text
    assert "pkg-config: libmlops.pc not found" in text
    assert "system: libmlops.so.0: libmlops.so.0: cannot open shared object file" in text
    assert "find_library('mlops') found nothing" in text


def test_import_refuses_a_library_of_another_abi(tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        pytest.skip("no C compiler to build the fake library")
    src = tmp_path / "fake.c"
    src.write_text(
        'int mlops_abi_major(void) { return 7; }\n'
        'const char *mlops_version(void) { return "7.0.0"; }\n')
    fake = tmp_path / "libmlops.so.7"
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(fake), str(src)], check=True)
    env = clean_env()
    env["MLOPS_LIBRARY"] = str(fake)
    proc = run_python("import libmlops", env)
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("libmlops._lib.AbiMismatchError: libmlops at ")
    assert f"{fake} (from MLOPS_LIBRARY) has ABI major 7 (version 7.0.0)" in last
    assert f"(libmlops {mlops.__version__}) was written for ABI major 0" in last


def test_bundled_library_is_used_without_running_pkg_config(tmp_path, library_file):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    shutil.copy(library_file, pkg / "libmlops.so")
    marker = tmp_path / "pkg-config-ran"
    script = tmp_path / "pkg-config"
    script.write_text(f"#!/bin/sh\ntouch '{marker}'\nexit 1\n")
    script.chmod(0o755)
    lib = _lib.load({}, package_dir=pkg, pkg_config=str(script))
    assert (lib.source, lib.path) == ("bundled", str(pkg / "libmlops.so"))
    assert lib.C.mlops_semver_validate(b"1.0.0") == 0
    assert not marker.exists()


def test_bundled_library_in_the_wheels_libs_directory_is_found(tmp_path, library_file):
    # meson-python installs the wheel's copy of the library beside the package,
    # in .libmlops.mesonpy.libs/ (auditwheel repair keeps it there).
    site = tmp_path / "site-packages"
    pkg = site / "libmlops"
    pkg.mkdir(parents=True)
    libs = site / ".libmlops.mesonpy.libs"
    libs.mkdir()
    shutil.copy(library_file, libs / "libmlops.so")
    found, notes = _lib.candidates({}, package_dir=pkg, pkg_config=str(tmp_path / "absent"))
    assert found[0] == ("bundled", str(libs / "libmlops.so"))
    lib = _lib.load({}, package_dir=pkg, pkg_config=str(tmp_path / "absent"))
    assert (lib.source, lib.path) == ("bundled", str(libs / "libmlops.so"))
    assert lib.C.mlops_semver_validate(b"1.0.0") == 0
    # the copy inside the package directory, when both exist, comes first
    shutil.copy(library_file, pkg / "libmlops.so")
    found, _ = _lib.candidates({}, package_dir=pkg, pkg_config=str(tmp_path / "absent"))
    assert found[0] == ("bundled", str(pkg / "libmlops.so"))


def test_bundled_library_is_what_a_clean_import_loads(tmp_path):
    # Runs against an installed wheel (the install check sets
    # LIBMLOPS_EXPECT_BUNDLED=1, so a package without its library fails here).
    if not BUNDLED:
        if os.environ.get("LIBMLOPS_EXPECT_BUNDLED") == "1":
            pytest.fail(f"LIBMLOPS_EXPECT_BUNDLED=1 but {mlops.__file__} has no bundled library")
        pytest.skip("the package under test has no bundled library (source tree)")
    env = clean_env()
    # pkg-config and the system loader would find this copy: the bundled one must win
    libdir = tmp_path / "lib"
    libdir.mkdir()
    shutil.copy(BUNDLED[0], libdir / "libmlops.so.0")
    env["LD_LIBRARY_PATH"] = str(libdir)
    code = REPORT + textwrap.dedent("""
        import json, os
        maps = {l.split()[-1] for l in open("/proc/self/maps") if ".so" in l}
        print(json.dumps({dep: sorted(m for m in maps if os.path.basename(m).startswith(dep))
                          for dep in ("libmlops", "libarchive", "libcrypto")}))
        """)
    proc = run_python(code, env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:2] == ["bundled", str(BUNDLED[0])]
    site = str(BUNDLED[0].parents[1])  # site-packages (or the package's parent)
    mapped = json.loads(lines[2])
    # libmlops and libarchive come only from the wheel; libcrypto from the wheel
    # too (Python's own _hashlib may map the system's as well)
    for dep in ("libmlops", "libarchive", "libcrypto"):
        assert any(p.startswith(site + os.sep) for p in mapped[dep]), (dep, mapped[dep])
    for dep in ("libmlops", "libarchive"):
        assert all(p.startswith(site + os.sep) for p in mapped[dep]), (dep, mapped[dep])
