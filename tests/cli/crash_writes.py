#!/usr/bin/env python3
"""Kill every writing command of `mlops` with SIGKILL at random points.

Usage: crash_writes.py [COMMAND...]   (MLOPS_CLI names the mlops binary;
                                       MLOPS_EXAMPLES the examples/ directory)

Environment: MLOPS_CRASH_SEED (the random seed; printed), MLOPS_CRASH_KILLS
(kills to reach per command: 50 in CI, 200 in the nightly-sized mode of
scripts/crash-campaign).

The commands (the store's own writers, `store add` and `store alias`, have
their own harness, store_crash.py): pack, sign, extract, keygen, profile
build, profile merge, drift -o/--html, detect --state-out, policy eval
--state-out, store export, layout-export.

Every output path already holds an older version of the output when the
command starts. After each kill, for every output:

- it holds exactly the old bytes or exactly the bytes an uninterrupted run
  writes (computed once, before the kills; the outputs are deterministic:
  packing and signing are reproducible, `keygen` is checked differently, see
  below), never a mixture, a truncation or nothing;
- `extract`'s destination either does not exist or equals, file for file,
  the uninterrupted run's tree;
- the only other files in the directory are the documented leftovers of a
  killed writer, `NAME.mlops-tmp-XXXXXXXX` (the temporary file's name between
  its link and its rename over the output: with O_TMPFILE it has no name
  before, so kills almost never leave one) and `.DEST.mlops-XXXXXXXXXXXX`
  (extract's staging directory). They are counted, reported and removed.

`keygen` draws a new key on every run and never overwrites, so each of its
outputs is checked as absent or a well-formed key: `openssl pkey` reads the
private key and derives the public key, and when both files are there they
are a pair.

The kill delay is uniform over 1.2 times the measured run time; only kills
that found the process running count. The oracles are the bytes of the
uninterrupted run, openssl, and os.walk.

SPDX-License-Identifier: Apache-2.0
"""
import filecmp
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

CLI = os.environ["MLOPS_CLI"]
EXAMPLES = os.environ.get("MLOPS_EXAMPLES",
                          os.path.join(os.path.dirname(__file__), "..", "..", "examples"))
SEED = int(os.environ.get("MLOPS_CRASH_SEED", str(time.time_ns() % 2**32)))
KILLS = int(os.environ.get("MLOPS_CRASH_KILLS", "50"))
TEMP = re.compile(r"\.mlops-tmp-[0-9a-f]{8}$")
STAGING = re.compile(r"^\.(.+)\.mlops-[0-9a-f]{12}$")
rng = random.Random(SEED)


class Failure(Exception):
    pass


def run(*args, ok=(0,), cwd=None):
    p = subprocess.run([CLI, *args], capture_output=True, cwd=cwd)
    if p.returncode not in ok:
        raise Failure(f"mlops {' '.join(args)}: exit {p.returncode}\n"
                      f"{p.stdout.decode(errors='replace')}{p.stderr.decode(errors='replace')}")
    return p


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def tree(root):
    """{relative path: bytes} of every file under root."""
    out = {}
    for d, _, fs in os.walk(root):
        for f in fs:
            p = os.path.join(d, f)
            out[os.path.relpath(p, root)] = read(p)
    return out


def openssl_public(private_pem_path):
    p = subprocess.run(["openssl", "pkey", "-in", private_pem_path, "-pubout"],
                       capture_output=True)
    return p.stdout if p.returncode == 0 else None


# ---- the commands ---------------------------------------------------------
#
# Each spec: setup(work) -> dict with
#   argv(outdir)   the command line writing into outdir
#   outputs        output file names (in outdir)
#   old            {name: bytes} written before each run
#   dest           (extract) the destination directory's name
# The harness runs it once uninterrupted into a reference directory.


def make_model(work):
    src = os.path.join(work, "model")
    os.makedirs(src, exist_ok=True)
    r = random.Random(11)
    write(os.path.join(src, "weights.bin"), r.randbytes(3 * 1024 * 1024))
    write(os.path.join(src, "small.bin"), r.randbytes(70 * 1024))
    write(os.path.join(src, "config.txt"), b"threshold 0.5\n")
    return src


def pack_args(src, out, version="1.0.0", extra=()):
    return ["pack", os.path.join(src, "weights.bin"), os.path.join(src, "small.bin"),
            "--config", os.path.join(src, "config.txt"), "-o", out, "--name", "crash",
            "--version", version, "--created", "2026-01-01T00:00:00Z", "--force", *extra]


def keys(work):
    key = os.path.join(work, "key.pem")
    pub = os.path.join(work, "pub.pem")
    if not os.path.exists(key):
        run("keygen", "-o", key, "--public", pub)
    return key, pub


def spec_pack(work):
    src = make_model(work)
    key, _ = keys(work)
    old = os.path.join(work, "old.mlpkg")
    run(*pack_args(src, old, "0.9.0"))
    return {"argv": lambda d: pack_args(src, os.path.join(d, "out.mlpkg"), "1.0.0",
                                        ("--key", key)),
            "outputs": ["out.mlpkg"], "old": {"out.mlpkg": read(old)}}


def spec_sign(work):
    src = make_model(work)
    key, pub = keys(work)
    unsigned = os.path.join(work, "unsigned.mlpkg")
    run(*pack_args(src, unsigned))
    return {"argv": lambda d: ["sign", unsigned, "-o", os.path.join(d, "out.mlpkg"),
                               "--key", key, "--allow-unsigned", "--force"],
            "outputs": ["out.mlpkg"], "old": {"out.mlpkg": read(unsigned)}}


def spec_extract(work):
    src = make_model(work)
    key, pub = keys(work)
    pkg = os.path.join(work, "signed.mlpkg")
    run(*pack_args(src, pkg, "1.0.0", ("--key", key)))
    return {"argv": lambda d: ["extract", pkg, os.path.join(d, "dest"), "--trust", pub],
            "outputs": [], "old": {}, "dest": "dest"}


def spec_keygen(work):
    # keygen never overwrites: its outputs do not exist before the run
    return {"argv": lambda d: ["keygen", "-o", os.path.join(d, "key.pem"),
                               "--public", os.path.join(d, "pub.pem")],
            "outputs": ["key.pem", "pub.pem"], "old": {}, "random": True}


def csv_columns(work):
    ref = os.path.join(EXAMPLES, "data", "diamonds", "reference.csv")
    cur = os.path.join(EXAMPLES, "data", "diamonds", "window-06.csv")
    return ref, cur


def spec_profile_build(work):
    ref, cur = csv_columns(work)
    old = os.path.join(work, "old.profile")
    run("profile", "build", cur, "--column", "price", "-o", old)
    return {"argv": lambda d: ["profile", "build", ref, "--column", "price",
                               "-o", os.path.join(d, "out.profile")],
            "outputs": ["out.profile"], "old": {"out.profile": read(old)}}


def spec_profile_merge(work):
    ref, cur = csv_columns(work)
    parts = []
    for i, path in enumerate([ref, cur]):
        p = os.path.join(work, f"part{i}.profile")
        run("profile", "build", path, "--column", "price", "-o", p)
        parts.append(p)
    return {"argv": lambda d: ["profile", "merge", *parts, "-o", os.path.join(d, "out.profile")],
            "outputs": ["out.profile"], "old": {"out.profile": read(parts[0])}}


def spec_drift(work):
    ref, cur = csv_columns(work)
    return {"argv": lambda d: ["drift", ref, cur, "--format", "prometheus",
                               "-o", os.path.join(d, "out.prom"),
                               "--html", os.path.join(d, "out.html")],
            "outputs": ["out.prom", "out.html"],
            "old": {"out.prom": b"# old\n", "out.html": b"<p>old</p>\n"},
            "ok": (0, 1)}


def spec_detect(work):
    ref, _ = csv_columns(work)
    old = os.path.join(work, "old.state")
    run("detect", ref, "--column", "depth", "--state-out", old)
    return {"argv": lambda d: ["detect", ref, "--column", "price", "--state-out",
                               os.path.join(d, "out.state")],
            "outputs": ["out.state"], "old": {"out.state": read(old)}, "ok": (0, 1)}


def spec_policy_eval(work):
    policy = os.path.join(EXAMPLES, "policies", "drift-retrain.json")
    old = os.path.join(work, "old.state")
    run("policy", "eval", policy, "--signal", "psi.amount=0.01@1000",
        "--now", "2026-01-01T00:00:00Z", "--state-out", old, ok=(0, 1))
    return {"argv": lambda d: ["policy", "eval", policy, "--signal", "psi.amount=0.31@1000",
                               "--signal", "psi.country=0.02@1000",
                               "--now", "2026-01-01T01:00:00Z",
                               "--state-in", old, "--state-out", os.path.join(d, "out.state")],
            "outputs": ["out.state"], "old": {"out.state": read(old)}, "ok": (0, 1)}


def spec_store_export(work):
    src = make_model(work)
    store = os.path.join(work, "store")
    pkg = os.path.join(work, "p.mlpkg")
    run(*pack_args(src, pkg))
    run("store", "add", store, pkg, "--allow-unsigned")
    old = os.path.join(work, "old.mlpkg")
    run(*pack_args(src, old, "0.9.0"))
    return {"argv": lambda d: ["store", "export", store, "crash:1.0.0",
                               os.path.join(d, "out.mlpkg"), "--force"],
            "outputs": ["out.mlpkg"], "old": {"out.mlpkg": read(old)}}


def spec_layout_export(work):
    src = make_model(work)
    key, _ = keys(work)
    store = os.path.join(work, "store")
    pkg = os.path.join(work, "p.mlpkg")
    run(*pack_args(src, pkg, "1.0.0", ("--key", key)))
    run("store", "add", store, pkg, "--allow-unsigned")
    old = os.path.join(work, "old.mlpkg")
    run(*pack_args(src, old, "0.9.0"))
    # the store is an OCI image layout; the tag is its reference
    return {"argv": lambda d: ["layout-export", store, "crash:1.0.0", "-o",
                               os.path.join(d, "out.mlpkg"), "--force"],
            "outputs": ["out.mlpkg"], "old": {"out.mlpkg": read(old)}}


SPECS = {
    "pack": spec_pack,
    "sign": spec_sign,
    "extract": spec_extract,
    "keygen": spec_keygen,
    "profile-build": spec_profile_build,
    "profile-merge": spec_profile_merge,
    "drift": spec_drift,
    "detect": spec_detect,
    "policy-eval": spec_policy_eval,
    "store-export": spec_store_export,
    "layout-export": spec_layout_export,
}


# ---- the harness ----------------------------------------------------------


def prepare(spec, d):
    if os.path.exists(d):
        shutil.rmtree(d)
    os.makedirs(d)
    for name, data in spec["old"].items():
        write(os.path.join(d, name), data)


def start(spec, d):
    return subprocess.Popen([CLI, *spec["argv"](d)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def check_key_outputs(spec, d, where):
    """Each key file is absent or complete; two complete files are a pair."""
    key, pub = os.path.join(d, "key.pem"), os.path.join(d, "pub.pem")
    derived = None
    if os.path.exists(key):
        derived = openssl_public(key)
        if derived is None:
            raise Failure(f"{where}: key.pem is not a private key openssl reads:\n"
                          f"{read(key)[:200]!r}")
    if os.path.exists(pub):
        p = read(pub)
        q = subprocess.run(["openssl", "pkey", "-pubin", "-in", pub, "-noout"],
                           capture_output=True)
        if q.returncode != 0:
            raise Failure(f"{where}: pub.pem is not a public key openssl reads:\n{p[:200]!r}")
        if derived is not None and derived != p:
            raise Failure(f"{where}: key.pem and pub.pem are both there but not a pair")


def check(spec, d, ref, where):
    """The invariants after a kill; returns the leftovers removed."""
    leftovers = []
    expected = set(spec["outputs"]) | ({spec["dest"]} if "dest" in spec else set())
    for name in sorted(os.listdir(d)):
        if name in expected:
            continue
        staging = STAGING.match(name)
        if staging:
            if staging.group(1) != spec.get("dest"):
                raise Failure(f"{where}: unexpected directory {name!r} beside the outputs")
        elif not TEMP.search(name) or name[:-len(".mlops-tmp-00000000")] not in expected:
            raise Failure(f"{where}: unexpected file {name!r} beside the outputs")
        p = os.path.join(d, name)
        (shutil.rmtree if os.path.isdir(p) and not os.path.islink(p) else os.unlink)(p)
        leftovers.append(name)
    if spec.get("random"):
        check_key_outputs(spec, d, where)
    else:
        for name in spec["outputs"]:
            p = os.path.join(d, name)
            if not os.path.exists(p):
                raise Failure(f"{where}: {name} is gone (it held the old version)")
            got = read(p)
            if got != spec["old"][name] and got != ref[name]:
                raise Failure(f"{where}: {name} is neither the old nor the new output "
                              f"({len(got)} bytes; old {len(spec['old'][name])}, "
                              f"new {len(ref[name])})")
    if "dest" in spec:
        dest = os.path.join(d, spec["dest"])
        if os.path.exists(dest) and tree(dest) != ref["dest"]:
            raise Failure(f"{where}: {spec['dest']} exists but differs from a complete "
                          f"extraction")
    return leftovers


def campaign(name, work):
    spec = SPECS[name](work)
    ok = spec.get("ok", (0,))
    refdir = os.path.join(work, "ref")
    prepare(spec, refdir)
    spans = []
    for _ in range(3):
        prepare(spec, refdir)
        t0 = time.monotonic()
        p = start(spec, refdir)
        err = p.communicate()[1]
        spans.append(time.monotonic() - t0)
        if p.returncode not in ok:
            raise Failure(f"{name}: the uninterrupted run exits {p.returncode}\n"
                          f"{err.decode(errors='replace')}")
    span = sorted(spans)[1] * 1.2
    ref = {o: read(os.path.join(refdir, o)) for o in spec["outputs"]}
    if "dest" in spec:
        ref["dest"] = tree(os.path.join(refdir, spec["dest"]))
        if not ref["dest"]:
            raise Failure(f"{name}: the uninterrupted extraction is empty")
    for o in spec["outputs"]:
        if not spec.get("random") and ref[o] == spec["old"][o]:
            raise Failure(f"{name}: the old {o} equals the new one; the check would be blind")
    d = os.path.join(work, "run")
    kills = tries = left = new = 0
    while kills < KILLS:
        tries += 1
        if tries > KILLS * 20:
            raise Failure(f"{name}: only {kills} kills in {tries - 1} tries")
        prepare(spec, d)
        p = start(spec, d)
        time.sleep(rng.uniform(0, span))
        running = p.poll() is None
        if running:
            p.send_signal(signal.SIGKILL)
        err = p.communicate()[1].decode(errors="replace")
        killed = running and p.returncode == -signal.SIGKILL
        if not killed and p.returncode not in ok:
            raise Failure(f"{name}: exit {p.returncode} without a kill\n{err}")
        where = f"{name}, try {tries}" + (" (killed)" if killed else " (finished)")
        leftovers = check(spec, d, ref, where)
        if not killed and leftovers:
            raise Failure(f"{where}: a finished run left {leftovers}")
        if not killed:
            for o in spec["outputs"]:
                p_out = os.path.join(d, o)
                if not os.path.exists(p_out) or (not spec.get("random") and
                                                 read(p_out) != ref[o]):
                    raise Failure(f"{where}: a finished run did not write {o}")
            if "dest" in spec and not os.path.isdir(os.path.join(d, spec["dest"])):
                raise Failure(f"{where}: a finished run did not extract")
        kills += killed
        left += len(leftovers)
        if not spec.get("random") and spec["outputs"]:
            new += read(os.path.join(d, spec["outputs"][0])) == ref[spec["outputs"][0]]
        elif "dest" in spec:
            new += os.path.exists(os.path.join(d, spec["dest"]))
    return kills, tries, left, new, span


def main(argv):
    names = argv or list(SPECS)
    print(f"crash_writes: seed {SEED} (MLOPS_CRASH_SEED), {KILLS} kills per command")
    failures = 0
    for name in names:
        work = tempfile.mkdtemp(prefix=f"mlops-crash-{name}-")
        try:
            kills, tries, left, new, span = campaign(name, work)
            print(f"{name}: {kills} kills in {tries} runs over {span * 1000:.0f} ms; "
                  f"new output after {new} runs; {left} temporary leftovers removed")
        except Failure as e:
            failures += 1
            print(f"FAIL {name}: {e}\n(seed {SEED}; work directory kept: {work})")
            continue
        shutil.rmtree(work)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
