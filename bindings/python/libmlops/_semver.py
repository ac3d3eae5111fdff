"""Semantic Versioning 2.0.0: strict parsing and precedence ordering."""

from __future__ import annotations

import ctypes
from ctypes import c_int, c_void_p
from typing import Any, Optional, Tuple, Union

from ._ffi import cstr
from ._handle import Handle
from ._lib import C


class SemVer(Handle):
    """A parsed SemVer 2.0.0 version, ordered by the specification's precedence.

    ``SemVer("1.4.0-rc.1+build.5")`` parses strictly (no leading zeros, no
    missing parts, no whitespace) and raises :class:`ParseError` with the byte
    offset otherwise. Comparisons follow §11 of the specification; build
    metadata is ignored by ``==``, ``<`` ... and by :func:`hash`, so
    ``SemVer("1.0.0+a") == SemVer("1.0.0+b")`` (use :attr:`build` or
    ``str()`` to tell them apart).

    Immutable; may be shared between threads, pickled and used as a dict key.
    """

    __slots__ = ("_text",)
    _free = staticmethod(lambda h: C.mlops_semver_free(h))

    def __init__(self, text: str) -> None:
        """Parse ``text``; raises :class:`ParseError` when it is not SemVer."""
        self._handle: Optional[int] = None
        raw = cstr(text, "version")
        handle = c_void_p()
        C.mlops_semver_parse(ctypes.byref(handle), raw)
        self._handle = handle.value
        self._text = text

    @classmethod
    def parse(cls, text: str) -> "SemVer":
        """Same as ``SemVer(text)``."""
        return cls(text)

    def _part(self, attr: str) -> Any:
        """A field of the library's read-only ``struct mlops_semver_info``
        (borrowed from the version: read while it is held open)."""
        with self._use():
            return getattr(C.mlops_semver_info(self._h()).contents, attr)

    @property
    def major(self) -> int:
        """Major version number."""
        return int(self._part("major"))

    @property
    def minor(self) -> int:
        """Minor version number."""
        return int(self._part("minor"))

    @property
    def patch(self) -> int:
        """Patch version number."""
        return int(self._part("patch"))

    @property
    def prerelease(self) -> str:
        """Pre-release part without its ``-`` (``""`` when none)."""
        return (self._part("prerelease") or b"").decode("ascii")

    @property
    def build(self) -> str:
        """Build metadata without its ``+`` (``""`` when none)."""
        return (self._part("build") or b"").decode("ascii")

    @property
    def is_prerelease(self) -> bool:
        """Whether the version has a pre-release part."""
        return bool(self.prerelease)

    def as_tuple(self) -> Tuple[int, int, int, str, str]:
        """``(major, minor, patch, prerelease, build)``."""
        return (self.major, self.minor, self.patch, self.prerelease, self.build)

    def compare(self, other: "SemVer") -> int:
        """-1, 0 or 1 as ``self`` has lower, equal or higher precedence."""
        if not isinstance(other, SemVer):
            raise TypeError(f"cannot compare SemVer with {type(other).__name__}")
        return int(C.mlops_semver_compare(self._h(), other._h()))

    def _cmp(self, other: Any) -> Optional[int]:
        if not isinstance(other, SemVer):
            return None
        return int(C.mlops_semver_compare(self._h(), other._h()))

    def __eq__(self, other: object) -> bool:
        c = self._cmp(other)
        return NotImplemented if c is None else c == 0

    def __ne__(self, other: object) -> bool:
        c = self._cmp(other)
        return NotImplemented if c is None else c != 0

    def __lt__(self, other: "SemVer") -> bool:
        c = self._cmp(other)
        return NotImplemented if c is None else c < 0

    def __le__(self, other: "SemVer") -> bool:
        c = self._cmp(other)
        return NotImplemented if c is None else c <= 0

    def __gt__(self, other: "SemVer") -> bool:
        c = self._cmp(other)
        return NotImplemented if c is None else c > 0

    def __ge__(self, other: "SemVer") -> bool:
        c = self._cmp(other)
        return NotImplemented if c is None else c >= 0

    def __hash__(self) -> int:
        # Equal precedence <=> same numbers and the same pre-release string
        # (numeric identifiers have no leading zeros), build ignored.
        return hash((self.major, self.minor, self.patch, self.prerelease))

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"SemVer({self._text!r})"

    def __reduce__(self) -> Any:
        return (SemVer, (self._text,))

    def __copy__(self) -> "SemVer":
        return self

    def __deepcopy__(self, memo: Any) -> "SemVer":
        return self


def validate_semver(text: str) -> None:
    """Check that ``text`` is a SemVer 2.0.0 version, without keeping it.

    Raises:
        ParseError: it is not; the message and ``exc.offset`` say where.
    """
    C.mlops_semver_validate(cstr(text, "version"))


def is_valid_semver(text: str) -> bool:
    """Whether ``text`` is a SemVer 2.0.0 version (never raises for a str)."""
    from ._errors import MlopsError

    try:
        validate_semver(text)
    except MlopsError:
        return False
    return True


def compare_versions(a: Union[str, SemVer], b: Union[str, SemVer]) -> int:
    """Compare two versions by SemVer precedence: -1, 0 or 1.

    Accepts strings (parsed without allocating) or :class:`SemVer` objects.

    Raises:
        ParseError: an argument is not SemVer (the message says which).
    """
    if isinstance(a, SemVer) and isinstance(b, SemVer):
        return a.compare(b)
    result = c_int()
    C.mlops_semver_compare_str(
        ctypes.byref(result), cstr(str(a), "first version"), cstr(str(b), "second version")
    )
    return result.value
