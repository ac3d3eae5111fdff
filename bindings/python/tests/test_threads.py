"""Error details are per thread: threads failing differently see their own."""

from __future__ import annotations

import hashlib
import threading

import libmlops as mlops

THREADS = 8
ROUNDS = 1500


def test_concurrent_failures_each_see_their_own_details(tmp_path):
    barrier = threading.Barrier(THREADS)
    problems = []

    def worker(k: int) -> None:
        bad_semver = f"{k}.{k}"  # no patch part: fails at its end
        bad_semver_offset = len(bad_semver)
        bad_time = f"2024-05-0{k + 1}T12:00:00+0{k}:00"
        missing = tmp_path / f"missing-{k}"
        digest_text = "sha256:" + "a" * (k + 1)  # too short: fails at 7 + k + 1
        barrier.wait()
        try:
            for i in range(ROUNDS):
                which = (i + k) % 4
                try:
                    if which == 0:
                        mlops.SemVer(bad_semver)
                    elif which == 1:
                        mlops.parse_timestamp(bad_time)
                    elif which == 2:
                        mlops.sha256_file(missing)
                    else:
                        mlops.parse_digest(digest_text)
                except mlops.MlopsError as err:
                    if which == 0:
                        ok = (type(err) is mlops.ParseError and err.offset == bad_semver_offset
                              and f'"{bad_semver}"' in err.message)
                    elif which == 1:
                        ok = (type(err) is mlops.ParseError and err.offset == 19
                              and bad_time in err.message)
                    elif which == 2:
                        ok = (type(err) is mlops.MlopsIOError and err.path == str(missing)
                              and err.message.startswith(f"{missing}: cannot open"))
                    else:
                        ok = (type(err) is mlops.ParseError and err.offset == 8 + k
                              and err.message == f"digest: {k + 1} hex digits, expected 64")
                    if not ok:
                        problems.append((k, which, repr(err)))
                else:
                    problems.append((k, which, "no error"))
        except Exception as exc:  # noqa: BLE001
            problems.append((k, -1, repr(exc)))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []


def test_concurrent_hashing_is_correct():
    blobs = [bytes([k]) * (300_000 + k) for k in range(THREADS)]
    expect = ["sha256:" + hashlib.sha256(b).hexdigest() for b in blobs]
    results = [None] * THREADS

    def worker(k: int) -> None:
        out = set()
        for _ in range(20):
            out.add(mlops.sha256(blobs[k]))
            with mlops.Digest() as d:
                d.update(blobs[k][:1000])
                d.update(memoryview(blobs[k])[1000:])
                out.add(str(d))
        results[k] = out

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [{e} for e in expect]
