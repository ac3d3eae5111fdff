"""close() racing calls on other threads never frees an object under a call.

The GIL is released during every C call, so a close() on one thread used to
free the C object while another thread was inside the library with it (a
heap use after free that AddressSanitizer reports; CI runs this file against
the ASan build). Every handle class now waits for the calls in flight, refuses
new ones with ClosedError, and frees after the last one has returned.

Each case makes an object, starts threads that call one of its methods in a
loop, closes it from the main thread while they run, and checks that every
thread stopped on ClosedError and on nothing else.
"""

from __future__ import annotations

import threading
import time

import pytest

import libmlops as mlops
from conftest import repo_file

ROUNDS = 12

POLICY = """{"schema": "libmlops.policy/v1", "policy_id": "race", "revision": 1,
 "signals": {"auc": {"kind": "metric", "better": "higher"}, "psi": {"kind": "score"}},
 "rules": [{"id": "r", "action": "retrain", "when": {"signal": "psi", "gt": 0.2}}],
 "gate": {"metrics": {"auc": {"min": 0.5, "max_regression": 0.01}}}}"""


def _values(n: int = 20000) -> list:
    return [float((i * 7919) % 1000) / 10.0 for i in range(n)]


def _cases():
    """(name, make() -> (object, call(object)))."""
    values = _values()
    key = mlops.SigningKey.generate()
    message = b"m" * 200000

    def manifest():
        m = mlops.Manifest.from_file(repo_file("tests/vectors/manifest/child.json"))
        return m, lambda o: (o.to_bytes(), o.name, o.files)

    def policy():
        p = mlops.Policy(POLICY)
        return p, lambda o: (o.lint(), o.gate({"auc": 0.9}, {"auc": 0.9}), o.rule_ids)

    def decision():
        p = mlops.Policy(POLICY)
        d = p.decide({"psi": 0.3}, 0)
        return d, lambda o: (o.to_json(), o.action, o.explain())

    def metric_set():
        return mlops.MetricSet({"auc": 0.9}), lambda o: o.put("auc", 0.8, samples=10)

    def profile():
        return mlops.Profile.numeric(values), lambda o: (o.update(values), o.quantile(0.5), o.to_bytes())

    def detector():
        return mlops.Detector("adwin"), lambda o: o.update(values[:5000])

    def reference():
        return mlops.DriftReference(values), lambda o: (o.compare(values), o.edges, o.counts)

    def signing_key():
        k = mlops.SigningKey.generate()
        return k, lambda o: (o.sign(message), o.public_pem(), o.id)

    def keyring():
        return mlops.Keyring([key]), lambda o: (len(o), o.add(key))

    def digest():
        return mlops.Digest(), lambda o: o.update(message)

    def semver():
        v, w = mlops.SemVer("1.2.3-rc.1+b"), mlops.SemVer("1.2.3")
        return v, lambda o: (o.compare(w), o.prerelease, o.major)

    def builder():
        b = mlops.ManifestBuilder("race", "1.0.0", "2026-11-01T00:00:00Z")
        return b, lambda o: o.metric("auc", 0.9)

    labels = [f"label-{i}" for i in range(20000)]

    def category_dict():
        d = mlops.CategoryDict(labels[:5000])
        return d, lambda o: (o.encode(labels), o.label(7), len(o))

    def category_dict_add():
        return mlops.CategoryDict(), lambda o: o.add(labels)

    def observations():
        o = mlops.Policy(POLICY).observations()
        return o, lambda x: (x.set("psi", 0.3, samples=10), x.update({"auc": 0.9}), x.clear())

    def policy_state():
        st = mlops.Policy(POLICY).state()
        return st, lambda x: (x.to_json(), x.copy().close(), x.reset())

    # Objects documented as shareable between threads get several callers;
    # the others ("one thread at a time") one caller racing the closer.
    return [("Manifest", manifest, 4), ("Policy", policy, 4), ("Decision", decision, 1),
            ("MetricSet", metric_set, 1), ("Profile", profile, 1), ("Detector", detector, 1),
            ("DriftReference", reference, 1), ("SigningKey", signing_key, 4),
            ("Keyring", keyring, 1), ("Digest", digest, 1), ("SemVer", semver, 4),
            ("ManifestBuilder", builder, 1), ("CategoryDict", category_dict, 4),
            ("CategoryDict.add", category_dict_add, 1), ("Observations", observations, 1),
            ("PolicyState", policy_state, 1)]


CASES = _cases()


@pytest.mark.parametrize("make,threads", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_close_while_other_threads_call(make, threads):
    for round_ in range(ROUNDS):
        obj, call = make()
        call(obj)  # works while open
        started = threading.Barrier(threads + 1)
        outcomes: list = []

        def hammer() -> None:
            started.wait()
            try:
                for _ in range(100000):
                    call(obj)
                outcomes.append("never closed")
            except mlops.ClosedError as exc:
                outcomes.append(("closed", str(exc)))
            except BaseException as exc:  # noqa: BLE001
                outcomes.append(("other", repr(exc)))

        workers = [threading.Thread(target=hammer) for _ in range(threads)]
        for t in workers:
            t.start()
        started.wait()
        time.sleep(0.0005 * (round_ % 4))
        obj.close()
        assert obj.closed
        for t in workers:
            t.join(60)
        assert len(outcomes) == threads, outcomes
        name = type(obj).__name__
        for o in outcomes:
            assert o[0] == "closed" and f"closed {name}" in o[1], outcomes
        with pytest.raises(mlops.ClosedError, match=f"operation on a closed {name}"):
            call(obj)
        obj.close()  # idempotent


def test_closed_error_is_an_invalid_argument_and_a_value_error():
    m = mlops.MetricSet()
    m.close()
    with pytest.raises(ValueError):
        m.put("x", 1.0)
    with pytest.raises(mlops.InvalidArgumentError):
        m.put("x", 1.0)


def test_close_from_a_callback_of_a_call_on_the_same_object_is_refused(tmp_path):
    src = tmp_path / "model"
    src.mkdir()
    (src / "w.bin").write_bytes(b"w" * (3 << 20))
    seen: list = []
    packer: list = []

    def progress(done: int, total: int) -> None:
        if not seen:
            try:
                packer[0].close()
                seen.append("closed")
            except mlops.ClosedError as exc:
                seen.append(str(exc))

    with mlops.ManifestBuilder("m", "1.0.0", "2026-11-01T00:00:00Z") as b:
        p = mlops.Packer(progress=progress)
        packer.append(p)
        p.add_directory(src)
        p.write(tmp_path / "m.mlpkg", b).close()
        assert seen == ["close() of a Packer from inside a call on it"]
        assert not p.closed
        p.close()
        assert p.closed


def test_a_key_closed_while_a_packer_holds_it_is_freed_after_the_packer(tmp_path):
    key = mlops.SigningKey.generate()
    public = key.public_key()
    src = tmp_path / "model"
    src.mkdir()
    (src / "w.bin").write_bytes(b"w" * 1000)
    p = mlops.Packer(keys=[key])
    key.close()  # closed at once for its own calls ...
    assert key.closed
    with pytest.raises(mlops.ClosedError):
        key.id
    p.add_directory(src)
    with mlops.ManifestBuilder("m", "1.0.0", "2026-11-01T00:00:00Z") as b:
        p.write(tmp_path / "m.mlpkg", b).close()  # ... but the packer still signs with it
    p.close()
    report = mlops.Package(tmp_path / "m.mlpkg").verify(public)
    assert report.valid


def _big_package(tmp_path, key, size=24 << 20):
    src = tmp_path / "model"
    src.mkdir()
    (src / "w.bin").write_bytes(bytes(range(256)) * (size // 256))
    with mlops.ManifestBuilder("big", "1.0.0", "2026-11-01T00:00:00Z") as b:
        mlops.Package.pack(tmp_path / "big.mlpkg", b, directories=[(src, "model")],
                           keys=[key]).close()
    return tmp_path / "big.mlpkg"


def test_a_keyring_closed_during_a_long_verify_is_freed_after_it(tmp_path):
    key = mlops.SigningKey.generate()
    pkg = _big_package(tmp_path, key)
    for round_ in range(4):
        ring = mlops.Keyring([key.public_key()])
        outcome: list = []

        def verify() -> None:
            try:
                outcome.append(mlops.Package(pkg).verify(ring).valid)
            except mlops.ClosedError as exc:  # closed before the call began
                outcome.append(str(exc))

        t = threading.Thread(target=verify)
        t.start()
        time.sleep(0.002 * round_)
        ring.close()
        t.join(120)
        assert ring.closed
        assert outcome in ([True], ["operation on a closed Keyring"]), outcome


def test_a_store_closed_while_another_thread_adds_and_lists(tmp_path):
    key = mlops.SigningKey.generate()
    pkg = _big_package(tmp_path, key, size=8 << 20)
    for round_ in range(4):
        store = mlops.Store(tmp_path / f"store{round_}", create=True)
        outcome: list = []

        def work() -> None:
            try:
                outcome.append(store.add(pkg, key.public_key()))
                while True:
                    store.tags
                    store.alias_history("big", "production")
            except mlops.ClosedError as exc:
                outcome.append(("closed", str(exc)))
            except BaseException as exc:  # noqa: BLE001
                outcome.append(("other", repr(exc)))

        t = threading.Thread(target=work)
        t.start()
        time.sleep(0.005 * round_)
        store.close()
        t.join(120)
        assert outcome[-1] == ("closed", "operation on a closed Store"), outcome
        assert outcome[:-1] in ([], ["big:1.0.0"]), outcome
        # whatever the moment of the close, the store on disk is whole
        with mlops.Store(tmp_path / f"store{round_}") as again:
            again.check()
            assert again.tags in ([], ["big:1.0.0"])
