"""The C ABI as the binding sees it: one declarative table of every function.

Each entry of :data:`FUNCTIONS` maps a C function name to ``(restype, argtypes)``.
A restype of :data:`STATUS` marks a function that returns an ``int`` status
(0 or a negative ``MLOPS_E_*`` code): the loader attaches an ``errcheck`` that
turns a failure into the matching :class:`mlops.MlopsError` subclass, reading
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
    c_int,
    c_int64,
    c_size_t,
    c_ubyte,
    c_uint32,
    c_uint64,
    c_void_p,
)
from typing import Any, Dict, Sequence, Tuple

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


_bytes_out = POINTER(c_ubyte)  # uint8_t out[N]
_handle = c_void_p  # every opaque mlops_x *
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
    "mlops_allocator_set": (STATUS, (MALLOC_FN, REALLOC_FN, FREE_FN, c_void_p)),
    # --- digest.h ---------------------------------------------------------
    "mlops_digest_new": (STATUS, (_handle_out,)),
    "mlops_digest_update": (STATUS, (_handle, c_void_p, c_size_t)),
    "mlops_digest_finish": (STATUS, (_handle, _bytes_out)),
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
    "mlops_semver_compare": (c_int, (_handle, _handle)),
    "mlops_semver_validate": (STATUS, (c_char_p,)),
    "mlops_semver_compare_str": (STATUS, (POINTER(c_int), c_char_p, c_char_p)),
    # --- timestamp.h ------------------------------------------------------
    "mlops_timestamp_parse": (STATUS, (POINTER(c_int64), POINTER(c_uint32), c_char_p)),
    "mlops_timestamp_format": (STATUS, (c_char_p, c_int64, c_uint32)),
}
