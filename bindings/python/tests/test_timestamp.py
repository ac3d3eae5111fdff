"""RFC 3339 UTC timestamps, with datetime and calendar as the oracles."""

from __future__ import annotations

import calendar
import datetime as dt
import random

import pytest

import libmlops as mlops

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
MIN_S = int((dt.datetime(1, 1, 1, tzinfo=UTC) - EPOCH).total_seconds())
MAX_S = int((dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC) - EPOCH).total_seconds())


def oracle_text(seconds: int, nanos: int) -> str:
    d = EPOCH + dt.timedelta(seconds=seconds)
    text = (f"{d.year:04d}-{d.month:02d}-{d.day:02d}T"
            f"{d.hour:02d}:{d.minute:02d}:{d.second:02d}")
    if nanos:
        text += "." + f"{nanos:09d}".rstrip("0")
    return text + "Z"


def test_known_instants():
    assert mlops.parse_timestamp("1970-01-01T00:00:00Z") == (0, 0)
    assert mlops.parse_timestamp("2024-05-01T12:00:00.25Z") == mlops.Timestamp(1714564800, 250_000_000)
    assert mlops.format_timestamp(1714564800, 250_000_000) == "2024-05-01T12:00:00.25Z"
    assert mlops.format_timestamp(-1) == "1969-12-31T23:59:59Z"
    assert mlops.format_timestamp(MIN_S) == "0001-01-01T00:00:00Z"
    assert mlops.format_timestamp(MAX_S, 999_999_999) == "9999-12-31T23:59:59.999999999Z"


def test_format_random_instants_like_datetime():
    rng = random.Random(3339)
    for _ in range(3000):
        s = rng.randint(MIN_S, MAX_S)
        n = rng.choice([0, rng.randrange(10**9), rng.randrange(1000) * 10**6, 5 * 10**8])
        assert mlops.format_timestamp(s, n) == oracle_text(s, n)
        assert mlops.format_timestamp(mlops.Timestamp(s, n)) == oracle_text(s, n)


def test_parse_random_instants_like_datetime():
    rng = random.Random(1)
    for _ in range(3000):
        d = EPOCH + dt.timedelta(seconds=rng.randint(MIN_S, MAX_S))
        digits = rng.randint(0, 9)
        frac = "".join(rng.choice("0123456789") for _ in range(digits))
        text = (f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}:"
                f"{d.second:02d}" + (f".{frac}" if digits else "") + "Z")
        ts = mlops.parse_timestamp(text)
        assert ts.seconds == (d - EPOCH) // dt.timedelta(seconds=1)
        assert ts.nanos == (int(frac.ljust(9, "0")) if digits else 0)
        assert ts.to_datetime() == d + dt.timedelta(microseconds=ts.nanos // 1000)


def test_datetime_conversions():
    ts = mlops.parse_timestamp("2024-05-01T12:00:00.123456789Z")
    when = ts.to_datetime()
    assert when == dt.datetime.fromisoformat("2024-05-01T12:00:00.123456+00:00")
    assert when.tzinfo is not None and when.utcoffset() == dt.timedelta(0)
    assert mlops.parse_datetime("2024-05-01T12:00:00.123456789Z") == when
    assert mlops.Timestamp.from_datetime(when) == (ts.seconds, 123_456_000)
    plus2 = dt.datetime(2024, 5, 1, 14, 0, 0, 500000, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert mlops.format_timestamp(plus2) == "2024-05-01T12:00:00.5Z"
    assert str(mlops.Timestamp(0, 1)) == "1970-01-01T00:00:00.000000001Z"
    assert mlops.parse_datetime("0001-01-01T00:00:00Z") == dt.datetime(1, 1, 1, tzinfo=UTC)
    assert mlops.parse_datetime("9999-12-31T23:59:59.999999999Z") == dt.datetime(
        9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


@pytest.mark.parametrize("year", [1, 4, 100, 400, 1900, 2000, 2023, 2024, 2100, 9996, 9999])
def test_february_29_exists_only_in_leap_years(year):
    text = f"{year:04d}-02-29T00:00:00Z"
    if calendar.isleap(year):
        assert mlops.parse_datetime(text) == dt.datetime(year, 2, 29, tzinfo=UTC)
    else:
        with pytest.raises(mlops.ParseError, match="no such day in that month") as info:
            mlops.parse_timestamp(text)
        assert info.value.offset == 8


@pytest.mark.parametrize("month", range(1, 13))
def test_last_day_of_each_month(month):
    last = calendar.monthrange(2023, month)[1]
    assert mlops.parse_datetime(f"2023-{month:02d}-{last:02d}T00:00:00Z").day == last
    with pytest.raises(mlops.ParseError):
        mlops.parse_timestamp(f"2023-{month:02d}-{last + 1:02d}T00:00:00Z")


@pytest.mark.parametrize(
    "text, offset, fragment",
    [
        ("2024-05-01T12:00:00+02:00", 19, "only UTC is accepted: write 'Z' instead of an offset"),
        ("2024-05-01T12:00:00+00:00", 19, "only UTC is accepted: write 'Z' instead of an offset"),
        ("2024-05-01t12:00:00Z", 10, "write 'T' in upper case"),
        ("2024-05-01 12:00:00Z", 10, "expected 'T'"),
        ("2024-05-01T12:00:00z", 19, "write 'Z' in upper case"),
        ("2024-05-01T12:00:00", 19, "expected 'Z'"),
        ("2024-5-01T12:00:00Z", 6, "expected a digit"),
        ("2024/05-01T12:00:00Z", 4, "expected '-'"),
        ("2024-05-01T12.00:00Z", 13, "expected ':'"),
        ("0000-01-01T00:00:00Z", 0, "year 0000 is outside 0001..9999"),
        ("2024-13-01T00:00:00Z", 5, "month outside 01..12"),
        ("2024-00-01T00:00:00Z", 5, "month outside 01..12"),
        ("2024-02-30T00:00:00Z", 8, "no such day in that month"),
        ("2024-05-01T24:00:00Z", 11, "hour outside 00..23"),
        ("2024-05-01T12:60:00Z", 14, "minute outside 00..59"),
        ("2016-12-31T23:59:60Z", 17, "leap second 60 cannot be represented"),
        ("2024-05-01T12:00:61Z", 17, "second outside 00..59"),
        ("2024-05-01T12:00:00.1234567890Z", 29, "more than 9 fraction digits"),
        ("2024-05-01T12:00:00.Z", 20, "expected fraction digits after '.'"),
        ("2024-05-01T12:00:00Z ", 20, "unexpected bytes after 'Z'"),
        ("", 0, "expected a digit"),
    ],
)
def test_parse_errors_carry_the_offset(text, offset, fragment):
    with pytest.raises(mlops.ParseError) as info:
        mlops.parse_timestamp(text)
    err = info.value
    assert (err.offset, err.line, err.column) == (offset, 1, offset + 1)
    assert err.message == f'invalid RFC 3339 UTC timestamp "{text}": {fragment} (byte {offset})'


def test_format_out_of_range_is_invalid_argument_from_the_library():
    with pytest.raises(mlops.InvalidArgumentError) as info:
        mlops.format_timestamp(0, 10**9)
    assert info.value.message == "mlops_timestamp_format: nanos 1000000000 > 999999999"
    assert info.value.code == -1 and info.value.name == "MLOPS_E_INVALID"
    with pytest.raises(mlops.InvalidArgumentError, match="outside years 0001..9999"):
        mlops.format_timestamp(MAX_S + 1)
    with pytest.raises(mlops.InvalidArgumentError, match=f"{MIN_S - 1} seconds"):
        mlops.format_timestamp(MIN_S - 1)


def test_format_argument_checks_before_the_abi():
    # Values ctypes would wrap silently into a valid int64/uint32 are refused.
    with pytest.raises(mlops.InvalidArgumentError, match="seconds"):
        mlops.format_timestamp(2**64)
    with pytest.raises(mlops.InvalidArgumentError, match="nanos"):
        mlops.format_timestamp(0, -1)
    with pytest.raises(mlops.InvalidArgumentError, match="nanos"):
        mlops.format_timestamp(0, 2**32)
    with pytest.raises(TypeError):
        mlops.format_timestamp(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        mlops.format_timestamp(mlops.Timestamp(0, 1), nanos=5)
    with pytest.raises(mlops.InvalidArgumentError, match="naive"):
        mlops.format_timestamp(dt.datetime(2024, 1, 1))
    with pytest.raises(TypeError):
        mlops.parse_timestamp(b"1970-01-01T00:00:00Z")  # type: ignore[arg-type]
    with pytest.raises(mlops.InvalidArgumentError, match="NUL"):
        mlops.parse_timestamp("1970-01-01T00:00:00Z\0")
