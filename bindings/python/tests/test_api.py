"""The binding's surface: versions, documentation, and the function table
checked against the library's map file, its headers and the compiler."""

from __future__ import annotations

import ctypes
import inspect
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import libmlops as mlops
from libmlops import _signatures as sig
from libmlops._handle import HandleArg
from libmlops._lib import LIB

from conftest import BINDING_DIR, repo_file


def test_versions_agree_with_the_sources():
    meson = repo_file("meson.build").read_text()
    project_version = re.search(r"version : '([^']+)'", meson).group(1)
    header = repo_file("include/mlops/common.h").read_text()
    header_version = re.search(r'#define MLOPS_VERSION_STRING "([^"]+)"', header).group(1)
    header_abi = int(re.search(r"#define MLOPS_ABI_MAJOR (\d+)", header).group(1))
    # meson.build has no ABI major of its own: it reads the header's
    assert re.search(r"abi_major = cc\.get_define\('MLOPS_ABI_MAJOR'", meson)
    pyproject = (BINDING_DIR / "pyproject.toml").read_text()
    assert re.search(r'^version = "([^"]+)"', pyproject, re.M).group(1) == mlops.__version__
    assert mlops.__version__ == project_version
    assert mlops.library_version() == header_version
    major, minor, patch = (int(x) for x in header_version.split("."))
    assert mlops.library_version_number() == major * 10000 + minor * 100 + patch
    assert mlops.abi_major() == mlops.EXPECTED_ABI_MAJOR == header_abi


def test_library_location_is_reported():
    assert Path(mlops.library_path()).is_file()
    assert mlops.library_source() in ("MLOPS_LIBRARY", "bundled", "pkg-config", "system")


def test_every_public_name_exists_and_is_documented():
    assert len(set(mlops.__all__)) == len(mlops.__all__)
    for name in mlops.__all__:
        obj = getattr(mlops, name)
        if name.startswith("__") or name.isupper():
            continue
        assert inspect.getdoc(obj), f"mlops.{name} has no docstring"
        if inspect.isclass(obj) and not issubclass(obj, BaseException):
            for attr, member in vars(obj).items():
                if attr.startswith("_") or not (callable(member) or isinstance(member, (property, classmethod))):
                    continue
                assert inspect.getdoc(getattr(obj, attr)), f"mlops.{name}.{attr} has no docstring"
    assert mlops.__doc__


def test_package_is_typed():
    assert (Path(mlops.__file__).parent / "py.typed").is_file()


def map_symbols():
    text = repo_file("src/libmlops.map").read_text()
    return set(re.findall(r"^\s*(mlops_\w+);", text, re.M))


def test_table_covers_every_exported_function():
    exported = map_symbols()
    table = set(sig.FUNCTIONS)
    assert sorted(exported - table) == [], "exported by libmlops but not in the binding's table"
    assert sorted(table - exported) == [], "in the binding's table but not exported"
    assert LIB.missing == []


def experimental_getters():
    """The per-field getters the info structs replace (experimental tier), listed
    once for both bindings in tests/abi/experimental-getters.txt."""
    text = repo_file("tests/abi/experimental-getters.txt").read_text()
    return [n for n in (line.strip() for line in text.splitlines()) if n and not n.startswith("#")]

# Exported functions the binding has no use for (none: reset_allocator() and
# clear_error() wrap the last two).
NOT_WRAPPED: set = set()


def binding_calls():
    """Every mlops_* function the binding's modules call (not its tests)."""
    called = set()
    for path in sorted(Path(mlops.__file__).parent.glob("*.py")):
        if path.name == "_signatures.py":
            continue
        text = re.sub(r"#[^\n]*", "", path.read_text())
        called |= set(re.findall(r"\b(?:C|_C|LIB|cdll)\.(mlops_\w+)\b", text))
    return called


def test_binding_calls_every_function_but_the_experimental_getters():
    exported = map_symbols()
    called = binding_calls()
    getters = experimental_getters()
    assert len(getters) > 100
    assert getters == sorted(set(getters))
    assert sorted(set(getters) - exported) == []
    assert sorted(set(getters) & called) == [], "switched to the info structs"
    assert set(getters) <= set(sig.FUNCTIONS)  # their declarations stay
    missing = exported - called - set(getters) - NOT_WRAPPED
    assert sorted(missing) == [], "exported but not called by the binding"


def prototypes():
    """name -> (return type, [parameter types]) from every public header."""
    text = "\n".join(p.read_text() for p in sorted(repo_file("include/mlops.h").parent.glob("mlops/*.h")))
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    protos = {}
    for ret, name, params in re.findall(r"MLOPS_EXTERN\s+([^;(]*?)\b(mlops_\w+)\s*\(([^)]*)\)\s*;", text, re.S):
        types = []
        for param in params.split(","):
            param = " ".join(param.split())
            if param in ("void", ""):
                continue
            array = "[" in param
            param = re.sub(r"\[.*\]", "", param).strip()
            ptype = re.sub(r"\b\w+$", "", param).strip()  # drop the parameter name
            types.append(ptype + (" []" if array else ""))
        protos[name] = (" ".join(ret.split()), types)
    return protos


SCALARS = {
    "int": ctypes.c_int, "unsigned": ctypes.c_uint, "uint8_t": ctypes.c_uint8,
    "int32_t": ctypes.c_int32, "uint32_t": ctypes.c_uint32, "uint64_t": ctypes.c_uint64,
    "int64_t": ctypes.c_int64, "size_t": ctypes.c_size_t, "double": ctypes.c_double,
    "float": ctypes.c_float, "bool": ctypes.c_bool,
}
CALLBACKS = {"mlops_malloc_fn": sig.MALLOC_FN, "mlops_realloc_fn": sig.REALLOC_FN,
             "mlops_free_fn": sig.FREE_FN, "mlops_progress_fn": sig.PROGRESS_FN}
STRUCTS = {cls.__name__: cls for cls in vars(sig).values()
           if isinstance(cls, type) and issubclass(cls, ctypes.Structure)
           and cls.__name__.startswith("mlops_")}


def expected_ctype(ctype: str, arg: bool = False):
    """The ctypes type for a C type; an opaque handle argument is
    HandleArg, which holds the object for the call (libmlops/_handle.py)."""
    t = ctype.replace("const ", "").strip()
    if t.endswith("[]"):  # fixed-size array parameter
        base = t[:-2].strip()
        return ctypes.c_char_p if base == "char" else ctypes.POINTER(ctypes.c_ubyte)
    if t in SCALARS:
        return SCALARS[t]
    if t in CALLBACKS:
        return CALLBACKS[t]
    if t == "char *":
        return ctypes.c_char_p
    if t == "void *":
        return ctypes.c_void_p
    if t.endswith("**"):
        return ctypes.POINTER(ctypes.c_void_p)
    if t.endswith("*"):
        base = re.sub(r"^struct\s+", "", t[:-1].strip())  # struct mlops_x_info *
        if base in SCALARS:
            return ctypes.POINTER(SCALARS[base])
        if base in STRUCTS:
            return ctypes.POINTER(STRUCTS[base])
        return HandleArg if arg else ctypes.c_void_p  # an opaque handle
    raise AssertionError(f"no ctypes mapping for C type {ctype!r}")


def test_table_matches_the_header_prototypes():
    protos = prototypes()
    assert set(protos) == set(sig.FUNCTIONS)
    for name, (ret, params) in protos.items():
        restype, argtypes = sig.FUNCTIONS[name]
        if ret == "void":
            assert restype is None, name
        elif ret == "int":
            assert restype in (sig.STATUS, ctypes.c_int), name
        else:
            assert restype is expected_ctype(ret), name
        assert len(argtypes) == len(params), name
        for i, (have, c) in enumerate(zip(argtypes, params)):
            assert have is expected_ctype(c, arg=True), f"{name} parameter {i + 1}: {c}"


# Functions returning an int that is a value, not a status code.
VALUE_INTS = {
    "mlops_abi_major", "mlops_error_last_code", "mlops_semver_compare",
    "mlops_profile_kind", "mlops_detector_drift_detected", "mlops_detector_warning_detected",
    "mlops_detector_type_of", "mlops_decision_action", "mlops_decision_suppressed_action",
    "mlops_decision_suppressed_reason", "mlops_decision_rule_truth",
    "mlops_decision_rule_reason", "mlops_gate_result_action",
    "mlops_gate_result_check_passed", "mlops_gate_result_check_reason",
    "mlops_manifest_equal", "mlops_manifest_parameter_type", "mlops_manifest_parameter_bool",
    "mlops_manifest_has_parent", "mlops_manifest_diff_relation",
    "mlops_manifest_diff_file_change", "mlops_manifest_diff_parameter_change",
    "mlops_manifest_diff_metric_change", "mlops_manifest_diff_dataset_change",
    "mlops_manifest_diff_code_change",
    "mlops_key_has_private", "mlops_package_report_code", "mlops_package_report_signed",
    "mlops_package_report_valid", "mlops_package_report_error_code",
    "mlops_drift_result_metric", "mlops_drift_result_pvalue_method", "mlops_drift_result_direction",
    "mlops_drift_result_drifted", "mlops_drift_auto_metric",
    "mlops_drift_table_result_column_drifted", "mlops_drift_table_result_drifted",
}


def test_status_functions_are_the_ones_documented_to_return_codes():
    # A function returning int is a status unless it returns a value (compare,
    # abi_major, the error code accessor).
    for name, (restype, _) in sig.FUNCTIONS.items():
        if restype is ctypes.c_int:
            assert name in VALUE_INTS, name


@pytest.mark.skipif(not (shutil.which("cc") or shutil.which("gcc")), reason="no C compiler")
def test_struct_layouts_match_the_compiler(tmp_path):
    include = repo_file("include/mlops.h").parent
    lines = ["#include <stdio.h>", "#include <stddef.h>", "#include <mlops.h>", "int main(void) {"]
    for name, cls in STRUCTS.items():
        # an info struct shares its name with its accessor: no typedef
        ctype = f"struct {name}" if name in sig.FUNCTIONS else name
        lines.append(f'printf("{name} %zu\\n", sizeof({ctype}));')
        for field, _ in cls._fields_:
            lines.append(f'printf("{name}.{field} %zu\\n", offsetof({ctype}, {field}));')
    lines += ["return 0;", "}"]
    src = tmp_path / "layout.c"
    src.write_text("\n".join(lines))
    exe = tmp_path / "layout"
    cc = shutil.which("cc") or shutil.which("gcc")
    subprocess.run([cc, "-std=c11", f"-I{include}", str(src), "-o", str(exe)], check=True)
    out = dict(line.split() for line in subprocess.run(
        [str(exe)], check=True, stdout=subprocess.PIPE, text=True).stdout.splitlines())
    for name, cls in STRUCTS.items():
        assert int(out[name]) == ctypes.sizeof(cls), name
        for field, _ in cls._fields_:
            assert int(out[f"{name}.{field}"]) == getattr(cls, field).offset, f"{name}.{field}"


def test_header_constants_match():
    common = repo_file("include/mlops/digest.h").read_text() + repo_file("include/mlops/timestamp.h").read_text()
    def define(name):
        return int(re.search(rf"#define {name} (\d+)", common).group(1))
    assert sig.SHA256_SIZE == mlops.SHA256_SIZE == define("MLOPS_SHA256_SIZE")
    assert sig.DIGEST_STRING_SIZE == define("MLOPS_DIGEST_STRING_SIZE")
    assert sig.TIMESTAMP_STRING_SIZE == define("MLOPS_TIMESTAMP_STRING_SIZE")
    assert sig.DIGEST_FILE_OPTIONS_VERSION == define("MLOPS_DIGEST_FILE_OPTIONS_VERSION")
    headers = "".join(repo_file(f"include/mlops/{h}.h").read_text()
                      for h in ("common", "profile", "detector", "drift", "key", "dsse", "policy", "packer",
                                "package", "store"))

    def value(name):
        return int(re.search(rf"#define {name} \(?(?:\(\w+\))?(0x[0-9a-fA-F]+|\d+)u?", headers).group(1), 0)
    for py, c in [("PROFILE_OPTIONS_VERSION", "MLOPS_PROFILE_OPTIONS_VERSION"),
                  ("SKETCH_TEST_VERSION", "MLOPS_SKETCH_TEST_VERSION"),
                  ("PROFILE_DEFAULT_K", "MLOPS_PROFILE_DEFAULT_K"),
                  ("PROFILE_DEFAULT_CATEGORY_CAP", "MLOPS_PROFILE_DEFAULT_CATEGORY_CAP"),
                  ("PROFILE_MAX_EDGES", "MLOPS_PROFILE_MAX_EDGES"),
                  ("DETECTOR_OPTIONS_VERSION", "MLOPS_DETECTOR_OPTIONS_VERSION"),
                  ("DRIFT_METRIC_COUNT", "MLOPS_DRIFT_METRIC_COUNT"),
                  ("DRIFT_REJECT_NONFINITE", "MLOPS_DRIFT_REJECT_NONFINITE"),
                  ("ED25519_SIGNATURE_SIZE", "MLOPS_ED25519_SIGNATURE_SIZE"),
                  ("ED25519_KEY_SIZE", "MLOPS_ED25519_KEY_SIZE"),
                  ("KEYID_STRING_SIZE", "MLOPS_KEYID_STRING_SIZE"),
                  ("POLICY_REPLAY_RECORD", "MLOPS_POLICY_REPLAY_RECORD"),
                  ("JSON_PRETTY", "MLOPS_JSON_PRETTY"),
                  ("KEY_PEM_PRIVATE", "MLOPS_KEY_PEM_PRIVATE"),
                  ("GATE_ALLOW_DOWNGRADE", "MLOPS_GATE_ALLOW_DOWNGRADE"),
                  ("PACK_OVERWRITE", "MLOPS_PACK_OVERWRITE"),
                  ("PACKAGE_ALLOW_UNSIGNED", "MLOPS_PACKAGE_ALLOW_UNSIGNED"),
                  ("STORE_CREATE", "MLOPS_STORE_CREATE"),
                  ("STORE_NOWAIT", "MLOPS_STORE_NOWAIT"),
                  ("STORE_DRY_RUN", "MLOPS_STORE_DRY_RUN")]:
        assert getattr(sig, py) == value(c), c
    assert mlops.DSSE_PAYLOAD_TYPE_INTOTO in headers


def test_wheel_build_installs_every_module():
    meson = (BINDING_DIR / "meson.build").read_text()
    listed = set(re.findall(r"'libmlops/([^']+)'", meson))
    assert "py.install_sources('mlops.py')" in meson   # the deprecated name
    shipped = {p.name for p in repo_file("bindings/python/libmlops/__init__.py").parent.iterdir()
               if p.suffix == ".py" or p.name == "py.typed"}
    assert listed == shipped


def test_info_structs_have_the_size_the_library_fills(tmp_path):
    # Every info struct as the library hands it out: its `size` field is the
    # C sizeof, equal to the ctypes declaration, and `version` is 1.
    from libmlops import Manifest, ManifestBuilder, SemVer
    from libmlops._lib import C

    m = (ManifestBuilder("m", "1.0.0-rc.1+b.2", created="2026-01-01T00:00:00Z")
         .add_file("a.bin", 3, "ab" * 32).file_shards("a.bin", 2, ["cd" * 32, "ef" * 32])
         .add_dataset("d", uri="s3://d", sha256="01" * 32).parameter("p", 1).metric("x", 0.5)
         .annotation("k", "v").finish())
    other = ManifestBuilder("m", "1.1.0", created="2026-01-01T00:00:00Z").add_file(
        "b.bin", 1, "12" * 32).add_dataset("e").parameter("p", 2).metric("x", 1.0).finish()
    d = ctypes.c_void_p()
    C.mlops_manifest_diff_new(ctypes.byref(d), m._h(), other._h(), 0)
    v = SemVer("1.0.0-rc.1+b.2")
    try:
        with m._use(), other._use(), v._use():
            got = [
                (sig.mlops_manifest_info, C.mlops_manifest_info(m._h())),
                (sig.mlops_manifest_file_info, C.mlops_manifest_file(m._h(), 0)),
                (sig.mlops_manifest_shard_info, C.mlops_manifest_file_shard_info(m._h(), 0, 1)),
                (sig.mlops_manifest_dataset_info, C.mlops_manifest_dataset(m._h(), 0)),
                (sig.mlops_manifest_parameter_info, C.mlops_manifest_parameter(m._h(), 0)),
                (sig.mlops_manifest_metric_info, C.mlops_manifest_metric(m._h(), 0)),
                (sig.mlops_manifest_annotation_info, C.mlops_manifest_annotation(m._h(), 0)),
                (sig.mlops_manifest_diff_info, C.mlops_manifest_diff_info(d.value)),
                (sig.mlops_manifest_diff_file_info, C.mlops_manifest_diff_file(d.value, 0)),
                (sig.mlops_manifest_diff_dataset_info, C.mlops_manifest_diff_dataset(d.value, 0)),
                (sig.mlops_manifest_diff_parameter_info, C.mlops_manifest_diff_parameter(d.value, 0)),
                (sig.mlops_manifest_diff_metric_info, C.mlops_manifest_diff_metric(d.value, 0)),
                (sig.mlops_semver_info, C.mlops_semver_info(v._h())),
            ]
            for cls, ptr in got:
                assert ptr, cls.__name__
                assert ptr.contents.version == 1, cls.__name__
                assert ptr.contents.size == ctypes.sizeof(cls), cls.__name__
            shard = C.mlops_manifest_file_shard_info(m._h(), 0, 1).contents
            assert (shard.offset, shard.length, shard.digest) == (2, 1, b"sha256:" + b"ef" * 32)
            assert not C.mlops_manifest_file(m._h(), 1)  # out of range: NULL
            assert not C.mlops_manifest_diff_metric(d.value, 1)
            assert C.mlops_semver_info(v._h()).contents.prerelease == b"rc.1"
    finally:
        C.mlops_manifest_diff_free(d.value)
