"""Helpers every wrapper module uses: strings, paths, buffers, callbacks, mlops_buf.

They hold the rules the binding follows at the ABI boundary, so a wrapper for a
new layer stays a few mechanical lines:

* text goes in as UTF-8 and may not contain NUL (C would silently cut it);
* paths accept ``str``, ``bytes`` and ``os.PathLike`` (``pathlib.Path``);
* byte input is any C-contiguous buffer (bytes, bytearray, memoryview,
  array.array, NumPy arrays...) passed without copying;
* callbacks catch what the Python callable raises, cancel the C operation,
  and re-raise it once the C call has returned;
* ``mlops_buf`` output is copied into ``bytes`` and disposed.
"""

from __future__ import annotations

import ctypes
import os
from ctypes import POINTER, Structure, c_char, c_char_p, c_int, c_ssize_t, c_void_p, py_object
from types import TracebackType
from typing import Any, Callable, List, Optional, Tuple, Type, Union

from . import _errors
from ._lib import C
from ._signatures import PROGRESS_FN, mlops_buf

#: Anything that names a file.
StrPath = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
#: Progress callable: ``progress(done, total) -> bool | None``; truthy cancels.
ProgressFn = Callable[[int, int], Optional[bool]]


def invalid(message: str) -> _errors.InvalidArgumentError:
    """An :class:`InvalidArgumentError` for an argument rejected in Python,
    carrying the same code and name as the C library's."""
    return _errors.InvalidArgumentError(message)


def cstr(value: str, what: str) -> bytes:
    """UTF-8 bytes of ``value`` for a ``const char *`` argument."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be str, not {type(value).__name__}")
    raw = value.encode("utf-8")
    nul = raw.find(b"\0")
    if nul >= 0:
        raise invalid(f"{what} contains a NUL character at byte {nul}")
    return raw


def cpath(path: StrPath, what: str = "path") -> bytes:
    """File-system bytes of a path (``str``, ``bytes`` or ``os.PathLike``)."""
    try:
        raw = os.fsencode(path)
    except TypeError:
        raise TypeError(
            f"{what} must be str, bytes or os.PathLike, not {type(path).__name__}"
        ) from None
    if b"\0" in raw:
        raise invalid(f"{what} contains a NUL byte")
    return raw


def check_int(value: int, lo: int, hi: int, what: str) -> int:
    """``value`` as an int in ``[lo, hi]`` (ctypes would silently wrap it)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be int, not {type(value).__name__}")
    if not lo <= value <= hi:
        raise invalid(f"{what} {value} is outside {lo}..{hi}")
    return value


# --- buffers ---------------------------------------------------------------


class _Py_buffer(Structure):
    _fields_ = [
        ("buf", c_void_p),
        ("obj", c_void_p),
        ("len", c_ssize_t),
        ("itemsize", c_ssize_t),
        ("readonly", c_int),
        ("ndim", c_int),
        ("format", c_char_p),
        ("shape", c_void_p),
        ("strides", c_void_p),
        ("suboffsets", c_void_p),
        ("internal", c_void_p),
    ]


_PyBUF_SIMPLE = 0
# CPython's buffer C API. Other interpreters (PyPy) have no ctypes.pythonapi:
# there a read-only buffer that is not ``bytes`` is copied once instead.
_pythonapi = getattr(ctypes, "pythonapi", None)
if _pythonapi is not None:
    _get_buffer = _pythonapi.PyObject_GetBuffer
    _get_buffer.argtypes = [py_object, POINTER(_Py_buffer), c_int]
    _get_buffer.restype = c_int
    _release_buffer = _pythonapi.PyBuffer_Release
    _release_buffer.argtypes = [POINTER(_Py_buffer)]
    _release_buffer.restype = None


class _ReadOnlyExport:
    """Holds a read-only buffer exported through the C API; released when
    this object is collected (at once, by reference counting)."""

    __slots__ = ("_view", "ptr")

    def __init__(self, obj: Any) -> None:
        view = _Py_buffer()
        _get_buffer(obj, ctypes.byref(view), _PyBUF_SIMPLE)
        self._view: Optional[_Py_buffer] = view
        self.ptr = view.buf

    def __del__(self) -> None:
        view, self._view = self._view, None
        if view is not None:
            _release_buffer(ctypes.byref(view))


def read_buffer(obj: Any) -> Tuple[Any, Any, int]:
    """Borrow the bytes of any C-contiguous buffer without copying.

    Returns ``(keep, ptr, length)``: pass ``ptr`` and ``length`` to a
    ``const void *, size_t`` pair and keep a reference to ``keep`` until the C
    call returns (while it lives, the exporter cannot resize or free its
    memory)::

        keep, ptr, n = read_buffer(data)
        C.mlops_digest_update(handle, ptr, n)

    ``bytes`` pass as they are; writable buffers (``bytearray``, NumPy arrays,
    ``array.array``...) through :meth:`ctypes.c_char.from_buffer`; read-only
    ones through ``PyObject_GetBuffer`` (copied once on interpreters without
    CPython's C API, such as PyPy). As in :mod:`hashlib`, ``str`` raises
    :class:`TypeError` and a non-contiguous buffer :class:`BufferError`.
    """
    if type(obj) is bytes:
        return obj, obj, len(obj)
    if isinstance(obj, str):
        raise TypeError("text must be encoded to bytes before hashing")
    view = memoryview(obj)
    if not view.c_contiguous:
        raise BufferError("memoryview: underlying buffer is not C-contiguous")
    length = view.nbytes
    if length == 0:
        return view, None, 0
    if not view.readonly:
        anchor = c_char.from_buffer(view)
        return anchor, ctypes.addressof(anchor), length
    if _pythonapi is None:
        copy = view.tobytes()
        return copy, copy, length
    export = _ReadOnlyExport(view)
    return export, export.ptr, length


# --- callbacks ---------------------------------------------------------------


class Progress:
    """A Python progress callable as an ``mlops_progress_fn``.

    The callable gets ``(done, total)``; returning a truthy value cancels the
    operation (the C call then fails with :class:`libmlops.CancelledError`). If it
    raises, the exception is kept, the operation is cancelled, and the
    exception is re-raised in place of the ``CancelledError`` when the
    ``with`` block ends::

        with Progress(progress) as cb:
            opts.progress = cb.c_function
            C.mlops_digest_file(out, path, ctypes.byref(opts))
    """

    __slots__ = ("_fn", "error", "c_function")

    def __init__(self, fn: Optional[ProgressFn]) -> None:
        if fn is not None and not callable(fn):
            raise TypeError(f"progress must be callable, not {type(fn).__name__}")
        self._fn = fn
        self.error: Optional[BaseException] = None
        self.c_function: Any = PROGRESS_FN(self._call) if fn is not None else PROGRESS_FN()

    def _call(self, done: int, total: int, _ctx: Any) -> int:
        if self.error is not None:
            return 1
        try:
            return 1 if self._fn(done, total) else 0  # type: ignore[misc]
        except BaseException as exc:  # noqa: BLE001 - re-raised after the C call
            self.error = exc
            return 1

    def __enter__(self) -> "Progress":
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        error, self.error = self.error, None
        if error is not None:
            raise error.with_traceback(error.__traceback__) from None


# --- output buffers ----------------------------------------------------------


def take_buf(buf: mlops_buf) -> bytes:
    """Copy an ``mlops_buf`` the library filled into ``bytes`` and dispose it."""
    try:
        if not buf.data or buf.size == 0:
            return b""
        return ctypes.string_at(buf.data, buf.size)
    finally:
        C.mlops_buf_dispose(ctypes.byref(buf))


def take_strlist(handle: Optional[int]) -> List[str]:
    """Copy an ``mlops_strlist`` the library returned into a list of ``str``
    and free it (the list owns its strings: nothing is borrowed)."""
    try:
        return [(C.mlops_strlist_get(handle, i) or b"").decode("utf-8")
                for i in range(C.mlops_strlist_count(handle))]
    finally:
        C.mlops_strlist_free(handle)


# --- numeric arrays ----------------------------------------------------------

_np: Any
try:  # NumPy is optional: without it, buffers and sequences still work.
    import numpy as _np
except ImportError:  # pragma: no cover - exercised only without NumPy
    _np = None

_DOUBLE_P = ctypes.POINTER(ctypes.c_double)
_INT64_P = ctypes.POINTER(ctypes.c_int64)
_FORMATS = {"d": ("d", 8), "q": ("q", 8), "l": ("q", 8)}


def _borrow(obj: Any, fmt: str) -> Optional[Tuple[Any, int, int]]:
    """``(keep, address, count)`` of a C-contiguous buffer of ``fmt`` items
    (``"d"``: float64, ``"q"``: int64), or None when ``obj`` is not one."""
    try:
        view = memoryview(obj)
    except TypeError:
        return None
    item = view.format.lstrip("@=<")
    if _FORMATS.get(item, (None,))[0] != fmt or view.itemsize != 8 or not view.c_contiguous:
        return None
    count = view.nbytes // 8
    if count == 0:
        return view, 0, 0
    if not view.readonly:
        anchor = c_char.from_buffer(view.cast("B"))
        return anchor, ctypes.addressof(anchor), count
    export = _ReadOnlyExport(view)
    return export, export.ptr, count


def numeric_array(values: Any, kind: str = "float64") -> Tuple[Any, Any, int]:
    """Borrow or convert ``values`` to a C array of float64 (or int64).

    Returns ``(keep, pointer, count)``; keep ``keep`` alive until the C call
    returns. A C-contiguous buffer of the exact type (a float64 NumPy array,
    ``array.array('d')``, a ``memoryview`` of doubles...) is read in place:
    no copy. Any other input — another dtype, a non-contiguous view, a list,
    a pandas Series — is converted once into a temporary array. Arrays of
    more than one dimension are read in C order.
    """
    fmt = "d" if kind == "float64" else "q"
    ptype = _DOUBLE_P if fmt == "d" else _INT64_P
    if isinstance(values, (str, bytes)):
        raise TypeError(f"expected numbers, not {type(values).__name__}")
    borrowed = _borrow(values, fmt)
    if borrowed is None:
        if _np is not None:
            dtype = _np.float64 if fmt == "d" else _np.int64
            try:
                arr = _np.ascontiguousarray(values, dtype=dtype)
            except (TypeError, ValueError) as exc:
                raise TypeError(f"expected an array of numbers: {exc}") from None
            if fmt == "q" and _np.asarray(values).dtype.kind == "f":
                src = _np.asarray(values)
                if not _np.array_equal(src, arr):
                    raise invalid("category codes must be integers")
            borrowed = _borrow(arr.reshape(-1), fmt)
        else:
            import array

            try:
                seq = values.tolist() if hasattr(values, "tolist") else list(values)
                arr = array.array("d" if fmt == "d" else "q", seq)
            except (TypeError, OverflowError) as exc:
                raise TypeError(f"expected a sequence of numbers: {exc}") from None
            borrowed = _borrow(arr, fmt)
        assert borrowed is not None
    keep, address, count = borrowed
    return keep, ctypes.cast(address, ptype) if count else None, count
