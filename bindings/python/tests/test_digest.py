"""SHA-256: one-shot, streaming, files and the string form, against hashlib."""

from __future__ import annotations

import array
import ctypes
import hashlib
import os
from pathlib import Path

import pytest

import libmlops as mlops


def oracle(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


RANDOM = os.urandom((1 << 20) + 3)


@pytest.mark.parametrize("size", [0, 1, 55, 56, 63, 64, 65, 1000, (1 << 20) + 3])
def test_sha256_of_bytes_matches_hashlib(size):
    data = RANDOM[:size]
    assert mlops.sha256(data) == oracle(data)


def test_sha256_known_vector():
    # FIPS 180-2 appendix B.1
    assert mlops.sha256(b"abc") == (
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")


@pytest.mark.parametrize(
    "make",
    [
        bytearray,
        memoryview,
        lambda b: memoryview(b"xx" + b + b"yy")[2:-2],  # read-only view at an offset
        lambda b: array.array("B", b),
        lambda b: (ctypes.c_char * len(b)).from_buffer_copy(b),
        lambda b: memoryview(bytearray(b)).cast("B"),
    ],
    ids=["bytearray", "memoryview", "offset-view", "array", "ctypes", "cast"],
)
def test_sha256_accepts_any_contiguous_buffer(make):
    data = RANDOM[:4099]
    assert mlops.sha256(make(data)) == oracle(data)


@pytest.mark.parametrize("empty", [b"", bytearray(), memoryview(b""), array.array("d")])
def test_sha256_of_empty_buffers(empty):
    assert mlops.sha256(empty) == oracle(b"")


def test_sha256_of_a_two_dimensional_contiguous_view():
    data = bytearray(RANDOM[:24])
    assert mlops.sha256(memoryview(data).cast("B", [4, 6])) == oracle(bytes(data))


def test_sha256_of_typed_array_hashes_its_bytes():
    values = array.array("d", [1.5, -2.25, 3.0e300])
    assert mlops.sha256(values) == oracle(values.tobytes())


def test_sha256_rejects_text_and_non_contiguous_like_hashlib():
    with pytest.raises(TypeError):
        mlops.sha256("abc")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        hashlib.sha256("abc")  # type: ignore[arg-type]
    strided = memoryview(b"abcdef")[::2]
    with pytest.raises(BufferError):
        mlops.sha256(strided)
    with pytest.raises(BufferError):
        hashlib.sha256(strided)
    with pytest.raises(TypeError):
        mlops.sha256(12)  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [0, 1, 4096, (1 << 20) + 3])
@pytest.mark.parametrize("buffer_size", [0, 1000, 1 << 20])
def test_sha256_file_matches_hashlib(tmp_path, size, buffer_size):
    path = tmp_path / "blob.bin"
    path.write_bytes(RANDOM[:size])
    assert mlops.sha256_file(path, buffer_size=buffer_size) == oracle(RANDOM[:size])


def test_sha256_file_accepts_str_bytes_and_pathlike(tmp_path):
    path = tmp_path / "m.onnx"
    path.write_bytes(b"model bytes\n")
    expect = oracle(b"model bytes\n")
    assert mlops.sha256_file(str(path)) == expect
    assert mlops.sha256_file(os.fsencode(path)) == expect
    assert mlops.sha256_file(Path(path)) == expect


def test_sha256_file_reports_progress_up_to_the_size(tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(RANDOM[:10_000])
    calls = []
    result = mlops.sha256_file(path, progress=lambda d, t: calls.append((d, t)), buffer_size=4096)
    assert result == oracle(RANDOM[:10_000])
    assert calls == [(4096, 10_000), (8192, 10_000), (10_000, 10_000)]


def test_sha256_file_progress_returning_true_cancels(tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(RANDOM[:10_000])
    calls = []

    def cancel_at_second(done, total):
        calls.append(done)
        return len(calls) == 2

    with pytest.raises(mlops.CancelledError) as info:
        mlops.sha256_file(path, progress=cancel_at_second, buffer_size=1000)
    assert calls == [1000, 2000]
    err = info.value
    assert err.name == "MLOPS_E_CANCELLED" and err.code == -13
    assert err.path == str(path)
    assert "cancelled by the progress callback" in str(err)


def test_exception_in_progress_is_reraised_after_the_call(tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(RANDOM[:10_000])
    calls = []

    class Boom(Exception):
        pass

    def explode(done, total):
        calls.append(done)
        raise Boom(f"at {done}")

    with pytest.raises(Boom, match="at 1000") as info:
        mlops.sha256_file(path, progress=explode, buffer_size=1000)
    assert calls == [1000]  # the C loop stopped at the first exception
    # the traceback reaches into the callback
    assert any(entry.name == "explode" for entry in info.traceback)


def test_base_exception_in_progress_is_reraised(tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(b"x" * 100)

    def interrupt(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        mlops.sha256_file(path, progress=interrupt)


def test_sha256_file_missing_file_is_an_io_error(tmp_path):
    missing = tmp_path / "nope.bin"
    with pytest.raises(mlops.MlopsIOError) as info:
        mlops.sha256_file(missing)
    err = info.value
    assert isinstance(err, OSError) and isinstance(err, mlops.MlopsError)
    assert err.name == "MLOPS_E_IO" and err.code == -3
    assert err.path == str(missing) and err.filename == str(missing)
    assert str(err) == f"{missing}: cannot open: {os.strerror(2)}"
    assert err.offset is None and err.line is None


def test_sha256_file_directory_is_an_io_error(tmp_path):
    with pytest.raises(mlops.MlopsIOError, match="not a regular file") as info:
        mlops.sha256_file(tmp_path)
    assert info.value.path == str(tmp_path)


def test_sha256_file_argument_errors(tmp_path):
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.sha256_file("a\0b")
    with pytest.raises(ValueError):
        mlops.sha256_file(tmp_path / "x", buffer_size=-1)
    with pytest.raises(TypeError):
        mlops.sha256_file(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        mlops.sha256_file(tmp_path, progress="no")  # type: ignore[arg-type]


def test_streaming_digest_matches_hashlib():
    ref = hashlib.sha256()
    with mlops.Digest() as d:
        for i in range(0, len(RANDOM), 65_537):
            chunk = RANDOM[i:i + 65_537]
            d.update(chunk)
            ref.update(chunk)
        assert d.digest() == ref.digest()
        assert d.hexdigest() == ref.hexdigest()
        assert str(d) == "sha256:" + ref.hexdigest()
        assert repr(d) == "<libmlops.Digest open>"
    assert d.closed


def test_digest_constructor_data_and_hashlib_attributes():
    d = mlops.Digest(bytearray(b"ab"))
    d.update(memoryview(b"c"))
    assert d.hexdigest() == hashlib.sha256(b"abc").hexdigest()
    h = hashlib.sha256()
    assert (d.name, d.digest_size, d.block_size) == (h.name, h.digest_size, h.block_size)
    d.close()


def test_digest_continues_after_a_digest_like_hashlib():
    d = mlops.Digest(b"first")
    h = hashlib.sha256(b"first")
    assert d.digest() == h.digest()
    assert d.digest() == h.digest()  # stable
    d.update(b"more")
    h.update(b"more")
    assert d.hexdigest() == h.hexdigest()
    c, hc = d.copy(), h.copy()
    c.update(b"copy only")
    hc.update(b"copy only")
    assert c.hexdigest() == hc.hexdigest()
    assert d.hexdigest() == h.hexdigest()  # the original did not move
    c.close()
    d.reset()
    d.update(b"second")
    assert d.hexdigest() == hashlib.sha256(b"second").hexdigest()
    d.reset()
    assert d.hexdigest() == hashlib.sha256(b"").hexdigest()
    d.close()


def test_digest_reset_discards_unfinished_input():
    d = mlops.Digest(b"discard me")
    d.reset()
    d.update(b"abc")
    assert d.digest() == hashlib.sha256(b"abc").digest()
    d.close()


def test_closed_digest_refuses_use_and_close_is_idempotent():
    d = mlops.Digest()
    assert repr(d) == "<libmlops.Digest open>"
    d.close()
    d.close()
    assert repr(d) == "<libmlops.Digest closed>"
    for op in (lambda: d.update(b"x"), d.digest, d.hexdigest, d.reset, lambda: str(d)):
        with pytest.raises(mlops.InvalidArgumentError, match="closed"):
            op()
    with pytest.raises(ValueError):
        with d:
            pass


def test_digest_rejects_text():
    with mlops.Digest() as d:
        with pytest.raises(TypeError):
            d.update("text")  # type: ignore[arg-type]


def test_format_and_parse_digest_round_trip_with_hashlib():
    for data in (b"", b"abc", RANDOM[:999]):
        raw = hashlib.sha256(data).digest()
        text = mlops.format_digest(raw)
        assert text == oracle(data)
        assert mlops.parse_digest(text) == raw
        assert mlops.format_digest(bytearray(raw)) == text


def test_format_digest_wrong_length():
    with pytest.raises(mlops.InvalidArgumentError, match="32 bytes, not 31"):
        mlops.format_digest(b"\0" * 31)
    with pytest.raises(TypeError):
        mlops.format_digest("sha256:00")  # type: ignore[arg-type]


HEX = hashlib.sha256(b"x").hexdigest()


@pytest.mark.parametrize(
    "text, offset, fragment",
    [
        ("sha256" + HEX, 0, 'expected "sha256:<64 hex digits>"'),
        ("sha256:" + HEX[:63], 70, "63 hex digits, expected 64"),
        ("sha256:" + HEX[:10] + "A" + HEX[11:], 17, "byte 17 is not a lowercase hex digit"),
        ("sha256:" + HEX + "0", 71, "trailing bytes"),
        ("sha256:" + HEX + "\n", 71, "trailing bytes"),
        ("SHA256:" + HEX, 0, "bad algorithm name"),
        (" sha256:" + HEX, 0, "bad algorithm name"),
        ("", 0, "expected"),
    ],
)
def test_parse_digest_errors_carry_the_offset(text, offset, fragment):
    with pytest.raises(mlops.ParseError) as info:
        mlops.parse_digest(text)
    err = info.value
    assert err.offset == offset and err.line == 1 and err.column == offset + 1
    assert fragment in err.message
    assert err.code == -4 and err.name == "MLOPS_E_PARSE"


def test_parse_digest_other_algorithm_is_unsupported():
    with pytest.raises(mlops.UnsupportedError, match='"sha512" is not supported'):
        mlops.parse_digest("sha512:" + "ab" * 64)


def test_parse_digest_rejects_nul_and_non_text():
    with pytest.raises(mlops.InvalidArgumentError, match="NUL"):
        mlops.parse_digest("sha256:" + HEX + "\0junk")
    with pytest.raises(TypeError):
        mlops.parse_digest(b"sha256:" + HEX.encode())  # type: ignore[arg-type]


def test_buffers_are_read_in_place_without_copies():
    from libmlops._ffi import read_buffer

    blob = RANDOM[:1000]
    blob_addr = ctypes.cast(ctypes.c_char_p(blob), ctypes.c_void_p).value
    keep, ptr, n = read_buffer(blob)
    assert ptr is blob and n == 1000
    keep, ptr, n = read_buffer(memoryview(blob)[8:])  # read-only, at an offset
    assert (ptr, n) == (blob_addr + 8, 992)
    del keep
    data = bytearray(blob)
    data_addr = ctypes.addressof((ctypes.c_char * len(data)).from_buffer(data))
    keep, ptr, n = read_buffer(memoryview(data)[100:])
    assert (ptr, n) == (data_addr + 100, 900)
    with pytest.raises(BufferError):  # exported: the bytearray cannot move meanwhile
        data.extend(b"x")
    del keep
    data.extend(b"x")


def test_read_only_buffers_are_copied_where_the_interpreter_has_no_pythonapi(monkeypatch):
    # PyPy has no ctypes.pythonapi: a read-only buffer that is not bytes is
    # then copied once, and the digest is still hashlib's.
    from libmlops import _ffi

    monkeypatch.setattr(_ffi, "_pythonapi", None)
    view = memoryview(RANDOM)[8:1008]
    keep, ptr, n = _ffi.read_buffer(view)
    assert (keep, ptr, n) == (bytes(view), bytes(view), 1000)
    assert mlops.sha256(view) == "sha256:" + hashlib.sha256(view).hexdigest()
    assert mlops.sha256(memoryview(b"")) == "sha256:" + hashlib.sha256(b"").hexdigest()
