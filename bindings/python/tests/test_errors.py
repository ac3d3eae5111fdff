"""Error codes -> exception classes, details, and every C error path of the core."""

from __future__ import annotations

import ctypes
import hashlib
import pickle
import re
import textwrap

import pytest

import libmlops as mlops
from libmlops import _errors
from libmlops._ffi import take_buf
from libmlops._lib import LIB, C, load
from libmlops._signatures import FUNCTIONS, STATUS, mlops_buf, mlops_digest_file_options

from conftest import repo_file, run_python


def header_codes():
    text = repo_file("include/mlops/common.h").read_text()
    return {name: int(value) for name, value in re.findall(r"\b(MLOPS_E_\w+) = (-\d+)", text)}


def test_hierarchy():
    assert issubclass(mlops.InvalidArgumentError, ValueError)
    assert issubclass(mlops.NoMemoryError, MemoryError)
    assert issubclass(mlops.MlopsIOError, OSError)
    for cls in _errors.ERROR_CLASSES.values():
        assert issubclass(cls, mlops.MlopsError) and cls is not mlops.MlopsError
        assert cls.__doc__
    assert issubclass(mlops.AbiMismatchError, ImportError)
    assert issubclass(mlops.LibraryNotFoundError, ImportError)


def test_every_code_of_the_header_has_its_name_and_class():
    codes = header_codes()
    assert len(codes) >= 18
    for name, code in codes.items():
        assert mlops.error_name(code) == name
        assert mlops.strerror(code) not in ("", "unknown error")
        cls = _errors.ERROR_CLASSES[name]
        assert cls.c_name == name
        err = LIB.error(code)
        assert type(err) is cls and err.code == code and err.name == name
    # the binding knows exactly the library's codes
    assert set(_errors.ERROR_CLASSES) == set(codes)
    assert {k: v for k, v in _errors._CODE_OF_NAME.items() if k != "MLOPS_OK"} == codes


def test_unknown_codes():
    assert mlops.error_name(-999) == "MLOPS_E_UNKNOWN"
    assert mlops.strerror(-999) == "unknown error"
    assert mlops.error_name(5) == "MLOPS_E_UNKNOWN"
    assert mlops.error_name(2**40) == "MLOPS_E_UNKNOWN"
    assert mlops.error_name(0) == "MLOPS_OK" and mlops.strerror(0) == "no error"
    with pytest.raises(TypeError):
        mlops.error_name("x")  # type: ignore[arg-type]
    C.mlops_error_clear()
    err = LIB.error(-200)
    assert type(err) is mlops.MlopsError and err.name == "MLOPS_E_UNKNOWN"


def test_missing_details_fall_back_to_strerror():
    C.mlops_error_clear()
    assert C.mlops_error_last() == b"" and C.mlops_error_last_code() == 0
    assert C.mlops_error_last_offset() == -1 and C.mlops_error_last_path() == b""
    err = LIB.error(-9)
    assert type(err) is mlops.IntegrityError
    assert err.message == "integrity check failed" and err.offset is None and err.path is None


def test_details_survive_a_later_success_and_clear_forgets_them():
    with pytest.raises(mlops.ParseError):
        mlops.SemVer("1.0")
    mlops.SemVer("1.0.0")
    assert C.mlops_error_last_code() == -4  # a success does not clear the record
    assert C.mlops_error_last_offset() == 3
    C.mlops_error_clear()
    assert C.mlops_error_last_code() == 0 and C.mlops_error_last_line() == 0
    assert C.mlops_error_last_column() == 0


def test_python_side_argument_errors_carry_the_c_code():
    err = _errors.InvalidArgumentError("bad")
    assert err.code == -1 and err.name == "MLOPS_E_INVALID"
    assert mlops.MlopsError("x").name == "MLOPS_E_UNKNOWN"


def test_exceptions_pickle_with_their_details(tmp_path):
    with pytest.raises(mlops.ParseError) as info:
        mlops.parse_timestamp("2024-05-01T12:00:00+02:00")
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is mlops.ParseError
    assert (copy.message, copy.code, copy.name, copy.offset, copy.line, copy.column, copy.path) == (
        info.value.message, -4, "MLOPS_E_PARSE", 19, 1, 20, None)
    with pytest.raises(mlops.MlopsIOError) as info:
        mlops.sha256_file(tmp_path / "missing")
    copy = pickle.loads(pickle.dumps(info.value))
    assert isinstance(copy, OSError) and copy.filename == str(tmp_path / "missing")
    assert str(copy) == str(info.value)
    assert repr(copy) == repr(info.value)
    assert "path=" in repr(copy)


# --- error paths only reachable through the raw table -------------------------


def test_null_arguments_are_invalid_with_the_function_and_parameter_named():
    cases = [
        (lambda: C.mlops_digest_update(None, None, 0), "mlops_digest_update: argument 'd' must not be NULL"),
        (lambda: C.mlops_digest_new(None), "mlops_digest_new: argument 'out' must not be NULL"),
        (lambda: C.mlops_digest_buffer(None, None, 0), "mlops_digest_buffer: argument 'out' must not be NULL"),
        (lambda: C.mlops_semver_parse(None, b"1.0.0"), "mlops_semver_parse: argument 'out' must not be NULL"),
        (lambda: C.mlops_semver_validate(None), "mlops_semver_validate: argument 'str' must not be NULL"),
        (lambda: C.mlops_timestamp_parse(None, None, b"x"), "mlops_timestamp_parse: argument 'seconds' must not be NULL"),
        (lambda: C.mlops_digest_file((ctypes.c_ubyte * 32)(), None, None), "mlops_digest_file: argument 'path' must not be NULL"),
    ]
    for call, message in cases:
        with pytest.raises(mlops.InvalidArgumentError) as info:
            call()
        assert info.value.message == message
        assert info.value.code == -1


def test_digest_data_null_with_length_is_invalid():
    handle = ctypes.c_void_p()
    C.mlops_digest_new(ctypes.byref(handle))
    try:
        with pytest.raises(mlops.InvalidArgumentError, match="argument 'data' must not be NULL"):
            C.mlops_digest_update(handle.value, None, 5)
    finally:
        C.mlops_digest_free(handle.value)


def test_options_version_size_and_flags(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"x")
    out = (ctypes.c_ubyte * 32)()
    opts = mlops_digest_file_options()
    C.mlops_digest_file_options_init(ctypes.byref(opts), ctypes.sizeof(opts))
    assert (opts.version, opts.size, opts.flags, opts.buffer_size) == (1, ctypes.sizeof(opts), 0, 0)
    opts.version = 99
    with pytest.raises(mlops.VersionError) as info:
        C.mlops_digest_file(out, bytes(path), ctypes.byref(opts))
    assert info.value.message == (
        "mlops_digest_file_options: version 99 is not supported (this library knows 1..1)")
    C.mlops_digest_file_options_init(ctypes.byref(opts), ctypes.sizeof(opts))
    opts.flags = 1
    with pytest.raises(mlops.InvalidArgumentError, match="unknown flag bits 0x1"):
        C.mlops_digest_file(out, bytes(path), ctypes.byref(opts))
    with pytest.raises(mlops.InvalidArgumentError, match="size 4 is smaller than version 1"):
        C.mlops_digest_file_options_init(ctypes.byref(opts), 4)
    with pytest.raises(mlops.InvalidArgumentError, match="'opts' must not be NULL"):
        C.mlops_digest_file_options_init(None, 64)


def test_out_of_memory_is_no_memory_error():
    # Fail every allocation through the allocator hooks, in a fresh process
    # (the hooks are process-wide and must be set before the library holds memory).
    code = textwrap.dedent(
        """
        import ctypes
        import libmlops as mlops
        from libmlops._lib import C
        from libmlops._signatures import MALLOC_FN, REALLOC_FN, FREE_FN
        libc = ctypes.CDLL(None)
        libc.free.argtypes = [ctypes.c_void_p]
        fail_malloc = MALLOC_FN(lambda size, ctx: None)
        fail_realloc = REALLOC_FN(lambda ptr, size, ctx: None)
        real_free = FREE_FN(lambda ptr, ctx: libc.free(ptr))
        C.mlops_allocator_set(fail_malloc, fail_realloc, real_free, None)
        try:
            mlops.SemVer("1.0.0")
        except mlops.NoMemoryError as e:
            assert isinstance(e, MemoryError)
            print(e.name, e.code, e.message)
        try:
            C.mlops_allocator_set(fail_malloc, REALLOC_FN(), FREE_FN(), None)
        except mlops.InvalidArgumentError as e:
            print("partial hooks:", e.code)
        C.mlops_allocator_set(MALLOC_FN(), REALLOC_FN(), FREE_FN(), None)
        print(mlops.SemVer("1.0.0").major)
        """
    )
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "MLOPS_E_NOMEM -2 out of memory"
    assert lines[1] == "partial hooks: -1"
    assert lines[2] == "1"


def test_missing_symbols_become_stubs_raising_unsupported():
    table = dict(FUNCTIONS)
    table["mlops_from_a_future_layer"] = (STATUS, ())
    lib = load(table=table, environ={"MLOPS_LIBRARY": mlops.library_path()})
    assert lib.missing == ["mlops_from_a_future_layer"]
    with pytest.raises(mlops.UnsupportedError, match="mlops_from_a_future_layer\\(\\) is not exported") as info:
        lib.C.mlops_from_a_future_layer()
    assert info.value.code == -17
    assert lib.C.mlops_semver_validate(b"1.0.0") == 0
    # a separate Library binds its own function objects: ours are untouched
    assert C.mlops_semver_validate.errcheck is not None


def test_output_buffers_are_copied_and_disposed():
    buf = mlops_buf()
    assert take_buf(buf) == b""
    assert (buf.data, buf.size, buf.capacity) == (None, 0, 0)
    C.mlops_buf_dispose(None)
    C.mlops_free(None)


def test_clear_error_empties_the_thread_record_and_reset_allocator_keeps_working():
    with pytest.raises(mlops.ParseError):
        mlops.SemVer("01.2.3")
    assert C.mlops_error_last_code() == -4  # MLOPS_E_PARSE (common.h)
    mlops.clear_error()
    assert C.mlops_error_last_code() == 0
    assert C.mlops_error_last() in (b"", "")
    mlops.reset_allocator()
    # the library still allocates and hashes after the reset (hashlib is the oracle)
    assert mlops.Digest(b"abc").hexdigest() == hashlib.sha256(b"abc").hexdigest()
