"""The C ABI as the binding sees it: one declarative table of every function.

Each entry of :data:`FUNCTIONS` maps a C function name to ``(restype, argtypes)``.
A restype of :data:`STATUS` marks a function that returns an ``int`` status
(0 or a negative ``MLOPS_E_*`` code): the loader attaches an ``errcheck`` that
turns a failure into the matching :class:`libmlops.MlopsError` subclass, reading
the thread-local error details right after the call, on the same thread.

Wrapping a new layer starts here: copy the prototypes of its header into a new
block of this table (opaque handles are ``c_void_p``, ``T **out`` is
``POINTER(c_void_p)``, ``uint8_t out[N]`` is ``POINTER(c_ubyte)``), declare its
options structs below with the exact C field order, then write the Pythonic
wrapper module. See bindings/python/README.md, "Wrapping a new layer".
"""

from __future__ import annotations

from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    c_char_p,
    c_double,
    c_int,
    c_int32,
    c_int64,
    c_size_t,
    c_ubyte,
    c_uint32,
    c_uint64,
    c_void_p,
)
from typing import Any, Dict, Sequence, Tuple

from ._handle import HandleArg

#: Marker restype: the function returns an ``int`` status checked by the loader.
STATUS: Any = object()

# ---------------------------------------------------------------------------
# Constants of the headers (the values are part of the ABI).
# ---------------------------------------------------------------------------

#: MLOPS_SHA256_SIZE
SHA256_SIZE = 32
#: MLOPS_DIGEST_STRING_SIZE ("sha256:" + 64 hex + NUL)
DIGEST_STRING_SIZE = 72
#: MLOPS_TIMESTAMP_STRING_SIZE
TIMESTAMP_STRING_SIZE = 31
#: MLOPS_DIGEST_FILE_OPTIONS_VERSION known to this binding.
DIGEST_FILE_OPTIONS_VERSION = 1
#: profile.h: MLOPS_PROFILE_OPTIONS_VERSION, MLOPS_SKETCH_TEST_VERSION and limits.
PROFILE_OPTIONS_VERSION = 1
SKETCH_TEST_VERSION = 1
PROFILE_DEFAULT_K = 200
PROFILE_DEFAULT_CATEGORY_CAP = 1024
PROFILE_MAX_EDGES = 65536
PROFILE_NUMERIC = 1
PROFILE_CATEGORICAL = 2
#: detector.h: MLOPS_DETECTOR_OPTIONS_VERSION
DETECTOR_OPTIONS_VERSION = 1
#: drift.h
DRIFT_METRIC_COUNT = 14
DRIFT_REJECT_NONFINITE = 0x1
#: key.h sizes
ED25519_SIGNATURE_SIZE = 64
ED25519_KEY_SIZE = 32
KEYID_STRING_SIZE = 65
#: package.h / store.h flags
PACK_OVERWRITE = 0x1
PACKAGE_ALLOW_UNSIGNED = 0x1
STORE_CREATE = 0x1
STORE_NOWAIT = 0x2
#: store.h: MLOPS_STORE_DRY_RUN
STORE_DRY_RUN = 0x4
#: policy.h flags
POLICY_REPLAY_RECORD = 0x1
#: common.h: MLOPS_JSON_PRETTY (every *_write_json)
JSON_PRETTY = 0x1
#: key.h: MLOPS_KEY_PEM_PRIVATE
KEY_PEM_PRIVATE = 0x1
GATE_ALLOW_DOWNGRADE = 0x1

# ---------------------------------------------------------------------------
# Structs and callback types (field order exactly as in the C headers).
# ---------------------------------------------------------------------------


class mlops_buf(Structure):
    """``mlops_buf`` (common.h): bytes filled by the library."""

    _fields_ = [("data", c_void_p), ("size", c_size_t), ("capacity", c_size_t)]


#: ``mlops_progress_fn``: ``int (*)(uint64_t done, uint64_t total, void *ctx)``.
PROGRESS_FN = CFUNCTYPE(c_int, c_uint64, c_uint64, c_void_p)

#: Allocator hooks of ``mlops_allocator_set`` (used by the tests only).
MALLOC_FN = CFUNCTYPE(c_void_p, c_size_t, c_void_p)
REALLOC_FN = CFUNCTYPE(c_void_p, c_void_p, c_size_t, c_void_p)
FREE_FN = CFUNCTYPE(None, c_void_p, c_void_p)


class mlops_digest_file_options(Structure):
    """``mlops_digest_file_options`` version 1 (digest.h)."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("flags", c_uint32),
        ("buffer_size", c_size_t),
        ("progress", PROGRESS_FN),
        ("progress_ctx", c_void_p),
    ]


class mlops_profile_options(Structure):
    """``mlops_profile_options`` version 1 (profile.h)."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("flags", c_uint32),
        ("kll_k", c_uint32),
        ("seed", c_uint64),
        ("edges", POINTER(c_double)),
        ("n_edges", c_size_t),
        ("category_cap", c_uint32),
    ]


class mlops_profile_test(Structure):
    """``mlops_profile_test`` version 1 (profile.h): result of a test between profiles."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("statistic", c_double),
        ("low", c_double),
        ("high", c_double),
        ("pvalue_low", c_double),
        ("pvalue_high", c_double),
        ("threshold", c_double),
        ("eps_ref", c_double),
        ("eps_cur", c_double),
        ("verdict", c_int32),
    ]


class mlops_detector_options(Structure):
    """``mlops_detector_options`` version 1 (detector.h)."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("flags", c_uint32),
        ("adwin_delta", c_double),
        ("adwin_clock", c_uint32),
        ("adwin_max_buckets", c_uint32),
        ("adwin_min_window_length", c_uint32),
        ("adwin_grace_period", c_uint32),
        ("ph_min_instances", c_uint32),
        ("ph_delta", c_double),
        ("ph_threshold", c_double),
        ("ph_alpha", c_double),
        ("ph_mode", c_uint32),
        ("ddm_warm_start", c_uint32),
        ("ddm_warning_threshold", c_double),
        ("ddm_drift_threshold", c_double),
        ("eddm_warm_start", c_uint32),
        ("eddm_alpha", c_double),
        ("eddm_beta", c_double),
        ("kswin_alpha", c_double),
        ("kswin_window_size", c_uint32),
        ("kswin_stat_size", c_uint32),
        ("kswin_seed", c_uint64),
    ]


class mlops_manifest_parse_options(Structure):
    """``mlops_manifest_parse_options`` version 1 (manifest.h)."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("flags", c_uint32),
        ("max_size", c_size_t),
        ("max_depth", c_size_t),
    ]


# Read-only info structs the library hands out (borrowed pointers; the
# library fills ``version`` and ``size``). Exact C field order. A summary
# struct has no typedef in C (its name is its function's): ``_c_name_``.


class mlops_manifest_info(Structure):
    """``struct mlops_manifest_info`` version 1 (manifest.h)."""

    _c_name_ = "struct mlops_manifest_info"
    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("name", c_char_p),
        ("model_version", c_char_p),
        ("created", c_char_p),
        ("description", c_char_p),
        ("framework_name", c_char_p),
        ("framework_version", c_char_p),
        ("code_uri", c_char_p),
        ("code_commit", c_char_p),
        ("has_parent", c_int),
        ("parent_name", c_char_p),
        ("parent_version", c_char_p),
        ("parent_digest", c_char_p),
        ("tree_digest", c_char_p),
        ("statement_digest", c_char_p),
        ("n_files", c_size_t),
        ("n_datasets", c_size_t),
        ("n_parameters", c_size_t),
        ("n_metrics", c_size_t),
        ("n_annotations", c_size_t),
    ]


class mlops_manifest_file_info(Structure):
    """``mlops_manifest_file_info`` version 1 (manifest.h)."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("path", c_char_p),
        ("file_size", c_uint64),
        ("digest", c_char_p),
        ("media_type", c_char_p),
        ("role", c_char_p),
        ("shard_size", c_uint64),
        ("shard_count", c_size_t),
    ]


class mlops_manifest_shard_info(Structure):
    """``mlops_manifest_shard_info`` version 1 (manifest.h)."""

    _fields_ = [("version", c_uint32), ("size", c_uint32), ("offset", c_uint64), ("length", c_uint64), ("digest", c_char_p)]


class mlops_manifest_dataset_info(Structure):
    """``mlops_manifest_dataset_info`` version 1 (manifest.h)."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("name", c_char_p),
        ("uri", c_char_p),
        ("role", c_char_p),
        ("digest", c_char_p),
        ("foreign_alg", c_char_p),
        ("foreign_scheme", c_char_p),
        ("foreign_value", c_char_p),
    ]


class mlops_manifest_parameter_info(Structure):
    """``mlops_manifest_parameter_info`` version 1 (manifest.h)."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("name", c_char_p),
        ("type", c_int),
        ("json", c_char_p),
        ("number", c_double),
        ("string", c_char_p),
        ("boolean", c_int),
    ]


class mlops_manifest_metric_info(Structure):
    """``mlops_manifest_metric_info`` version 1 (manifest.h)."""

    _fields_ = [("version", c_uint32), ("size", c_uint32), ("name", c_char_p), ("value", c_double)]


class mlops_manifest_annotation_info(Structure):
    """``mlops_manifest_annotation_info`` version 1 (manifest.h)."""

    _fields_ = [("version", c_uint32), ("size", c_uint32), ("key", c_char_p), ("value", c_char_p)]


class mlops_manifest_diff_info(Structure):
    """``struct mlops_manifest_diff_info`` version 1 (manifest.h)."""

    _c_name_ = "struct mlops_manifest_diff_info"
    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("relation", c_int),
        ("unchanged_file_count", c_size_t),
        ("n_files", c_size_t),
        ("unchanged_dataset_count", c_size_t),
        ("n_datasets", c_size_t),
        ("n_parameters", c_size_t),
        ("n_metrics", c_size_t),
        ("code_change", c_int),
        ("code_fields", c_uint32),
    ]


class mlops_manifest_diff_file_info(Structure):
    """``mlops_manifest_diff_file_info`` version 1 (manifest.h)."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("path", c_char_p),
        ("change", c_int),
        ("fields", c_uint32),
        ("old_digest", c_char_p),
        ("new_digest", c_char_p),
        ("old_size", c_uint64),
        ("new_size", c_uint64),
    ]


class mlops_manifest_diff_dataset_info(Structure):
    """``mlops_manifest_diff_dataset_info`` version 1 (manifest.h)."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("name", c_char_p),
        ("change", c_int),
        ("fields", c_uint32),
        ("old_digest", c_char_p),
        ("new_digest", c_char_p),
        ("old_uri", c_char_p),
        ("new_uri", c_char_p),
    ]


class mlops_manifest_diff_parameter_info(Structure):
    """``mlops_manifest_diff_parameter_info`` version 1 (manifest.h)."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("name", c_char_p),
        ("change", c_int),
        ("old_json", c_char_p),
        ("new_json", c_char_p),
    ]


class mlops_manifest_diff_metric_info(Structure):
    """``mlops_manifest_diff_metric_info`` version 1 (manifest.h)."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("name", c_char_p),
        ("change", c_int),
        ("old_value", c_double),
        ("new_value", c_double),
        ("delta", c_double),
        ("relative", c_double),
    ]


class mlops_semver_info(Structure):
    """``struct mlops_semver_info`` version 1 (semver.h)."""

    _c_name_ = "struct mlops_semver_info"
    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("major", c_uint64),
        ("minor", c_uint64),
        ("patch", c_uint64),
        ("prerelease", c_char_p),
        ("build", c_char_p),
    ]


class mlops_dsse_verify_options(Structure):
    """``mlops_dsse_verify_options`` version 1 (dsse.h)."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("flags", c_uint32),
        ("threshold", c_uint32),
        ("payload_type", c_char_p),
    ]


class mlops_packer_options(Structure):
    """``mlops_packer_options`` version 1 (package.h)."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("flags", c_uint32),
        ("keys", POINTER(c_void_p)),
        ("nkeys", c_size_t),
        ("mtime", c_int64),
        ("shard_size", c_uint64),
        ("threads", c_uint32),
        ("progress", PROGRESS_FN),
        ("progress_ctx", c_void_p),
    ]


class mlops_package_verify_options(Structure):
    """``mlops_package_verify_options`` version 1 (package.h)."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("flags", c_uint32),
        ("trusted", c_void_p),
        ("threshold", c_uint32),
        ("paths", POINTER(c_void_p)),
        ("npaths", c_size_t),
        ("progress", PROGRESS_FN),
        ("progress_ctx", c_void_p),
    ]


class mlops_drift_options(Structure):
    """``mlops_drift_options`` version 1 (drift.h)."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("flags", c_uint32),
        ("binning", c_uint32),
        ("bins", c_size_t),
        ("edges", POINTER(c_double)),
        ("n_edges", c_size_t),
        ("smoothing", c_double),
        ("js_base", c_double),
        ("threshold", c_double),
        ("ks_mode", c_uint32),
    ]


class mlops_drift_table_options(Structure):
    """``mlops_drift_table_options`` version 1 (drift.h)."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("flags", c_uint32),
        ("rule", c_uint32),
        ("drift_share", c_double),
        ("alpha", c_double),
        ("effect_floor", c_double),
        ("threads", c_uint32),
        ("column_options", POINTER(mlops_drift_options)),
    ]


class mlops_drift_result_info(Structure):
    """``struct mlops_drift_result_info`` version 1 (drift.h), read-only."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("metric", c_int),
        ("pvalue_method", c_int),
        ("direction", c_int),
        ("drifted", c_int),
        ("statistic", c_double),
        ("pvalue", c_double),
        ("threshold", c_double),
        ("smoothing", c_double),
        ("js_base", c_double),
        ("unseen_share", c_double),
        ("n_ref", c_uint64),
        ("n_cur", c_uint64),
        ("missing_ref", c_uint64),
        ("missing_cur", c_uint64),
        ("dof", c_uint64),
        ("bins", c_size_t),
        ("edges", POINTER(c_double)),
        ("n_edges", c_size_t),
        ("ref_counts", POINTER(c_uint64)),
        ("cur_counts", POINTER(c_uint64)),
        ("categories", POINTER(c_int64)),
    ]


class mlops_drift_reference_info(Structure):
    """``struct mlops_drift_reference_info`` version 1 (drift.h), read-only."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("edges", POINTER(c_double)),
        ("n_edges", c_size_t),
        ("counts", POINTER(c_uint64)),
        ("bins", c_size_t),
        ("count", c_uint64),
        ("missing", c_uint64),
    ]


class mlops_drift_table_result_info(Structure):
    """``struct mlops_drift_table_result_info`` version 1 (drift.h), read-only."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("columns", c_size_t),
        ("drifted_count", c_size_t),
        ("drifted_share", c_double),
        ("drifted", c_int),
        ("rule", c_int),
    ]


class mlops_drift_table_result_column_info(Structure):
    """``struct mlops_drift_table_result_column_info`` version 1 (drift.h), read-only."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("result", c_void_p),
        ("adjusted_pvalue", c_double),
        ("drifted", c_int),
    ]


class mlops_profile_info(Structure):
    """``struct mlops_profile_info`` version 1 (profile.h), read-only."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("kind", c_int),
        ("kll_k", c_uint32),
        ("count", c_uint64),
        ("nan_count", c_uint64),
        ("posinf_count", c_uint64),
        ("neginf_count", c_uint64),
        ("mean", c_double),
        ("m2", c_double),
        ("min", c_double),
        ("max", c_double),
        ("retained", c_size_t),
        ("rank_error", c_double),
        ("histogram_edges", POINTER(c_double)),
        ("n_histogram_edges", c_size_t),
        ("histogram_counts", POINTER(c_uint64)),
        ("n_histogram_counts", c_size_t),
        ("category_size", c_size_t),
        ("category_error", c_uint64),
    ]


class mlops_detector_info(Structure):
    """``struct mlops_detector_info`` version 1 (detector.h), read-only."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("type", c_int),
        ("drift_detected", c_int),
        ("warning_detected", c_int),
        ("count", c_uint64),
        ("nonfinite_count", c_uint64),
        ("drift_count", c_uint64),
        ("width", c_uint64),
        ("estimation", c_double),
    ]


# Read-only structs the library hands out (policy.h, decision.h, gate.h,
# package.h): borrowed from their object, read while it is held. The summary
# structs have no typedef in C (the function of the same name hands them
# out): ``_c_name_`` is how C spells the type.


class mlops_policy_info(Structure):
    """``struct mlops_policy_info`` version 1 (policy.h)."""

    _c_name_ = "struct mlops_policy_info"
    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("id", c_char_p),
        ("revision", c_int64),
        ("digest", c_char_p),
        ("rule_count", c_size_t),
        ("test_count", c_size_t),
    ]


class mlops_policy_rule_info(Structure):
    """``mlops_policy_rule_info`` version 1 (policy.h)."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("id", c_char_p),
        ("action", c_int),
        ("description", c_char_p),
        ("dry_run", c_int),
    ]


class mlops_decision_info(Structure):
    """``struct mlops_decision_info`` version 1 (decision.h)."""

    _c_name_ = "struct mlops_decision_info"
    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("action", c_int),
        ("rule", c_char_p),
        ("time_ms", c_int64),
        ("suppressed_count", c_size_t),
        ("rule_count", c_size_t),
    ]


class mlops_decision_rule_trace_info(Structure):
    """``mlops_decision_rule_trace_info`` version 1 (decision.h)."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("rule", c_char_p),
        ("truth", c_int),
        ("reason", c_int),
        ("wait_ms", c_int64),
        ("decided", c_int),
    ]


class mlops_decision_suppressed_info(Structure):
    """``mlops_decision_suppressed_info`` version 1 (decision.h)."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("rule", c_char_p),
        ("action", c_int),
        ("reason", c_int),
        ("wait_ms", c_int64),
    ]


class mlops_gate_result_info(Structure):
    """``struct mlops_gate_result_info`` version 1 (gate.h)."""

    _c_name_ = "struct mlops_gate_result_info"
    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("action", c_int),
        ("check_count", c_size_t),
    ]


class mlops_gate_result_check_info(Structure):
    """``mlops_gate_result_check_info`` version 1 (gate.h)."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("metric", c_char_p),
        ("kind", c_char_p),
        ("guardrail", c_int),
        ("passed", c_int),
        ("reason", c_int),
        ("observed", c_double),
        ("limit", c_double),
        ("detail", c_char_p),
    ]


class mlops_package_report_info(Structure):
    """``struct mlops_package_report_info`` version 1 (package.h)."""

    _c_name_ = "struct mlops_package_report_info"
    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("valid", c_int),
        ("is_signed", c_int),
        ("partial", c_int),
        ("files_verified", c_size_t),
        ("problem_count", c_size_t),
        ("error_code", c_int),
        ("error_message", c_char_p),
        ("error_path", c_char_p),
        ("error_offset", c_int64),
    ]


class mlops_package_report_problem_info(Structure):
    """``mlops_package_report_problem_info`` version 1 (package.h)."""

    _fields_ = [
        ("version", c_uint32),
        ("size", c_uint32),
        ("code", c_int),
        ("entry", c_char_p),
        ("expected", c_char_p),
        ("found", c_char_p),
        ("message", c_char_p),
    ]



_bytes_out = POINTER(c_ubyte)  # uint8_t out[N]
_handle = HandleArg  # every opaque mlops_x *: a Handle is held for the call (_handle.py)
_handle_out = POINTER(c_void_p)  # mlops_x **out

Signature = Tuple[Any, Sequence[Any]]

#: Every C function the binding calls: name -> (restype, argtypes).
FUNCTIONS: Dict[str, Signature] = {
    # --- common.h ---------------------------------------------------------
    "mlops_version": (c_char_p, ()),
    "mlops_version_number": (c_uint32, ()),
    "mlops_abi_major": (c_int, ()),
    "mlops_strerror": (c_char_p, (c_int,)),
    "mlops_error_name": (c_char_p, (c_int,)),
    "mlops_error_last": (c_char_p, ()),
    "mlops_error_last_code": (c_int, ()),
    "mlops_error_last_offset": (c_int64, ()),
    "mlops_error_last_line": (c_uint32, ()),
    "mlops_error_last_column": (c_uint32, ()),
    "mlops_error_last_path": (c_char_p, ()),
    "mlops_error_clear": (None, ()),
    "mlops_buf_dispose": (None, (POINTER(mlops_buf),)),
    "mlops_free": (None, (c_void_p,)),
    "mlops_strlist_count": (c_size_t, (_handle,)),
    "mlops_strlist_get": (c_char_p, (_handle, c_size_t)),
    "mlops_strlist_free": (None, (_handle,)),
    "mlops_allocator_set": (STATUS, (MALLOC_FN, REALLOC_FN, FREE_FN, c_void_p)),
    # --- digest.h ---------------------------------------------------------
    "mlops_digest_new": (STATUS, (_handle_out,)),
    "mlops_digest_update": (STATUS, (_handle, c_void_p, c_size_t)),
    "mlops_digest_finish": (STATUS, (_bytes_out, _handle)),
    "mlops_digest_dup": (STATUS, (_handle_out, _handle)),
    "mlops_digest_free": (None, (_handle,)),
    "mlops_digest_buffer": (STATUS, (_bytes_out, c_void_p, c_size_t)),
    "mlops_digest_file_options_init": (
        STATUS,
        (POINTER(mlops_digest_file_options), c_size_t),
    ),
    "mlops_digest_file": (
        STATUS,
        (_bytes_out, c_char_p, POINTER(mlops_digest_file_options)),
    ),
    "mlops_digest_format": (STATUS, (c_char_p, _bytes_out)),
    "mlops_digest_parse": (STATUS, (_bytes_out, c_char_p)),
    # --- semver.h ---------------------------------------------------------
    "mlops_semver_parse": (STATUS, (_handle_out, c_char_p)),
    "mlops_semver_free": (None, (_handle,)),
    "mlops_semver_major": (c_uint64, (_handle,)),
    "mlops_semver_minor": (c_uint64, (_handle,)),
    "mlops_semver_patch": (c_uint64, (_handle,)),
    "mlops_semver_prerelease": (c_char_p, (_handle,)),
    "mlops_semver_build": (c_char_p, (_handle,)),
    "mlops_semver_info": (POINTER(mlops_semver_info), (_handle,)),
    "mlops_semver_compare": (c_int, (_handle, _handle)),
    "mlops_semver_validate": (STATUS, (c_char_p,)),
    "mlops_semver_compare_str": (STATUS, (POINTER(c_int), c_char_p, c_char_p)),
    # --- timestamp.h ------------------------------------------------------
    "mlops_timestamp_parse": (STATUS, (POINTER(c_int64), POINTER(c_uint32), c_char_p)),
    "mlops_timestamp_format": (STATUS, (c_char_p, c_int64, c_uint32)),
    # --- profile.h --------------------------------------------------------
    "mlops_profile_options_init": (STATUS, (POINTER(mlops_profile_options), c_size_t)),
    "mlops_profile_new": (STATUS, (_handle_out, c_int, POINTER(mlops_profile_options))),
    "mlops_profile_free": (None, (_handle,)),
    "mlops_profile_dup": (STATUS, (_handle_out, _handle)),
    "mlops_profile_update": (STATUS, (_handle, POINTER(c_double), c_size_t)),
    "mlops_profile_update_codes": (STATUS, (_handle, POINTER(c_int64), c_size_t)),
    "mlops_profile_merge": (STATUS, (_handle, _handle)),
    "mlops_profile_write": (STATUS, (POINTER(mlops_buf), _handle, c_uint32)),
    "mlops_profile_parse": (STATUS, (_handle_out, c_void_p, c_size_t)),
    "mlops_profile_kind": (c_int, (_handle,)),
    "mlops_profile_count": (c_uint64, (_handle,)),
    "mlops_profile_nan_count": (c_uint64, (_handle,)),
    "mlops_profile_posinf_count": (c_uint64, (_handle,)),
    "mlops_profile_neginf_count": (c_uint64, (_handle,)),
    "mlops_profile_mean": (c_double, (_handle,)),
    "mlops_profile_variance": (c_double, (_handle, c_uint32)),
    "mlops_profile_min": (c_double, (_handle,)),
    "mlops_profile_max": (c_double, (_handle,)),
    "mlops_profile_kll_k": (c_uint32, (_handle,)),
    "mlops_profile_retained": (c_size_t, (_handle,)),
    "mlops_profile_rank_error": (c_double, (_handle,)),
    "mlops_profile_histogram_edges": (POINTER(c_double), (POINTER(c_size_t), _handle)),
    "mlops_profile_histogram_counts": (POINTER(c_uint64), (POINTER(c_size_t), _handle)),
    "mlops_profile_category_size": (c_size_t, (_handle,)),
    "mlops_profile_category_count": (c_uint64, (_handle, c_int64)),
    "mlops_profile_category_error": (c_uint64, (_handle,)),
    "mlops_profile_info": (POINTER(mlops_profile_info), (_handle,)),
    "mlops_profile_categories": (
        STATUS,
        (POINTER(c_int64), POINTER(c_uint64), c_size_t, POINTER(c_size_t), _handle),
    ),
    "mlops_profile_quantile": (STATUS, (POINTER(c_double), _handle, c_double)),
    "mlops_profile_rank": (STATUS, (POINTER(c_double), _handle, c_double)),
    "mlops_profile_quantile_edges": (
        STATUS,
        (POINTER(c_double), POINTER(c_size_t), _handle, c_uint32),
    ),
    "mlops_profile_drift": (
        STATUS,
        (_handle_out, _handle, _handle, c_int, POINTER(mlops_drift_options)),
    ),
    "mlops_profile_ks_test": (STATUS, (POINTER(mlops_profile_test), _handle, _handle, c_double)),
    "mlops_profile_wasserstein": (
        STATUS,
        (POINTER(mlops_profile_test), _handle, _handle, c_double),
    ),
    # --- detect.h ---------------------------------------------------------
    "mlops_detector_options_init": (STATUS, (POINTER(mlops_detector_options), c_size_t)),
    "mlops_detector_new": (STATUS, (_handle_out, c_int, POINTER(mlops_detector_options))),
    "mlops_detector_free": (None, (_handle,)),
    "mlops_detector_update": (
        STATUS, (POINTER(c_size_t), c_size_t, POINTER(c_size_t), _handle, POINTER(c_double), c_size_t),
    ),
    "mlops_detector_update_warn": (
        STATUS, (POINTER(c_size_t), c_size_t, POINTER(c_size_t), POINTER(c_size_t), c_size_t, POINTER(c_size_t), _handle, POINTER(c_double), c_size_t),
    ),
    "mlops_detector_drift_detected": (c_int, (_handle,)),
    "mlops_detector_warning_detected": (c_int, (_handle,)),
    "mlops_detector_type_of": (c_int, (_handle,)),
    "mlops_detector_count": (c_uint64, (_handle,)),
    "mlops_detector_nonfinite_count": (c_uint64, (_handle,)),
    "mlops_detector_drift_count": (c_uint64, (_handle,)),
    "mlops_detector_width": (c_uint64, (_handle,)),
    "mlops_detector_estimation": (c_double, (_handle,)),
    "mlops_detector_info": (POINTER(mlops_detector_info), (_handle,)),
    "mlops_detector_write": (STATUS, (POINTER(mlops_buf), _handle, c_uint32)),
    "mlops_detector_parse": (STATUS, (_handle_out, c_void_p, c_size_t)),
    # --- policy.h ---------------------------------------------------------
    "mlops_policy_action_name": (c_char_p, (c_int,)),
    "mlops_policy_truth_name": (c_char_p, (c_int,)),
    "mlops_policy_reason_name": (c_char_p, (c_int,)),
    "mlops_policy_parse": (STATUS, (_handle_out, c_char_p, c_size_t, c_char_p, c_uint32)),
    "mlops_policy_free": (None, (_handle,)),
    "mlops_policy_id": (c_char_p, (_handle,)),
    "mlops_policy_revision": (c_int64, (_handle,)),
    "mlops_policy_digest": (c_char_p, (_handle,)),
    "mlops_policy_rule_count": (c_size_t, (_handle,)),
    "mlops_policy_rule_id": (c_char_p, (_handle, c_size_t)),
    "mlops_policy_test_count": (c_size_t, (_handle,)),
    "mlops_policy_info": (POINTER(mlops_policy_info), (_handle,)),
    "mlops_policy_rule": (POINTER(mlops_policy_rule_info), (_handle, c_size_t)),
    "mlops_policy_lint": (STATUS, (POINTER(mlops_buf), POINTER(c_size_t), _handle, c_uint32)),
    "mlops_policy_run_tests": (
        STATUS,
        (POINTER(c_size_t), POINTER(c_size_t), POINTER(mlops_buf), _handle, c_uint32),
    ),
    "mlops_policy_replay": (
        STATUS,
        (
            POINTER(c_uint64), POINTER(c_uint64), POINTER(mlops_buf), _handle,
            c_char_p, c_size_t, c_uint32,
        ),
    ),
    "mlops_policy_obs_new": (STATUS, (_handle_out, _handle)),
    "mlops_policy_obs_free": (None, (_handle,)),
    "mlops_policy_obs_clear": (None, (_handle,)),
    "mlops_policy_obs_set": (STATUS, (_handle, c_char_p, c_double, c_int64)),
    "mlops_policy_obs_set_many": (
        STATUS,
        (_handle, _handle_out, POINTER(c_double), POINTER(c_int64), c_size_t),
    ),
    "mlops_policy_state_new": (STATUS, (_handle_out, _handle)),
    "mlops_policy_state_free": (None, (_handle,)),
    "mlops_policy_state_reset": (None, (_handle,)),
    "mlops_policy_state_set_last_training": (STATUS, (_handle, c_int64)),
    "mlops_policy_state_write_json": (STATUS, (POINTER(mlops_buf), _handle, c_uint32)),
    "mlops_policy_state_parse": (STATUS, (_handle_out, _handle, c_char_p, c_size_t)),
    "mlops_policy_state_dup": (STATUS, (_handle_out, _handle)),
    "mlops_decision_new": (STATUS, (_handle_out, _handle)),
    "mlops_decision_free": (None, (_handle,)),
    "mlops_policy_decide": (
        STATUS,
        (_handle, _handle, _handle, _handle, c_int64, _handle, c_uint32),
    ),
    "mlops_decision_action": (c_int, (_handle,)),
    "mlops_decision_rule": (c_char_p, (_handle,)),
    "mlops_decision_time": (c_int64, (_handle,)),
    "mlops_decision_suppressed_count": (c_size_t, (_handle,)),
    "mlops_decision_suppressed_rule": (c_char_p, (_handle, c_size_t)),
    "mlops_decision_suppressed_action": (c_int, (_handle, c_size_t)),
    "mlops_decision_suppressed_reason": (c_int, (_handle, c_size_t)),
    "mlops_decision_rule_truth": (c_int, (_handle, c_size_t)),
    "mlops_decision_rule_reason": (c_int, (_handle, c_size_t)),
    "mlops_decision_rule_wait_ms": (c_int64, (_handle, c_size_t)),
    "mlops_decision_info": (POINTER(mlops_decision_info), (_handle,)),
    "mlops_decision_rule_trace": (POINTER(mlops_decision_rule_trace_info), (_handle, c_size_t)),
    "mlops_decision_suppressed": (POINTER(mlops_decision_suppressed_info), (_handle, c_size_t)),
    "mlops_decision_write_json": (STATUS, (POINTER(mlops_buf), _handle, c_uint32)),
    "mlops_decision_write_text": (STATUS, (POINTER(mlops_buf), _handle, c_uint32)),
    "mlops_gate_metrics_new": (STATUS, (_handle_out,)),
    "mlops_gate_metrics_free": (None, (_handle,)),
    "mlops_gate_metrics_set_model": (STATUS, (_handle, c_char_p, c_char_p, c_uint32)),
    "mlops_gate_metrics_put": (
        STATUS,
        (_handle, c_char_p, c_double, c_double, c_double, c_int64),
    ),
    "mlops_policy_gate": (STATUS, (_handle_out, _handle, _handle, _handle, c_uint32)),
    "mlops_gate_result_free": (None, (_handle,)),
    "mlops_gate_result_action": (c_int, (_handle,)),
    "mlops_gate_result_check_count": (c_size_t, (_handle,)),
    "mlops_gate_result_check_metric": (c_char_p, (_handle, c_size_t)),
    "mlops_gate_result_check_kind": (c_char_p, (_handle, c_size_t)),
    "mlops_gate_result_check_passed": (c_int, (_handle, c_size_t)),
    "mlops_gate_result_check_reason": (c_int, (_handle, c_size_t)),
    "mlops_gate_result_info": (POINTER(mlops_gate_result_info), (_handle,)),
    "mlops_gate_result_check": (POINTER(mlops_gate_result_check_info), (_handle, c_size_t)),
    "mlops_gate_result_write_json": (STATUS, (POINTER(mlops_buf), _handle, c_uint32)),
    "mlops_gate_result_write_text": (STATUS, (POINTER(mlops_buf), _handle, c_uint32)),
    # --- manifest.h -------------------------------------------------------
    "mlops_manifest_default_shard_size": (c_uint64, ()),
    "mlops_manifest_parse_options_init": (STATUS, (POINTER(mlops_manifest_parse_options), c_size_t)),
    "mlops_manifest_parse": (STATUS, (_handle_out, c_char_p, c_size_t, POINTER(mlops_manifest_parse_options))),
    "mlops_manifest_dup": (STATUS, (_handle_out, _handle)),
    "mlops_manifest_free": (None, (_handle,)),
    "mlops_manifest_write_json": (STATUS, (POINTER(mlops_buf), _handle, c_uint32)),
    "mlops_manifest_write_json": (STATUS, (POINTER(mlops_buf), _handle, c_uint32)),
    "mlops_manifest_tree_digest": (STATUS, (_bytes_out, _handle)),
    "mlops_manifest_statement_digest": (STATUS, (_bytes_out, _handle)),
    "mlops_manifest_tree_sha256": (c_char_p, (_handle,)),
    "mlops_manifest_statement_sha256": (c_char_p, (_handle,)),
    "mlops_manifest_equal": (c_int, (_handle, _handle)),
    "mlops_manifest_validate": (STATUS, (_handle,)),
    "mlops_manifest_path_check": (STATUS, (c_char_p, c_size_t)),
    "mlops_manifest_check_parent": (STATUS, (_handle, _handle)),
    "mlops_manifest_name": (c_char_p, (_handle,)),
    "mlops_manifest_version": (c_char_p, (_handle,)),
    "mlops_manifest_created": (c_char_p, (_handle,)),
    "mlops_manifest_description": (c_char_p, (_handle,)),
    "mlops_manifest_framework_name": (c_char_p, (_handle,)),
    "mlops_manifest_framework_version": (c_char_p, (_handle,)),
    "mlops_manifest_file_count": (c_size_t, (_handle,)),
    "mlops_manifest_file_path": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_file_size": (c_uint64, (_handle, c_size_t)),
    "mlops_manifest_file_sha256": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_file_media_type": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_file_role": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_file_find": (c_size_t, (_handle, c_char_p)),
    "mlops_manifest_file_shard_size": (c_uint64, (_handle, c_size_t)),
    "mlops_manifest_file_shard_count": (c_size_t, (_handle, c_size_t)),
    "mlops_manifest_file_shard": (STATUS, (POINTER(c_uint64), POINTER(c_uint64), _handle_out, _handle, c_size_t, c_size_t)),
    "mlops_manifest_dataset_count": (c_size_t, (_handle,)),
    "mlops_manifest_dataset_name": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_dataset_uri": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_dataset_role": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_dataset_sha256": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_dataset_foreign_alg": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_dataset_foreign_scheme": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_dataset_foreign_value": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_parameter_count": (c_size_t, (_handle,)),
    "mlops_manifest_parameter_name": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_parameter_type": (c_int, (_handle, c_size_t)),
    "mlops_manifest_parameter_json": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_parameter_number": (c_double, (_handle, c_size_t)),
    "mlops_manifest_parameter_string": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_parameter_bool": (c_int, (_handle, c_size_t)),
    "mlops_manifest_metric_count": (c_size_t, (_handle,)),
    "mlops_manifest_metric_name": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_metric_value": (c_double, (_handle, c_size_t)),
    "mlops_manifest_annotation_count": (c_size_t, (_handle,)),
    "mlops_manifest_annotation_key": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_annotation_value": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_has_parent": (c_int, (_handle,)),
    "mlops_manifest_parent_name": (c_char_p, (_handle,)),
    "mlops_manifest_parent_version": (c_char_p, (_handle,)),
    "mlops_manifest_parent_sha256": (c_char_p, (_handle,)),
    "mlops_manifest_code_uri": (c_char_p, (_handle,)),
    "mlops_manifest_code_commit": (c_char_p, (_handle,)),
    "mlops_manifest_info": (POINTER(mlops_manifest_info), (_handle,)),
    "mlops_manifest_file": (POINTER(mlops_manifest_file_info), (_handle, c_size_t)),
    "mlops_manifest_file_shard_info": (POINTER(mlops_manifest_shard_info), (_handle, c_size_t, c_size_t)),
    "mlops_manifest_dataset": (POINTER(mlops_manifest_dataset_info), (_handle, c_size_t)),
    "mlops_manifest_parameter": (POINTER(mlops_manifest_parameter_info), (_handle, c_size_t)),
    "mlops_manifest_metric": (POINTER(mlops_manifest_metric_info), (_handle, c_size_t)),
    "mlops_manifest_annotation": (POINTER(mlops_manifest_annotation_info), (_handle, c_size_t)),
    "mlops_manifest_builder_new": (STATUS, (_handle_out, c_char_p, c_char_p, c_char_p)),
    "mlops_manifest_builder_free": (None, (_handle,)),
    "mlops_manifest_builder_set_description": (STATUS, (_handle, c_char_p)),
    "mlops_manifest_builder_set_framework": (STATUS, (_handle, c_char_p, c_char_p)),
    "mlops_manifest_builder_add_file": (STATUS, (_handle, c_char_p, c_uint64, c_char_p, c_char_p, c_char_p)),
    "mlops_manifest_builder_set_file_shards": (STATUS, (_handle, c_char_p, c_uint64, _handle_out, c_size_t)),
    "mlops_manifest_builder_add_dataset": (STATUS, (_handle, c_char_p, c_char_p, c_char_p, c_char_p)),
    "mlops_manifest_builder_set_dataset_foreign_digest": (STATUS, (_handle, c_char_p, c_char_p, c_char_p, c_char_p)),
    "mlops_manifest_builder_set_parameter_string": (STATUS, (_handle, c_char_p, c_char_p)),
    "mlops_manifest_builder_set_parameter_number": (STATUS, (_handle, c_char_p, c_double)),
    "mlops_manifest_builder_set_parameter_int": (STATUS, (_handle, c_char_p, c_int64)),
    "mlops_manifest_builder_set_parameter_bool": (STATUS, (_handle, c_char_p, c_int)),
    "mlops_manifest_builder_set_parameter_null": (STATUS, (_handle, c_char_p)),
    "mlops_manifest_builder_set_parameter_json": (STATUS, (_handle, c_char_p, c_char_p)),
    "mlops_manifest_builder_set_metric": (STATUS, (_handle, c_char_p, c_double)),
    "mlops_manifest_builder_set_annotation": (STATUS, (_handle, c_char_p, c_char_p)),
    "mlops_manifest_builder_set_parent": (STATUS, (_handle, c_char_p, c_char_p, c_char_p)),
    "mlops_manifest_builder_set_parent_manifest": (STATUS, (_handle, _handle)),
    "mlops_manifest_builder_set_code": (STATUS, (_handle, c_char_p, c_char_p)),
    "mlops_manifest_builder_finish": (STATUS, (_handle_out, _handle)),
    "mlops_manifest_diff_new": (STATUS, (_handle_out, _handle, _handle, c_uint32)),
    "mlops_manifest_diff_free": (None, (_handle,)),
    "mlops_manifest_diff_info": (POINTER(mlops_manifest_diff_info), (_handle,)),
    "mlops_manifest_diff_file": (POINTER(mlops_manifest_diff_file_info), (_handle, c_size_t)),
    "mlops_manifest_diff_dataset": (POINTER(mlops_manifest_diff_dataset_info), (_handle, c_size_t)),
    "mlops_manifest_diff_parameter": (POINTER(mlops_manifest_diff_parameter_info), (_handle, c_size_t)),
    "mlops_manifest_diff_metric": (POINTER(mlops_manifest_diff_metric_info), (_handle, c_size_t)),
    "mlops_manifest_diff_relation": (c_int, (_handle,)),
    "mlops_manifest_relation_name": (c_char_p, (c_int,)),
    "mlops_manifest_change_name": (c_char_p, (c_int,)),
    "mlops_manifest_diff_unchanged_file_count": (c_size_t, (_handle,)),
    "mlops_manifest_diff_file_count": (c_size_t, (_handle,)),
    "mlops_manifest_diff_file_path": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_diff_file_change": (c_int, (_handle, c_size_t)),
    "mlops_manifest_diff_file_old_sha256": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_diff_file_new_sha256": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_diff_file_old_size": (c_uint64, (_handle, c_size_t)),
    "mlops_manifest_diff_file_new_size": (c_uint64, (_handle, c_size_t)),
    "mlops_manifest_field_name": (c_char_p, (c_uint32,)),
    "mlops_manifest_diff_file_fields": (c_uint32, (_handle, c_size_t)),
    "mlops_manifest_diff_unchanged_dataset_count": (c_size_t, (_handle,)),
    "mlops_manifest_diff_dataset_count": (c_size_t, (_handle,)),
    "mlops_manifest_diff_dataset_name": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_diff_dataset_change": (c_int, (_handle, c_size_t)),
    "mlops_manifest_diff_dataset_fields": (c_uint32, (_handle, c_size_t)),
    "mlops_manifest_diff_dataset_old_sha256": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_diff_dataset_new_sha256": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_diff_dataset_old_uri": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_diff_dataset_new_uri": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_diff_code_change": (c_int, (_handle,)),
    "mlops_manifest_diff_code_fields": (c_uint32, (_handle,)),
    "mlops_manifest_diff_parameter_count": (c_size_t, (_handle,)),
    "mlops_manifest_diff_parameter_name": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_diff_parameter_change": (c_int, (_handle, c_size_t)),
    "mlops_manifest_diff_parameter_old_json": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_diff_parameter_new_json": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_diff_metric_count": (c_size_t, (_handle,)),
    "mlops_manifest_diff_metric_name": (c_char_p, (_handle, c_size_t)),
    "mlops_manifest_diff_metric_change": (c_int, (_handle, c_size_t)),
    "mlops_manifest_diff_metric_old": (c_double, (_handle, c_size_t)),
    "mlops_manifest_diff_metric_new": (c_double, (_handle, c_size_t)),
    "mlops_manifest_diff_metric_delta": (c_double, (_handle, c_size_t)),
    "mlops_manifest_diff_metric_relative": (c_double, (_handle, c_size_t)),
    "mlops_manifest_diff_write_json": (STATUS, (POINTER(mlops_buf), _handle, c_uint32)),
    # --- sign.h -----------------------------------------------------------
    "mlops_key_generate": (STATUS, (_handle_out, c_uint32)),
    "mlops_key_parse_pem": (STATUS, (_handle_out, c_char_p, c_size_t, c_uint32)),
    "mlops_key_load_file": (STATUS, (_handle_out, c_char_p, c_uint32)),
    "mlops_key_from_seed": (STATUS, (_handle_out, _bytes_out)),
    "mlops_key_from_public": (STATUS, (_handle_out, _bytes_out)),
    "mlops_key_free": (None, (_handle,)),
    "mlops_key_has_private": (c_int, (_handle,)),
    "mlops_key_id": (c_char_p, (_handle,)),
    "mlops_key_public_raw": (STATUS, (_bytes_out, _handle)),
    "mlops_key_write_pem": (STATUS, (POINTER(mlops_buf), _handle, c_uint32)),
    "mlops_key_write_pem": (STATUS, (POINTER(mlops_buf), _handle, c_uint32)),
    "mlops_key_sign_raw": (STATUS, (_bytes_out, _handle, c_void_p, c_size_t)),
    "mlops_key_verify_raw": (STATUS, (_handle, _bytes_out, c_void_p, c_size_t)),
    "mlops_keyring_new": (STATUS, (_handle_out,)),
    "mlops_keyring_free": (None, (_handle,)),
    "mlops_keyring_add": (STATUS, (_handle, _handle)),
    "mlops_keyring_count": (c_size_t, (_handle,)),
    "mlops_dsse_pae": (STATUS, (POINTER(mlops_buf), c_char_p, c_void_p, c_size_t)),
    "mlops_dsse_sign": (STATUS, (POINTER(mlops_buf), c_char_p, c_void_p, c_size_t, _handle_out, c_size_t, c_uint32)),
    "mlops_dsse_add_signature": (STATUS, (POINTER(mlops_buf), c_char_p, c_size_t, _handle, c_uint32)),
    "mlops_dsse_verify_options_init": (STATUS, (POINTER(mlops_dsse_verify_options), c_size_t)),
    "mlops_dsse_verify": (STATUS, (POINTER(mlops_buf), c_char_p, c_size_t, _handle, POINTER(mlops_dsse_verify_options))),
    "mlops_dsse_verify_detached": (STATUS, (c_char_p, c_size_t, c_void_p, c_size_t, _handle, POINTER(mlops_dsse_verify_options))),
    # --- package.h --------------------------------------------------------
    "mlops_packer_options_init": (STATUS, (POINTER(mlops_packer_options), c_size_t)),
    "mlops_packer_new": (STATUS, (_handle_out, POINTER(mlops_packer_options))),
    "mlops_packer_free": (None, (_handle,)),
    "mlops_packer_add_file": (STATUS, (_handle, c_char_p, c_char_p, c_char_p, c_uint32)),
    "mlops_packer_add_directory": (STATUS, (_handle, c_char_p, c_char_p, c_uint32)),
    "mlops_packer_write_file": (STATUS, (_handle_out, _handle, c_char_p, _handle)),
    "mlops_package_sign": (STATUS, (c_char_p, c_char_p, _handle_out, c_size_t, POINTER(mlops_package_verify_options), c_uint32)),
    "mlops_package_verify_options_init": (STATUS, (POINTER(mlops_package_verify_options), c_size_t)),
    "mlops_package_verify": (STATUS, (_handle_out, c_char_p, POINTER(mlops_package_verify_options))),
    "mlops_package_extract": (STATUS, (c_char_p, c_char_p, POINTER(mlops_package_verify_options))),
    "mlops_package_report_free": (None, (_handle,)),
    "mlops_package_report_manifest": (c_void_p, (_handle,)),
    "mlops_package_report_count": (c_size_t, (_handle,)),
    "mlops_package_report_code": (c_int, (_handle, c_size_t)),
    "mlops_package_report_entry": (c_char_p, (_handle, c_size_t)),
    "mlops_package_report_expected": (c_char_p, (_handle, c_size_t)),
    "mlops_package_report_found": (c_char_p, (_handle, c_size_t)),
    "mlops_package_report_message": (c_char_p, (_handle, c_size_t)),
    "mlops_package_report_files_verified": (c_size_t, (_handle,)),
    "mlops_package_report_signed": (c_int, (_handle,)),
    "mlops_package_report_valid": (c_int, (_handle,)),
    "mlops_package_report_error_code": (c_int, (_handle,)),
    "mlops_package_report_error_message": (c_char_p, (_handle,)),
    "mlops_package_report_error_path": (c_char_p, (_handle,)),
    "mlops_package_report_error_offset": (c_int64, (_handle,)),
    "mlops_package_report_info": (POINTER(mlops_package_report_info), (_handle,)),
    "mlops_package_report_problem": (POINTER(mlops_package_report_problem_info), (_handle, c_size_t)),
    "mlops_package_report_write_json": (STATUS, (POINTER(mlops_buf), _handle, c_uint32)),
    # --- store.h ----------------------------------------------------------
    "mlops_store_open": (STATUS, (_handle_out, c_char_p, c_uint32)),
    "mlops_store_free": (None, (_handle,)),
    "mlops_store_add": (STATUS, (_handle, c_char_p, POINTER(mlops_package_verify_options))),
    "mlops_store_resolve": (STATUS, (_handle_out, _handle, c_char_p)),
    "mlops_store_alias_set": (STATUS, (_handle, c_char_p, c_char_p, c_char_p)),
    "mlops_store_alias_history_list": (STATUS, (_handle_out, _handle, c_char_p, c_char_p, c_uint32)),
    "mlops_store_tag_list": (STATUS, (_handle_out, _handle, c_uint32)),
    "mlops_store_export": (STATUS, (_handle, c_char_p, c_char_p, c_int64, c_uint32)),
    "mlops_layout_export": (STATUS, (c_char_p, c_char_p, c_char_p, c_size_t, c_char_p, c_int64, c_uint32)),
    "mlops_store_gc": (STATUS, (POINTER(c_size_t), _handle)),
    "mlops_store_check": (STATUS, (_handle,)),
    "mlops_store_remove": (STATUS, (_handle, c_char_p, c_uint32)),
    "mlops_store_retain": (STATUS, (_handle_out, _handle, c_size_t, c_uint32)),
    # --- drift.h ----------------------------------------------------------
    "mlops_drift_options_init": (STATUS, (POINTER(mlops_drift_options), c_size_t)),
    "mlops_drift_result_free": (None, (_handle,)),
    "mlops_drift_result_metric": (c_int, (_handle,)),
    "mlops_drift_result_statistic": (c_double, (_handle,)),
    "mlops_drift_result_pvalue": (c_double, (_handle,)),
    "mlops_drift_result_pvalue_method": (c_int, (_handle,)),
    "mlops_drift_result_threshold": (c_double, (_handle,)),
    "mlops_drift_result_direction": (c_int, (_handle,)),
    "mlops_drift_result_drifted": (c_int, (_handle,)),
    "mlops_drift_result_missing_ref": (c_uint64, (_handle,)),
    "mlops_drift_result_missing_cur": (c_uint64, (_handle,)),
    "mlops_drift_result_n_ref": (c_uint64, (_handle,)),
    "mlops_drift_result_n_cur": (c_uint64, (_handle,)),
    "mlops_drift_result_smoothing": (c_double, (_handle,)),
    "mlops_drift_result_js_base": (c_double, (_handle,)),
    "mlops_drift_result_dof": (c_uint64, (_handle,)),
    "mlops_drift_result_unseen_share": (c_double, (_handle,)),
    "mlops_drift_result_bins": (c_size_t, (_handle,)),
    "mlops_drift_result_edges": (POINTER(c_double), (POINTER(c_size_t), _handle)),
    "mlops_drift_result_ref_counts": (POINTER(c_uint64), (_handle,)),
    "mlops_drift_result_cur_counts": (POINTER(c_uint64), (_handle,)),
    "mlops_drift_result_categories": (POINTER(c_int64), (_handle,)),
    "mlops_drift_result_info": (POINTER(mlops_drift_result_info), (_handle,)),
    "mlops_drift_result_write_json": (STATUS, (POINTER(mlops_buf), _handle, c_uint32)),
    "mlops_drift_metric_name": (c_char_p, (c_int,)),
    "mlops_drift_numeric": (STATUS, (_handle_out, c_int, POINTER(c_double), c_size_t, POINTER(c_double), c_size_t, POINTER(mlops_drift_options))),
    "mlops_drift_auto_metric": (c_int, (c_int, c_uint64, c_uint64)),
    "mlops_drift_reference_new": (STATUS, (_handle_out, POINTER(c_double), c_size_t, POINTER(mlops_drift_options))),
    "mlops_drift_reference_from_counts": (STATUS, (_handle_out, POINTER(c_double), c_size_t, POINTER(c_uint64), c_uint64)),
    "mlops_drift_reference_free": (None, (_handle,)),
    "mlops_drift_reference_edges": (POINTER(c_double), (POINTER(c_size_t), _handle)),
    "mlops_drift_reference_counts": (POINTER(c_uint64), (POINTER(c_size_t), _handle)),
    "mlops_drift_reference_info": (POINTER(mlops_drift_reference_info), (_handle,)),
    "mlops_drift_reference_compare": (STATUS, (_handle_out, _handle, c_int, POINTER(c_double), c_size_t, POINTER(mlops_drift_options))),
    "mlops_drift_counts": (STATUS, (_handle_out, c_int, POINTER(c_double), c_size_t, POINTER(c_uint64), POINTER(c_uint64), c_size_t, c_uint64, c_uint64, POINTER(mlops_drift_options))),
    "mlops_category_dict_new": (STATUS, (_handle_out, c_uint32)),
    "mlops_category_dict_free": (None, (_handle,)),
    "mlops_category_dict_add": (STATUS, (POINTER(c_int64), _handle, POINTER(c_void_p), POINTER(c_size_t), c_size_t, c_uint32)),
    "mlops_category_dict_encode": (STATUS, (POINTER(c_int64), POINTER(c_uint64), _handle, POINTER(c_void_p), POINTER(c_size_t), c_size_t, c_uint32)),
    "mlops_category_dict_count": (c_size_t, (_handle,)),
    "mlops_category_dict_label": (STATUS, (POINTER(c_void_p), POINTER(c_size_t), _handle, c_int64)),
    "mlops_drift_categorical": (STATUS, (_handle_out, c_int, POINTER(c_int64), c_size_t, POINTER(c_int64), c_size_t, c_uint32, POINTER(mlops_drift_options))),
    "mlops_drift_pvalue_adjust": (STATUS, (POINTER(c_double), POINTER(c_double), c_size_t, c_int)),
    "mlops_drift_table_options_init": (STATUS, (POINTER(mlops_drift_table_options), c_size_t)),
    "mlops_drift_table": (STATUS, (_handle_out, POINTER(c_double), c_size_t, POINTER(c_double), c_size_t, c_size_t, POINTER(c_int), POINTER(mlops_drift_table_options))),
    "mlops_drift_table_result_free": (None, (_handle,)),
    "mlops_drift_table_result_columns": (c_size_t, (_handle,)),
    "mlops_drift_table_result_column": (c_void_p, (_handle, c_size_t)),
    "mlops_drift_table_result_column_drifted": (c_int, (_handle, c_size_t)),
    "mlops_drift_table_result_adjusted_pvalue": (c_double, (_handle, c_size_t)),
    "mlops_drift_table_result_drifted_count": (c_size_t, (_handle,)),
    "mlops_drift_table_result_drifted_share": (c_double, (_handle,)),
    "mlops_drift_table_result_drifted": (c_int, (_handle,)),
    "mlops_drift_table_result_info": (POINTER(mlops_drift_table_result_info), (_handle,)),
    "mlops_drift_table_result_column_info": (POINTER(mlops_drift_table_result_column_info), (_handle, c_size_t)),
    "mlops_drift_table_result_write_json": (STATUS, (POINTER(mlops_buf), _handle, c_uint32)),
}
