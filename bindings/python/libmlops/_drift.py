"""Batch drift metrics (drift.h): KS, Wasserstein, energy, CvM, PSI, KL, JS,
Hellinger, TVD, L-inf, chi-square and z-tests; many features at once."""

from __future__ import annotations

import ctypes
import json
import math
import threading
from ctypes import c_double, c_int, c_int64, c_size_t, c_uint64, c_void_p
from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from ._ffi import _np, check_int, invalid, numeric_array, take_buf
from ._handle import ClosedError, Handle
from ._lib import C
from ._results import Result
from ._signatures import (
    DRIFT_METRIC_COUNT,
    DRIFT_REJECT_NONFINITE,
    mlops_buf,
    mlops_drift_options,
    mlops_drift_table_options,
)

_METRICS: Dict[str, int] = {}
for _i in range(DRIFT_METRIC_COUNT):
    _name = (C.mlops_drift_metric_name(_i) or b"").decode("ascii")
    _METRICS["auto" if _i == 0 else _name] = _i
_METRIC_NAMES = {v: k for k, v in _METRICS.items()}
_BINNING = {"quantile": 0, "uniform": 1, "edges": 2}
_KS_MODES = {"scipy": 0, "exact_where_feasible": 1, "asymptotic": 2}
_PV_METHODS = {0: "none", 1: "exact", 2: "asymptotic"}
_ADJUST = {"bonferroni": 0, "holm": 1, "bh": 2}
_RULES = {"share": 0, "bonferroni": 1, "holm": 2, "bh": 3}
#: Names of the metrics, in the C enumeration's order.
METRICS: Tuple[str, ...] = tuple(_METRICS)


def metric_name(metric: int) -> str:
    """Lower-case name of a metric code (``"ks"``, ``"psi"``...); ``"unknown"`` otherwise."""
    return (C.mlops_drift_metric_name(check_int(metric, -(2**31), 2**31 - 1, "metric")) or b"").decode("ascii")


def _metric(metric: Union[str, int]) -> int:
    if isinstance(metric, str):
        if metric not in _METRICS:
            raise invalid(f"unknown drift metric {metric!r} (one of {', '.join(_METRICS)})")
        return _METRICS[metric]
    return check_int(metric, -(2**31), 2**31 - 1, "metric")


def auto_metric(categorical: bool, n_ref: int, n_distinct: int) -> str:
    """The metric ``"auto"`` picks for a feature of this kind and size."""
    return _METRIC_NAMES[int(C.mlops_drift_auto_metric(1 if categorical else 0,
                                                       check_int(n_ref, 0, 2**64 - 1, "n_ref"),
                                                       check_int(n_distinct, 0, 2**64 - 1, "n_distinct")))]


@dataclass(frozen=True)
class DriftResult(Result):
    """One metric on one feature. ``pvalue`` is NaN for distances; ``edges``,
    counts and ``categories`` are empty for sample tests. ``report`` is the
    library's JSON form."""

    metric: str
    statistic: float
    pvalue: float
    pvalue_method: str
    threshold: float
    direction: str
    drifted: bool
    n_ref: int
    n_cur: int
    missing_ref: int
    missing_cur: int
    smoothing: float = math.nan
    js_base: float = math.nan
    dof: int = 0
    unseen_share: float = math.nan
    bins: int = 0
    edges: Tuple[float, ...] = ()
    ref_counts: Tuple[int, ...] = ()
    cur_counts: Tuple[int, ...] = ()
    categories: Tuple[int, ...] = ()
    report: Dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    #: The label of each of ``categories`` when the samples were labels.
    labels: Tuple[Any, ...] = ()

    def __bool__(self) -> bool:
        return self.drifted

    def __repr__(self) -> str:
        p = "" if math.isnan(self.pvalue) else f", pvalue={self.pvalue:.6g}"
        return (f"DriftResult({self.metric}: statistic={self.statistic:.6g}{p}, "
                f"threshold {self.direction} {self.threshold:g}, drifted={self.drifted}, "
                f"n_ref={self.n_ref}, n_cur={self.n_cur})")


def _result(r: int) -> DriftResult:
    """Copy a C result into a DriftResult (the caller frees it): one read of
    its info struct (drift.h, mlops_drift_result_info)."""
    i = C.mlops_drift_result_info(r).contents
    bins = i.bins
    buf = mlops_buf()
    C.mlops_drift_result_write_json(ctypes.byref(buf), r, 0)
    return DriftResult(
        metric=_METRIC_NAMES.get(i.metric, "unknown"),
        statistic=i.statistic,
        pvalue=i.pvalue,
        pvalue_method=_PV_METHODS.get(i.pvalue_method, "?"),
        threshold=i.threshold,
        direction=">=" if i.direction == 0 else "<",
        drifted=bool(i.drifted),
        n_ref=i.n_ref,
        n_cur=i.n_cur,
        missing_ref=i.missing_ref,
        missing_cur=i.missing_cur,
        smoothing=i.smoothing,
        js_base=i.js_base,
        dof=i.dof,
        unseen_share=i.unseen_share,
        bins=bins,
        edges=tuple(i.edges[:i.n_edges]) if i.edges else (),
        ref_counts=tuple(i.ref_counts[:bins]) if i.ref_counts else (),
        cur_counts=tuple(i.cur_counts[:bins]) if i.cur_counts else (),
        categories=tuple(i.categories[:bins]) if i.categories else (),
        report=json.loads(take_buf(buf)),
    )


def _take(handle: c_void_p) -> DriftResult:
    assert handle.value is not None
    try:
        return _result(handle.value)
    finally:
        C.mlops_drift_result_free(handle.value)


class _Options:
    """mlops_drift_options built from keywords, with its edges kept alive."""

    def __init__(self, binning: str = "quantile", bins: int = 10, edges: Optional[Sequence[float]] = None,
                 smoothing: float = 0.5, js_base: float = 2.0, threshold: Optional[float] = None,
                 ks_mode: str = "scipy", reject_nonfinite: bool = False) -> None:
        o = mlops_drift_options()
        C.mlops_drift_options_init(ctypes.byref(o), ctypes.sizeof(o))
        if edges is not None:
            binning = "edges"
        if binning not in _BINNING:
            raise invalid(f"binning must be one of {', '.join(_BINNING)}, not {binning!r}")
        if ks_mode not in _KS_MODES:
            raise invalid(f"ks_mode must be one of {', '.join(_KS_MODES)}, not {ks_mode!r}")
        o.binning = _BINNING[binning]
        o.bins = check_int(bins, 0, 2**63 - 1, "bins")
        self.keep = None
        if edges is not None:
            self.keep, o.edges, o.n_edges = numeric_array(edges)
        o.smoothing = float(smoothing)
        o.js_base = float(js_base)
        o.threshold = math.nan if threshold is None else float(threshold)
        o.ks_mode = _KS_MODES[ks_mode]
        o.flags = DRIFT_REJECT_NONFINITE if reject_nonfinite else 0
        self.opts = o


def drift(reference: Any, current: Any, metric: Union[str, int] = "auto", **options: Any) -> DriftResult:
    """Compare two samples of a numeric feature.

    ``reference`` and ``current`` are float64 buffers (a C-contiguous NumPy
    float64 array is read in place, without a copy), other arrays (converted
    once), lists or pandas Series. ``metric`` is one of :data:`METRICS`.
    Options: ``binning`` (``"quantile"``, ``"uniform"``), ``bins`` (10),
    ``edges`` (interior edges; implies ``binning="edges"``), ``smoothing``
    (0.5), ``js_base`` (2), ``threshold`` (None: the metric's default),
    ``ks_mode`` (``"scipy"``, ``"exact_where_feasible"``, ``"asymptotic"``),
    ``reject_nonfinite`` (False: NaN/inf are omitted and counted).

    Raises :class:`DomainError` (a side empty after omission...).
    """
    o = _Options(**options)
    kr, pr, nr = numeric_array(reference)
    kc, pc, nc = numeric_array(current)
    out = c_void_p()
    C.mlops_drift_numeric(ctypes.byref(out), _metric(metric), pr, nr, pc, nc, ctypes.byref(o.opts))
    del kr, kc
    return _take(out)


def drift_counts(reference_counts: Sequence[int], current_counts: Sequence[int],
                 metric: Union[str, int] = "psi", *, edges: Optional[Sequence[float]] = None,
                 missing_ref: int = 0, missing_cur: int = 0, **options: Any) -> DriftResult:
    """A share metric (psi, kl, js, hellinger, tvd, linf) between two
    histograms over the same bins, computed as :func:`drift` does on those
    bins: for counts produced elsewhere (stored references, a database's
    GROUP BY). ``edges`` are the ``bins - 1`` interior edges, or None."""
    rc = [check_int(int(c), 0, 2**64 - 1, "count") for c in reference_counts]
    cc = [check_int(int(c), 0, 2**64 - 1, "count") for c in current_counts]
    if len(rc) != len(cc):
        raise invalid(f"{len(rc)} reference counts but {len(cc)} current counts")
    o = _Options(**options)
    keep, ptr, n = (None, None, 0) if edges is None else numeric_array(edges)
    bins = len(rc)
    ra = (c_uint64 * max(bins, 1))(*rc)
    ca = (c_uint64 * max(bins, 1))(*cc)
    out = c_void_p()
    C.mlops_drift_counts(ctypes.byref(out), _metric(metric), ptr, n, ra, ca, bins,
                         check_int(missing_ref, 0, 2**64 - 1, "missing_ref"),
                         check_int(missing_cur, 0, 2**64 - 1, "missing_cur"), ctypes.byref(o.opts))
    del keep
    return _take(out)


class CategoryDict(Handle):
    """Category labels to dense codes 0, 1, 2... shared by a reference and a
    current sample (``mlops_category_dict``). Codes are assigned in
    first-seen order: add the reference first, then the current sample, and
    every label has one code in both, reference labels keeping theirs.

    Labels are ``str`` (UTF-8) or ``bytes`` (any bytes, NUL included); a
    ``str`` and the ``bytes`` of its UTF-8 are the same label.

    Safe to share between threads: calls on one dictionary take turns (an
    :meth:`add` changes it), and :meth:`close` waits for a call in flight
    (see :class:`Handle`).
    """

    __slots__ = ("_lock",)
    _free = staticmethod(lambda h: C.mlops_category_dict_free(h))

    def __init__(self, labels: Optional[Sequence[Any]] = None) -> None:
        self._handle: Optional[int] = None
        self._lock = threading.Lock()
        out = c_void_p()
        C.mlops_category_dict_new(ctypes.byref(out), 0)
        self._handle = out.value
        if labels is not None:
            self.add(labels)

    def add(self, labels: Sequence[Any]) -> List[int]:
        """Codes of ``labels``, giving each label seen for the first time the
        next code. On error the dictionary is unchanged."""
        keep, ptrs, lens, n = _label_batch([_label_bytes(v, "label") for v in labels])
        codes = (c_int64 * max(n, 1))()
        with self._lock:
            C.mlops_category_dict_add(codes, self._h(), ptrs, lens, n, 0)
        del keep
        return list(codes[:n])

    def encode(self, labels: Sequence[Any]) -> Tuple[List[int], int]:
        """(codes, number unseen) of ``labels`` without adding any: a label
        the dictionary lacks gets -1 (a missing value to
        :func:`drift_categorical`)."""
        keep, ptrs, lens, n = _label_batch([_label_bytes(v, "label") for v in labels])
        codes = (c_int64 * max(n, 1))()
        unseen = c_uint64()
        with self._lock:
            C.mlops_category_dict_encode(codes, ctypes.byref(unseen), self._h(), ptrs, lens, n, 0)
        del keep
        return list(codes[:n]), int(unseen.value)

    def label(self, code: int) -> Union[str, bytes]:
        """The label of ``code``: ``str`` when its bytes are UTF-8, else ``bytes``."""
        p = c_void_p()
        n = c_size_t()
        code = check_int(code, -(2**63), 2**63 - 1, "code")
        # the label's bytes live in the dictionary: held open while read
        with self._lock, self._use():
            C.mlops_category_dict_label(ctypes.byref(p), ctypes.byref(n), self._h(), code)
            raw = ctypes.string_at(p.value, n.value) if p.value and n.value else b""
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw

    def __len__(self) -> int:
        with self._lock:
            return int(C.mlops_category_dict_count(self._h()))

    def __repr__(self) -> str:
        if self.closed:
            return "<CategoryDict closed>"
        try:
            return f"<CategoryDict {len(self)} labels>"
        except ClosedError:
            return "<CategoryDict closed>"


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    if _np is not None and isinstance(v, _np.floating) and _np.isnan(v):
        return True
    t = type(v).__name__
    return t in ("NAType", "NaTType")


def _label_bytes(v: Any, what: str) -> bytes:
    if isinstance(v, str):
        return v.encode("utf-8", "surrogatepass")
    if isinstance(v, (bytes, bytearray)):
        return bytes(v)
    raise invalid(f"{what}: a label must be str or bytes, not {type(v).__name__} ({v!r})")


def _label_batch(labels: List[bytes]) -> Tuple[Any, Any, Any, int]:
    """(keep, pointers, lengths, n) of a batch of byte labels, for the C calls."""
    n = len(labels)
    blob = b"".join(labels)
    buf = ctypes.create_string_buffer(blob, len(blob) + 1)
    base = ctypes.addressof(buf)
    ptrs = (c_void_p * max(n, 1))()
    lens = (c_size_t * max(n, 1))()
    off = 0
    for i, b in enumerate(labels):
        ptrs[i] = base + off
        lens[i] = len(b)
        off += len(b)
    return buf, ptrs, lens, n


def _labels_of(values: Any, what: str) -> Optional[List[Any]]:
    """The labels of a sample (None for missing values), or None when the
    sample is integer codes. pandas ``category`` columns are read through
    their categories (never by their codes), ``object`` and string columns
    and arrays by value; lists of str/bytes are labels."""
    dtype = getattr(values, "dtype", None)
    if dtype is not None:
        if str(dtype) == "category":
            if getattr(values.cat.categories.dtype, "kind", "") in ("i", "u"):
                return None  # integer categories: their values are the codes
            cats = list(values.cat.categories)
            codes = values.cat.codes.to_numpy() if hasattr(values.cat.codes, "to_numpy") else values.cat.codes
            out = [None if int(c) < 0 else cats[int(c)] for c in codes]
        elif getattr(dtype, "kind", "") in ("U", "S") or str(dtype) in ("string", "str"):
            out = list(values.tolist() if hasattr(values, "tolist") else values)
        elif getattr(dtype, "kind", "") == "O":
            # an object column is labels when it holds a str or bytes
            out = list(values.tolist() if hasattr(values, "tolist") else values)
            if not any(isinstance(v, (str, bytes, bytearray)) for v in out):
                return None
        else:
            return None
    else:
        seq = list(values)
        if not any(isinstance(v, (str, bytes, bytearray)) for v in seq):
            return None
        out = seq
    for i, v in enumerate(out):
        if not (_is_missing(v) or isinstance(v, (str, bytes, bytearray))):
            raise invalid(f"{what}: value {i} is {type(v).__name__} {v!r}, not a label "
                          "(str or bytes) or a missing value")
    return [None if _is_missing(v) else v for v in out]


def _aligned_codes(ref_labels: List[Any], cur_labels: List[Any]) -> Tuple[Any, Any, int, CategoryDict]:
    """int64 codes of both samples through one CategoryDict (reference first);
    missing values are -1."""
    d = CategoryDict()
    out = []
    for labels in (ref_labels, cur_labels):
        present = [v for v in labels if v is not None]
        codes = iter(d.add(present))
        arr = [-1 if v is None else next(codes) for v in labels]
        out.append(_np.asarray(arr, dtype=_np.int64) if _np is not None else __import__("array").array("q", arr))
    return out[0], out[1], len(d), d


def drift_categorical(reference: Any, current: Any, metric: Union[str, int] = "auto", *,
                      n_categories: Optional[int] = None, **options: Any) -> DriftResult:
    """Compare two samples of a categorical feature: labels or codes.

    Labels (lists of ``str``/``bytes``, pandas ``category``, ``object`` or
    string Series, NumPy string arrays) are aligned by label through a
    :class:`CategoryDict`: the same label is the same category in both
    samples, whatever codes pandas gave it; None/NaN/pd.NA are missing
    values. The result's ``labels`` name its ``categories``.

    Integer codes are taken as they are, in ``[0, n_categories)`` (negative
    codes are missing values); ``n_categories`` defaults to one more than the
    largest code. Metrics: chi2, ztest, psi, kl, js, hellinger, tvd, linf,
    auto."""
    o = _Options(**options)
    ref_l = _labels_of(reference, "reference")
    cur_l = _labels_of(current, "current")
    d = None
    if ref_l is not None or cur_l is not None:
        if ref_l is None or cur_l is None:
            raise invalid(f"the {'current' if ref_l is not None else 'reference'} sample holds integer "
                          f"codes but the {'reference' if ref_l is not None else 'current'} holds "
                          "labels: pass labels for both (codes of different frames do not align)")
        if n_categories is not None:
            raise invalid("n_categories applies to integer codes, not labels")
        if _np is None:  # pragma: no cover - the binding's tests run with NumPy
            raise TypeError("labels need NumPy")
        ref, cur, n_categories, d = _aligned_codes(ref_l, cur_l)
        n_categories = max(n_categories, 1)
    else:
        ref = _int64(reference)
        cur = _int64(current)
    if n_categories is None:
        n_categories = max([max(ref, default=-1), max(cur, default=-1)]) + 1 if _np is None else \
            int(max(ref.max(initial=-1), cur.max(initial=-1))) + 1
    out = c_void_p()
    rp = ctypes.cast(_addr(ref), ctypes.POINTER(ctypes.c_int64)) if len(ref) else None
    cp = ctypes.cast(_addr(cur), ctypes.POINTER(ctypes.c_int64)) if len(cur) else None
    C.mlops_drift_categorical(ctypes.byref(out), _metric(metric), rp, len(ref), cp, len(cur),
                              check_int(int(n_categories), 0, 2**32 - 1, "n_categories"), ctypes.byref(o.opts))
    r = _take(out)
    if d is not None:
        with d:
            r = replace(r, labels=tuple(d.label(c) for c in r.categories))
    return r


def _int64(values: Any) -> Any:
    if _np is not None:
        arr = _np.asarray(values)
        if arr.dtype.kind == "f" and not _np.array_equal(arr, _np.round(arr)):
            raise invalid("category codes must be integers")
        if arr.size and arr.dtype.kind in "fu" and (arr.max(initial=0) > 2**63 - 1 or
                                                   arr.min(initial=0) < -(2**63)):
            raise invalid("category codes must fit in 64 bits")
        return _np.ascontiguousarray(arr, dtype=_np.int64).reshape(-1)
    import array

    return array.array("q", list(values))


def _addr(arr: Any) -> int:
    if _np is not None and isinstance(arr, _np.ndarray):
        return int(arr.ctypes.data)
    return int(arr.buffer_info()[0])


def pvalue_adjust(pvalues: Any, method: str = "bh") -> List[float]:
    """Adjusted p-values (statsmodels' ``multipletests`` conventions), in input
    order: ``"bonferroni"``, ``"holm"`` or ``"bh"`` (Benjamini–Hochberg)."""
    if method not in _ADJUST:
        raise invalid(f"method must be one of {', '.join(_ADJUST)}, not {method!r}")
    keep, ptr, n = numeric_array(pvalues)
    out = (c_double * max(n, 1))()
    C.mlops_drift_pvalue_adjust(out, ptr, n, _ADJUST[method])
    del keep
    return list(out[:n])


class DriftReference(Handle):
    """A binned reference (edges and counts), summarised once and compared with
    many current windows by a share metric (PSI by default) in one pass each.

    ``DriftReference(values, bins=10)`` bins a sample (quantile bins by
    default); :meth:`from_counts` takes stored edges and counts;
    :meth:`from_profile` the histogram of a numeric :class:`Profile`.
    """

    __slots__ = ()
    _free = staticmethod(lambda h: C.mlops_drift_reference_free(h))

    def __init__(self, values: Any, **options: Any) -> None:
        """Summarise ``values`` (options as for :func:`drift`)."""
        self._handle: Optional[int] = None
        o = _Options(**options)
        keep, ptr, n = numeric_array(values)
        out = c_void_p()
        C.mlops_drift_reference_new(ctypes.byref(out), ptr, n, ctypes.byref(o.opts))
        del keep
        self._handle = out.value

    @classmethod
    def from_counts(cls, edges: Sequence[float], counts: Sequence[int], missing: int = 0) -> "DriftReference":
        """A reference from interior ``edges`` and ``len(edges) + 1`` counts."""
        keep, ptr, n = numeric_array(edges)
        counts = [check_int(int(c), 0, 2**64 - 1, "count") for c in counts]
        if len(counts) != n + 1:
            raise invalid(f"{n} edges need {n + 1} counts, not {len(counts)}")
        arr = (c_uint64 * len(counts))(*counts)
        out = c_void_p()
        C.mlops_drift_reference_from_counts(ctypes.byref(out), ptr, n, arr,
                                            check_int(missing, 0, 2**64 - 1, "missing"))
        del keep
        self = cls.__new__(cls)
        self._handle = out.value
        return self

    @classmethod
    def from_profile(cls, profile: Any) -> "DriftReference":
        """A reference from the histogram of a numeric profile (its
        non-finite values count as missing)."""
        if not profile.histogram_edges:
            raise invalid("the profile has no histogram (create it with edges=...)")
        missing = profile.nan_count + profile.posinf_count + profile.neginf_count
        return cls.from_counts(profile.histogram_edges, profile.histogram_counts, missing)

    @property
    def edges(self) -> Tuple[float, ...]:
        """Interior edges."""
        with self._use() as h:  # the struct and its arrays are in the reference
            i = C.mlops_drift_reference_info(h).contents
            return tuple(i.edges[:i.n_edges]) if i.edges else ()

    @property
    def counts(self) -> Tuple[int, ...]:
        """Counts per bin."""
        with self._use() as h:  # the struct and its arrays are in the reference
            i = C.mlops_drift_reference_info(h).contents
            return tuple(i.counts[:i.bins]) if i.counts else ()

    def compare(self, current: Any, metric: Union[str, int] = "psi", **options: Any) -> DriftResult:
        """Compare ``current`` with this reference by a share metric (psi, kl,
        js, hellinger, tvd, linf); binning options are ignored."""
        o = _Options(**options)
        keep, ptr, n = numeric_array(current)
        out = c_void_p()
        C.mlops_drift_reference_compare(ctypes.byref(out), self._h(), _metric(metric), ptr, n, ctypes.byref(o.opts))
        del keep
        return _take(out)

    def __repr__(self) -> str:
        if self.closed:
            return "<DriftReference closed>"
        return f"<DriftReference bins={len(self.counts)} n={sum(self.counts)}>"


@dataclass(frozen=True)
class DriftColumn(Result):
    """One column of a table comparison: its result, whether it counts as
    drifted under the dataset rule, and its adjusted p-value."""

    name: str
    result: DriftResult
    drifted: bool
    adjusted_pvalue: float


@dataclass(frozen=True)
class DriftTableResult(Result):
    """Per-column results and the dataset verdict."""

    rule: str
    drifted: bool
    drifted_count: int
    drifted_share: float
    columns: List[DriftColumn]
    report: Dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __getitem__(self, name: str) -> DriftColumn:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_frame(self) -> Any:
        """The columns as a pandas DataFrame (needs pandas)."""
        import pandas as pd  # type: ignore[import-untyped]

        return pd.DataFrame([{"column": c.name, "metric": c.result.metric, "statistic": c.result.statistic,
                              "pvalue": c.result.pvalue, "adjusted_pvalue": c.adjusted_pvalue,
                              "drifted": c.drifted} for c in self.columns]).set_index("column")

    def __repr__(self) -> str:
        return (f"DriftTableResult(rule={self.rule!r}, drifted={self.drifted}, "
                f"{self.drifted_count}/{len(self.columns)} columns drifted)")


def _table(data: Any, names: Optional[List[str]]) -> Tuple[Any, Any, int, int, List[str]]:
    """(keep, pointer, n_rows, n_cols, names) of a table in column-major float64."""
    if hasattr(data, "columns") and hasattr(data, "to_numpy"):  # pandas DataFrame
        cols = [str(c) for c in data.columns]
        if _np is None:  # pragma: no cover - pandas needs NumPy
            raise TypeError("a DataFrame needs NumPy")
        try:
            arr = _np.asfortranarray(data.to_numpy(dtype=_np.float64))
        except (TypeError, ValueError) as e:
            for c in data.columns:  # name the column that cannot be used
                try:
                    _np.asarray(data[c], dtype=_np.float64)
                except (TypeError, ValueError) as ce:
                    raise invalid(f"column {str(c)!r} is neither numbers nor labels: {ce}") from None
            raise invalid(f"the table cannot be read as numbers: {e}") from None
    elif isinstance(data, Mapping):
        cols = [str(k) for k in data]
        if _np is not None:
            arr = _np.asfortranarray(_np.column_stack([_np.asarray(v, dtype=_np.float64) for v in data.values()]))
        else:
            import array

            flat = array.array("d")
            lengths = {len(v) for v in data.values()}
            if len(lengths) != 1:
                raise invalid("every column must have the same length")
            for v in data.values():
                flat.extend(float(x) for x in v)
            keep, ptr, n = numeric_array(flat)
            rows = lengths.pop()
            return keep, ptr, rows, len(cols), cols
    else:
        if _np is None:
            raise TypeError("a 2-D table needs NumPy (or pass a mapping of columns)")
        arr = _np.asarray(data)
        if arr.ndim != 2:
            raise invalid(f"a table is 2-D (rows x columns), not {arr.ndim}-D")
        # Column-major float64 is read in place; anything else is converted once.
        arr = _np.asfortranarray(arr, dtype=_np.float64)
        cols = names or [str(i) for i in range(arr.shape[1])]
    if names is not None:
        cols = list(names)
    rows, ncols = arr.shape
    flat = arr.reshape(-1, order="F")  # a view of an F-ordered array
    keep, ptr, n = numeric_array(flat)
    return (keep, arr), ptr, rows, ncols, cols


def _columns_of(data: Any, names: Optional[List[str]]) -> Optional[Dict[str, Any]]:
    """name -> column of a DataFrame or a mapping (None for 2-D arrays)."""
    if hasattr(data, "columns") and hasattr(data, "to_numpy"):
        cols = {str(c): data[c] for c in data.columns}
    elif isinstance(data, Mapping):
        cols = {str(k): v for k, v in data.items()}
    else:
        return None
    if names is not None:
        missing = [n for n in names if n not in cols]
        if missing:
            raise invalid(f"no column {', '.join(repr(m) for m in missing)} in the table")
        cols = {n: cols[n] for n in names}
    return cols


def _split_labels(reference: Any, current: Any, names: Optional[List[str]]) -> Optional[Any]:
    """(names, ref columns, cur columns, which are labels) when a table has
    a label column; None when every column is numeric (the C table call)."""
    rc = _columns_of(reference, names)
    cc = _columns_of(current, names)
    if rc is None or cc is None:
        return None
    labels = {}
    for n, v in rc.items():
        try:
            labels[n] = _labels_of(v, f"column {n!r} of the reference") is not None
        except Exception as e:
            raise invalid(f"column {n!r} of the reference: {e}") from None
    if not any(labels.values()):
        return None
    if list(rc) != list(cc):
        raise invalid("the reference and current tables have different columns")
    return list(rc), rc, cc, labels


def _mixed_table(mixed: Any, metrics: Any, rule: str, drift_share: float, alpha: float,
                 effect_floor: Optional[float], threads: int, column_options: Dict[str, Any]) -> "DriftTableResult":
    names, rc, cc, is_label = mixed
    lab = [n for n in names if is_label[n]]
    if rule != "share":
        raise invalid(f"rule {rule!r} adjusts p-values of numeric columns; label columns "
                      f"({', '.join(lab)}) need rule='share'")
    if metrics is None or isinstance(metrics, (str, int)):
        per = {n: metrics if metrics is not None else "auto" for n in names}
    elif isinstance(metrics, Mapping):
        unknown = set(metrics) - set(names)
        if unknown:
            raise invalid(f"metrics for unknown columns: {', '.join(sorted(unknown))}")
        per = {n: metrics.get(n, "auto") for n in names}
    else:
        ms = list(metrics)
        if len(ms) != len(names):
            raise invalid(f"{len(ms)} metrics for {len(names)} columns")
        per = dict(zip(names, ms))
    num = [n for n in names if not is_label[n]]
    results: Dict[str, Tuple[DriftResult, bool, float]] = {}
    if num:
        t = drift_table({n: rc[n] for n in num}, {n: cc[n] for n in num}, [per[n] for n in num],
                        rule="share", drift_share=drift_share, effect_floor=effect_floor,
                        threads=threads, **column_options)
        for c in t.columns:
            results[c.name] = (c.result, c.drifted, c.adjusted_pvalue)
    cat_options = {k: v for k, v in column_options.items() if k in ("smoothing", "js_base", "threshold",
                                                                    "reject_nonfinite")}
    for n in lab:
        try:
            r = drift_categorical(rc[n], cc[n], per[n], **cat_options)
        except Exception as e:
            raise type(e)(f"column {n!r}: {e}") from None
        results[n] = (r, r.drifted, r.pvalue)
    cols = [DriftColumn(n, *results[n]) for n in names]
    count = sum(c.drifted for c in cols)
    share = count / len(cols) if cols else 0.0
    drifted = bool(cols) and share >= drift_share
    report = {"rule": rule, "drifted": drifted, "drifted_count": count, "drifted_share": share,
              "columns": [dict(c.result.report, adjusted_pvalue=c.adjusted_pvalue,
                               column_drifted=c.drifted, column=c.name) for c in cols]}
    return DriftTableResult(rule, drifted, count, share, cols, report)


def drift_table(reference: Any, current: Any, metrics: Union[None, str, Sequence[Union[str, int]],
                                                         Mapping[str, Union[str, int]]] = None, *,
                rule: str = "share", drift_share: float = 0.5, alpha: float = 0.05,
                effect_floor: Optional[float] = None, threads: int = 0,
                columns: Optional[Sequence[str]] = None, **column_options: Any) -> DriftTableResult:
    """Compare a reference table with a current one, feature by feature, on
    ``threads`` workers, and make the dataset verdict.

    Tables are pandas DataFrames (same columns), mappings of column name to
    values, or 2-D arrays (rows x columns). A Fortran-ordered (column-major)
    float64 array is read in place; anything else is converted once.
    ``metrics``: one name for all, a sequence per column, or a mapping
    column -> metric (others ``"auto"``). ``rule``: ``"share"`` (drift when
    the share of drifted columns >= ``drift_share``), ``"bonferroni"``,
    ``"holm"`` or ``"bh"`` (drift when an adjusted p-value < ``alpha``).
    ``column_options`` are :func:`drift` options applied to every column.

    Label columns (pandas ``category``, ``object`` or string columns, or
    mapping values that are lists of str/bytes) are compared with
    :func:`drift_categorical`, aligned by label; they need the ``"share"``
    rule. A column that can be neither is named in the error.
    """
    if rule not in _RULES:
        raise invalid(f"rule must be one of {', '.join(_RULES)}, not {rule!r}")
    mixed = _split_labels(reference, current, list(columns) if columns is not None else None)
    if mixed is not None:
        return _mixed_table(mixed, metrics, rule, drift_share, alpha, effect_floor, threads,
                            column_options)
    kr, pr, nr, cr, names = _table(reference, list(columns) if columns is not None else None)
    kc, pc, nc, cc, cur_names = _table(current, list(columns) if columns is not None else None)
    if cr != cc:
        raise invalid(f"the reference has {cr} columns and the current table {cc}")
    if names != cur_names and hasattr(current, "columns"):
        raise invalid("the reference and current tables have different columns")
    if metrics is None or isinstance(metrics, (str, int)):
        codes = [_metric(metrics if metrics is not None else "auto")] * cr
    elif isinstance(metrics, Mapping):
        unknown = set(metrics) - set(names)
        if unknown:
            raise invalid(f"metrics for unknown columns: {', '.join(sorted(unknown))}")
        codes = [_metric(metrics.get(n, "auto")) for n in names]
    else:
        codes = [_metric(m) for m in metrics]
        if len(codes) != cr:
            raise invalid(f"{len(codes)} metrics for {cr} columns")
    col = _Options(**column_options)
    t = mlops_drift_table_options()
    C.mlops_drift_table_options_init(ctypes.byref(t), ctypes.sizeof(t))
    t.rule = _RULES[rule]
    t.drift_share = float(drift_share)
    t.alpha = float(alpha)
    t.effect_floor = math.nan if effect_floor is None else float(effect_floor)
    t.threads = check_int(threads, 0, 2**32 - 1, "threads")
    t.column_options = ctypes.pointer(col.opts)
    metric_arr = (c_int * max(cr, 1))(*codes)
    out = c_void_p()
    C.mlops_drift_table(ctypes.byref(out), pr, nr, pc, nc, cr, metric_arr, ctypes.byref(t))
    del kr, kc
    h = out.value
    try:
        ti = C.mlops_drift_table_result_info(h).contents
        cols = []
        for i in range(ti.columns):
            ci = C.mlops_drift_table_result_column_info(h, i).contents
            cols.append(DriftColumn(names[i], _result(ci.result), bool(ci.drifted),
                                    ci.adjusted_pvalue))
        buf = mlops_buf()
        C.mlops_drift_table_result_write_json(ctypes.byref(buf), h, 0)
        return DriftTableResult(rule, bool(ti.drifted), ti.drifted_count, ti.drifted_share, cols,
                                json.loads(take_buf(buf)))
    finally:
        C.mlops_drift_table_result_free(h)
