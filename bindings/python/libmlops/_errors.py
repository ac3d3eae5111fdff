"""Exceptions raised by the binding, one class per C error code.

The C library returns a negative ``mlops_error_code`` and records the details of
the failure in thread-local storage. The binding maps the code to a class by its
stable symbolic name (``mlops_error_name()``), never by its number, and copies
the details into the exception right after the failing call, on the same
thread, so concurrent threads never see each other's errors.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Type


class MlopsError(Exception):
    """Base class of every error libmlops reports.

    Attributes:
        code: the negative C error code (``MLOPS_E_PARSE`` is -4, ...).
        name: its stable symbolic name, e.g. ``"MLOPS_E_PARSE"``.
        message: the library's detail message (``str(exc)`` is the same).
        offset: byte offset in the input the failure refers to, or ``None``.
        line: 1-based line of that position, or ``None`` when unknown.
        column: 1-based column (in bytes) of that position, or ``None``.
        path: the file, archive entry or JSON path the failure refers to, or
            ``None`` when the library named none.
    """

    #: Symbolic C name of the code this class stands for (the base: any).
    c_name: str = ""

    code: int
    name: str
    message: str
    offset: Optional[int]
    line: Optional[int]
    column: Optional[int]
    path: Optional[str]

    def __init__(
        self,
        message: str,
        *,
        code: Optional[int] = None,
        name: Optional[str] = None,
        offset: Optional[int] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
        path: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code if code is not None else _CODE_OF_NAME.get(type(self).c_name, 0)
        self.name = name if name is not None else (type(self).c_name or "MLOPS_E_UNKNOWN")
        self.offset = offset
        self.line = line
        self.column = column
        self.path = path

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        extra = "".join(
            f", {k}={getattr(self, k)!r}"
            for k in ("offset", "line", "column", "path")
            if getattr(self, k) is not None
        )
        return f"{type(self).__name__}({self.message!r}, name={self.name!r}{extra})"

    def __reduce__(self) -> Any:
        details = {
            "code": self.code,
            "name": self.name,
            "offset": self.offset,
            "line": self.line,
            "column": self.column,
            "path": self.path,
        }
        return (_rebuild, (type(self), self.message, details))


def _rebuild(cls: Type[MlopsError], message: str, details: Dict[str, Any]) -> MlopsError:
    return cls(message, **details)


class InvalidArgumentError(MlopsError, ValueError):
    """An argument is invalid (``MLOPS_E_INVALID``); also a :class:`ValueError`."""

    c_name = "MLOPS_E_INVALID"


class NoMemoryError(MlopsError, MemoryError):
    """The library could not allocate memory (``MLOPS_E_NOMEM``); a :class:`MemoryError`."""

    c_name = "MLOPS_E_NOMEM"


class MlopsIOError(MlopsError, OSError):
    """A system call failed (``MLOPS_E_IO``); also an :class:`OSError`.

    ``filename`` (the :class:`OSError` attribute) is the path the library named.
    """

    c_name = "MLOPS_E_IO"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message, **details)
        self.filename = self.path


class ParseError(MlopsError):
    """Input bytes are malformed (``MLOPS_E_PARSE``); ``offset`` says where."""

    c_name = "MLOPS_E_PARSE"


class SchemaError(MlopsError):
    """Well-formed input that breaks the schema (``MLOPS_E_SCHEMA``)."""

    c_name = "MLOPS_E_SCHEMA"


class LimitError(MlopsError):
    """A configured limit was exceeded (``MLOPS_E_LIMIT``)."""

    c_name = "MLOPS_E_LIMIT"


class NotFoundError(MlopsError):
    """A requested item does not exist (``MLOPS_E_NOTFOUND``)."""

    c_name = "MLOPS_E_NOTFOUND"


class ExistsError(MlopsError):
    """The item already exists and would be overwritten (``MLOPS_E_EXISTS``)."""

    c_name = "MLOPS_E_EXISTS"


class IntegrityError(MlopsError):
    """Content does not match its recorded size or digest (``MLOPS_E_INTEGRITY``)."""

    c_name = "MLOPS_E_INTEGRITY"


class SignatureError(MlopsError):
    """A signature is invalid or its key untrusted (``MLOPS_E_SIGNATURE``)."""

    c_name = "MLOPS_E_SIGNATURE"


class UnsafeArchiveError(MlopsError):
    """An archive entry would escape or is of a forbidden kind (``MLOPS_E_UNSAFE``)."""

    c_name = "MLOPS_E_UNSAFE"


class VersionError(MlopsError):
    """An options struct, format or ABI version is not supported (``MLOPS_E_VERSION``)."""

    c_name = "MLOPS_E_VERSION"


class CancelledError(MlopsError):
    """A callback cancelled the operation (``MLOPS_E_CANCELLED``)."""

    c_name = "MLOPS_E_CANCELLED"


class DomainError(MlopsError):
    """Numeric input without a defined result (``MLOPS_E_DOMAIN``)."""

    c_name = "MLOPS_E_DOMAIN"


class LockedError(MlopsError):
    """A lock is held by another writer (``MLOPS_E_LOCKED``)."""

    c_name = "MLOPS_E_LOCKED"


class CryptoError(MlopsError):
    """The cryptographic library failed for a reason other than a bad signature
    (``MLOPS_E_CRYPTO``)."""

    c_name = "MLOPS_E_CRYPTO"


class UnsupportedError(MlopsError):
    """The feature is not supported (``MLOPS_E_UNSUPPORTED``), e.g. a digest
    algorithm other than sha256, or a function the loaded library lacks."""

    c_name = "MLOPS_E_UNSUPPORTED"


class InternalError(MlopsError):
    """An internal invariant of the library failed (``MLOPS_E_INTERNAL``)."""

    c_name = "MLOPS_E_INTERNAL"


#: Symbolic C name -> exception class. Names the library reports but this
#: table lacks (codes added by a newer library) map to :class:`MlopsError`.
ERROR_CLASSES: Dict[str, Type[MlopsError]] = {
    cls.c_name: cls
    for cls in (
        InvalidArgumentError,
        NoMemoryError,
        MlopsIOError,
        ParseError,
        SchemaError,
        LimitError,
        NotFoundError,
        ExistsError,
        IntegrityError,
        SignatureError,
        UnsafeArchiveError,
        VersionError,
        CancelledError,
        DomainError,
        LockedError,
        CryptoError,
        UnsupportedError,
        InternalError,
    )
}

# Filled by the loader from the library's own table (mlops_error_name), so an
# exception made in Python (argument checks) carries the same code as C's.
_CODE_OF_NAME: Dict[str, int] = {}


def error_class(name: str) -> Type[MlopsError]:
    """The exception class for a symbolic C error name (``MlopsError`` if unknown)."""
    return ERROR_CLASSES.get(name, MlopsError)
