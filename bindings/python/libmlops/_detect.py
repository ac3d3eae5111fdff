"""Change detectors (detector.h): ADWIN, Page–Hinkley, DDM, EDDM, KSWIN."""

from __future__ import annotations

import ctypes
import threading
from ctypes import c_size_t, c_void_p
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from ._ffi import invalid, numeric_array, read_buffer, take_buf
from ._handle import Handle
from ._lib import C
from ._results import Result
from ._signatures import mlops_buf, mlops_detector_info, mlops_detector_options

_TYPES = {"adwin": 1, "page_hinkley": 2, "ddm": 3, "eddm": 4, "kswin": 5}
_TYPE_NAMES = {v: k for k, v in _TYPES.items()}
_PREFIX = {"adwin": "adwin_", "page_hinkley": "ph_", "ddm": "ddm_", "eddm": "eddm_", "kswin": "kswin_"}
_PH_MODES = {"both": 0, "up": 1, "down": 2}
#: Values fed to C per call: bounds the position arrays to this many entries.
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Detections(Result):
    """Positions (indices into the values of one :meth:`Detector.update`
    call) at which a drift, and for DDM/EDDM a warning, was flagged."""

    drifts: List[int] = field(default_factory=list)
    warnings: List[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.drifts)


def _parameters(kind: str) -> List[str]:
    prefix = _PREFIX[kind]
    names = [f[0] for f in mlops_detector_options._fields_]
    return [name[len(prefix):] for name in names if name.startswith(prefix)]


class Detector(Handle):
    """A change detector over a stream of values (or of 0/1 errors for DDM, EDDM).

    ``Detector("adwin", delta=0.002)``; the kinds are ``"adwin"``,
    ``"page_hinkley"``, ``"ddm"``, ``"eddm"`` and ``"kswin"``, and the
    keyword parameters are the C option fields of that kind without their
    prefix (``adwin_delta`` -> ``delta``, ``ph_mode`` -> ``mode`` which also
    takes ``"both"``/``"up"``/``"down"``). Defaults are river's.

    :meth:`update` feeds values in order (any float64 buffer in place, other
    input converted once) and returns where drifts were flagged. Non-finite
    values are counted and skipped. The state pickles through
    :meth:`to_bytes`. One thread at a time; ``with`` or :meth:`close` frees it.
    """

    # _view: the detector's info struct (detector.h, mlops_detector_info),
    # which lives in the C object at a fixed address and is kept up to date
    # by it; read only while the detector is held open.
    __slots__ = ("_view",)
    _free = staticmethod(lambda h: C.mlops_detector_free(h))

    def _field(self, name: str) -> Any:
        """One field of the info struct, read while the detector is held open."""
        h = self._begin()
        try:
            v: Optional[mlops_detector_info] = getattr(self, "_view", None)
            if v is None:
                v = self._view = C.mlops_detector_info(h).contents
            return getattr(v, name)
        finally:
            self._end(threading.get_ident())

    def __init__(self, kind: str = "adwin", **params: Any) -> None:
        """Create a detector of ``kind`` with the given parameters."""
        self._handle: Optional[int] = None
        if kind not in _TYPES:
            raise invalid(f"unknown detector kind {kind!r} (one of {', '.join(_TYPES)})")
        opts = mlops_detector_options()
        C.mlops_detector_options_init(ctypes.byref(opts), ctypes.sizeof(opts))
        known = _parameters(kind)
        for name, value in params.items():
            if name not in known:
                raise TypeError(f"{kind} detector has no parameter {name!r} (known: {', '.join(known)})")
            if kind == "page_hinkley" and name == "mode" and isinstance(value, str):
                if value not in _PH_MODES:
                    raise invalid(f"page_hinkley mode must be one of both, up, down, not {value!r}")
                value = _PH_MODES[value]
            ctype = {f[0]: f[1] for f in mlops_detector_options._fields_}[_PREFIX[kind] + name]
            if ctype is ctypes.c_double:
                value = float(value)
            elif isinstance(value, bool) or not isinstance(value, int) or value < 0 or value >= 2 ** (8 * ctypes.sizeof(ctype)):
                raise invalid(f"{kind} parameter {name} must be an unsigned integer in range, not {value!r}")
            setattr(opts, _PREFIX[kind] + name, value)
        handle = c_void_p()
        C.mlops_detector_new(ctypes.byref(handle), _TYPES[kind], ctypes.byref(opts))
        self._handle = handle.value

    @classmethod
    def from_bytes(cls, data: Any) -> "Detector":
        """Restore a detector saved with :meth:`to_bytes`: it makes the same
        decisions as the one saved."""
        keep, ptr, n = read_buffer(data)
        handle = c_void_p()
        C.mlops_detector_parse(ctypes.byref(handle), ptr, n)
        del keep
        self = cls.__new__(cls)
        self._handle = handle.value
        return self

    def to_bytes(self) -> bytes:
        """The complete state (parameters, window, generator) as bytes."""
        buf = mlops_buf()
        C.mlops_detector_write(ctypes.byref(buf), self._h(), 0)
        return take_buf(buf)

    __bytes__ = to_bytes

    def __reduce__(self) -> Tuple[Any, Tuple[bytes]]:
        return (Detector.from_bytes, (self.to_bytes(),))

    def update(self, values: Any) -> Detections:
        """Feed ``values`` in order; returns the positions of drifts and
        warnings flagged. DDM/EDDM raise :class:`DomainError` for a finite
        value other than 0 or 1 (the detector is then unchanged for that
        batch of up to 65,536 values, and the values before it were fed)."""
        h = self._h()
        keep, ptr, n = numeric_array(values)
        drifts: List[int] = []
        warnings: List[int] = []
        cap = min(max(n, 1), _CHUNK)
        d_buf = (c_size_t * cap)()
        w_buf = (c_size_t * cap)()
        nd = c_size_t()
        nw = c_size_t()
        base: int = (ctypes.cast(ptr, c_void_p).value or 0) if n else 0
        for start in range(0, max(n, 1), _CHUNK):
            m = min(_CHUNK, n - start)
            chunk = ctypes.cast(base + 8 * start, ctypes.POINTER(ctypes.c_double)) if m else None
            C.mlops_detector_update_warn(d_buf, cap, ctypes.byref(nd), w_buf, cap, ctypes.byref(nw), h, chunk, m)
            drifts.extend(start + d_buf[i] for i in range(nd.value))
            warnings.extend(start + w_buf[i] for i in range(nw.value))
        del keep
        return Detections(drifts, warnings)

    def update_drifts(self, values: Any) -> List[int]:
        """Like :meth:`update` but reports drift positions only (slightly cheaper)."""
        h = self._h()
        keep, ptr, n = numeric_array(values)
        drifts: List[int] = []
        cap = min(max(n, 1), _CHUNK)
        d_buf = (c_size_t * cap)()
        nd = c_size_t()
        base: int = (ctypes.cast(ptr, c_void_p).value or 0) if n else 0
        for start in range(0, max(n, 1), _CHUNK):
            m = min(_CHUNK, n - start)
            chunk = ctypes.cast(base + 8 * start, ctypes.POINTER(ctypes.c_double)) if m else None
            C.mlops_detector_update(d_buf, cap, ctypes.byref(nd), h, chunk, m)
            drifts.extend(start + d_buf[i] for i in range(nd.value))
        del keep
        return drifts

    @property
    def kind(self) -> str:
        """The detector kind (``"adwin"``, ...)."""
        return _TYPE_NAMES[self._field("type")]

    @property
    def drift_detected(self) -> bool:
        """Whether the last finite value fed caused a drift."""
        return bool(self._field("drift_detected"))

    @property
    def warning_detected(self) -> bool:
        """Whether the detector is in its warning zone (DDM, EDDM)."""
        return bool(self._field("warning_detected"))

    @property
    def count(self) -> int:
        """Finite values consumed since creation."""
        return int(self._field("count"))

    @property
    def nonfinite_count(self) -> int:
        """Non-finite values counted and skipped."""
        return int(self._field("nonfinite_count"))

    @property
    def drift_count(self) -> int:
        """Drifts flagged since creation."""
        return int(self._field("drift_count"))

    @property
    def width(self) -> int:
        """ADWIN: window width; KSWIN: values in the window; others: values
        since the last reset."""
        return int(self._field("width"))

    @property
    def estimation(self) -> float:
        """ADWIN: mean of the current window (NaN when empty); others NaN."""
        return float(self._field("estimation"))

    def to_dict(self) -> Dict[str, Any]:
        """Kind and counters."""
        return {"kind": self.kind, "count": self.count, "nonfinite_count": self.nonfinite_count,
                "drift_count": self.drift_count, "width": self.width,
                "drift_detected": self.drift_detected, "warning_detected": self.warning_detected}

    def to_json(self, **kwargs: Any) -> str:
        """:meth:`to_dict` as JSON text."""
        import json

        kwargs.setdefault("sort_keys", True)
        return json.dumps(self.to_dict(), **kwargs)

    def __repr__(self) -> str:
        if self.closed:
            return "<Detector closed>"
        return f"<Detector {self.kind} count={self.count} drifts={self.drift_count} width={self.width}>"
