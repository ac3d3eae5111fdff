"""Version manifests (manifest.h): in-toto statements recording a model version."""

from __future__ import annotations

import ctypes
import datetime as _dt
import decimal
import fractions
import json
import math
import numbers
import operator
import os
from ctypes import c_char_p, c_size_t, c_ubyte, c_void_p
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from ._errors import SchemaError
from ._ffi import StrPath, check_int, cpath, cstr, invalid, take_buf
from ._handle import Handle
from ._lib import C
from ._results import Result
from ._signatures import JSON_PRETTY, mlops_buf, mlops_manifest_parse_options

_NPOS = (1 << (8 * ctypes.sizeof(c_size_t))) - 1  # (size_t)-1: "no such file"
#: Manifest parameter values are JSON scalars.
Scalar = Union[None, bool, int, float, str]


def _s(raw: Optional[bytes]) -> Optional[str]:
    return None if raw is None else raw.decode("utf-8")


def _opt(value: Optional[str], what: str) -> Optional[bytes]:
    return None if value is None else cstr(value, what)


def _bare(digest: Optional[bytes]) -> Optional[str]:
    """A digest of the info structs (``b"sha256:<hex>"``) as the 64 hex
    digits this binding has always given, or None."""
    return None if digest is None else digest[7:].decode("ascii")


def _hex(value: str, what: str) -> bytes:
    """A SHA-256 given as 64 hex digits or ``"sha256:<hex>"``."""
    if isinstance(value, str) and value.startswith("sha256:"):
        value = value[7:]
    return cstr(value, what)


def default_shard_size() -> int:
    """Default shard size of file digests (256 MiB)."""
    return int(C.mlops_manifest_default_shard_size())


def manifest_path_check(path: str) -> None:
    """Check a file path against the manifest path rules (relative,
    '/'-separated, no ``.``/``..``, no control characters, ...); raises
    :class:`SchemaError` naming the rule and the byte."""
    raw = cstr(path, "path") if isinstance(path, str) else bytes(path)
    C.mlops_manifest_path_check(raw, len(raw))


def relation_name(relation: int) -> str:
    """Name of a diff relation code (``"unrelated"``, ``"same"``, ``"b-child-of-a"``, ``"a-child-of-b"``)."""
    return _s(C.mlops_manifest_relation_name(check_int(relation, -(2**31), 2**31 - 1, "relation"))) or "?"


def change_name(change: int) -> str:
    """Name of a change code (``"unchanged"``, ``"added"``, ``"removed"``, ``"changed"``)."""
    return _s(C.mlops_manifest_change_name(check_int(change, -(2**31), 2**31 - 1, "change"))) or "?"


@dataclass(frozen=True)
class Shard(Result):
    """One shard of a file: byte ``offset``, ``size`` and ``sha256`` (hex)."""

    offset: int
    size: int
    sha256: str


@dataclass(frozen=True)
class ManifestFile(Result):
    """A file of a manifest; ``sha256`` is 64 hex digits."""

    path: str
    size: int
    sha256: str
    media_type: Optional[str] = None
    role: Optional[str] = None
    shard_size: int = 0
    shards: List[Shard] = field(default_factory=list)


@dataclass(frozen=True)
class ForeignDigest(Result):
    """A digest computed by another tool (``alg``, ``scheme``, ``value``)."""

    alg: str
    scheme: str
    value: str


@dataclass(frozen=True)
class Dataset(Result):
    """A dataset the model was trained or evaluated on."""

    name: str
    uri: Optional[str] = None
    role: Optional[str] = None
    sha256: Optional[str] = None
    foreign_digest: Optional[ForeignDigest] = None


@dataclass(frozen=True)
class ParentLink(Result):
    """The parent version: name, version and its statement digest (hex)."""

    name: str
    version: str
    sha256: str


@dataclass(frozen=True)
class CodeRef(Result):
    """Code repository URI and commit."""

    uri: Optional[str]
    commit: Optional[str]


@dataclass(frozen=True)
class FileChange(Result):
    """A file that differs between two manifests."""

    path: str
    change: str
    old_sha256: Optional[str]
    new_sha256: Optional[str]
    old_size: int
    new_size: int
    fields: Tuple[str, ...] = ()
    """What differs in a changed file: ``"digest"``, ``"size"``, ``"mediaType"``, ``"role"``, ``"shards"``."""


@dataclass(frozen=True)
class DatasetChange(Result):
    """A dataset (matched by name) added, removed or changed between two manifests."""

    name: str
    change: str
    fields: Tuple[str, ...]
    old_sha256: Optional[str]
    new_sha256: Optional[str]
    old_uri: Optional[str]
    new_uri: Optional[str]


@dataclass(frozen=True)
class ParameterChange(Result):
    """A parameter that differs (values as canonical JSON text)."""

    name: str
    change: str
    old_json: Optional[str]
    new_json: Optional[str]


@dataclass(frozen=True)
class MetricChange(Result):
    """A metric of either manifest with its deltas (NaN when not in both)."""

    name: str
    change: str
    old: float
    new: float
    delta: float
    relative: float


@dataclass(frozen=True)
class ManifestDiff(Result):
    """Differences between an old manifest ``a`` and a new one ``b``."""

    relation: str
    unchanged_files: int
    files: List[FileChange]
    parameters: List[ParameterChange]
    metrics: List[MetricChange]
    report: Dict[str, Any]
    unchanged_datasets: int = 0
    datasets: List[DatasetChange] = field(default_factory=list)
    code_change: str = "unchanged"
    """``"added"``, ``"removed"``, ``"changed"`` or ``"unchanged"`` (also when neither has a code link)."""
    code_fields: Tuple[str, ...] = ()

    def __repr__(self) -> str:
        count = lambda items, kind: sum(1 for x in items if x.change == kind)
        return (f"ManifestDiff(relation={self.relation!r}, files={count(self.files, 'added')} added"
                f"/{count(self.files, 'removed')} removed/{count(self.files, 'changed')} changed"
                f"/{self.unchanged_files} unchanged, datasets={len(self.datasets)}, "
                f"code={self.code_change!r}, parameters={len(self.parameters)}, "
                f"metrics={len(self.metrics)})")


class Manifest(Handle):
    """An immutable, valid version manifest (docs/formats/manifest-v1.md).

    ``Manifest(text)`` parses and checks (raises :class:`ParseError`,
    :class:`SchemaError` with the JSON path in ``exc.path``,
    :class:`IntegrityError`, :class:`VersionError`, :class:`LimitError`);
    :meth:`from_file` reads a file; :class:`ManifestBuilder` makes a new one.
    Fields are properties; ``bytes(m)`` / :meth:`to_bytes` are the canonical
    (signed) bytes and :meth:`to_json` the pretty form. Two manifests are
    ``==`` when their statement digests are. May be read from many threads.
    """

    __slots__ = ()
    _free = staticmethod(lambda h: C.mlops_manifest_free(h))

    def __init__(self, document: Union[str, bytes], *, max_size: int = 0, max_depth: int = 0) -> None:
        """Parse ``document``; ``max_size``/``max_depth`` may lower the limits."""
        self._handle: Optional[int] = None
        data = document.encode("utf-8") if isinstance(document, str) else bytes(document)
        opts = mlops_manifest_parse_options()
        C.mlops_manifest_parse_options_init(ctypes.byref(opts), ctypes.sizeof(opts))
        opts.max_size = check_int(max_size, 0, 2**63 - 1, "max_size")
        opts.max_depth = check_int(max_depth, 0, 2**63 - 1, "max_depth")
        handle = c_void_p()
        C.mlops_manifest_parse(ctypes.byref(handle), data, len(data), ctypes.byref(opts))
        self._handle = handle.value

    @classmethod
    def from_file(cls, path: StrPath, **options: Any) -> "Manifest":
        """Read and parse a manifest file (``str`` or ``pathlib.Path``)."""
        with open(cpath(path), "rb") as f:
            return cls(f.read(), **options)

    @classmethod
    def _wrap(cls, handle: Optional[int]) -> "Manifest":
        self = cls.__new__(cls)
        self._handle = handle
        return self

    def __reduce__(self) -> Tuple[Any, Tuple[bytes]]:
        return (Manifest, (self.to_bytes(),))

    # --- bytes and digests ----------------------------------------------
    def to_bytes(self) -> bytes:
        """Canonical RFC 8785 bytes of the statement (what is signed and hashed)."""
        buf = mlops_buf()
        C.mlops_manifest_write_json(ctypes.byref(buf), self._h(), 0)
        return take_buf(buf)

    __bytes__ = to_bytes

    def to_json(self) -> str:
        """The statement for humans: canonical key order, two-space indent."""
        buf = mlops_buf()
        C.mlops_manifest_write_json(ctypes.byref(buf), self._h(), JSON_PRETTY)
        return take_buf(buf).decode("utf-8")

    def to_dict(self) -> Dict[str, Any]:
        """The statement as a dict."""
        out: Dict[str, Any] = json.loads(self.to_bytes())
        return out

    def write(self, path: StrPath, pretty: bool = True) -> None:
        """Write the manifest to a file (pretty, or canonical bytes)."""
        with open(cpath(path), "wb") as f:
            f.write(self.to_json().encode("utf-8") if pretty else self.to_bytes())

    @property
    def tree_digest(self) -> bytes:
        """Raw SHA-256 of the canonical ``files`` array (the subject digest)."""
        out = (c_ubyte * 32)()
        C.mlops_manifest_tree_digest(out, self._h())
        return bytes(out)

    @property
    def statement_digest(self) -> bytes:
        """Raw SHA-256 of the canonical statement (what a child's parent link holds)."""
        out = (c_ubyte * 32)()
        C.mlops_manifest_statement_digest(out, self._h())
        return bytes(out)

    @property
    def tree_sha256(self) -> str:
        """:attr:`tree_digest` as 64 hex digits."""
        with self._use():
            return _bare(C.mlops_manifest_info(self._h()).contents.tree_digest) or ""

    @property
    def statement_sha256(self) -> str:
        """:attr:`statement_digest` as 64 hex digits."""
        with self._use():
            return _bare(C.mlops_manifest_info(self._h()).contents.statement_digest) or ""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Manifest):
            return NotImplemented
        return bool(C.mlops_manifest_equal(self._h(), other._h()))

    def __hash__(self) -> int:
        return hash(self.statement_sha256)

    def validate(self) -> None:
        """Check every rule of the format again (always passes for manifests
        made by the library); raises :class:`SchemaError`/:class:`IntegrityError`."""
        C.mlops_manifest_validate(self._h())

    def check_parent(self, parent: "Manifest") -> None:
        """Check that this manifest's parent link names ``parent``; raises
        :class:`NotFoundError` (no link) or :class:`IntegrityError` (mismatch)."""
        C.mlops_manifest_check_parent(self._h(), parent._h())

    def diff(self, new: "Manifest") -> ManifestDiff:
        """Compare this (old) manifest with ``new``."""
        return diff_manifests(self, new)

    # --- fields -----------------------------------------------------------
    # Every field comes from the library's read-only structs
    # (mlops_manifest_info() and the row accessors), read while the
    # manifest is held open (they are borrowed from it).
    def _summary(self, attr: str) -> Any:
        with self._use():
            return getattr(C.mlops_manifest_info(self._h()).contents, attr)

    @property
    def name(self) -> str:
        """Model name."""
        return _s(self._summary("name")) or ""

    @property
    def version(self) -> str:
        """SemVer version string."""
        return _s(self._summary("model_version")) or ""

    @property
    def created(self) -> str:
        """Creation time, RFC 3339 UTC."""
        return _s(self._summary("created")) or ""

    @property
    def description(self) -> Optional[str]:
        """Description, or None."""
        return _s(self._summary("description"))

    @property
    def framework(self) -> Optional[Tuple[str, Optional[str]]]:
        """``(name, version)`` of the framework, or None."""
        with self._use():
            info = C.mlops_manifest_info(self._h()).contents
            name = _s(info.framework_name)
            return None if name is None else (name, _s(info.framework_version))

    @property
    def files(self) -> List[ManifestFile]:
        """Files in byte order of their paths, with their shards."""
        with self._use():
            h = self._h()
            return [self._file(h, i) for i in range(C.mlops_manifest_info(h).contents.n_files)]

    def _file(self, h: Any, i: int) -> ManifestFile:
        f = C.mlops_manifest_file(h, i).contents
        shards = []
        for j in range(f.shard_count):
            sh = C.mlops_manifest_file_shard_info(h, i, j).contents
            shards.append(Shard(int(sh.offset), int(sh.length), _bare(sh.digest) or ""))
        return ManifestFile(_s(f.path) or "", int(f.file_size), _bare(f.digest) or "",
                            _s(f.media_type), _s(f.role), int(f.shard_size), shards)

    def file(self, path: str) -> Optional[ManifestFile]:
        """The file with exactly this path, or None (binary search)."""
        with self._use():
            h = self._h()
            i = C.mlops_manifest_file_find(h, cstr(path, "path"))
            return None if i == _NPOS else self._file(h, i)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self.file(path) is not None

    @property
    def datasets(self) -> List[Dataset]:
        """Datasets in document order."""
        out = []
        with self._use():
            h = self._h()
            for i in range(C.mlops_manifest_info(h).contents.n_datasets):
                d = C.mlops_manifest_dataset(h, i).contents
                alg = _s(d.foreign_alg)
                foreign = None if alg is None else ForeignDigest(
                    alg, _s(d.foreign_scheme) or "", _s(d.foreign_value) or "")
                out.append(Dataset(_s(d.name) or "", _s(d.uri), _s(d.role), _bare(d.digest), foreign))
        return out

    @property
    def parameters(self) -> Dict[str, Scalar]:
        """Parameters as Python scalars (None, bool, int/float, str), in canonical key order."""
        out: Dict[str, Scalar] = {}
        with self._use():
            h = self._h()
            for i in range(C.mlops_manifest_info(h).contents.n_parameters):
                p = C.mlops_manifest_parameter(h, i).contents
                name = _s(p.name) or ""
                if p.type == 2:
                    out[name] = p.boolean == 1
                elif p.type == 3:
                    text = _s(p.json) or ""
                    out[name] = int(text) if text.lstrip("-").isdigit() else float(p.number)
                elif p.type == 4:
                    out[name] = _s(p.string)
                else:
                    out[name] = None
        return out

    @property
    def parameters_json(self) -> Dict[str, str]:
        """Parameters as canonical JSON text of each value."""
        with self._use():
            h = self._h()
            rows = [C.mlops_manifest_parameter(h, i).contents
                    for i in range(C.mlops_manifest_info(h).contents.n_parameters)]
            return {_s(p.name) or "": _s(p.json) or "" for p in rows}

    @property
    def metrics(self) -> Dict[str, float]:
        """Metrics, in canonical key order."""
        with self._use():
            h = self._h()
            rows = [C.mlops_manifest_metric(h, i).contents
                    for i in range(C.mlops_manifest_info(h).contents.n_metrics)]
            return {_s(m.name) or "": float(m.value) for m in rows}

    @property
    def annotations(self) -> Dict[str, str]:
        """Annotations, in canonical key order."""
        with self._use():
            h = self._h()
            rows = [C.mlops_manifest_annotation(h, i).contents
                    for i in range(C.mlops_manifest_info(h).contents.n_annotations)]
            return {_s(a.key) or "": _s(a.value) or "" for a in rows}

    @property
    def parent(self) -> Optional[ParentLink]:
        """The parent link, or None."""
        with self._use():
            info = C.mlops_manifest_info(self._h()).contents
            if not info.has_parent:
                return None
            return ParentLink(_s(info.parent_name) or "", _s(info.parent_version) or "",
                              _bare(info.parent_digest) or "")

    @property
    def code(self) -> Optional[CodeRef]:
        """Code repository URI and commit, or None."""
        with self._use():
            info = C.mlops_manifest_info(self._h()).contents
            uri, commit = _s(info.code_uri), _s(info.code_commit)
        return None if uri is None and commit is None else CodeRef(uri, commit)

    def __repr__(self) -> str:
        if self.closed:
            return "<Manifest closed>"
        return (f"<Manifest {self.name}@{self.version} files={self._summary('n_files')} "
                f"sha256:{self.statement_sha256[:12]}…>")


class ManifestBuilder(Handle):
    """Collects the fields of a new manifest; :meth:`finish` makes it.

    ``ManifestBuilder("fraud", "1.3.2", created=datetime.now(timezone.utc))``
    (``created`` defaults to now, whole seconds). Every setter raises
    :class:`SchemaError` or :class:`LimitError` for a value that breaks a
    rule and leaves the builder unchanged. Setters return ``self`` so calls
    chain. One thread at a time.
    """

    __slots__ = ()
    _free = staticmethod(lambda h: C.mlops_manifest_builder_free(h))

    def __init__(self, name: str, version: str, created: Union[str, _dt.datetime, None] = None) -> None:
        """Start a manifest of model ``name`` at SemVer ``version``."""
        self._handle: Optional[int] = None
        if created is None:
            created = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
        if isinstance(created, _dt.datetime):
            if created.tzinfo is None:
                raise invalid("created must be an aware datetime")
            created = created.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + (
                f".{created.microsecond:06d}".rstrip("0") if created.microsecond else "") + "Z"
        handle = c_void_p()
        C.mlops_manifest_builder_new(ctypes.byref(handle), cstr(name, "name"), cstr(version, "version"),
                                     cstr(created, "created"))
        self._handle = handle.value

    def description(self, text: str) -> "ManifestBuilder":
        """Set the description."""
        C.mlops_manifest_builder_set_description(self._h(), cstr(text, "description"))
        return self

    def framework(self, name: str, version: str) -> "ManifestBuilder":
        """Set the framework name and version."""
        C.mlops_manifest_builder_set_framework(self._h(), cstr(name, "framework name"),
                                               cstr(version, "framework version"))
        return self

    def add_file(self, path: str, size: int, sha256: str, *, media_type: Optional[str] = None,
                 role: Optional[str] = None) -> "ManifestBuilder":
        """Add a file (manifest path, size, SHA-256 as hex or ``"sha256:<hex>"``)."""
        C.mlops_manifest_builder_add_file(self._h(), cstr(path, "path"), check_int(size, 0, 2**64 - 1, "size"),
                                          _hex(sha256, "sha256"), _opt(media_type, "media_type"),
                                          _opt(role, "role"))
        return self

    def add_local_file(self, path: StrPath, manifest_path: str, *, media_type: Optional[str] = None,
                       role: Optional[str] = None) -> "ManifestBuilder":
        """Hash a local file (libmlops' SHA-256) and add it as ``manifest_path``."""
        from ._digest import sha256_file

        size = os.stat(cpath(path)).st_size
        return self.add_file(manifest_path, size, sha256_file(path), media_type=media_type, role=role)

    def file_shards(self, path: str, shard_size: int, digests: Sequence[str]) -> "ManifestBuilder":
        """Record the shard digests of an added file (``shard_size`` 0: the default)."""
        raw = [_hex(d, "shard sha256") for d in digests]
        arr = (c_char_p * max(len(raw), 1))(*raw)
        C.mlops_manifest_builder_set_file_shards(self._h(), cstr(path, "path"),
                                                 check_int(shard_size, 0, 2**64 - 1, "shard_size"),
                                                 ctypes.cast(arr, ctypes.POINTER(c_void_p)), len(raw))
        return self

    def add_dataset(self, name: str, *, uri: Optional[str] = None, role: Optional[str] = None,
                    sha256: Optional[str] = None) -> "ManifestBuilder":
        """Add a dataset (names are unique)."""
        C.mlops_manifest_builder_add_dataset(self._h(), cstr(name, "dataset name"), _opt(uri, "uri"),
                                             _opt(role, "role"),
                                             None if sha256 is None else _hex(sha256, "sha256"))
        return self

    def dataset_foreign_digest(self, dataset: str, alg: str, scheme: str, value: str) -> "ManifestBuilder":
        """Attach another tool's digest (e.g. ``"md5"``, ``"dvc3"``, value) to a dataset."""
        C.mlops_manifest_builder_set_dataset_foreign_digest(
            self._h(), cstr(dataset, "dataset"), cstr(alg, "alg"), cstr(scheme, "scheme"), cstr(value, "value"))
        return self

    def parameter(self, name: str, value: Scalar) -> "ManifestBuilder":
        """Set a parameter to a JSON scalar: None, bool, int, float (finite) or str.

        The statement is signed in RFC 8785 form, which writes numbers through
        their double: an int whose canonical form is another number
        (9007199254740993 would be 9007199254740992) raises SchemaError; pass
        such a value as a str."""
        h, raw = self._h(), cstr(name, "parameter name")
        if value is None:
            C.mlops_manifest_builder_set_parameter_null(h, raw)
        elif isinstance(value, bool):
            C.mlops_manifest_builder_set_parameter_bool(h, raw, 1 if value else 0)
        elif isinstance(value, int):
            C.mlops_manifest_builder_set_parameter_int(h, raw, check_int(value, -(2**63), 2**63 - 1, "value"))
        elif isinstance(value, float):
            C.mlops_manifest_builder_set_parameter_number(h, raw, value)
        elif isinstance(value, str):
            C.mlops_manifest_builder_set_parameter_string(h, raw, cstr(value, "value"))
        else:
            raise TypeError(f"a parameter is None, bool, int, float or str, not {type(value).__name__}")
        return self

    def parameter_json(self, name: str, text: str) -> "ManifestBuilder":
        """Set a parameter from JSON text of one scalar (``"0.01"``, ``'"adam"'``)."""
        C.mlops_manifest_builder_set_parameter_json(self._h(), cstr(name, "parameter name"), cstr(text, "json"))
        return self

    def parameters(self, values: Mapping[str, Scalar]) -> "ManifestBuilder":
        """Set every parameter of a mapping."""
        for k, v in values.items():
            self.parameter(k, v)
        return self

    def metric(self, name: str, value: float) -> "ManifestBuilder":
        """Set a metric (finite).

        An int (also NumPy's, and a 0-d integer array), Decimal or Fraction
        whose value a double cannot hold as its canonical form
        (9007199254740993, Decimal("0.10000000000000000001")) raises
        SchemaError instead of being signed as another number. Text (str,
        bytes) is not a number here: TypeError."""
        raw = cstr(name, "metric name")
        if isinstance(value, (str, bytes, bytearray, memoryview)):
            raise TypeError(f"metric {name!r}: a metric is a number (int, float, Decimal, "
                            f"Fraction), not {type(value).__name__}")
        number = float(value)
        exact: Any = None  # the value as an exact number, for types that carry more than a double
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            exact = int(value)
        elif isinstance(value, (decimal.Decimal, fractions.Fraction)):
            exact = value
        elif not isinstance(value, (bool, float)):
            try:  # anything else that is an integer (a 0-d NumPy integer array)
                exact = operator.index(value)
            except TypeError:
                pass
        if exact is not None and math.isfinite(number) and decimal.Decimal(repr(number)) != exact:
            canonical = repr(number)[:-2] if repr(number).endswith(".0") else repr(number)
            raise SchemaError(f"metric {name!r} = {value} is not exactly representable as a double "
                              f"(its canonical form would be {canonical})")
        C.mlops_manifest_builder_set_metric(self._h(), raw, number)
        return self

    def metrics(self, values: Mapping[str, float]) -> "ManifestBuilder":
        """Set every metric of a mapping."""
        for k, v in values.items():
            self.metric(k, v)
        return self

    def annotation(self, key: str, value: str) -> "ManifestBuilder":
        """Set an annotation."""
        C.mlops_manifest_builder_set_annotation(self._h(), cstr(key, "key"), cstr(value, "value"))
        return self

    def parent(self, parent: Union[Manifest, ParentLink]) -> "ManifestBuilder":
        """Link the parent version (a :class:`Manifest` or a :class:`ParentLink`)."""
        if isinstance(parent, Manifest):
            C.mlops_manifest_builder_set_parent_manifest(self._h(), parent._h())
        else:
            C.mlops_manifest_builder_set_parent(self._h(), cstr(parent.name, "parent name"),
                                                cstr(parent.version, "parent version"),
                                                _hex(parent.sha256, "parent sha256"))
        return self

    def code(self, uri: str, commit: str) -> "ManifestBuilder":
        """Set the code repository URI and commit (40 hex digits)."""
        C.mlops_manifest_builder_set_code(self._h(), cstr(uri, "uri"), cstr(commit, "commit"))
        return self

    def finish(self) -> Manifest:
        """Make the manifest (the builder stays usable)."""
        handle = c_void_p()
        C.mlops_manifest_builder_finish(ctypes.byref(handle), self._h())
        return Manifest._wrap(handle.value)

    def __repr__(self) -> str:
        return "<ManifestBuilder closed>" if self.closed else "<ManifestBuilder>"


def _field_names(mask: int) -> Tuple[str, ...]:
    """The library's names of the bits of an mlops_manifest_field mask, lowest first."""
    return tuple(_s(C.mlops_manifest_field_name(1 << k)) or "" for k in range(32) if mask & (1 << k))


def diff_manifests(a: Manifest, b: Manifest) -> ManifestDiff:
    """Compare an old manifest ``a`` with a new one ``b``."""
    handle = c_void_p()
    C.mlops_manifest_diff_new(ctypes.byref(handle), a._h(), b._h(), 0)
    d = handle.value
    try:
        # The rows borrow strings from a and b: both are held while read.
        with a._use(), b._use():
            info = C.mlops_manifest_diff_info(d).contents
            rows = [C.mlops_manifest_diff_file(d, i).contents for i in range(info.n_files)]
            files = [FileChange(_s(f.path) or "", change_name(f.change), _bare(f.old_digest),
                                _bare(f.new_digest), int(f.old_size), int(f.new_size),
                                _field_names(f.fields)) for f in rows]
            drows = [C.mlops_manifest_diff_dataset(d, i).contents for i in range(info.n_datasets)]
            datasets = [DatasetChange(_s(e.name) or "", change_name(e.change), _field_names(e.fields),
                                      _bare(e.old_digest), _bare(e.new_digest), _s(e.old_uri),
                                      _s(e.new_uri)) for e in drows]
            prows = [C.mlops_manifest_diff_parameter(d, i).contents for i in range(info.n_parameters)]
            params = [ParameterChange(_s(e.name) or "", change_name(e.change), _s(e.old_json),
                                      _s(e.new_json)) for e in prows]
            mrows = [C.mlops_manifest_diff_metric(d, i).contents for i in range(info.n_metrics)]
            metrics = [MetricChange(_s(e.name) or "", change_name(e.change), float(e.old_value),
                                    float(e.new_value), float(e.delta), float(e.relative))
                       for e in mrows]
            buf = mlops_buf()
            C.mlops_manifest_diff_write_json(ctypes.byref(buf), d, 0)
            report = json.loads(take_buf(buf))
            buf = mlops_buf()
            C.mlops_manifest_diff_write_json(ctypes.byref(buf), d, 1)  # pretty: same content
            assert json.loads(take_buf(buf)) == report
            return ManifestDiff(relation_name(info.relation), int(info.unchanged_file_count),
                                files, params, metrics, report,
                                int(info.unchanged_dataset_count), datasets,
                                change_name(info.code_change), _field_names(info.code_fields))
    finally:
        C.mlops_manifest_diff_free(d)
