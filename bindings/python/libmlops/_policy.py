"""Retraining-trigger policies and the promotion gate (policy.h)."""

from __future__ import annotations

import array
import ctypes
import datetime as _dt
import itertools
import json
import math
import operator
import os
import weakref
from ctypes import c_double, c_int64, c_size_t, c_uint64, c_void_p
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from ._ffi import StrPath, check_int, cpath, cstr, invalid, take_buf
from ._handle import Handle
from ._lib import C
from ._results import Result
from ._signatures import JSON_PRETTY, GATE_ALLOW_DOWNGRADE, POLICY_REPLAY_RECORD, mlops_buf

#: A time: int milliseconds since the epoch, or an aware datetime.
TimeLike = Union[int, _dt.datetime]
#: A signal value: a number, ``(value, samples)``, ``{"value":..., "samples":...}`` or None (missing).
SignalValue = Union[float, Tuple[float, Optional[int]], Mapping[str, Any], None]


def action_name(action: int) -> str:
    """Name of an action code (``"none"``, ``"warn"``, ``"retrain"``,
    ``"block_promotion"``, ``"rollback"``); ``"?"`` for others."""
    return (C.mlops_policy_action_name(check_int(action, -(2**31), 2**31 - 1, "action")) or b"?").decode()


def truth_name(truth: int) -> str:
    """Name of a truth value (``"FALSE"``, ``"TRUE"``, ``"UNKNOWN"``); ``"?"`` for others."""
    return (C.mlops_policy_truth_name(check_int(truth, -(2**31), 2**31 - 1, "truth")) or b"?").decode()


def reason_name(reason: int) -> str:
    """Name of a reason code (``"OK"``, ``"MISSING"``, ...); ``"?"`` for others."""
    return (C.mlops_policy_reason_name(check_int(reason, -(2**31), 2**31 - 1, "reason")) or b"?").decode()


def _ms(now: TimeLike, what: str = "time") -> int:
    if isinstance(now, _dt.datetime):
        if now.tzinfo is None:
            raise invalid(f"{what} must be an aware datetime (naive datetimes are ambiguous)")
        delta = now - _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
        return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000
    return check_int(now, -(2**63), 2**63 - 1, what)


def _text(raw: Optional[bytes]) -> Optional[str]:
    return None if raw is None else raw.decode("utf-8")


def _data(doc: Union[str, bytes, bytearray, memoryview], what: str) -> bytes:
    if isinstance(doc, str):
        return doc.encode("utf-8")
    if isinstance(doc, (bytes, bytearray, memoryview)):
        return bytes(doc)
    raise TypeError(f"{what} must be str or bytes, not {type(doc).__name__}")


class _Child(Handle):
    """An object created for a policy, which borrows it: closed with it
    (:meth:`Policy.close` closes its children first), and the policy's C
    object is freed only after the child's (whatever order the garbage
    collector finalises a cycle in)."""

    __slots__ = ("_policy",)
    _policy: Any

    def _after_free(self) -> None:
        policy, self._policy = getattr(self, "_policy", None), None
        if policy is not None:
            policy._release()


@dataclass(frozen=True)
class LintReport(Result):
    """Findings of :meth:`Policy.lint` (each with ``code``, ``path`` and ``message``)."""

    findings: List[Dict[str, Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.findings)

    def __len__(self) -> int:
        return len(self.findings)


@dataclass(frozen=True)
class PolicyTestReport(Result):
    """Result of the policy's embedded tests; ``report`` is the library's JSON report."""

    passed: int
    failed: int
    report: Dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no test failed."""
        return self.failed == 0


@dataclass(frozen=True)
class ReplayResult(Result):
    """Result of :meth:`Policy.replay`: steps evaluated, steps whose decision
    differed from the log's ``expect``, and the JSON report (up to 100 mismatches)."""

    steps: int
    mismatches: int
    report: Dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SuppressedRule(Result):
    """A rule that fired (or would have) but did not decide."""

    rule: str
    action: str
    reason: str


@dataclass(frozen=True)
class RuleOutcome(Result):
    """A rule's outcome in the last evaluation: truth of its condition,
    reason, and the milliseconds attached to the reason (time left)."""

    rule: str
    truth: str
    reason: str
    wait_ms: int


@dataclass(frozen=True)
class GateCheck(Result):
    """One check of the promotion gate."""

    metric: str
    kind: str
    passed: bool
    reason: str


@dataclass(frozen=True)
class GateResult(Result):
    """Result of the promotion gate: ``action`` is ``"block_promotion"`` or
    ``"none"`` (promote); ``report`` is the ``libmlops.gate/v1`` JSON and
    ``explanation`` the library's English explanation."""

    action: str
    checks: List[GateCheck]
    report: Dict[str, Any]
    explanation: str

    @property
    def promote(self) -> bool:
        """True when no check blocks."""
        return self.action == "none"

    def __repr__(self) -> str:
        failed = [c.metric + ":" + c.kind for c in self.checks if not c.passed]
        return f"GateResult(action={self.action!r}, checks={len(self.checks)}, blocking={failed})"


class Policy(Handle):
    """A parsed ``libmlops.policy/v1`` policy (docs/formats/policy-v1.md).

    ``Policy(text)`` parses JSON text or bytes; :meth:`from_file` reads a
    file (``str`` or ``pathlib.Path``). Parse failures raise
    :class:`ParseError` (with line and column), :class:`SchemaError` (with the
    JSON path in ``exc.path``), :class:`VersionError` or :class:`LimitError`.

    :meth:`decide` evaluates the rules on a mapping of signals at an explicit
    time and returns a :class:`Decision`; :meth:`gate` runs the promotion
    gate. Objects created for a policy (:class:`Observations`,
    :class:`PolicyState`, :class:`Decision`, :class:`MetricSet` results) are
    closed when the policy is. Immutable: may be shared between threads.
    """

    __slots__ = ("_children", "_obs", "_summary")
    _free = staticmethod(lambda h: C.mlops_policy_free(h))

    def __init__(self, document: Union[str, bytes], *, source: Optional[str] = None) -> None:
        """Parse a policy document; ``source`` names it in error messages."""
        self._handle: Optional[int] = None
        self._children: "weakref.WeakSet[_Child]" = weakref.WeakSet()
        self._obs: Optional[Observations] = None
        self._summary: Optional[Tuple[str, int, str, int, int]] = None
        data = _data(document, "policy document")
        handle = c_void_p()
        C.mlops_policy_parse(ctypes.byref(handle), data, len(data),
                             None if source is None else cstr(source, "source"), 0)
        self._handle = handle.value

    @classmethod
    def from_file(cls, path: StrPath) -> "Policy":
        """Read and parse a policy file; errors name the file."""
        raw = cpath(path)
        with open(raw, "rb") as f:
            data = f.read()
        return cls(data, source=os.fsdecode(raw))

    def _before_free(self) -> None:
        # Every object created for the policy borrows it: closed first (no
        # child is adopted once closing has begun).
        for child in list(self._children):
            child.close()

    def _adopt(self, child: "_Child", handle: Optional[int]) -> None:
        child._handle = handle
        child._policy = None
        with self._cond:
            adopted = self._state == Handle._OPEN
            if adopted:
                self._refs += 1  # released by the child's free
                child._policy = self
                self._children.add(child)
        if not adopted:  # the policy began closing while the child was made
            child.close()
            raise self._closed_error()

    # --- properties -------------------------------------------------------
    def _info(self) -> Tuple[str, int, str, int, int]:
        """(id, revision, digest, rule_count, test_count) from the policy's
        ``struct mlops_policy_info``, read once (a policy is immutable)."""
        self._h()  # ClosedError once closed, also when the summary is known
        summary: Optional[Tuple[str, int, str, int, int]] = getattr(self, "_summary", None)
        if summary is None:
            with self._use() as ptr:
                info = C.mlops_policy_info(ptr).contents
                summary = (_text(info.id) or "", int(info.revision), _text(info.digest) or "",
                           int(info.rule_count), int(info.test_count))
            self._summary = summary
        return summary

    @property
    def id(self) -> str:
        """The ``policy_id``."""
        return self._info()[0]

    @property
    def revision(self) -> int:
        """The ``revision``."""
        return self._info()[1]

    @property
    def digest(self) -> str:
        """``"sha256:<hex>"`` of the policy's RFC 8785 canonical bytes."""
        return self._info()[2]

    @property
    def rule_ids(self) -> Tuple[str, ...]:
        """Rule ids in document order."""
        n = self._info()[3]
        with self._use() as ptr:
            return tuple(_text(C.mlops_policy_rule(ptr, i).contents.id) or "" for i in range(n))

    @property
    def rule_count(self) -> int:
        """Number of rules."""
        return self._info()[3]

    @property
    def test_count(self) -> int:
        """Number of embedded tests."""
        return self._info()[4]

    def __repr__(self) -> str:
        if self.closed:
            return "<Policy closed>"
        return f"<Policy {self.id!r} revision={self.revision} rules={self.rule_count} {self.digest[:19]}…>"

    # --- checks -----------------------------------------------------------
    def lint(self) -> LintReport:
        """Mistakes that parse but are probably wrong (docs/formats/policy-v1.md §10)."""
        buf = mlops_buf()
        n = c_size_t()
        C.mlops_policy_lint(ctypes.byref(buf), ctypes.byref(n), self._h(), 0)
        report = json.loads(take_buf(buf) or b"{}")
        findings = list(report.get("findings", []))
        assert len(findings) == n.value
        return LintReport(findings)

    def run_tests(self) -> PolicyTestReport:
        """Run the policy's embedded ``tests``."""
        passed = c_size_t()
        failed = c_size_t()
        buf = mlops_buf()
        C.mlops_policy_run_tests(ctypes.byref(passed), ctypes.byref(failed), ctypes.byref(buf), self._h(), 0)
        raw = take_buf(buf)
        return PolicyTestReport(passed.value, failed.value, json.loads(raw) if raw else {})

    def replay(self, log: Union[str, bytes]) -> ReplayResult:
        """Replay a JSON Lines log of observations from a fresh state and
        compare each step with its recorded ``expect``. Raises
        :class:`ParseError`/:class:`SchemaError` naming the log line."""
        data = _data(log, "log")
        steps = c_uint64()
        mismatches = c_uint64()
        buf = mlops_buf()
        C.mlops_policy_replay(ctypes.byref(steps), ctypes.byref(mismatches), ctypes.byref(buf),
                              self._h(), data, len(data), 0)
        raw = take_buf(buf)
        return ReplayResult(steps.value, mismatches.value, json.loads(raw) if raw else {})

    def record(self, log: Union[str, bytes]) -> str:
        """Replay ``log`` and return it with every line's ``expect`` set to
        the decision made (a log that then replays with no mismatch)."""
        data = _data(log, "log")
        steps = c_uint64()
        mismatches = c_uint64()
        buf = mlops_buf()
        C.mlops_policy_replay(ctypes.byref(steps), ctypes.byref(mismatches), ctypes.byref(buf),
                              self._h(), data, len(data), POLICY_REPLAY_RECORD)
        return take_buf(buf).decode("utf-8")

    # --- objects for this policy -------------------------------------------
    def observations(self, signals: Optional[Mapping[str, SignalValue]] = None) -> "Observations":
        """A new, empty :class:`Observations` for this policy (filled with ``signals``)."""
        obs = Observations.__new__(Observations)
        handle = c_void_p()
        C.mlops_policy_obs_new(ctypes.byref(handle), self._h())
        self._adopt(obs, handle.value)
        if signals:
            obs.update(signals)
        return obs

    def state(self) -> "PolicyState":
        """A fresh :class:`PolicyState` for this policy."""
        st = PolicyState.__new__(PolicyState)
        handle = c_void_p()
        C.mlops_policy_state_new(ctypes.byref(handle), self._h())
        self._adopt(st, handle.value)
        return st

    def decide(
        self,
        signals: Union["Observations", Mapping[str, SignalValue]],
        now: TimeLike,
        state: Optional["PolicyState"] = None,
    ) -> "Decision":
        """Evaluate every rule on ``signals`` at ``now`` (ms since the epoch
        or an aware datetime).

        With ``state`` the evaluation continues from it and writes the next
        state back into it (streaks, latches, cooldowns); without, it starts
        from a fresh state. ``signals`` maps names to a number, ``(value,
        samples)``, ``{"value": v, "samples": n}`` or ``None`` (missing), or
        is an :class:`Observations`. The library never reads a clock.
        """
        h = self._h()
        now_ms = _ms(now, "now")
        if isinstance(signals, Observations):
            obs = signals
            if not obs.closed and obs._policy is not self:
                raise invalid("the observations were created for another policy")
        else:
            if self._obs is None or self._obs.closed:
                self._obs = self.observations()
            obs = self._obs
            obs.clear()
            obs.update(signals)
        if state is not None:
            if not isinstance(state, PolicyState):
                raise TypeError(f"state must be a PolicyState, not {type(state).__name__}")
            if not state.closed and state._policy is not self:
                raise invalid("the state was created for another policy")
        decision = Decision.__new__(Decision)
        handle = c_void_p()
        C.mlops_decision_new(ctypes.byref(handle), h)
        self._adopt(decision, handle.value)
        if state is None:
            with self.state() as scratch:  # the next state is not kept
                C.mlops_policy_decide(decision._h(), scratch._h(), h, obs._h(), now_ms, None, 0)
        else:
            C.mlops_policy_decide(decision._h(), state._h(), h, obs._h(), now_ms, state._h(), 0)
        return decision

    def gate(
        self,
        candidate: Union["MetricSet", Mapping[str, Any]],
        champion: Optional[Union["MetricSet", Mapping[str, Any]]] = None,
        *,
        allow_downgrade: bool = False,
    ) -> GateResult:
        """Run the policy's promotion ``gate`` for ``candidate`` against
        ``champion`` (None: a first release, absolute bounds and sample counts only;
        a caller that looks the champion up must not pass None for one it did
        not find). When the sets name their models (:meth:`MetricSet.set_model`)
        the candidate must be the champion's model and, unless
        ``allow_downgrade``, not an older version. Metrics
        are :class:`MetricSet` objects or mappings accepted by
        :meth:`MetricSet.update`. Raises :class:`NotFoundError` when the
        policy has no gate."""
        cand = candidate if isinstance(candidate, MetricSet) else MetricSet(candidate)
        champ = (champion if isinstance(champion, MetricSet) or champion is None
                 else MetricSet(champion))
        handle = c_void_p()
        with self._use():  # the result borrows the policy's metric names
            C.mlops_policy_gate(ctypes.byref(handle), self._h(), cand._h(),
                                None if champ is None else champ._h(),
                                GATE_ALLOW_DOWNGRADE if allow_downgrade else 0)
            assert handle.value is not None  # a gate that succeeded gives a result
            return self._gate_result(handle.value)

    def _gate_result(self, res: int) -> GateResult:
        try:
            info = C.mlops_gate_result_info(res).contents
            action = int(info.action)
            checks = []
            for i in range(info.check_count):
                c = C.mlops_gate_result_check(res, i).contents
                checks.append(GateCheck(_text(c.metric) or "", _text(c.kind) or "", c.passed == 1,
                                        reason_name(c.reason)))
            buf = mlops_buf()
            C.mlops_gate_result_write_json(ctypes.byref(buf), res, 0)
            report = json.loads(take_buf(buf))
            buf = mlops_buf()
            C.mlops_gate_result_write_text(ctypes.byref(buf), res, 0)
            explanation = take_buf(buf).decode("utf-8")
            return GateResult(action_name(action), checks, report, explanation)
        finally:
            C.mlops_gate_result_free(res)


# the value types that need no conversion (bool, a subclass of int, is not one)
_PLAIN_NUMBERS = frozenset((float, int))
# array.array type code of a C pointer
_POINTER_CODE = "Q" if ctypes.sizeof(c_void_p) == 8 else "I"


def _signal(value: Any, name: str) -> Optional[Tuple[float, int]]:
    if value is None:
        return None
    samples: Optional[int] = None
    if isinstance(value, Mapping):
        samples = value.get("samples")
        value = value["value"]
        if value is None:
            return None
    elif isinstance(value, tuple):
        value, samples = value
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        # a truth value or a text is not a measurement, even where float()
        # would take it ("0.3", True); NumPy's numbers are (np.bool_ is not)
        numpy_bool = type(value).__name__ in ("bool_", "bool")
        if numpy_bool or isinstance(value, (str, bytes, bytearray)):
            raise TypeError(f"signal {name!r} must be a number, not {type(value).__name__}")
        try:
            value = float(value)  # NumPy scalars
        except (TypeError, ValueError):
            raise TypeError(f"signal {name!r} must be a number, not {type(value).__name__}") from None
    n = -1 if samples is None else check_int(int(samples), 0, 2**63 - 1, f"samples of {name!r}")
    return float(value), n


class Observations(_Child):
    """The signal values of one evaluation, for one policy
    (:meth:`Policy.observations`). Behaves as a write-only mapping."""

    __slots__ = ()
    _free = staticmethod(lambda h: C.mlops_policy_obs_free(h))

    def set(self, name: str, value: float, samples: Optional[int] = None) -> None:
        """Set signal ``name`` to ``value`` with ``samples`` observations
        behind it (None: not known). NaN and infinities make the conditions
        reading them UNKNOWN."""
        raw = cstr(name, "signal name")
        sig = _signal((value, samples), name)
        assert sig is not None
        C.mlops_policy_obs_set(self._h(), raw, sig[0], sig[1])

    __setitem__ = set

    def update(self, signals: Mapping[str, SignalValue]) -> None:
        """Set many signals in one call (all or none: a bad name sets
        nothing); ``None`` values are left unset (missing)."""
        names: List[str] = []
        values: Any = []
        samples: Any = []
        given = list(signals.values())
        if set(map(type, given)) <= _PLAIN_NUMBERS:
            # every value a plain float or int: no per-item work in Python
            names = list(signals)
            values = array.array("d", given)
            samples = array.array("q", [-1]) * len(given)
            given = []
        for k, v in signals.items() if given else ():
            # the common case first, without the isinstance checks of
            # _signal (bool is not int here: it is refused there)
            t = type(v)
            if t is float or t is int:
                names.append(k)
                values.append(v)
                samples.append(-1)
                continue
            sig = _signal(v, k)
            if sig is None:
                cstr(k, "signal name")  # a missing value's name is checked too
                continue
            names.append(k)
            values.append(sig[0])
            samples.append(sig[1])
        n = len(names)
        if n == 0:
            self._h()
            return
        try:
            joined = "\0".join(names).encode("utf-8")
        except (TypeError, UnicodeEncodeError):
            joined = None
        if joined is None or joined.count(b"\0") != n - 1:
            # a name that is not a str, holds a NUL or cannot be encoded:
            # the per-name check says which and how
            for k in names:
                cstr(k, "signal name")
        assert joined is not None
        # one buffer for every name and an array of pointers into it, built
        # with array.array: a ctypes array built item by item costs about
        # 0.2 us per element, ten times this
        buf = ctypes.create_string_buffer(joined, len(joined) + 1)
        sizes = map(operator.add, map(len, joined.split(b"\0")), itertools.repeat(1))
        starts = array.array(_POINTER_CODE,
                             itertools.accumulate(sizes, initial=ctypes.addressof(buf)))
        ptrs = (c_void_p * n).from_buffer(starts)  # the first n of n + 1
        vals = array.array("d", values)
        cnts = array.array("q", samples)
        C.mlops_policy_obs_set_many(self._h(), ptrs, (c_double * n).from_buffer(vals),
                                    (c_int64 * n).from_buffer(cnts), n)

    def clear(self) -> None:
        """Forget every value."""
        C.mlops_policy_obs_clear(self._h())

    def __repr__(self) -> str:
        return "<Observations closed>" if self.closed else "<Observations>"


class PolicyState(_Child):
    """What one evaluation hands to the next (streaks, latches, cooldowns,
    budgets), for one policy (:meth:`Policy.state`); saved as canonical JSON."""

    __slots__ = ()
    _free = staticmethod(lambda h: C.mlops_policy_state_free(h))

    def reset(self) -> None:
        """Return to a fresh state."""
        C.mlops_policy_state_reset(self._h())

    def set_last_training(self, when: TimeLike) -> None:
        """Record that the model was (re)trained at ``when``."""
        C.mlops_policy_state_set_last_training(self._h(), _ms(when, "when"))

    def to_json(self) -> str:
        """The state as canonical JSON (``libmlops.policy-state/v1``)."""
        buf = mlops_buf()
        C.mlops_policy_state_write_json(ctypes.byref(buf), self._h(), 0)
        return take_buf(buf).decode("utf-8")

    def to_dict(self) -> Dict[str, Any]:
        """The state as a dict (:meth:`to_json` parsed)."""
        out: Dict[str, Any] = json.loads(self.to_json())
        return out

    def load(self, data: Union[str, bytes]) -> None:
        """Load a saved state (rules matched by id); a different policy id
        raises and leaves the state unchanged."""
        raw = _data(data, "state")
        self._h()  # ClosedError once closed (its policy is then let go)
        policy: Policy = self._policy
        out = c_void_p()
        C.mlops_policy_state_parse(ctypes.byref(out), policy._h(), raw, len(raw))
        self._replace(out.value)

    def copy(self) -> "PolicyState":
        """A new state of the same policy with the same content."""
        self._h()  # ClosedError once closed (its policy is then let go)
        policy: Policy = self._policy
        other = policy.state()
        out = c_void_p()
        C.mlops_policy_state_dup(ctypes.byref(out), self._h())
        other._replace(out.value)
        return other

    def __repr__(self) -> str:
        return "<PolicyState closed>" if self.closed else "<PolicyState>"


class Decision(_Child):
    """A decision with its full trace (returned by :meth:`Policy.decide`)."""

    __slots__ = ("_summary",)
    _free = staticmethod(lambda h: C.mlops_decision_free(h))

    def _info(self) -> Tuple[str, Optional[str], int, int, int]:
        """(action, rule, time_ms, suppressed_count, rule_count) from the
        decision's ``struct mlops_decision_info``, read once: the binding
        never decides into a Decision again."""
        self._h()  # ClosedError once closed, also when the summary is known
        summary: Optional[Tuple[str, Optional[str], int, int, int]] = getattr(self, "_summary", None)
        if summary is None:
            with self._use() as ptr:
                p = C.mlops_decision_info(ptr)
                if not p:  # nothing decided (not made by Policy.decide)
                    raise invalid("nothing was decided into this Decision")
                info = p.contents
                summary = (action_name(info.action), _text(info.rule), int(info.time_ms),
                           int(info.suppressed_count), int(info.rule_count))
            self._summary = summary
        return summary

    @property
    def action(self) -> str:
        """``"none"``, ``"warn"``, ``"retrain"``, ``"block_promotion"`` or ``"rollback"``."""
        return self._info()[0]

    @property
    def rule(self) -> Optional[str]:
        """Id of the rule that decided (None for ``"none"``)."""
        return self._info()[1]

    @property
    def time_ms(self) -> int:
        """The time decided for, in ms since the epoch."""
        return self._info()[2]

    @property
    def suppressed(self) -> List[SuppressedRule]:
        """Rules that fired (or would have) but did not decide."""
        n = self._info()[3]
        out = []
        with self._use() as ptr:
            for i in range(n):
                s = C.mlops_decision_suppressed(ptr, i).contents
                out.append(SuppressedRule(_text(s.rule) or "", action_name(s.action),
                                          reason_name(s.reason)))
        return out

    @property
    def rules(self) -> List[RuleOutcome]:
        """Every rule's outcome, in document order."""
        n = self._info()[4]
        out = []
        with self._use() as ptr:
            for i in range(n):
                t = C.mlops_decision_rule_trace(ptr, i).contents
                out.append(RuleOutcome(_text(t.rule) or "", truth_name(t.truth), reason_name(t.reason),
                                       int(t.wait_ms)))
        return out

    def to_json(self, pretty: bool = False) -> str:
        """The decision and its trace (``libmlops.decision/v1``): canonical
        RFC 8785 text, or indented with ``pretty``."""
        buf = mlops_buf()
        C.mlops_decision_write_json(ctypes.byref(buf), self._h(), JSON_PRETTY if pretty else 0)
        return take_buf(buf).decode("utf-8")

    def to_dict(self) -> Dict[str, Any]:
        """:meth:`to_json` parsed."""
        out: Dict[str, Any] = json.loads(self.to_json())
        return out

    def explain(self) -> str:
        """A human explanation, one line per rule and condition."""
        buf = mlops_buf()
        C.mlops_decision_write_text(ctypes.byref(buf), self._h(), 0)
        return take_buf(buf).decode("utf-8")

    def __repr__(self) -> str:
        if self.closed:
            return "<Decision closed>"
        return f"<Decision {self.action} rule={self.rule!r} at {self.time_ms} ms>"


class MetricSet(Handle):
    """Named metrics of a candidate or a champion model for the promotion gate.

    ``MetricSet({"auc": 0.91, "latency": {"value": 40, "ci": [38, 42],
    "samples": 1000}})``; :meth:`put` adds one.
    """

    __slots__ = ()
    _free = staticmethod(lambda h: C.mlops_gate_metrics_free(h))

    def __init__(self, metrics: Optional[Mapping[str, Any]] = None) -> None:
        """An empty set, filled with ``metrics`` when given."""
        self._handle: Optional[int] = None
        handle = c_void_p()
        C.mlops_gate_metrics_new(ctypes.byref(handle))
        self._handle = handle.value
        if metrics:
            self.update(metrics)

    def put(self, name: str, value: float, ci: Optional[Tuple[float, float]] = None,
            samples: Optional[int] = None) -> None:
        """Set metric ``name`` to ``value`` with an optional confidence
        interval ``(low, high)`` and sample count."""
        lo, hi = (math.nan, math.nan) if ci is None else (float(ci[0]), float(ci[1]))
        n = -1 if samples is None else check_int(samples, 0, 2**63 - 1, "samples")
        C.mlops_gate_metrics_put(self._h(), cstr(name, "metric name"), float(value), lo, hi, n)

    def set_model(self, name: str, version: str) -> None:
        """Say which model version these metrics were measured for (the
        manifest's ``name`` and SemVer ``version``): :meth:`Policy.gate`
        then checks that the candidate is the champion's model and not an
        older version (checks ``model``/``name`` and ``model``/``version``)."""
        C.mlops_gate_metrics_set_model(self._h(), cstr(name, "model name"), cstr(version, "model version"), 0)

    def update(self, metrics: Mapping[str, Any]) -> None:
        """Put every metric of a mapping: a number or ``{"value", "ci", "samples"}``."""
        for name, m in metrics.items():
            if isinstance(m, Mapping):
                self.put(name, m["value"], m.get("ci"), m.get("samples"))
            else:
                self.put(name, m)

    def __repr__(self) -> str:
        return "<MetricSet closed>" if self.closed else "<MetricSet>"
