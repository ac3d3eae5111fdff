"""Packages (package.h) and the local model store (store.h)."""

from __future__ import annotations

import ctypes
import json
import os
from ctypes import c_char_p, c_size_t, c_void_p
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from . import _errors
from ._ffi import Progress, ProgressFn, StrPath, check_int, cpath, cstr, take_buf, take_strlist
from ._handle import Handle, Retained
from ._lib import C
from ._manifest import Manifest, ManifestBuilder
from ._results import Result
from ._sign import SigningKey, TrustedKeys, key_array, keyring
from ._signatures import (
    PACK_OVERWRITE,
    PACKAGE_ALLOW_UNSIGNED,
    STORE_CREATE,
    STORE_DRY_RUN,
    STORE_NOWAIT,
    mlops_buf,
    mlops_packer_options,
    mlops_package_verify_options,
)

#: Package roles of files.
ROLES = ("model", "config", "doc", "code", "dataset")


@dataclass(frozen=True)
class PackageProblem(Result):
    """A content problem found by verification (a digest, a size, a missing
    or extra file): ``code`` is the error's symbolic name."""

    code: str
    entry: str
    expected: str
    found: str
    message: str


@dataclass(frozen=True)
class PackageFailure(Result):
    """Why a verification stopped: ``code`` is the error's symbolic name
    (``MLOPS_E_INTEGRITY``, ``MLOPS_E_SIGNATURE``, ``MLOPS_E_UNSAFE``...),
    ``path`` the file, entry or document it is about ("" when not known),
    ``offset`` the byte offset in the package (-1 when not known)."""

    code: str
    message: str
    path: str
    offset: int


@dataclass(frozen=True)
class PackageReport(Result):
    """What a verification found. ``manifest`` is the verified statement
    (None when the pass did not get that far or its signature failed).
    ``valid`` is true only when the verification succeeded; otherwise
    ``error`` says why it stopped (also when ``problems`` is empty)."""

    valid: bool
    signed: bool
    files_verified: int
    problems: List[PackageProblem]
    manifest: Optional[Manifest] = field(default=None, compare=False)
    report: Dict[str, Any] = field(default_factory=dict, compare=False)
    error: Optional[PackageFailure] = None

    def to_dict(self) -> Dict[str, Any]:
        """The library's JSON report (``valid``, ``signed``, ``files_verified``,
        ``statement_sha256``, ``problems``)."""
        return dict(self.report)

    def __repr__(self) -> str:
        name = f" {self.manifest.name}@{self.manifest.version}" if self.manifest is not None else ""
        return (f"PackageReport(valid={self.valid}, signed={self.signed}{name}, "
                f"files_verified={self.files_verified}, problems={len(self.problems)})")


def _report(handle: int) -> PackageReport:
    r = handle
    info = C.mlops_package_report_info(r).contents  # struct mlops_package_report_info
    problems = []
    for i in range(info.problem_count):
        p = C.mlops_package_report_problem(r, i).contents
        problems.append(PackageProblem(
            (C.mlops_error_name(p.code) or b"").decode("ascii"),
            (p.entry or b"").decode("utf-8", "replace"),
            (p.expected or b"").decode("utf-8", "replace"),
            (p.found or b"").decode("utf-8", "replace"),
            (p.message or b"").decode("utf-8", "replace"),
        ))
    m = C.mlops_package_report_manifest(r)
    manifest = None
    if m:
        # borrowed from the report: take a reference of its own
        own = c_void_p()
        C.mlops_manifest_dup(ctypes.byref(own), m)
        manifest = Manifest._wrap(own.value)
    buf = mlops_buf()
    C.mlops_package_report_write_json(ctypes.byref(buf), r, 0)
    doc = json.loads(take_buf(buf))
    code = info.error_code
    error = None
    if code:
        error = PackageFailure(
            (C.mlops_error_name(code) or b"").decode("ascii"),
            (info.error_message or b"").decode("utf-8", "replace"),
            (info.error_path or b"").decode("utf-8", "replace"),
            int(info.error_offset))
    return PackageReport(bool(info.valid), bool(info.is_signed), int(info.files_verified), problems,
                         manifest, doc, error)


class _VerifyOptions:
    """mlops_package_verify_options with everything it points to kept alive."""

    def __init__(self, trusted: Optional[TrustedKeys], threshold: int, allow_unsigned: bool,
                 paths: Optional[Sequence[str]], progress: Optional[ProgressFn]) -> None:
        opts = mlops_package_verify_options()
        C.mlops_package_verify_options_init(ctypes.byref(opts), ctypes.sizeof(opts))
        self.ring = None if trusted is None else keyring(trusted)
        # the options keep the keyring's pointer: retained while they live
        self.held = None if self.ring is None else Retained((self.ring,))
        opts.trusted = None if self.held is None else self.held.ptrs[0]
        opts.flags = PACKAGE_ALLOW_UNSIGNED if allow_unsigned else 0
        opts.threshold = check_int(threshold, 0, 2**32 - 1, "threshold")
        self.paths = None
        if paths is not None:
            raw = [cstr(p, "path") for p in paths]
            self.paths = (c_char_p * max(len(raw), 1))(*raw)
            opts.paths = ctypes.cast(self.paths, ctypes.POINTER(c_void_p))
            opts.npaths = len(raw)
        self.progress = Progress(progress)
        opts.progress = self.progress.c_function
        self.opts = opts


class Package:
    """A ``.mlpkg`` package file (docs/formats/package-v1.md): an OCI image
    layout in a tar, carrying a signed manifest and the model's files.

    ``Package(path)`` names an existing package; :meth:`pack` makes one.
    :meth:`verify` checks it in one streaming pass (signature first, then
    every file), :meth:`extract` verifies and extracts atomically,
    :meth:`sign` adds signatures. Trusted keys are a :class:`Keyring`, a
    :class:`SigningKey` or a list of them. Holds no C memory: ``close()``
    and ``with`` exist for uniformity.
    """

    __slots__ = ("path", "_closed")

    def __init__(self, path: StrPath) -> None:
        """Name a package file (``str`` or ``pathlib.Path``); nothing is read yet."""
        self.path = Path(os.fsdecode(cpath(path)))
        self._closed = False

    @classmethod
    def pack(cls, out_path: StrPath, manifest: ManifestBuilder, *,
             files: Iterable[Tuple[StrPath, str, str]] = (),
             directories: Iterable[Tuple[StrPath, str]] = (),
             keys: Union[SigningKey, Sequence[SigningKey]] = (),
             overwrite: bool = False, mtime: int = -1, shard_size: int = 0, threads: int = 0,
             progress: Optional[ProgressFn] = None) -> "Package":
        """Pack files into ``out_path`` with a manifest from ``manifest``
        (a :class:`ManifestBuilder` without files), signed by ``keys``.

        ``files`` are ``(source, package_path, role)``, ``directories``
        ``(dir, role)``; roles: model, config, doc, code, dataset. The
        package appears complete or not at all; the same inputs and
        ``mtime`` give the same bytes.
        """
        with Packer(keys=keys, overwrite=overwrite, mtime=mtime, shard_size=shard_size,
                    threads=threads, progress=progress) as p:
            for source, path, role in files:
                p.add_file(source, path, role)
            for d, role in directories:
                p.add_directory(d, role)
            p.write(out_path, manifest)
        return cls(out_path)

    def verify(self, trusted: Optional[TrustedKeys] = None, *, threshold: int = 1,
               allow_unsigned: bool = False, paths: Optional[Sequence[str]] = None,
               progress: Optional[ProgressFn] = None) -> PackageReport:
        """Verify the package; returns its :class:`PackageReport`.

        Raises :class:`SignatureError` (no valid trusted signature),
        :class:`IntegrityError` (content mismatch; ``exc.report`` lists every
        problem), :class:`UnsafeArchiveError`, :class:`ParseError`... Without
        ``trusted``, pass ``allow_unsigned=True`` to check content only.
        ``paths`` verifies only these files.
        """
        vo = _VerifyOptions(trusted, threshold, allow_unsigned, paths, progress)
        handle = c_void_p()
        try:
            with vo.progress:
                C.mlops_package_verify(ctypes.byref(handle), cpath(self.path), ctypes.byref(vo.opts))
            assert handle.value is not None
            return _report(handle.value)
        except _errors.MlopsError as exc:
            # The report, when the pass got far enough, lists every problem.
            exc.report = _report(handle.value) if handle.value else None  # type: ignore[attr-defined]
            raise
        finally:
            if handle.value:
                C.mlops_package_report_free(handle.value)

    def extract(self, dest: StrPath, trusted: Optional[TrustedKeys] = None, *, threshold: int = 1,
                allow_unsigned: bool = False, progress: Optional[ProgressFn] = None) -> Path:
        """Verify and extract into ``dest`` (which must not exist) in one
        pass; on any failure ``dest`` does not exist. Returns ``dest``."""
        vo = _VerifyOptions(trusted, threshold, allow_unsigned, None, progress)
        with vo.progress:
            C.mlops_package_extract(cpath(self.path), cpath(dest, "dest"), ctypes.byref(vo.opts))
        return Path(os.fsdecode(cpath(dest)))

    def sign(self, out_path: StrPath, keys: Union[SigningKey, Sequence[SigningKey]],
             trusted: Optional[TrustedKeys] = None, *, threshold: int = 1,
             allow_unsigned: bool = False, overwrite: bool = False) -> "Package":
        """Verify this package with ``trusted`` and write ``out_path`` with one
        more signature by each of ``keys``. Returns the new package."""
        vo = _VerifyOptions(trusted, threshold, allow_unsigned, None, None)
        arr, n, hold = key_array(keys)
        C.mlops_package_sign(cpath(self.path), cpath(out_path, "out_path"), arr, n,
                             ctypes.byref(vo.opts), PACK_OVERWRITE if overwrite else 0)
        del hold
        return Package(out_path)

    def close(self) -> None:
        """Nothing to release; marks the object closed."""
        self._closed = True

    def __enter__(self) -> "Package":
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.close()

    def __fspath__(self) -> str:
        return str(self.path)

    def __repr__(self) -> str:
        return f"Package({str(self.path)!r})"


class Packer(Handle):
    """Collects files and writes a package (see :meth:`Package.pack`)."""

    __slots__ = ("_keep", "_progress")
    _free = staticmethod(lambda h: C.mlops_packer_free(h))

    def __init__(self, *, keys: Union[SigningKey, Sequence[SigningKey]] = (), overwrite: bool = False,
                 mtime: int = -1, shard_size: int = 0, threads: int = 0,
                 progress: Optional[ProgressFn] = None) -> None:
        """A packer signing with ``keys``; ``mtime`` -1 takes SOURCE_DATE_EPOCH or 0."""
        self._handle: Optional[int] = None
        opts = mlops_packer_options()
        C.mlops_packer_options_init(ctypes.byref(opts), ctypes.sizeof(opts))
        arr, n, hold = key_array(keys)
        if n:
            opts.keys = arr
            opts.nkeys = n
        opts.flags = PACK_OVERWRITE if overwrite else 0
        opts.mtime = check_int(mtime, -1, 2**63 - 1, "mtime")
        opts.shard_size = check_int(shard_size, 0, 2**64 - 1, "shard_size")
        opts.threads = check_int(threads, 0, 2**32 - 1, "threads")
        self._progress = Progress(progress)
        opts.progress = self._progress.c_function
        self._keep: Any = (hold, opts)  # the packer borrows the keys until it is freed
        handle = c_void_p()
        C.mlops_packer_new(ctypes.byref(handle), ctypes.byref(opts))
        self._handle = handle.value

    def _after_free(self) -> None:
        self._keep = None

    def add_file(self, source: StrPath, path: str, role: str = "model") -> "Packer":
        """Add one regular file as package path ``path`` with ``role``."""
        C.mlops_packer_add_file(self._h(), cpath(source, "source"), cstr(path, "path"), cstr(role, "role"), 0)
        return self

    def add_directory(self, directory: StrPath, role: str = "model") -> "Packer":
        """Add every regular file under ``directory`` (``.mlopsignore`` honoured)."""
        C.mlops_packer_add_directory(self._h(), cpath(directory, "directory"), cstr(role, "role"), 0)
        return self

    def write(self, out_path: StrPath, manifest: ManifestBuilder) -> Manifest:
        """Hash, sign and write the package; returns the finished manifest."""
        out = c_void_p()
        with self._progress:
            C.mlops_packer_write_file(ctypes.byref(out), self._h(), cpath(out_path, "out_path"), manifest._h())
        return Manifest._wrap(out.value)


class Store(Handle):
    """A local model store: an OCI image layout directory used as a registry.

    ``Store(path, create=True)``; writers lock the store (``nowait=True``
    raises :class:`LockedError` instead of waiting). Packages are verified
    when added and named ``"name:version"``; aliases (``"production"``) are
    more names with a history. One thread at a time.
    """

    __slots__ = ("path",)
    _free = staticmethod(lambda h: C.mlops_store_free(h))

    def __init__(self, path: StrPath, *, create: bool = False, nowait: bool = False) -> None:
        """Open (or with ``create`` make) the store at ``path``."""
        self._handle: Optional[int] = None
        self.path = Path(os.fsdecode(cpath(path)))
        handle = c_void_p()
        C.mlops_store_open(ctypes.byref(handle), cpath(path),
                           (STORE_CREATE if create else 0) | (STORE_NOWAIT if nowait else 0))
        self._handle = handle.value

    def add(self, package: StrPath, trusted: Optional[TrustedKeys] = None, *, threshold: int = 1,
            allow_unsigned: bool = False) -> str:
        """Verify ``package`` and add it; returns its tag ``"name:version"``."""
        vo = _VerifyOptions(trusted, threshold, allow_unsigned, None, None)
        before = set(self.tags)
        C.mlops_store_add(self._h(), cpath(package, "package"), ctypes.byref(vo.opts))
        new = sorted(set(self.tags) - before)
        if new:
            return new[0]
        report = Package(package).verify(trusted, threshold=threshold, allow_unsigned=allow_unsigned)
        assert report.manifest is not None
        return f"{report.manifest.name}:{report.manifest.version}"

    def resolve(self, reference: str) -> str:
        """The manifest digest ``"sha256:<hex>"`` of ``"name:version"``, ``"name:alias"``
        or ``"name:latest"`` (the highest version that is not a pre-release)."""
        out = c_void_p()
        C.mlops_store_resolve(ctypes.byref(out), self._h(), cstr(reference, "reference"))
        assert out.value is not None
        try:
            return ctypes.string_at(out.value).decode("ascii")
        finally:
            C.mlops_free(out.value)

    def set_alias(self, name: str, alias: str, version: str) -> None:
        """Point ``name:alias`` at ``version`` (a tag), recording it in the history."""
        C.mlops_store_alias_set(self._h(), cstr(name, "name"), cstr(alias, "alias"), cstr(version, "version"))

    def alias_history(self, name: str, alias: str) -> List[str]:
        """Versions the alias has pointed at, oldest first (the last is the one
        it resolves to; empty when it was never set). A damaged store raises."""
        out = c_void_p()
        C.mlops_store_alias_history_list(ctypes.byref(out), self._h(), cstr(name, "name"),
                                         cstr(alias, "alias"), 0)
        return take_strlist(out.value)

    @property
    def tags(self) -> List[str]:
        """Every ``"name:version"`` tag (aliases not included): names in byte
        order, each model's versions in SemVer precedence. A damaged store
        raises (it never looks empty)."""
        out = c_void_p()
        C.mlops_store_tag_list(ctypes.byref(out), self._h(), 0)
        return take_strlist(out.value)

    def __contains__(self, reference: object) -> bool:
        if not isinstance(reference, str):
            return False
        try:
            self.resolve(reference)
        except _errors.NotFoundError:
            return False
        return True

    def export(self, reference: str, out_path: StrPath, *, mtime: int = -1, overwrite: bool = False) -> Package:
        """Write the version ``reference`` names back to a ``.mlpkg``."""
        C.mlops_store_export(self._h(), cstr(reference, "reference"), cpath(out_path, "out_path"),
                             check_int(mtime, -1, 2**63 - 1, "mtime"), PACK_OVERWRITE if overwrite else 0)
        return Package(out_path)

    def remove(self, tag: str) -> None:
        """Remove the version ``"name:version"`` (its blobs go at the next
        :meth:`gc`); raises :class:`ExistsError` while an alias points at it."""
        C.mlops_store_remove(self._h(), cstr(tag, "tag"), 0)

    def retain(self, keep: int, *, dry_run: bool = False) -> List[str]:
        """Keep the ``keep`` highest versions of every model and every aliased
        one; remove the other tags (not with ``dry_run``) and return them."""
        out = c_void_p()
        C.mlops_store_retain(ctypes.byref(out), self._h(), check_int(keep, 0, 2**63 - 1, "keep"),
                             STORE_DRY_RUN if dry_run else 0)
        return take_strlist(out.value)

    def gc(self) -> int:
        """Remove blobs no tag reaches; returns how many were removed."""
        n = c_size_t()
        C.mlops_store_gc(ctypes.byref(n), self._h())
        return n.value

    def check(self) -> None:
        """Check every reachable blob; raises :class:`IntegrityError` naming a damaged one."""
        C.mlops_store_check(self._h())

    def __repr__(self) -> str:
        if self.closed:
            return f"<Store {str(self.path)!r} closed>"
        try:
            tags: object = len(self.tags)
        except _errors.MlopsError as exc:
            tags = f"? ({exc.__class__.__name__})"
        return f"<Store {str(self.path)!r} tags={tags}>"


def layout_export(layout_dir: StrPath, reference: str, out_path: StrPath, *,
                  envelope: Optional[Union[str, bytes]] = None, mtime: int = -1,
                  overwrite: bool = False) -> Package:
    """Turn an OCI image layout holding a model (e.g. pulled with skopeo)
    into a ``.mlpkg``; ``envelope`` carries a detached signature in. The
    result must still be verified."""
    env = None if envelope is None else (envelope.encode() if isinstance(envelope, str) else bytes(envelope))
    C.mlops_layout_export(cpath(layout_dir, "layout_dir"), cstr(reference, "reference"), env,
                          0 if env is None else len(env), cpath(out_path, "out_path"),
                          check_int(mtime, -1, 2**63 - 1, "mtime"), PACK_OVERWRITE if overwrite else 0)
    return Package(out_path)
