#!/usr/bin/env python3
"""Kill `mlops store add` and `mlops store alias` with SIGKILL at random points.

Usage: store_crash.py   (MLOPS_CLI names the mlops binary)

Environment: MLOPS_CRASH_SEED (the random seed; printed), MLOPS_CRASH_KILLS_NEW,
MLOPS_CRASH_KILLS_EXISTING (kills to reach; 60 in new directories, 50 of each
command in an existing store), MLOPS_CRASH_ROUNDS_RACE (50). scripts/crash-campaign
runs it with 200 of each.

1. `store add` into a NEW directory, killed at a random point of its run: the
   next `store add` into that directory succeeds (a killed creation is
   finished, never "neither empty nor a model store").
2. `store add` of new versions, `store alias` moves and `store gc` in one
   existing store, each killed at a random point. After every kill: the store opens, `store
   check` passes, every version whose add exited 0 is there, every alias's
   history ends with the version `store resolve` gives for it (one of the
   moves that may have committed), and after `store gc` no temporary file is
   left anywhere in the store.
3. Two `store add` into the same new directory, released at the same moment:
   both succeed, in every round.

The kill delay is uniform over the measured run time of the command, so kills
land everywhere from start-up to the last rename. Only kills that found the
process running are counted. The oracles are the exit codes, Python's json
module over the CLI's --json output, and os.walk over the store.

SPDX-License-Identifier: Apache-2.0
"""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

CLI = os.environ["MLOPS_CLI"]
SEED = int(os.environ.get("MLOPS_CRASH_SEED", str(time.time_ns() % 2**32)))
KILLS_NEW = int(os.environ.get("MLOPS_CRASH_KILLS_NEW", "60"))
KILLS_EXISTING = int(os.environ.get("MLOPS_CRASH_KILLS_EXISTING", "50"))
ROUNDS_RACE = int(os.environ.get("MLOPS_CRASH_ROUNDS_RACE", "50"))
NVERSIONS = 40
rng = random.Random(SEED)


class Failure(Exception):
    pass


def run(*args, ok=(0,)):
    p = subprocess.run([CLI, *args], capture_output=True, text=True)
    if p.returncode not in ok:
        raise Failure(f"mlops {' '.join(args)}: exit {p.returncode}\n{p.stdout}{p.stderr}")
    return p


def run_json(*args):
    return json.loads(run(*args[:2], "--json", *args[2:]).stdout)


def timed(args):
    """Run to completion; (seconds from start to exit, exit code)."""
    t0 = time.monotonic()
    p = subprocess.Popen([CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    p.wait()
    return time.monotonic() - t0, p.returncode


def killed_run(args, span):
    """Start the command, SIGKILL it after a random delay in [0, span).
    Returns (killed, exit code, stderr)."""
    delay = rng.uniform(0, span)
    p = subprocess.Popen([CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(delay)
    running = p.poll() is None
    if running:
        p.send_signal(signal.SIGKILL)
    err = p.communicate()[1].decode(errors="replace")
    killed = running and p.returncode == -signal.SIGKILL
    return killed, p.returncode, err


def temp_files(root):
    return [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if ".tmp-" in f]


def make_packages(work):
    src = os.path.join(work, "src")
    os.makedirs(src)
    with open(os.path.join(src, "weights.bin"), "wb") as f:
        f.write(random.Random(7).randbytes(256 * 1024))
    pkgs = []
    for i in range(NVERSIONS):
        with open(os.path.join(src, "config.txt"), "w") as f:
            f.write(f"threshold {i}\n")
        out = os.path.join(work, f"p{i}.mlpkg")
        run("pack", os.path.join(src, "weights.bin"), "--config", os.path.join(src, "config.txt"),
            "-o", out, "--name", "crash", "--version", f"1.0.{i}",
            "--created", "2026-01-01T00:00:00Z")
        pkgs.append(out)
    return pkgs


def tags_of(store):
    return {t["tag"]: t["digest"] for t in run_json("store", "list", store)}


def check_store(store, committed, aliases, touched=None):
    """The invariants after a kill (for the aliases in `touched`, all when
    None); then gc, and no temporary file survives. Updates `aliases` to
    what the store now says."""
    tags = tags_of(store)  # the store opens, index.json reads
    run("store", "check", store)
    lost = sorted(v for v in committed if f"crash:{v}" not in tags)
    if lost:
        raise Failure(f"{store}: versions whose add exited 0 are lost: {lost}")
    for alias in sorted(aliases) if touched is None else touched:
        last_ok, maybe = aliases[alias]
        h = run("store", "alias", "--json", store, "crash", alias, ok=(0, 1, 2))
        if h.returncode != 0:
            r = run("store", "resolve", store, f"crash:{alias}", ok=(0, 1, 2))
            if "no alias" not in h.stderr or last_ok is not None or r.returncode == 0:
                raise Failure(f"{store}: alias {alias}: no history ({h.stderr.strip()}), but "
                              f"resolve exits {r.returncode} (last committed move: {last_ok})")
            aliases[alias] = (None, set())
            continue
        current = json.loads(h.stdout)["history"][-1]
        digest = run("store", "resolve", store, f"crash:{alias}").stdout.strip()
        if digest != tags.get(f"crash:{current}"):
            raise Failure(f"{store}: alias {alias}: the history ends with {current} "
                          f"but resolve gives {digest}")
        allowed = ({last_ok} if last_ok is not None else set()) | maybe
        if current not in allowed:
            raise Failure(f"{store}: alias {alias} is at {current}; the moves that may have "
                          f"committed: {sorted(allowed)}")
        aliases[alias] = (current, set())
    run("store", "gc", store)
    left = temp_files(store)
    if left:
        raise Failure(f"{store}: temporary files survive gc: {left}")


def new_directories(work, pkgs):
    spans = [timed(["store", "add", os.path.join(work, f"cal{i}"), pkgs[0],
                    "--allow-unsigned"])[0] for i in range(3)]
    span = sorted(spans)[1] * 1.2
    kills = tries = 0
    while kills < KILLS_NEW:
        tries += 1
        if tries > KILLS_NEW * 20:
            raise Failure(f"new directories: only {kills} kills in {tries - 1} tries")
        store = os.path.join(work, f"new{tries}")
        first = rng.randrange(NVERSIONS)
        killed, code, err = killed_run(["store", "add", store, pkgs[first], "--allow-unsigned"],
                                       span)
        kills += killed
        if not killed and code != 0:
            raise Failure(f"{store}: store add exited {code}\n{err}")
        committed = set() if killed else {f"1.0.{first}"}
        # the next writer finishes (or makes) the store
        second = (first + 1) % NVERSIONS
        run("store", "add", store, pkgs[second], "--allow-unsigned")
        committed.add(f"1.0.{second}")
        check_store(store, committed, {})
        shutil.rmtree(store)
    return kills, tries


def existing_store(work, pkgs):
    store = os.path.join(work, "existing")
    run("store", "add", store, pkgs[0], "--allow-unsigned")
    committed = {"1.0.0"}
    aliases = {"production": (None, set()), "staging": (None, set())}
    span_add = sorted(timed(["store", "add", os.path.join(work, f"cal-e{i}"), pkgs[i],
                             "--allow-unsigned"])[0] for i in range(3))[1] * 1.2
    span_alias = sorted(timed(["store", "alias", store, "crash", "staging", "1.0.0"])[0]
                        for _ in range(3))[1] * 1.2
    aliases["staging"] = ("1.0.0", set())
    span_gc = sorted(timed(["store", "gc", store])[0] for _ in range(3))[1] * 1.2
    # a removal of a tag that is not there takes the lock and reads the index
    # as a real one does, then stops short of the commit
    span_rm = sorted(timed(["store", "rm", store, "crash:9.9.9"])[0] for _ in range(3))[1] * 1.2
    kills = tries = 0
    counts = {"add": 0, "alias": 0, "gc": 0, "rm": 0}
    rm_skips = 0
    while min(counts.values()) < KILLS_EXISTING:
        tries += 1
        if tries > KILLS_EXISTING * len(counts) * 20:
            raise Failure(f"existing store: only {counts} kills in {tries - 1} tries "
                          f"({rm_skips} removals skipped: no version free of aliases)")
        missing = [i for i in range(NVERSIONS) if f"1.0.{i}" not in committed]
        touched = []
        kind = rng.choice([k for k in sorted(counts) if counts[k] < KILLS_EXISTING])
        if kind == "gc":
            # leftovers for gc to remove: a killed add's temporary files
            if rng.random() < 0.5:
                killed_run(["store", "add", store, pkgs[rng.randrange(NVERSIONS)],
                            "--allow-unsigned"], span_add / 2)
            killed, code, err = killed_run(["store", "gc", store], span_gc)
            if not killed and code != 0:
                raise Failure(f"store gc exited {code}\n{err}")
            counts["gc"] += killed
            # a killed add may have committed; the store says which
            for t in tags_of(store):
                committed.add(t.split(":", 1)[1])
        elif kind == "add":
            i = missing[0] if missing else rng.randrange(NVERSIONS)
            killed, code, err = killed_run(["store", "add", store, pkgs[i], "--allow-unsigned"],
                                           span_add)
            if not killed and code != 0:
                raise Failure(f"store add exited {code}\n{err}")
            if not killed:
                committed.add(f"1.0.{i}")
            counts["add"] += killed
        elif kind == "rm":
            # a version no alias points at, nor may point at after a kill
            aliased = set()
            for last_ok, maybe in aliases.values():
                aliased |= ({last_ok} if last_ok is not None else set()) | maybe
            free = sorted(v for v in committed if v not in aliased)
            if len(free) < 2:
                # bring a removed version back (a plain add, not killed) so
                # that removals go on after the killed adds are counted
                rm_skips += 1
                killed = False
                if missing:
                    run("store", "add", store, pkgs[missing[0]], "--allow-unsigned")
                    committed.add(f"1.0.{missing[0]}")
            else:
                v = rng.choice(free)
                killed, code, err = killed_run(["store", "rm", store, f"crash:{v}"], span_rm)
                if not killed and code != 0:
                    raise Failure(f"store rm exited {code}\n{err}")
                # a removal is short and its time moves with the machine's
                # load: keep the kill window near its current length
                span_rm = span_rm * 1.1 if killed else span_rm * 0.8
                # done, or killed after its commit: the tag is gone; killed
                # before: it is all there (check_store checks the rest)
                if not killed or f"crash:{v}" not in tags_of(store):
                    committed.discard(v)
                counts["rm"] += killed
        else:
            alias = rng.choice(sorted(aliases))
            version = rng.choice(sorted(committed))
            killed, code, err = killed_run(["store", "alias", store, "crash", alias, version],
                                           span_alias)
            if not killed and code != 0:
                raise Failure(f"store alias exited {code}\n{err}")
            last_ok, maybe = aliases[alias]
            aliases[alias] = (last_ok, maybe | {version}) if killed else (version, set())
            counts["alias"] += killed
            touched = [alias]
        kills += killed
        # every alias each 10th round; the one just moved every round
        check_store(store, committed, aliases, None if tries % 10 == 0 else touched)
    return kills, tries, counts


def racing_first_writers(work, pkgs):
    for r in range(ROUNDS_RACE):
        store = os.path.join(work, f"race{r}")
        # both wait on one pipe and start when it is closed
        gate_r, gate_w = os.pipe()
        procs = []
        for k in (0, 1):
            procs.append(subprocess.Popen(
                ["sh", "-c", 'read -r _; exec "$0" "$@"', CLI, "store", "add", store,
                 pkgs[k], "--allow-unsigned"],
                stdin=gate_r, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        os.close(gate_r)
        time.sleep(0.01)
        os.close(gate_w)
        for k, p in enumerate(procs):
            err = p.communicate()[1].decode(errors="replace")
            if p.returncode != 0:
                raise Failure(f"round {r}: first writer {k} exited {p.returncode}\n{err}")
        if sorted(tags_of(store)) != ["crash:1.0.0", "crash:1.0.1"]:
            raise Failure(f"round {r}: tags {sorted(tags_of(store))}")
        run("store", "check", store)
    return ROUNDS_RACE


def main():
    print(f"store_crash: seed {SEED} (MLOPS_CRASH_SEED={SEED} repeats this run)", flush=True)
    work = tempfile.mkdtemp(prefix="mlops-store-crash-")
    try:
        t0 = time.monotonic()
        pkgs = make_packages(work)
        kn, tn = new_directories(work, pkgs)
        print(f"store add into a new directory: {kn} kills in {tn} runs, every store finished",
              flush=True)
        ke, te, counts = existing_store(work, pkgs)
        print(f"existing store: {ke} kills in {te} runs ({counts['add']} store add, "
              f"{counts['alias']} store alias, {counts['gc']} store gc, {counts['rm']} store rm), "
              f"every invariant held", flush=True)
        rounds = racing_first_writers(work, pkgs)
        print(f"two concurrent first writers: both succeeded in {rounds} of {rounds} rounds")
        print(f"store_crash: {kn + ke} SIGKILLs, ok ({time.monotonic() - t0:.1f} s)")
    except Failure as exc:
        print(f"store_crash: FAILED (seed {SEED}): {exc}", file=sys.stderr)
        print(f"the work directory is kept: {work}", file=sys.stderr)
        return 1
    shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
