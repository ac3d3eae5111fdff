"""SemVer 2.0.0: the specification's grammar (its official regex) and its
precedence examples are the oracles."""

from __future__ import annotations

import copy
import pickle
import random
import re
import threading

import pytest

import libmlops as mlops

# The regular expression published at semver.org ("Is there a suggested regular
# expression (RegEx) to check a SemVer string?"), ASCII digits only.
SEMVER_RE = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$",
    re.ASCII,
)


def spec_valid(text: str) -> bool:
    return SEMVER_RE.fullmatch(text) is not None and "\n" not in text


VALID = """0.0.4 1.2.3 10.20.30 1.1.2-prerelease+meta 1.1.2+meta 1.1.2+meta-valid 1.0.0-alpha
1.0.0-beta 1.0.0-alpha.beta 1.0.0-alpha.beta.1 1.0.0-alpha.1 1.0.0-alpha0.valid
1.0.0-alpha.0valid 1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay 1.0.0-rc.1+build.1
2.0.0-rc.1+build.123 1.2.3-beta 10.2.3-DEV-SNAPSHOT 1.2.3-SNAPSHOT-123 1.0.0 2.0.0 1.1.7
2.0.0+build.1848 2.0.1-alpha.1227 1.0.0-alpha+beta 1.2.3----RC-SNAPSHOT.12.9.1--.12+788
1.2.3----R-S.12.9.1--.12+meta 1.2.3----RC-SNAPSHOT.12.9.1--.12 1.0.0+0.build.1-rc.10000aaa-kk-0.1
1.0.0-0A.is.legal 18446744073709551615.0.0 1.0.0+01""".split()

INVALID = """1 1.2 1.2.3-0123 1.2.3-0123.0123 1.1.2+.123 +invalid -invalid -invalid+invalid
-invalid.01 alpha alpha.beta alpha.beta.1 alpha.1 alpha+beta alpha_beta alpha. alpha.. beta
1.0.0-alpha_beta -alpha. 1.0.0-alpha.. 1.0.0-alpha..1 1.0.0-alpha...1 01.1.1 1.01.1 1.1.01
1.2.3.DEV 1.2-SNAPSHOT 1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788 1.2-RC-SNAPSHOT
-1.0.3-gamma+b7718 +justmeta 9.8.7+meta+meta 9.8.7-whatever+meta+meta v1.2.3 1.2.3- 1.2.3+
1.2.3-a. 1.2.3+a..b""".split() + ["", " 1.2.3", "1.2.3 ", "1.2.3\n", "1.2.3-\u03b1", "1.\u0662.3"]


@pytest.mark.parametrize("text", VALID)
def test_valid_versions_from_the_spec_parse(text):
    assert spec_valid(text)
    mlops.validate_semver(text)
    assert mlops.is_valid_semver(text)
    v = mlops.SemVer(text)
    assert str(v) == text
    m = SEMVER_RE.fullmatch(text)
    assert (v.major, v.minor, v.patch) == tuple(int(g) for g in m.group(1, 2, 3))
    assert v.prerelease == (m.group(4) or "")
    assert v.build == (m.group(5) or "")
    assert v.is_prerelease == bool(m.group(4))


@pytest.mark.parametrize("text", INVALID)
def test_invalid_versions_from_the_spec_are_parse_errors(text):
    assert not spec_valid(text)
    assert not mlops.is_valid_semver(text)
    with pytest.raises(mlops.ParseError) as info:
        mlops.validate_semver(text)
    assert info.value.offset is not None and 0 <= info.value.offset <= len(text.encode())
    with pytest.raises(mlops.ParseError):
        mlops.SemVer(text)


def test_random_strings_agree_with_the_spec_regex():
    rng = random.Random(20240501)
    alphabet = "0123456789..--++aZx"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert mlops.is_valid_semver(text) == spec_valid(text), text


@pytest.mark.parametrize(
    "text, offset, fragment",
    [
        ("01.2.3", 0, "leading zero in a numeric part"),
        ("1.2", 3, "expected '.' after the minor version"),
        ("1x.2.3", 1, "expected '.' after the major version"),
        ("1.2.3-", 6, "empty pre-release identifier"),
        ("1.2.3-01", 6, "leading zero in a numeric pre-release identifier"),
        ("1.2.3 ", 5, "unexpected character"),
        ("18446744073709551616.0.0", 19, "number larger than 2^64-1"),
    ],
)
def test_parse_errors_carry_offset_line_and_column(text, offset, fragment):
    with pytest.raises(mlops.ParseError) as info:
        mlops.SemVer(text)
    err = info.value
    assert (err.offset, err.line, err.column) == (offset, 1, offset + 1)
    assert err.message == f'invalid SemVer "{text}": {fragment} at byte {offset}'
    assert err.path is None


# SemVer 2.0.0, §11: "Example: 1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-alpha.beta <
# 1.0.0-beta < 1.0.0-beta.2 < 1.0.0-beta.11 < 1.0.0-rc.1 < 1.0.0." and
# "Example: 1.0.0 < 2.0.0 < 2.1.0 < 2.1.1."
SPEC_ORDER = [
    "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
    "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1",
]


def test_precedence_follows_the_spec_examples():
    versions = [mlops.SemVer(t) for t in SPEC_ORDER]
    for i, a in enumerate(versions):
        for j, b in enumerate(versions):
            expect = (i > j) - (i < j)
            assert a.compare(b) == expect
            assert mlops.compare_versions(SPEC_ORDER[i], SPEC_ORDER[j]) == expect
            assert mlops.compare_versions(a, b) == expect
            assert (a < b, a <= b, a == b, a != b, a > b, a >= b) == (
                i < j, i <= j, i == j, i != j, i > j, i >= j)
    shuffled = versions[:]
    random.Random(7).shuffle(shuffled)
    assert [str(v) for v in sorted(shuffled)] == SPEC_ORDER
    assert str(max(shuffled)) == "2.1.1"


def _spec_key(text: str):
    """§11 as written, independently of the library: numbers numerically,
    identifiers numeric < alphanumeric, ASCII order, longer set wins, a
    pre-release sorts below its release."""
    core, _, _ = text.partition("+")
    main, dash, pre = core.partition("-")
    nums = tuple(int(x) for x in main.split("."))
    if not dash:
        return nums, (1,)
    ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return nums, (0, ids)


def test_random_pairs_order_as_the_spec_says():
    rng = random.Random(11)
    pool = ["0", "1", "2", "10", "a", "b", "A", "-", "alpha", "a1", "1a", "11"]

    def make():
        text = ".".join(str(rng.choice([0, 1, 2, 10])) for _ in range(3))
        if rng.random() < 0.7:
            text += "-" + ".".join(rng.choice(pool) for _ in range(rng.randint(1, 3)))
        if rng.random() < 0.3:
            text += "+b" + str(rng.randint(0, 9))
        return text

    for _ in range(2000):
        a, b = make(), make()
        ka, kb = _spec_key(a), _spec_key(b)
        assert mlops.compare_versions(a, b) == (ka > kb) - (ka < kb), (a, b)


def test_build_metadata_is_ignored_by_equality_and_hash():
    a, b, c = mlops.SemVer("1.0.0+a"), mlops.SemVer("1.0.0+b"), mlops.SemVer("1.0.0")
    assert a == b == c and hash(a) == hash(b) == hash(c)
    assert len({a, b, c}) == 1
    assert (a.build, b.build, c.build) == ("a", "b", "")
    assert mlops.compare_versions("1.0.0+a", "1.0.0+zzz") == 0
    assert mlops.SemVer("1.0.0-rc.1") != c
    assert {mlops.SemVer("1.0.0-rc.1+x"): 1}[mlops.SemVer("1.0.0-rc.1")] == 1


def test_largest_numbers_are_exact():
    top = mlops.SemVer("18446744073709551615.18446744073709551615.18446744073709551615")
    assert top.as_tuple() == (2**64 - 1, 2**64 - 1, 2**64 - 1, "", "")
    assert top > mlops.SemVer("18446744073709551615.18446744073709551615.18446744073709551614")


def test_repr_pickle_copy():
    v = mlops.SemVer("1.4.0-rc.1+build.5")
    assert repr(v) == "SemVer('1.4.0-rc.1+build.5')"
    assert eval(repr(v), {"SemVer": mlops.SemVer}).as_tuple() == v.as_tuple()
    w = pickle.loads(pickle.dumps(v))
    assert w.as_tuple() == (1, 4, 0, "rc.1", "build.5") and str(w) == str(v)
    assert copy.copy(v) is v and copy.deepcopy(v) is v
    assert mlops.SemVer.parse("2.0.0") == mlops.SemVer("2.0.0")


def test_comparison_with_other_types():
    v = mlops.SemVer("1.0.0")
    assert (v == "1.0.0") is False
    assert v != "1.0.0"
    with pytest.raises(TypeError):
        v < "2.0.0"  # type: ignore[operator]
    with pytest.raises(TypeError):
        v.compare("1.0.0")  # type: ignore[arg-type]


def test_compare_versions_errors_name_the_argument():
    with pytest.raises(mlops.ParseError, match="^first argument: invalid SemVer") as info:
        mlops.compare_versions("1.0", "1.0.0")
    assert info.value.offset == 3
    with pytest.raises(mlops.ParseError, match="^second argument: invalid SemVer") as info:
        mlops.compare_versions("1.0.0", "1.0.0-")
    assert info.value.offset == 6


def test_argument_types_and_nul():
    with pytest.raises(TypeError):
        mlops.SemVer(b"1.0.0")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        mlops.validate_semver(None)  # type: ignore[arg-type]
    with pytest.raises(mlops.InvalidArgumentError, match="NUL character at byte 5"):
        mlops.SemVer("1.0.0\0-evil")
    with pytest.raises(ValueError):
        mlops.compare_versions("1.0.0", "\0")


def test_versions_are_shareable_between_threads():
    versions = [mlops.SemVer(t) for t in SPEC_ORDER]
    errors = []

    def work():
        try:
            for _ in range(200):
                assert [str(v) for v in sorted(reversed(versions))] == SPEC_ORDER
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
