"""RFC 3339 timestamps in UTC: ``"YYYY-MM-DDTHH:MM:SS[.fraction]Z"``."""

from __future__ import annotations

import ctypes
import datetime as _dt
from ctypes import c_int64, c_uint32, create_string_buffer
from typing import NamedTuple, Union

from ._ffi import check_int, cstr, invalid
from ._lib import C
from ._signatures import TIMESTAMP_STRING_SIZE

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_INT64 = (-(2**63), 2**63 - 1)


class Timestamp(NamedTuple):
    """An instant as whole seconds since 1970-01-01T00:00:00Z and nanoseconds."""

    #: Seconds since the epoch (negative before 1970).
    seconds: int
    #: Nanoseconds, 0..999999999.
    nanos: int = 0

    def to_datetime(self) -> _dt.datetime:
        """An aware :class:`datetime.datetime` in UTC. Datetimes hold
        microseconds: the nanoseconds are truncated to them."""
        return _EPOCH + _dt.timedelta(seconds=self.seconds, microseconds=self.nanos // 1000)

    @classmethod
    def from_datetime(cls, value: _dt.datetime) -> "Timestamp":
        """The instant of an aware datetime (naive ones are rejected: they
        name no instant)."""
        if value.tzinfo is None or value.utcoffset() is None:
            raise invalid("a naive datetime names no instant; give it a tzinfo")
        delta = value - _EPOCH
        return cls(delta.days * 86400 + delta.seconds, delta.microseconds * 1000)

    def __str__(self) -> str:
        return format_timestamp(self)


def parse_timestamp(text: str) -> Timestamp:
    """Parse an RFC 3339 UTC date-time (``"2024-05-01T12:00:00.25Z"``).

    Strict: upper-case ``T`` and ``Z`` only, no numeric offsets (not even
    ``+00:00``), years 0001-9999, at most 9 fraction digits, no leap second.

    Raises:
        ParseError: malformed or impossible; ``exc.offset`` is the byte at fault.
    """
    seconds = c_int64()
    nanos = c_uint32()
    C.mlops_timestamp_parse(ctypes.byref(seconds), ctypes.byref(nanos), cstr(text, "timestamp"))
    return Timestamp(seconds.value, nanos.value)


def parse_datetime(text: str) -> _dt.datetime:
    """``parse_timestamp(text).to_datetime()``: an aware UTC datetime
    (nanoseconds truncated to microseconds)."""
    return parse_timestamp(text).to_datetime()


def format_timestamp(value: Union[int, Timestamp, _dt.datetime], nanos: int = 0) -> str:
    """Format an instant as RFC 3339 UTC, with the fewest fraction digits that
    keep it exact (none when ``nanos`` is 0).

    ``value`` is seconds since the epoch (with ``nanos``), a
    :class:`Timestamp` or ``(seconds, nanos)`` tuple, or an aware
    :class:`datetime.datetime` (converted to UTC).

    Raises:
        InvalidArgumentError: ``nanos`` outside 0..999999999, a year outside
            1..9999, or a naive datetime.
    """
    if isinstance(value, _dt.datetime):
        value = Timestamp.from_datetime(value)
    if isinstance(value, tuple):
        if nanos:
            raise TypeError("give nanos inside the Timestamp, not separately")
        seconds, nanos = value
    else:
        seconds = value
    check_int(seconds, *_INT64, "seconds")
    check_int(nanos, 0, 2**32 - 1, "nanos")
    out = create_string_buffer(TIMESTAMP_STRING_SIZE)
    C.mlops_timestamp_format(out, seconds, nanos)
    return out.value.decode("ascii")
