"""libmlops for Python: the parts of an ML delivery pipeline over the C library.

A thin, typed layer over libmlops' stable C ABI through :mod:`ctypes`. The
shared library is found at import (``MLOPS_LIBRARY``, the copy bundled in a
self-contained wheel, pkg-config, then the system loader) and refused when its
ABI major differs from the one this binding was written for.

Every C failure is raised as a subclass of :class:`MlopsError` chosen by the
error's symbolic name, with the library's detail message and, when known, the
byte offset, line, column and path it refers to. Calls into C release the GIL.
"""

from __future__ import annotations

from ._lib import LIB as _LIB
from ._lib import AbiMismatchError, LibraryNotFoundError
from ._version import EXPECTED_ABI_MAJOR, __version__
from ._errors import (
    CancelledError,
    CryptoError,
    DomainError,
    ExistsError,
    IntegrityError,
    InternalError,
    InvalidArgumentError,
    LimitError,
    LockedError,
    MlopsError,
    MlopsIOError,
    NoMemoryError,
    NotFoundError,
    ParseError,
    SchemaError,
    SignatureError,
    UnsafeArchiveError,
    UnsupportedError,
    VersionError,
)
from ._handle import ClosedError
from ._digest import Digest, format_digest, parse_digest, sha256, sha256_file
from ._semver import SemVer, compare_versions, is_valid_semver, validate_semver
from ._timestamp import Timestamp, format_timestamp, parse_datetime, parse_timestamp
from ._signatures import FREE_FN, MALLOC_FN, REALLOC_FN, SHA256_SIZE
from ._results import Result
from ._sketch import Profile, SketchTest
from ._detect import Detections, Detector
from ._drift import (
    CategoryDict,
    METRICS,
    DriftColumn,
    DriftReference,
    DriftResult,
    DriftTableResult,
    auto_metric,
    drift,
    drift_categorical,
    drift_counts,
    drift_table,
    metric_name,
    pvalue_adjust,
)
from ._manifest import (
    CodeRef,
    Dataset,
    DatasetChange,
    FileChange,
    ForeignDigest,
    Manifest,
    ManifestBuilder,
    ManifestDiff,
    ManifestFile,
    MetricChange,
    ParameterChange,
    ParentLink,
    Shard,
    change_name,
    default_shard_size,
    diff_manifests,
    manifest_path_check,
    relation_name,
)
from ._sign import (
    DSSE_PAYLOAD_TYPE_INTOTO,
    Keyring,
    SigningKey,
    dsse_add_signature,
    dsse_pae,
    dsse_sign,
    dsse_verify,
    dsse_verify_detached,
)
from ._package import (
    Package,
    PackageFailure,
    PackageProblem,
    PackageReport,
    Packer,
    Store,
    layout_export,
)
from ._policy import (
    Decision,
    GateCheck,
    GateResult,
    LintReport,
    MetricSet,
    Observations,
    Policy,
    PolicyState,
    PolicyTestReport,
    ReplayResult,
    RuleOutcome,
    SuppressedRule,
    action_name,
    reason_name,
    truth_name,
)

_C = _LIB.C


def library_version() -> str:
    """Version string of the libmlops actually loaded, e.g. ``"0.1.0"``."""
    raw: bytes = _C.mlops_version()
    return raw.decode("ascii")


def library_version_number() -> int:
    """Version of the loaded library as MAJOR*10000 + MINOR*100 + PATCH."""
    return int(_C.mlops_version_number())


def abi_major() -> int:
    """ABI major (soversion) of the loaded library; equals
    :data:`EXPECTED_ABI_MAJOR`, or the import would have failed."""
    return int(_C.mlops_abi_major())


def clear_error() -> None:
    """Clear the calling thread's last-error record (``mlops_error_clear``).
    The binding raises from the record right after each failing call, so this
    is only needed by code that reads the record itself."""
    _C.mlops_error_clear()


def reset_allocator() -> None:
    """Make the library allocate with the C library's ``malloc``
    (``mlops_allocator_set`` with no hooks), which is also the default.
    Python has no allocator the C library could use, so this is the only
    setting the binding offers."""
    # a CFUNCTYPE called without arguments is a NULL function pointer
    _C.mlops_allocator_set(MALLOC_FN(), REALLOC_FN(), FREE_FN(), None)


def library_path() -> str:
    """File system path of the shared library in use."""
    return _LIB.path


def library_source() -> str:
    """How the library was found: ``"MLOPS_LIBRARY"``, ``"bundled"``,
    ``"pkg-config"`` or ``"system"``."""
    return _LIB.source


def strerror(code: int) -> str:
    """The library's short description of an error code (``"parse error"``)."""
    raw: bytes = _C.mlops_strerror(_code(code))
    return raw.decode("utf-8", "replace")


def error_name(code: int) -> str:
    """Stable symbolic name of an error code (``"MLOPS_E_PARSE"``);
    ``"MLOPS_E_UNKNOWN"`` for codes the library does not know."""
    raw: bytes = _C.mlops_error_name(_code(code))
    return raw.decode("ascii")


def _code(code: int) -> int:
    if isinstance(code, bool) or not isinstance(code, int):
        raise TypeError(f"an error code is an int, not {type(code).__name__}")
    # Outside the C int range no code exists; keep ctypes from wrapping it.
    return code if -(2**31) <= code < 2**31 else 1


__all__ = [
    "__version__",
    "EXPECTED_ABI_MAJOR",
    "SHA256_SIZE",
    "library_version",
    "library_version_number",
    "clear_error",
    "reset_allocator",
    "abi_major",
    "library_path",
    "library_source",
    "strerror",
    "error_name",
    # digests
    "sha256",
    "sha256_file",
    "Digest",
    "format_digest",
    "parse_digest",
    # versions
    "SemVer",
    "validate_semver",
    "is_valid_semver",
    "compare_versions",
    # time
    "Timestamp",
    "parse_timestamp",
    "parse_datetime",
    "format_timestamp",
    # results
    "Result",
    # manifests
    "Manifest",
    "ManifestBuilder",
    "ManifestDiff",
    "ManifestFile",
    "Shard",
    "Dataset",
    "ForeignDigest",
    "ParentLink",
    "CodeRef",
    "DatasetChange",
    "FileChange",
    "ParameterChange",
    "MetricChange",
    "diff_manifests",
    "manifest_path_check",
    "default_shard_size",
    "relation_name",
    "change_name",
    # signing
    "SigningKey",
    "Keyring",
    "DSSE_PAYLOAD_TYPE_INTOTO",
    "dsse_pae",
    "dsse_sign",
    "dsse_add_signature",
    "dsse_verify",
    "dsse_verify_detached",
    # packages and the store
    "Package",
    "Packer",
    "PackageReport",
    "PackageFailure",
    "PackageProblem",
    "Store",
    "layout_export",
    # profiles
    "Profile",
    "SketchTest",
    # drift metrics
    "CategoryDict",
    "drift",
    "drift_categorical",
    "drift_counts",
    "drift_table",
    "DriftResult",
    "DriftReference",
    "DriftTableResult",
    "DriftColumn",
    "METRICS",
    "metric_name",
    "auto_metric",
    "pvalue_adjust",
    # detectors
    "Detector",
    "Detections",
    # policies
    "Policy",
    "Observations",
    "PolicyState",
    "Decision",
    "MetricSet",
    "GateResult",
    "GateCheck",
    "LintReport",
    "PolicyTestReport",
    "ReplayResult",
    "RuleOutcome",
    "SuppressedRule",
    "action_name",
    "truth_name",
    "reason_name",
    # errors
    "MlopsError",
    "InvalidArgumentError",
    "ClosedError",
    "NoMemoryError",
    "MlopsIOError",
    "ParseError",
    "SchemaError",
    "LimitError",
    "NotFoundError",
    "ExistsError",
    "IntegrityError",
    "SignatureError",
    "UnsafeArchiveError",
    "VersionError",
    "CancelledError",
    "DomainError",
    "LockedError",
    "CryptoError",
    "UnsupportedError",
    "InternalError",
    "LibraryNotFoundError",
    "AbiMismatchError",
]
