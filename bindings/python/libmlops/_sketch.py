"""Streaming profiles (sketch.h): mergeable, serialisable column summaries."""

from __future__ import annotations

import ctypes
import math
import threading
from ctypes import c_double, c_int64, c_size_t, c_uint64, c_void_p
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from ._ffi import check_int, invalid, numeric_array, read_buffer, take_buf
from ._handle import Handle
from ._lib import C
from ._results import Result
from ._signatures import (
    PROFILE_CATEGORICAL,
    PROFILE_DEFAULT_CATEGORY_CAP,
    PROFILE_DEFAULT_K,
    PROFILE_NUMERIC,
    mlops_buf,
    mlops_profile_info,
    mlops_profile_options,
    mlops_profile_test,
)

_KINDS = {"numeric": PROFILE_NUMERIC, "categorical": PROFILE_CATEGORICAL}
_KIND_NAMES = {v: k for k, v in _KINDS.items()}
_VERDICTS = {0: "no_drift", 1: "drift", 2: "inconclusive"}


@dataclass(frozen=True)
class SketchTest(Result):
    """Result of a test between two profiles that carries the sketch error.

    ``statistic`` is computed from the sketches; the statistic of the full
    data lies in ``[low, high]`` (99% confidence). ``verdict`` is
    ``"drift"`` (even ``low`` reaches the threshold), ``"no_drift"`` (even
    ``high`` stays below it) or ``"inconclusive"`` (the sketches are too
    coarse to decide). P-values are NaN for Wasserstein.
    """

    test: str
    statistic: float
    low: float
    high: float
    pvalue_low: float
    pvalue_high: float
    threshold: float
    eps_ref: float
    eps_cur: float
    verdict: str

    @property
    def drift(self) -> bool:
        """True for a ``"drift"`` verdict, False for ``"no_drift"``. An
        ``"inconclusive"`` verdict has no truth value: it raises ValueError
        (read ``verdict``), so that a test that could not decide never passes
        as "no drift". ``bool(result)`` is the same."""
        if self.verdict == "drift":
            return True
        if self.verdict == "no_drift":
            return False
        raise ValueError(f"the sketch test is {self.verdict}: the sketches cannot decide "
                         f"(statistic in [{self.low:.6g}, {self.high:.6g}], threshold "
                         f"{self.threshold:.6g}); read .verdict")

    def __bool__(self) -> bool:
        return self.drift

    def __repr__(self) -> str:
        return (f"SketchTest({self.test}: statistic={self.statistic:.6g} "
                f"in [{self.low:.6g}, {self.high:.6g}], threshold={self.threshold:.6g}, "
                f"verdict={self.verdict!r})")


def _floats(values: Optional[Sequence[float]], what: str) -> Tuple[Any, Any, int]:
    if values is None:
        return None, None, 0
    return numeric_array(values)


class Profile(Handle):
    """A one-pass summary of one column, built in C; mergeable and picklable.

    A **numeric** profile (``Profile()`` or :meth:`Profile.numeric`) keeps
    counts of finite and non-finite values, exact mean and variance, min and
    max, an optional fixed-edge histogram and a KLL quantile sketch. A
    **categorical** profile (:meth:`Profile.categorical`) counts int64
    category codes exactly up to ``category_cap`` distinct codes and with a
    heavy-hitters summary beyond.

    Input arrays: a C-contiguous float64 buffer (NumPy array, ``array('d')``,
    memoryview) is read in place, without a copy; any other dtype, a
    non-contiguous view or a list is converted once to a temporary float64
    (int64 for codes) array.

    ``p + q`` is a new profile of both inputs, ``p += q`` and ``p.merge(q)``
    merge in place; ``pickle`` goes through :meth:`to_bytes`
    (docs/formats/profile-v1.md). Use in a ``with`` block or call
    :meth:`close` to free the C memory at once. One thread at a time.
    """

    # _view: the profile's info struct (profile.h, mlops_profile_info), which
    # lives in the C object at a fixed address and is kept up to date by it;
    # read only while the profile is held open.
    __slots__ = ("_view",)
    _free = staticmethod(lambda h: C.mlops_profile_free(h))

    def _info_view(self, h: int) -> mlops_profile_info:
        """The info struct, for a caller holding the profile open (``h``)."""
        v: Optional[mlops_profile_info] = getattr(self, "_view", None)
        if v is None:
            v = self._view = C.mlops_profile_info(h).contents
        return v

    def _field(self, name: str) -> Any:
        """One field of the info struct, read while the profile is held open."""
        h = self._begin()
        try:
            return getattr(self._info_view(h), name)
        finally:
            self._end(threading.get_ident())

    def __init__(
        self,
        kind: str = "numeric",
        values: Optional[Any] = None,
        *,
        k: int = PROFILE_DEFAULT_K,
        seed: int = 0,
        edges: Optional[Sequence[float]] = None,
        category_cap: int = PROFILE_DEFAULT_CATEGORY_CAP,
    ) -> None:
        """Create an empty profile of ``kind`` (``"numeric"`` or
        ``"categorical"``) and add ``values`` when given.

        Args:
            k: KLL parameter (8..65535); rank error about 2.296 / k^0.9723.
            seed: seed of the compaction generator (same seed and input give
                the same sketch, bit for bit).
            edges: histogram edges (strictly increasing, finite), numeric only.
            category_cap: distinct codes counted exactly (categorical only).
        """
        self._handle: Optional[int] = None
        if kind not in _KINDS:
            raise invalid(f"profile kind must be 'numeric' or 'categorical', not {kind!r}")
        opts = mlops_profile_options()
        C.mlops_profile_options_init(ctypes.byref(opts), ctypes.sizeof(opts))
        opts.kll_k = check_int(k, 0, 2**32 - 1, "k")
        opts.seed = check_int(seed, 0, 2**64 - 1, "seed")
        opts.category_cap = check_int(category_cap, 0, 2**32 - 1, "category_cap")
        keep, ptr, n = _floats(edges, "edges")
        opts.edges = ptr
        opts.n_edges = n
        handle = c_void_p()
        C.mlops_profile_new(ctypes.byref(handle), _KINDS[kind], ctypes.byref(opts))
        del keep
        self._handle = handle.value
        if values is not None:
            self.update(values)

    @classmethod
    def numeric(cls, values: Optional[Any] = None, **options: Any) -> "Profile":
        """A numeric profile of ``values`` (options as for the constructor)."""
        return cls("numeric", values, **options)

    @classmethod
    def categorical(cls, codes: Optional[Any] = None, **options: Any) -> "Profile":
        """A categorical profile of int64 ``codes`` (options as for the constructor)."""
        return cls("categorical", codes, **options)

    @classmethod
    def _wrap(cls, handle: Optional[int]) -> "Profile":
        self = cls.__new__(cls)
        self._handle = handle
        return self

    @classmethod
    def from_bytes(cls, data: Any) -> "Profile":
        """Read a profile written by :meth:`to_bytes` (any buffer).

        Raises :class:`ParseError`, :class:`VersionError`,
        :class:`IntegrityError` (checksum) or :class:`SchemaError`, with the
        byte offset.
        """
        keep, ptr, n = read_buffer(data)
        handle = c_void_p()
        C.mlops_profile_parse(ctypes.byref(handle), ptr, n)
        del keep
        return cls._wrap(handle.value)

    # --- lifetime -------------------------------------------------------
    # --- building -------------------------------------------------------
    def update(self, values: Any) -> "Profile":
        """Add values (numeric) or int64 codes (categorical); returns ``self``.

        NaN and infinities are counted separately (:attr:`nan_count`...) and
        kept out of every other statistic.
        """
        h = self._h()
        if self.kind == "categorical":
            keep, ptr, n = numeric_array(values, "int64")
            C.mlops_profile_update_codes(h, ptr, n)
        else:
            keep, ptr, n = numeric_array(values)
            C.mlops_profile_update(h, ptr, n)
        del keep
        return self

    def merge(self, other: "Profile") -> "Profile":
        """Merge ``other`` into this profile (in place); returns ``self``.

        Raises :class:`InvalidArgumentError` for different kinds or histogram
        edges (the message names the first difference); ``self`` is then
        unchanged.
        """
        if not isinstance(other, Profile):
            raise TypeError(f"cannot merge a {type(other).__name__} into a Profile")
        if other is self:
            other = self.copy()
        C.mlops_profile_merge(self._h(), other._h())
        return self

    def copy(self) -> "Profile":
        """A deep copy (same state, same generator state)."""
        handle = c_void_p()
        C.mlops_profile_dup(ctypes.byref(handle), self._h())
        return Profile._wrap(handle.value)

    __copy__ = copy

    def __deepcopy__(self, _memo: Any) -> "Profile":
        return self.copy()

    def __add__(self, other: "Profile") -> "Profile":
        if not isinstance(other, Profile):
            return NotImplemented
        return self.copy().merge(other)

    def __iadd__(self, other: "Profile") -> "Profile":
        if not isinstance(other, Profile):
            return NotImplemented
        return self.merge(other)

    def __radd__(self, other: Any) -> "Profile":
        # sum(profiles) starts from 0
        if isinstance(other, int) and other == 0:
            return self.copy()
        return NotImplemented

    # --- bytes ------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The profile as versioned, checksummed bytes (profile-v1)."""
        buf = mlops_buf()
        C.mlops_profile_write(ctypes.byref(buf), self._h(), 0)
        return take_buf(buf)

    __bytes__ = to_bytes

    def __reduce__(self) -> Tuple[Any, Tuple[bytes]]:
        return (Profile.from_bytes, (self.to_bytes(),))

    # --- statistics -----------------------------------------------------
    @property
    def kind(self) -> str:
        """``"numeric"`` or ``"categorical"``."""
        return _KIND_NAMES[self._field("kind")]

    @property
    def count(self) -> int:
        """Finite values (numeric) or codes (categorical) summarised."""
        return int(self._field("count"))

    def __len__(self) -> int:
        return self.count

    @property
    def nan_count(self) -> int:
        """NaN values seen."""
        return int(self._field("nan_count"))

    @property
    def posinf_count(self) -> int:
        """+inf values seen."""
        return int(self._field("posinf_count"))

    @property
    def neginf_count(self) -> int:
        """-inf values seen."""
        return int(self._field("neginf_count"))

    @property
    def mean(self) -> float:
        """Mean of the finite values (NaN when none)."""
        return float(self._field("mean"))

    def var(self, ddof: int = 0) -> float:
        """Variance with ``ddof`` delta degrees of freedom, as ``numpy.var``
        (NaN when count <= ddof)."""
        ddof = check_int(ddof, 0, 2**32 - 1, "ddof")
        h = self._begin()
        try:
            v = self._info_view(h)
            count, m2 = v.count, v.m2  # m2 / (count - ddof): profile.h, mlops_profile_info
        finally:
            self._end(threading.get_ident())
        return m2 / (count - ddof) if count > ddof else math.nan

    @property
    def variance(self) -> float:
        """Population variance (ddof 0); :meth:`var` takes other ddof."""
        return self.var(0)

    @property
    def std(self) -> float:
        """Population standard deviation (ddof 0)."""
        return math.sqrt(self.var(0))

    @property
    def min(self) -> float:
        """Smallest finite value (NaN when none)."""
        return float(self._field("min"))

    @property
    def max(self) -> float:
        """Largest finite value (NaN when none)."""
        return float(self._field("max"))

    @property
    def k(self) -> int:
        """KLL parameter k."""
        return int(self._field("kll_k"))

    @property
    def retained(self) -> int:
        """Values retained by the KLL sketch."""
        return int(self._field("retained"))

    @property
    def rank_error(self) -> float:
        """Normalised rank error at 99% confidence (0 while exact)."""
        return float(self._field("rank_error"))

    @property
    def histogram_edges(self) -> Tuple[float, ...]:
        """Histogram edges (empty when the profile has no histogram)."""
        with self._use() as h:  # the struct and its arrays are in the profile
            v = self._info_view(h)
            return tuple(v.histogram_edges[:v.n_histogram_edges]) if v.histogram_edges else ()

    @property
    def histogram_counts(self) -> Tuple[int, ...]:
        """Histogram counts, one more than edges: (-inf, e0), [e0, e1), ..., [e_last, inf)."""
        with self._use() as h:  # the struct and its arrays are in the profile
            v = self._info_view(h)
            return tuple(v.histogram_counts[:v.n_histogram_counts]) if v.histogram_counts else ()

    @property
    def category_size(self) -> int:
        """Distinct codes retained (categorical)."""
        return int(self._field("category_size"))

    @property
    def category_error(self) -> int:
        """Undercount bound: a code's true count is within
        ``[category_count(c), category_count(c) + category_error]``."""
        return int(self._field("category_error"))

    def category_count(self, code: int) -> int:
        """Retained count of ``code`` (a lower bound of its true count)."""
        return int(C.mlops_profile_category_count(self._h(), check_int(code, -(2**63), 2**63 - 1, "code")))

    def categories(self) -> Dict[int, int]:
        """Retained categories as ``{code: count}``, sorted by code."""
        h = self._h()
        n = c_size_t()
        size = self.category_size
        codes = (c_int64 * max(size, 1))()
        counts = (c_uint64 * max(size, 1))()
        C.mlops_profile_categories(codes, counts, size, ctypes.byref(n), h)
        return {int(codes[i]): int(counts[i]) for i in range(n.value)}

    def quantile(self, rank: Union[float, Iterable[float]]) -> Any:
        """Approximate quantile(s) at normalised ``rank`` in [0, 1] (a number
        or a sequence): the smallest retained value whose rank is at least
        ``rank``. Raises :class:`DomainError` when there is no finite value."""
        h = self._h()
        out = c_double()
        if isinstance(rank, (int, float)):
            C.mlops_profile_quantile(ctypes.byref(out), h, float(rank))
            return out.value
        result: List[float] = []
        for r in rank:
            C.mlops_profile_quantile(ctypes.byref(out), h, float(r))
            result.append(out.value)
        return result

    def rank(self, x: Union[float, Iterable[float]]) -> Any:
        """Approximate fraction of finite values <= ``x`` (a number or a sequence)."""
        h = self._h()
        out = c_double()
        if isinstance(x, (int, float)):
            C.mlops_profile_rank(ctypes.byref(out), h, float(x))
            return out.value
        result: List[float] = []
        for v in x:
            C.mlops_profile_rank(ctypes.byref(out), h, float(v))
            result.append(out.value)
        return result

    def quantile_edges(self, bins: int) -> Tuple[float, ...]:
        """Interior edges at ranks i/bins (duplicates removed): NumPy's
        linear quantiles while the sketch is exact."""
        bins = check_int(bins, 0, 2**32 - 1, "bins")
        edges = (c_double * max(bins - 1, 1))()
        n = c_size_t()
        C.mlops_profile_quantile_edges(edges, ctypes.byref(n), self._h(), bins)
        return tuple(edges[i] for i in range(n.value))

    # --- tests between profiles -------------------------------------------
    def drift(self, current: "Profile", metric: str = "psi", **options: Any) -> Any:
        """A drift metric between this (reference) profile and ``current``
        from their exact counts, no sketch error: share metrics (psi, kl, js,
        hellinger, tvd, linf) on the histograms of numeric profiles (same
        edges), and also chi2/ztest on categorical ones. Returns a
        :class:`DriftResult`; options as for :func:`libmlops.drift` (smoothing,
        js_base, threshold, reject_nonfinite)."""
        from ._drift import _metric, _Options, _take

        if not isinstance(current, Profile):
            raise TypeError(f"expected a Profile, not {type(current).__name__}")
        o = _Options(**options)
        out = c_void_p()
        C.mlops_profile_drift(ctypes.byref(out), self._h(), current._h(), _metric(metric), ctypes.byref(o.opts))
        return _take(out)


    def ks_test(self, current: "Profile", alpha: float = 0.05) -> SketchTest:
        """Two-sample KS test with this profile as reference and ``current``."""
        return self._test("ks", C.mlops_profile_ks_test, current, alpha)

    def wasserstein(self, current: "Profile", threshold: float) -> SketchTest:
        """Wasserstein-1 distance to ``current`` compared with ``threshold``."""
        return self._test("wasserstein", C.mlops_profile_wasserstein, current, threshold)

    def _test(self, name: str, fn: Any, current: "Profile", x: float) -> SketchTest:
        if not isinstance(current, Profile):
            raise TypeError(f"expected a Profile, not {type(current).__name__}")
        out = mlops_profile_test()
        out.version = 1
        out.size = ctypes.sizeof(out)
        fn(ctypes.byref(out), self._h(), current._h(), float(x))
        return SketchTest(name, out.statistic, out.low, out.high, out.pvalue_low,
                          out.pvalue_high, out.threshold, out.eps_ref, out.eps_cur,
                          _VERDICTS.get(out.verdict, str(out.verdict)))

    # --- presentation -----------------------------------------------------
    def to_dict(self) -> Dict[str, Any]:
        """A summary: kind, counts and the statistics of its kind."""
        d: Dict[str, Any] = {"kind": self.kind, "count": self.count}
        if d["kind"] == "numeric":
            d.update(nan_count=self.nan_count, posinf_count=self.posinf_count,
                     neginf_count=self.neginf_count, k=self.k, retained=self.retained,
                     rank_error=self.rank_error)
            for key in ("mean", "variance", "min", "max"):
                v = getattr(self, key)
                d[key] = None if math.isnan(v) else v
            if self.histogram_edges:
                d["histogram_edges"] = list(self.histogram_edges)
                d["histogram_counts"] = list(self.histogram_counts)
        else:
            d.update(category_error=self.category_error, categories=self.categories())
        return d

    def to_json(self, **kwargs: Any) -> str:
        """:meth:`to_dict` as JSON text."""
        import json

        kwargs.setdefault("sort_keys", True)
        return json.dumps({k: ({str(c): n for c, n in v.items()} if k == "categories" else v)
                           for k, v in self.to_dict().items()}, **kwargs)

    def __repr__(self) -> str:
        if self.closed:
            return "<Profile closed>"
        if self.kind == "numeric":
            return (f"<Profile numeric count={self.count} mean={self.mean:.6g} "
                    f"min={self.min:.6g} max={self.max:.6g} k={self.k}>")
        return f"<Profile categorical count={self.count} categories={self.category_size}>"
