"""The one owner of every C object the binding holds: :class:`Handle`.

The GIL is released during every C call, so without a guard one thread's
``close()`` could free an object while another thread's call is still inside
the C library (a use after free). Every wrapper class (store, manifest,
policy, keys, profiles, detectors...) derives from :class:`Handle`, which
keeps the rules of the Go binding's ``handle.go``:

* a call *uses* the object: ``self._h()`` is passed to the C function in
  place of the pointer, and the argument type of every opaque pointer in the
  signature table (:class:`HandleArg`) turns it into a lease, counted while
  the C call runs and released as soon as it returns;
* ``close()`` refuses new calls at once, waits for the calls in flight, then
  frees the C object; it is idempotent, and a call after it raises
  :class:`ClosedError`;
* ``close()`` from inside a call on the same object (a progress callback of
  that call, say) raises :class:`ClosedError` instead of waiting forever;
* code that reads memory a call returned a pointer into holds the object
  with ``with obj._use():``; a C object or call that keeps raw pointers of
  other objects (a packer's keys, a keyring in verify options) retains them
  (:class:`Retained`): they close at once, but are freed only after it.

``__enter__``/``__exit__`` and ``__del__`` (a safety net for an object
dropped without ``close()``) live here too, once.
"""

from __future__ import annotations

import ctypes
import threading
from ctypes import c_void_p
from typing import Any, Callable, ClassVar, Dict, Iterable, Iterator, List, Optional, Type, TypeVar
from contextlib import contextmanager

from ._errors import InvalidArgumentError


class ClosedError(InvalidArgumentError):
    """An operation on an object after its :meth:`~Handle.close` (or a
    ``close()`` from inside a call on the same object). A
    :class:`InvalidArgumentError`, so also a :class:`ValueError`."""


_H = TypeVar("_H", bound="Handle")


class Handle:
    """Base of every class that owns a C object (see the module docstring).

    Subclasses set ``_free`` (a function of the raw pointer) and may extend
    :meth:`_before_free` (close dependent objects first) and
    :meth:`_after_free` (release what the C object borrowed).
    """

    __slots__ = ("_handle", "_cond", "_uses", "_refs", "_state", "_users", "__weakref__")
    # a function of the raw pointer (a staticmethod in each subclass)
    _free: ClassVar[Any] = None

    _OPEN, _CLOSING, _CLOSED = 0, 1, 2

    # The slots' types (declared for type checkers; __new__ sets them).
    _handle: Optional[int]
    _cond: threading.Condition
    _uses: int
    _refs: int
    _state: int
    _users: Dict[int, int]

    def __new__(cls: "Type[_H]", *_args: Any, **_kwargs: Any) -> "_H":
        self = object.__new__(cls)
        self._handle = None
        self._cond = threading.Condition(threading.RLock())
        self._uses = 0  # C calls in flight: close() waits for them
        self._refs = 0  # dependents borrowing the C object: the free waits for them
        self._state = Handle._OPEN
        self._users = {}  # calls in flight per thread
        return self

    # --- use ------------------------------------------------------------
    def _closed_error(self) -> ClosedError:
        return ClosedError(f"operation on a closed {type(self).__name__}")

    def _h(self) -> "Handle":
        """The object to pass to a C function for this handle; raises
        :class:`ClosedError` once closed. The use is taken by the C call's
        argument conversion (:class:`HandleArg`)."""
        if self._handle is None or self._state != Handle._OPEN:
            raise self._closed_error()
        return self

    def _begin(self) -> int:
        with self._cond:
            if self._handle is None or self._state != Handle._OPEN:
                raise self._closed_error()
            self._uses += 1
            me = threading.get_ident()
            self._users[me] = self._users.get(me, 0) + 1
            return self._handle

    def _end(self, thread: int) -> None:
        with self._cond:
            self._uses -= 1
            n = self._users.get(thread, 0) - 1
            if n > 0:
                self._users[thread] = n
            else:
                self._users.pop(thread, None)
            if self._uses == 0:
                self._cond.notify_all()

    @contextmanager
    def _use(self) -> Iterator[int]:
        """Hold the object open across several C calls, or while reading
        memory a call returned a pointer into; yields the raw pointer."""
        ptr = self._begin()
        me = threading.get_ident()
        try:
            yield ptr
        finally:
            self._end(me)

    def _retain(self) -> int:
        """Mark the C object as borrowed by a dependent (another C object
        keeps its pointer): close() still closes this object at once, but
        the free waits for :meth:`_release`. Returns the raw pointer."""
        with self._cond:
            if self._handle is None or self._state != Handle._OPEN:
                raise self._closed_error()
            self._refs += 1
            return self._handle

    def _release(self) -> None:
        with self._cond:
            self._refs -= 1
            handle = self._take_if_free()
        self._free_now(handle)

    # --- close ----------------------------------------------------------
    def _before_free(self) -> None:
        """Hook: close what depends on this object (called once, before the
        calls in flight are waited for)."""

    def _after_free(self) -> None:
        """Hook: release what the C object borrowed (called once it is freed)."""

    def _take_if_free(self) -> Optional[int]:
        if self._state == Handle._CLOSED and self._refs == 0 and self._handle is not None:
            handle, self._handle = self._handle, None
            return handle
        return None

    def _free_now(self, handle: Optional[int]) -> None:
        if handle is None:
            return
        free = type(self)._free
        if free is not None:
            free(handle)
        self._after_free()

    def close(self) -> None:
        """Close the object: new calls raise :class:`ClosedError` at once; the
        C object is freed when the calls in flight on other threads have
        returned (and no dependent object still borrows it). Idempotent."""
        with self._cond:
            if self._state != Handle._OPEN:
                return
            if self._users.get(threading.get_ident()):
                raise ClosedError(f"close() of a {type(self).__name__} from inside a call on it")
            self._state = Handle._CLOSING
        try:
            self._before_free()
        finally:
            with self._cond:
                while self._uses:
                    self._cond.wait()
                self._state = Handle._CLOSED
                handle = self._take_if_free()
            self._free_now(handle)

    def _replace(self, handle: Optional[int]) -> None:
        """Put ``handle``, a new C object of the same kind, in place of this
        one's (a state read or copied in place); the old one is freed once
        the calls in flight have returned. Once closed, ``handle`` is freed
        and :class:`ClosedError` raised."""
        if handle is None:  # a call that succeeded always gives an object
            raise self._closed_error()
        free = type(self)._free
        with self._cond:
            if self._handle is None or self._state != Handle._OPEN:
                if free is not None:
                    free(handle)
                raise self._closed_error()
            while self._uses:
                self._cond.wait()
            old, self._handle = self._handle, handle
        if free is not None:
            free(old)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called (or the object never opened)."""
        return self._handle is None or self._state != Handle._OPEN

    def __enter__(self) -> Any:
        self._h()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        # No call can be in flight and no dependent can borrow the object
        # (both hold a reference); module globals may already be gone at
        # interpreter shutdown.
        try:
            self.close()
        except Exception:  # noqa: BLE001
            pass


class Retained:
    """Handles retained together for a C object or call that keeps their raw
    pointers (a key array, a keyring in an options structure): ``ptrs`` are
    the pointers; :meth:`release` (or collection) ends the retention."""

    __slots__ = ("_items", "ptrs")

    def __init__(self, handles: "Iterable[Handle]") -> None:
        self._items: List[Handle] = []
        self.ptrs: List[int] = []
        try:
            for h in handles:
                self.ptrs.append(h._retain())
                self._items.append(h)
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        items, self._items = self._items, []
        for h in items:
            h._release()

    def __del__(self) -> None:
        try:
            self.release()
        except Exception:  # noqa: BLE001
            pass


class _Lease(c_void_p):
    """The converted argument of one C call: the raw pointer, and the use of
    its owner until ctypes drops the converted arguments after the call."""

    def __del__(self) -> None:
        owner, thread = self._owner_thread  # type: ignore[attr-defined]
        owner._end(thread)


_pending = threading.local()


class HandleArg(c_void_p):
    """Argument type of every opaque ``mlops_x *`` in the signature table: a
    :class:`Handle` becomes a lease for the duration of the call; ``None``
    and raw integers (the binding's own frees) pass as ``c_void_p``."""

    _mlops_handle_arg = True

    @classmethod
    def from_param(cls, obj: Any) -> Any:  # type: ignore[override]
        if isinstance(obj, Handle):
            try:
                ptr = obj._begin()
            except ClosedError as exc:
                # ctypes turns it into ArgumentError("argument 1: ..."); the
                # function's guard() raises this one instead.
                _pending.error = exc
                raise
            lease = _Lease(ptr)
            lease._owner_thread = (obj, threading.get_ident())  # type: ignore[attr-defined]
            return lease
        return c_void_p.from_param(obj)


def guard(fn: Any) -> Callable[..., Any]:
    """Wrap a C function that takes handles so that an object closed between
    the caller's check and the call raises :class:`ClosedError`, not ctypes'
    ArgumentError."""

    def call(*args: Any) -> Any:
        _pending.error = None
        try:
            return fn(*args)
        except ctypes.ArgumentError:
            err, _pending.error = getattr(_pending, "error", None), None
            if err is not None:
                raise err from None
            raise

    call.__name__ = getattr(fn, "__name__", "mlops_function")
    call.__wrapped__ = fn  # type: ignore[attr-defined]
    return call
