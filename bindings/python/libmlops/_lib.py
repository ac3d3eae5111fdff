"""Finding, loading and checking libmlops, and binding the function table.

Discovery order (the first library that loads is the one used):

1. ``MLOPS_LIBRARY``: a path to the shared object. When set it is the only
   candidate: a wrong path is an error, never a silent fall-back.
2. The library bundled with the installed package, present in the
   self-contained wheel only: ``libmlops/libmlops.so`` next to this file, else
   ``.libmlops.mesonpy.libs/libmlops.so`` next to the package directory (where
   meson-python puts the shared libraries a wheel carries; ``auditwheel
   repair`` then adds the library's own dependencies in ``libmlops.libs/``,
   found through its RUNPATH).
3. pkg-config: ``pkg-config --variable=libdir libmlops``, then
   ``<libdir>/libmlops.so.<ABI>`` (or ``libmlops.so``).
4. The system loader: ``libmlops.so.<ABI>`` through the dynamic linker's search
   path (``LD_LIBRARY_PATH``, ld.so.cache), then ``ctypes.util.find_library``.

The loaded library must report ``mlops_abi_major() == EXPECTED_ABI_MAJOR``;
otherwise the import fails with :class:`AbiMismatchError` naming both.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import subprocess
import sys
import types
from ctypes import Structure, c_char_p, c_int, c_void_p
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, NoReturn, Optional, Tuple

from . import _errors
from ._handle import guard
from ._signatures import FUNCTIONS, STATUS, Signature
from ._version import EXPECTED_ABI_MAJOR

ENV_VAR = "MLOPS_LIBRARY"
BUNDLED_NAME = "libmlops.so"
#: Directory, next to the package directory, where meson-python installs the
#: shared libraries a wheel carries (``.<distribution>.mesonpy.libs``).
WHEEL_LIBS_DIR = ".libmlops.mesonpy.libs"


class LibraryNotFoundError(ImportError):
    """No libmlops could be found or loaded; the message lists what was tried."""


class AbiMismatchError(ImportError):
    """The libmlops found has an ABI major other than the binding's."""

    def __init__(self, message: str, *, found: int, expected: int, path: str) -> None:
        super().__init__(message)
        self.found = found
        self.expected = expected
        self.path = path


def soname(abi: int = EXPECTED_ABI_MAJOR) -> str:
    """File name of the shared object for an ABI major, e.g. ``libmlops.so.0``."""
    if sys.platform == "darwin":
        return f"libmlops.{abi}.dylib"
    return f"libmlops.so.{abi}"


def bundled_paths(package_dir: Path) -> List[Path]:
    """Where a bundled library may be, in the order tried: inside the package
    directory, then meson-python's directory of bundled libraries beside it."""
    return [package_dir / BUNDLED_NAME, package_dir.parent / WHEEL_LIBS_DIR / BUNDLED_NAME]


def _pkg_config_libdir(environ: Mapping[str, str], pkg_config: str) -> Tuple[Optional[str], str]:
    """``pkg-config --variable=libdir libmlops``; returns (libdir or None, note)."""
    try:
        proc = subprocess.run(
            [pkg_config, "--variable=libdir", "libmlops"],
            env=dict(environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"pkg-config: not run ({exc})"
    libdir = proc.stdout.decode("utf-8", "replace").strip()
    if proc.returncode != 0 or not libdir:
        return None, "pkg-config: libmlops.pc not found"
    return libdir, f"pkg-config: libdir {libdir}"


def iter_candidates(
    environ: Optional[Mapping[str, str]] = None,
    *,
    package_dir: Optional[Path] = None,
    pkg_config: str = "pkg-config",
    abi: int = EXPECTED_ABI_MAJOR,
    notes: Optional[List[str]] = None,
) -> Iterator[Tuple[str, str]]:
    """The libraries to try, in order, as ``(source, path-or-name)`` pairs.

    Lazy, so that pkg-config only runs when the earlier steps gave nothing
    loadable. Steps that give nothing append a line to ``notes`` (for the
    error message). ``source`` is one of ``"MLOPS_LIBRARY"``, ``"bundled"``,
    ``"pkg-config"``, ``"system"``.
    """
    env = os.environ if environ is None else environ
    notes = [] if notes is None else notes
    explicit = env.get(ENV_VAR, "")
    if explicit:
        yield (ENV_VAR, explicit)
        return
    pkg_dir = Path(__file__).resolve().parent if package_dir is None else package_dir
    bundled = [p for p in bundled_paths(pkg_dir) if p.is_file()]
    if bundled:
        yield ("bundled", str(bundled[0]))
    else:
        notes.append("bundled: no " + " nor ".join(str(p) for p in bundled_paths(pkg_dir)))
    libdir, note = _pkg_config_libdir(env, pkg_config)
    notes.append(note)
    if libdir is not None:
        for name in (soname(abi), "libmlops.so"):
            path = Path(libdir) / name
            if path.exists():
                yield ("pkg-config", str(path))
                break
        else:
            notes.append(f"pkg-config: no {soname(abi)} in {libdir}")
    yield ("system", soname(abi))


def candidates(
    environ: Optional[Mapping[str, str]] = None,
    *,
    package_dir: Optional[Path] = None,
    pkg_config: str = "pkg-config",
    abi: int = EXPECTED_ABI_MAJOR,
) -> Tuple[List[Tuple[str, str]], List[str]]:
    """Every candidate of :func:`iter_candidates` and the notes on the steps
    that gave nothing."""
    notes: List[str] = []
    found = list(iter_candidates(
        environ, package_dir=package_dir, pkg_config=pkg_config, abi=abi, notes=notes))
    return found, notes


class _DlInfo(Structure):
    _fields_ = [
        ("dli_fname", c_char_p),
        ("dli_fbase", c_void_p),
        ("dli_sname", c_char_p),
        ("dli_saddr", c_void_p),
    ]


def _real_path(cdll: ctypes.CDLL, fallback: str) -> str:
    """The file the dynamic linker actually loaded (dladdr on an exported symbol)."""
    try:
        libc = ctypes.CDLL(None)
        dladdr = libc.dladdr
        dladdr.argtypes = [c_void_p, ctypes.POINTER(_DlInfo)]
        dladdr.restype = c_int
        info = _DlInfo()
        addr = ctypes.cast(cdll.mlops_abi_major, c_void_p).value
        if dladdr(addr, ctypes.byref(info)) and info.dli_fname:
            return os.path.abspath(os.fsdecode(info.dli_fname))
    except (AttributeError, OSError):
        pass
    return fallback


class Library:
    """A loaded libmlops with its function table bound.

    Attributes:
        cdll: the :class:`ctypes.CDLL`.
        C: namespace of the configured C functions, one attribute per entry of
            the signature table (a missing symbol becomes a stub that raises
            :class:`libmlops.UnsupportedError` when called).
        path: the file loaded.
        source: how it was found (see :func:`candidates`).
        missing: the table's functions the library does not export.
    """

    def __init__(self, cdll: ctypes.CDLL, path: str, source: str) -> None:
        self.cdll = cdll
        self.path = path
        self.source = source
        self.missing: List[str] = []
        self.C = types.SimpleNamespace()

    def bind(self, table: Mapping[str, Signature]) -> None:
        """Configure argtypes/restype (and the status check) for every entry."""
        for name, (restype, argtypes) in table.items():
            try:
                fn = getattr(self.cdll, name)
            except AttributeError:
                self.missing.append(name)
                setattr(self.C, name, self._missing_stub(name))
                continue
            if restype is STATUS:
                fn.restype = c_int
                fn.errcheck = self._check
            else:
                fn.restype = restype
            fn.argtypes = list(argtypes)
            if any(getattr(t, "_mlops_handle_arg", False) for t in argtypes):
                setattr(self.C, name, guard(fn))  # ClosedError, not ArgumentError
            else:
                setattr(self.C, name, fn)

    def _missing_stub(self, name: str) -> Callable[..., NoReturn]:
        def stub(*_args: Any) -> NoReturn:
            raise _errors.UnsupportedError(
                f"{name}() is not exported by the loaded libmlops {self.version()} "
                f"({self.path}); this binding needs a newer library",
                code=_errors._CODE_OF_NAME.get("MLOPS_E_UNSUPPORTED", -17),
                name="MLOPS_E_UNSUPPORTED",
            )

        stub.__name__ = name
        return stub

    def version(self) -> str:
        """``mlops_version()`` of this library, or "?" when it has none."""
        try:
            fn = self.cdll.mlops_version
        except AttributeError:
            return "?"
        fn.restype = c_char_p
        fn.argtypes = []
        return (fn() or b"?").decode("ascii", "replace")

    def abi_major(self) -> int:
        """``mlops_abi_major()`` of this library."""
        fn = self.cdll.mlops_abi_major
        fn.restype = c_int
        fn.argtypes = []
        return int(fn())

    def error(self, rc: int) -> _errors.MlopsError:
        """The exception for a failed call's return code, with the calling
        thread's error details (call right after the failing function)."""
        C = self.C
        name = (C.mlops_error_name(rc) or b"MLOPS_E_UNKNOWN").decode("ascii", "replace")
        cls = _errors.error_class(name)
        if C.mlops_error_last_code() == rc:
            message = _text(C.mlops_error_last())
            offset = C.mlops_error_last_offset()
            line = C.mlops_error_last_line()
            column = C.mlops_error_last_column()
            path = _text(C.mlops_error_last_path())
        else:  # the function failed without recording details: should not happen
            message, offset, line, column, path = "", -1, 0, 0, ""
        if not message:
            message = _text(C.mlops_strerror(rc))
        return cls(
            message,
            code=rc,
            name=name,
            offset=offset if offset >= 0 else None,
            line=line or None,
            column=column or None,
            path=path or None,
        )

    def _check(self, rc: int, _func: Any, _args: Any) -> int:
        if rc != 0:
            raise self.error(rc)
        return rc


def _text(raw: Optional[bytes]) -> str:
    # Messages quote the caller's input cut at a byte count, which may split a
    # UTF-8 sequence: never fail on decoding a message.
    return raw.decode("utf-8", "replace") if raw else ""


def _open(path_or_name: str) -> ctypes.CDLL:
    return ctypes.CDLL(path_or_name, mode=ctypes.RTLD_LOCAL)


def load(
    environ: Optional[Mapping[str, str]] = None,
    *,
    expected_abi: int = EXPECTED_ABI_MAJOR,
    package_dir: Optional[Path] = None,
    pkg_config: str = "pkg-config",
    table: Mapping[str, Signature] = FUNCTIONS,
) -> Library:
    """Find, load and check libmlops; bind ``table``.

    Raises:
        LibraryNotFoundError: nothing loadable was found (the message lists
            every step tried), or ``MLOPS_LIBRARY`` names a file that cannot
            be loaded.
        AbiMismatchError: the library's ABI major is not ``expected_abi``.
    """
    notes: List[str] = []
    found = iter_candidates(
        environ, package_dir=package_dir, pkg_config=pkg_config, abi=expected_abi, notes=notes
    )
    tried: List[str] = []
    for source, target in found:
        try:
            cdll = _open(target)
        except OSError as exc:
            if source == ENV_VAR:
                raise LibraryNotFoundError(
                    f"{ENV_VAR}={target!r} cannot be loaded: {exc}"
                ) from None
            tried.append(f"{source}: {target}: {exc}")
            continue
        return _checked(cdll, target, source, expected_abi, table)
    fallback = ctypes.util.find_library("mlops")
    if fallback:
        try:
            cdll = _open(fallback)
        except OSError as exc:
            tried.append(f"system: find_library gave {fallback}: {exc}")
        else:
            return _checked(cdll, fallback, "system", expected_abi, table)
    else:
        tried.append("system: ctypes.util.find_library('mlops') found nothing")
    raise LibraryNotFoundError(
        "libmlops not found. Set MLOPS_LIBRARY to the path of libmlops.so."
        f"{expected_abi}, make `pkg-config libmlops` find it, or install it where "
        "the dynamic linker looks. Tried:\n  " + "\n  ".join(notes + tried)
    )


def _checked(
    cdll: ctypes.CDLL, target: str, source: str, expected_abi: int, table: Mapping[str, Signature]
) -> Library:
    path = _real_path(cdll, target)
    lib = Library(cdll, path, source)
    try:
        found_abi = lib.abi_major()
    except AttributeError:
        raise LibraryNotFoundError(
            f"{path} (from {source}) is not libmlops: it has no mlops_abi_major()"
        ) from None
    if found_abi != expected_abi:
        raise AbiMismatchError(
            f"libmlops at {path} (from {source}) has ABI major {found_abi} "
            f"(version {lib.version()}), but this binding (libmlops "
            f"{_version_string()}) was written for ABI major {expected_abi}; "
            f"install a matching library or binding",
            found=found_abi,
            expected=expected_abi,
            path=path,
        )
    lib.bind(table)
    return lib


def _version_string() -> str:
    from ._version import __version__

    return __version__


def _error_codes(C: Any) -> Dict[str, int]:
    """Symbolic name -> code for every code the library knows."""
    codes: Dict[str, int] = {}
    for code in range(0, -256, -1):
        name = C.mlops_error_name(code).decode("ascii")
        if name == "MLOPS_E_UNKNOWN":
            break
        codes[name] = code
    return codes


#: The library this process uses, loaded at import.
LIB = load()
#: Its function table: ``C.mlops_digest_new(...)`` and so on.
C = LIB.C
_errors._CODE_OF_NAME.update(_error_codes(C))
