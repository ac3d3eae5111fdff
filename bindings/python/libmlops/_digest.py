"""SHA-256 digests: one-shot, streaming, files, and the "sha256:<hex>" form."""

from __future__ import annotations

import ctypes
from ctypes import c_ubyte, c_void_p, create_string_buffer
from typing import Any, Optional

from ._ffi import Progress, ProgressFn, StrPath, check_int, cpath, cstr, invalid, read_buffer
from ._handle import Handle
from ._lib import C
from ._signatures import DIGEST_STRING_SIZE, SHA256_SIZE, mlops_digest_file_options

_Raw = c_ubyte * SHA256_SIZE
_PREFIX = "sha256:"


def sha256(data: Any) -> str:
    """SHA-256 of a bytes-like object, as ``"sha256:<64 lowercase hex>"``.

    ``data`` is ``bytes`` or any C-contiguous buffer (``bytearray``,
    ``memoryview``, ``array.array``, a NumPy array...); it is read in place,
    without a copy, with the GIL released. ``str`` raises :class:`TypeError`
    and a non-contiguous buffer :class:`BufferError`, as in :mod:`hashlib`.
    """
    out = _Raw()
    keep, ptr, length = read_buffer(data)
    C.mlops_digest_buffer(out, ptr, length)
    del keep
    return _PREFIX + bytes(out).hex()


def sha256_file(
    path: StrPath, *, progress: Optional[ProgressFn] = None, buffer_size: int = 0
) -> str:
    """SHA-256 of a file's contents, as ``"sha256:<hex>"``, in constant memory.

    Args:
        path: ``str``, ``bytes`` or ``os.PathLike`` (``pathlib.Path``).
        progress: optional ``progress(done, total)`` called after each read
            with bytes hashed so far and the file size. Return a truthy value
            to cancel (:class:`CancelledError`); an exception it raises stops
            the hashing and is re-raised here.
        buffer_size: read size in bytes; 0 for the library default (1 MiB).

    Raises:
        MlopsIOError: the file cannot be opened or read, or is not a regular
            file (``exc.path`` / ``exc.filename`` name it).
        CancelledError: ``progress`` returned a truthy value.
    """
    raw_path = cpath(path)
    opts = mlops_digest_file_options()
    C.mlops_digest_file_options_init(ctypes.byref(opts), ctypes.sizeof(opts))
    opts.buffer_size = check_int(buffer_size, 0, 2**63 - 1, "buffer_size")
    out = _Raw()
    with Progress(progress) as cb:
        opts.progress = cb.c_function
        C.mlops_digest_file(out, raw_path, ctypes.byref(opts))
    return _PREFIX + bytes(out).hex()


def format_digest(raw: Any) -> str:
    """The string form ``"sha256:<hex>"`` of a 32-byte raw digest."""
    if isinstance(raw, str):
        raise TypeError("format_digest takes the 32 raw bytes, not text")
    view = memoryview(raw)
    if view.nbytes != SHA256_SIZE:
        raise invalid(f"a SHA-256 digest has {SHA256_SIZE} bytes, not {view.nbytes}")
    text = create_string_buffer(DIGEST_STRING_SIZE)
    C.mlops_digest_format(text, _Raw.from_buffer_copy(view.tobytes()))
    return text.value.decode("ascii")


def parse_digest(text: str) -> bytes:
    """The 32 raw bytes of a ``"sha256:<64 lowercase hex>"`` string.

    Parsing is strict (the OCI canonical form): no whitespace, no upper case.

    Raises:
        ParseError: malformed; ``exc.offset`` is the byte at fault.
        UnsupportedError: a well-formed digest of another algorithm
            (``"sha512:..."``).
    """
    out = _Raw()
    C.mlops_digest_parse(out, cstr(text, "digest"))
    return bytes(out)


class Digest(Handle):
    """A streaming SHA-256 computation over the C library.

    ::

        with libmlops.Digest() as d:
            for chunk in chunks:
                d.update(chunk)
            print(d)          # sha256:...

    As with :mod:`hashlib`, :meth:`digest`, :meth:`hexdigest` and ``str()``
    finish a copy of the computation (``mlops_digest_dup``): :meth:`update`
    may go on after them, and :meth:`copy` gives an independent object.

    Not thread-safe: use one object per thread (or a lock). :meth:`close`
    (or leaving the ``with`` block) releases the C object; it is also
    released when the object is garbage-collected.
    """

    __slots__ = ()
    _free = staticmethod(lambda h: C.mlops_digest_free(h))

    #: Algorithm name, as in :mod:`hashlib`.
    name = "sha256"
    #: Size of the raw digest in bytes.
    digest_size = SHA256_SIZE
    #: Internal block size of SHA-256 in bytes.
    block_size = 64

    def __init__(self, data: Any = None) -> None:
        """Start a computation, optionally fed with ``data`` right away."""
        self._handle: Optional[int] = None
        handle = c_void_p()
        C.mlops_digest_new(ctypes.byref(handle))
        self._handle = handle.value
        if data is not None:
            self.update(data)

    def update(self, data: Any) -> None:
        """Feed a bytes-like object (read in place, GIL released)."""
        handle = self._h()
        keep, ptr, length = read_buffer(data)
        C.mlops_digest_update(handle, ptr, length)
        del keep

    def copy(self) -> "Digest":
        """An independent computation in the same state (as hashlib's copy())."""
        other = Digest.__new__(Digest)
        other._handle = None
        handle = c_void_p()
        C.mlops_digest_dup(ctypes.byref(handle), self._h())
        other._handle = handle.value
        return other

    def digest(self) -> bytes:
        """The 32-byte digest of everything fed so far; feeding may go on."""
        with self.copy() as dup:
            out = _Raw()
            C.mlops_digest_finish(out, dup._h())
            return bytes(out)

    def hexdigest(self) -> str:
        """The digest as 64 lowercase hex digits; feeding may go on."""
        return self.digest().hex()

    def reset(self) -> None:
        """Forget everything fed; start a new message."""
        C.mlops_digest_finish(_Raw(), self._h())

    def __str__(self) -> str:
        """``"sha256:<hex>"`` of everything fed so far."""
        return _PREFIX + self.hexdigest()

    def __repr__(self) -> str:
        if self.closed:
            state = "closed"
        else:
            state = "open"
        return f"<libmlops.Digest {state}>"
