#!/usr/bin/env python3
"""I/O and thread fault injection over every writing command of `mlops`.

SPDX-License-Identifier: Apache-2.0

Usage: check_io_faults.py MLOPS LIBIOFAULT_SO SOURCE_ROOT [--full|--quick] [--only OP]

For each writing operation (pack, sign, extract, store add / alias / gc /
export, layout-export, profile build -o, policy eval --state-out, detect
--state-out, drift -o / --html) and each class of system call the
interposer (iofault.c) knows, the operation is first run with the calls
counted, then again with call N failing, for N = 1, 2, ... (every N up to
24 calls, a spread of them beyond; every N with --full). --quick, as a
sanitizer build runs it, tries 4 points per class and only the hard errors. After a failure
(ENOSPC for writes, EIO otherwise):

  - the command exits 1 or 2 (never a signal, never 0 with different
    output) and says why, with the errno's text;
  - the destination is absent, or holds its old content;
  - no temporary file is left beside it (for a store: none that
    `mlops store gc` does not remove), and a store still passes
    `mlops store check` with every committed reference resolving as before.

EINTR and short counts on read/write, and a failing pthread_create, must not
fail the operation at all: the output is the same as without the fault.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

ERRNO_TEXT = {"ENOSPC": os.strerror(28), "EIO": os.strerror(5)}
CLASSES = ["open", "read", "write", "fsync", "rename", "link", "unlink", "mkdir", "close",
           "trunc", "chmod"]
CREATED = "2026-01-01T00:00:00Z"


class Failure(Exception):
    pass


def tree_digest(path):
    """A digest of a file or a directory tree (names, modes' type, bytes)."""
    if not os.path.lexists(path):
        return None
    if os.path.isfile(path):
        return hashlib.sha256(open(path, "rb").read()).hexdigest()
    h = hashlib.sha256()
    for dirpath, dirs, files in sorted(os.walk(path)):
        dirs.sort()
        for name in sorted(files):
            p = os.path.join(dirpath, name)
            h.update(os.path.relpath(p, path).encode() + b"\0")
            h.update(open(p, "rb").read())
    return h.hexdigest()


class Driver:
    def __init__(self, mlops, shim, source, full, quick):
        self.mlops, self.shim, self.source, self.full = mlops, shim, source, full
        self.spread = 4 if quick else 24
        self.quick = quick
        # on a tmpfs where there is one: thousands of runs, each with fsyncs
        shm = "/dev/shm"
        where = shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None
        self.base = tempfile.mkdtemp(prefix="iofault-", dir=where)
        self.runs = 0
        self.errors = []

    def run(self, argv, cwd, fault=None, timeout=60):
        env = dict(os.environ)
        env.pop("IOFAULT_N", None)
        report = os.path.join(self.base, "report")
        if fault:
            if os.path.exists(report):
                os.unlink(report)
            env.update({"LD_PRELOAD": self.shim, "IOFAULT_ROOT": cwd,
                        "IOFAULT_REPORT": report, "IOFAULT_CLASS": fault[0],
                        "IOFAULT_N": str(fault[1]), "IOFAULT_ERR": fault[2],
                        # a full disk stays full; other failures are one-off
                        "IOFAULT_STICKY": "1" if fault[2] == "ENOSPC" else "0",
                        # preloaded ahead of a sanitizer runtime
                        "ASAN_OPTIONS": env.get("ASAN_OPTIONS", "") +
                        ":verify_asan_link_order=0"})
        self.runs += 1
        try:
            r = subprocess.run([self.mlops] + argv, cwd=cwd, env=env, capture_output=True,
                               timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Failure(f"{argv[0]} hung with {fault}")
        calls = failed = 0
        if fault and os.path.exists(report):
            fields = dict(kv.split("=") for kv in open(report).read().split()[1:])
            calls, failed = int(fields["calls"]), int(fields["failed"])
        return r, calls, failed

    # ---- fixtures ---------------------------------------------------------

    def fixtures(self):
        d = os.path.join(self.base, "fixtures")
        os.makedirs(os.path.join(d, "model", "sub"))
        with open(os.path.join(d, "model", "weights.bin"), "wb") as f:
            f.write(hashlib.sha256(b"w").digest() * 20000)  # 640 KiB: a raw layer
        with open(os.path.join(d, "model", "config.json"), "w") as f:
            f.write('{"layers": 3}\n')
        with open(os.path.join(d, "model", "sub", "vocab.txt"), "w") as f:
            f.write("a\nb\nc\n")
        ok = lambda argv: self.must(argv, d)
        ok(["keygen", "-o", "key"])
        ok(["keygen", "-o", "key2"])
        ok(["pack", "model", "-o", "v1.mlpkg", "--name", "m", "--version", "1.0.0",
            "--created", CREATED, "--key", "key"])
        with open(os.path.join(d, "model", "config.json"), "w") as f:
            f.write('{"layers": 4}\n')
        ok(["pack", "model", "-o", "v2.mlpkg", "--name", "m", "--version", "2.0.0",
            "--created", CREATED, "--key", "key"])
        ok(["store", "add", "store", "v1.mlpkg", "--trust", "key.pub"])
        ok(["store", "alias", "store", "m", "prod", "1.0.0"])
        shutil.copytree(os.path.join(d, "store"), os.path.join(d, "store2"))
        ok(["store", "add", "store2", "v2.mlpkg", "--trust", "key.pub"])
        os.makedirs(os.path.join(d, "layout"))
        with tarfile.open(os.path.join(d, "v1.mlpkg")) as t:
            t.extractall(os.path.join(d, "layout"), filter="data")
        src = os.path.join(self.source, "examples", "data", "diamonds")
        for name, rows in (("reference.csv", 1500), ("window-01.csv", 600)):
            with open(os.path.join(src, name)) as f, open(os.path.join(d, name), "w") as g:
                for i, line in enumerate(f):
                    if i > rows:
                        break
                    g.write(line)
        shutil.copy(os.path.join(self.source, "examples", "policies", "drift-retrain.json"),
                    os.path.join(d, "policy.json"))
        with open(os.path.join(d, "series.csv"), "w") as f:
            f.write("v\n" + "".join(f"{(i * 7919) % 100 / 10.0}\n" for i in range(400)))
        self.fix = d

    def must(self, argv, cwd):
        r, _, _ = self.run(argv, cwd)
        if r.returncode != 0:
            raise Failure(f"setup: mlops {' '.join(argv)}: {r.stderr.decode()}")
        return r

    # ---- operations ---------------------------------------------------------

    def ops(self):
        store_refs = ["m:1.0.0", "m:prod"]
        return [
            # name, argv, the files it writes, pre-existing content?, store or None
            ("pack", ["pack", "model", "-o", "out.mlpkg", "--name", "m", "--version", "3.0.0",
                      "--created", CREATED, "--key", "key", "--force"], ["out.mlpkg"], True, None),
            ("sign", ["sign", "v1.mlpkg", "-o", "out.mlpkg", "--key", "key2", "--trust",
                      "key.pub"], ["out.mlpkg"], False, None),
            ("extract", ["extract", "v1.mlpkg", "dest", "--trust", "key.pub"], ["dest"], False,
             None),
            ("store add", ["store", "add", "store", "v2.mlpkg", "--trust", "key.pub"], [], False,
             ("store", store_refs)),
            ("store add (new store)", ["store", "add", "new", "v1.mlpkg", "--trust", "key.pub"],
             [], False, ("new", [])),
            ("store alias", ["store", "alias", "store2", "m", "prod", "2.0.0"], [], False,
             ("store2", ["m:1.0.0", "m:2.0.0"])),
            ("store gc", ["store", "gc", "store2"], [], False,
             ("store2", ["m:1.0.0", "m:2.0.0", "m:prod"])),
            ("store export", ["store", "export", "store", "m:prod", "out.mlpkg", "--force"],
             ["out.mlpkg"], True, None),
            ("layout-export", ["layout-export", "layout", "1.0.0", "-o", "out.mlpkg"],
             ["out.mlpkg"], False, None),
            ("profile build", ["profile", "build", "reference.csv", "--column", "price", "-o",
                               "out.prof", "--bins", "8"], ["out.prof"], True, None),
            ("policy eval --state-out", ["policy", "eval", "policy.json", "--now", CREATED,
                                         "--signal", "psi.a=0.5", "--state-out", "state.json"],
             ["state.json"], True, None),
            ("detect --state-out", ["detect", "series.csv", "--state-out", "det.bin"],
             ["det.bin"], False, None),
            ("drift -o --html", ["drift", "reference.csv", "window-01.csv", "--format",
                                 "prometheus", "-o", "out.prom", "--html", "out.html"],
             ["out.prom", "out.html"], True, None),
        ]

    def fresh(self, name):
        d = os.path.join(self.base, "w")
        if os.path.exists(d):
            shutil.rmtree(d)
        # inputs no command changes are hard links; the stores, which the
        # store commands change (some files in place), are copied
        def copy(src, dst):
            rel = os.path.relpath(src, self.fix)
            if rel.split(os.sep)[0] in ("store", "store2"):
                return shutil.copy2(src, dst)
            return os.link(src, dst)
        shutil.copytree(self.fix, d, symlinks=True, copy_function=copy)
        return d

    def state(self, d, outputs, store):
        """What the operation's outcome is judged by."""
        s = {o: tree_digest(os.path.join(d, o)) for o in outputs}
        if store:
            sdir, refs = store
            for ref in refs:
                r, _, _ = self.run(["store", "resolve", sdir, ref], d)
                s[ref] = r.stdout.decode().strip() if r.returncode == 0 else None
        return s

    def leftovers(self, d, before, store):
        """Files that a run left and that are neither its outputs nor gone after gc."""
        now = set()
        for dirpath, dirs, files in os.walk(d):
            for n in files + dirs:
                now.add(os.path.relpath(os.path.join(dirpath, n), d))
        extra = {p for p in now - before}
        return extra

    def check_op(self, name, argv, outputs, preexisting, store):
        d = self.fresh(name)
        if preexisting:
            for o in outputs:
                with open(os.path.join(d, o), "w") as f:
                    f.write("old content\n")
        old = self.state(d, outputs, store)
        r, _, _ = self.run(argv, d)
        if r.returncode not in (0, 1):
            raise Failure(f"{name}: baseline run failed: {r.stderr.decode()}")
        good_rc = r.returncode
        good = self.state(d, outputs, store)
        expected_files = self.files(d)
        counts = {}
        for cls in CLASSES + ["thread"]:
            d = self.fresh(name)
            if preexisting:
                for o in outputs:
                    with open(os.path.join(d, o), "w") as f:
                        f.write("old content\n")
            _, calls, _ = self.run(argv, d, (cls, 0, "EIO"))
            counts[cls] = calls
        for cls, calls in counts.items():
            if not calls:
                continue
            if cls == "thread":
                errs = ["EAGAIN"]
            elif cls in ("read", "write"):
                errs = ["ENOSPC" if cls == "write" else "EIO", "EINTR", "short"]
            else:
                errs = ["EIO"]
            if self.quick:
                errs = errs[:1]  # the absorbed faults are the normal build's
            for err in errs:
                # every call, or (quick mode, and the absorbed faults) a spread
                # of them: the first ones, the last ones and some between
                limit = self.spread if err in ERRNO_TEXT else max(2, self.spread // 3)
                if self.full or calls <= limit:
                    ns = list(range(1, calls + 1))
                else:
                    ns = sorted(set(list(range(1, limit // 2 + 1)) +
                                    list(range(calls - 2, calls + 1)) +
                                    [1 + (calls - 1) * k // (limit // 2) for k in
                                     range(limit // 2 + 1)]))
                for n in ns:
                    self.one(name, argv, outputs, preexisting, store, (cls, n, err), old, good,
                             good_rc, expected_files)
        return counts

    def files(self, d):
        out = set()
        for dirpath, dirs, files in os.walk(d):
            for n in files + dirs:
                out.add(os.path.relpath(os.path.join(dirpath, n), d))
        return out

    def one(self, name, argv, outputs, preexisting, store, fault, old, good, good_rc,
            expected_files):
        d = self.fresh(name)
        if preexisting:
            for o in outputs:
                with open(os.path.join(d, o), "w") as f:
                    f.write("old content\n")
        before = self.files(d)
        r, _, failed = self.run(argv, d, fault)
        what = f"{name} with {fault[0]} call {fault[1]} failing ({fault[2]})"
        err = r.stderr.decode(errors="replace")
        if r.returncode < 0:
            self.errors.append(f"{what}: killed by signal {-r.returncode}: {err[-500:]}")
            return
        if not failed:
            return
        now = self.state(d, outputs, store)
        transparent = fault[2] not in ERRNO_TEXT
        if transparent or r.returncode == good_rc == 0 and now == good:
            # EINTR, short counts and thread failures are absorbed; an ignored
            # failure is fine when the result is the same
            if r.returncode != good_rc or now != good:
                self.errors.append(f"{what}: exit {r.returncode} (want {good_rc}), result "
                                   f"{'same' if now == good else 'different'}: {err[-400:]}")
                return
            extra = self.files(d) - expected_files
            if extra:
                self.errors.append(f"{what}: left {sorted(extra)}")
            return
        if r.returncode not in (1, 2):
            self.errors.append(f"{what}: exit {r.returncode}: {err[-400:]}")
            return
        if ERRNO_TEXT[fault[2]] not in err:
            self.errors.append(f"{what}: the message does not say "
                               f"'{ERRNO_TEXT[fault[2]]}': {err.strip()[-400:]}")
        for o in outputs:
            # complete is possible too: a failure after the rename (the
            # directory's fsync) is reported although the file is in place
            if now[o] not in (old[o], good[o]):
                self.errors.append(f"{what}: {o} is neither absent/old nor complete")
        if store:
            sdir = store[0]
            for ref in store[1]:
                if now.get(ref) is None and old.get(ref) is not None:
                    self.errors.append(f"{what}: {ref} no longer resolves")
                elif ref in now and now[ref] not in (old.get(ref), good.get(ref)):
                    self.errors.append(f"{what}: {ref} resolves to {now[ref]}")
            if os.path.isdir(os.path.join(d, sdir)) and \
                    os.path.exists(os.path.join(d, sdir, "index.json")):
                rc, _, _ = self.run(["store", "check", sdir], d)
                if rc.returncode != 0:
                    self.errors.append(f"{what}: store check fails: {rc.stderr.decode()}")
                rc, _, _ = self.run(["store", "gc", sdir], d)
                if rc.returncode != 0:
                    self.errors.append(f"{what}: store gc fails: {rc.stderr.decode()}")
        extra = {p for p in self.files(d) - before
                 if not (store and p.startswith(store[0] + os.sep) or p == (store or [""])[0])}
        # a new store directory may stay (created empty, or partly: the next
        # writer finishes it); anything else new must be a complete output
        extra = {p for p in extra if p not in outputs and not any(
            p.startswith(o + os.sep) for o in outputs if now.get(o) == good.get(o))}
        if extra:
            self.errors.append(f"{what}: left {sorted(extra)}")
        if store and os.path.isdir(os.path.join(d, store[0])):
            tmp = [p for p in self.files(os.path.join(d, store[0])) if ".tmp" in p]
            if tmp:
                self.errors.append(f"{what}: temporaries left after store gc: {tmp}")


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    only = None
    if "--only" in argv:
        only = argv[argv.index("--only") + 1]
        args.remove(only)
    if len(args) != 3:
        sys.exit(__doc__)
    drv = Driver(os.path.abspath(args[0]), os.path.abspath(args[1]), args[2], "--full" in argv,
                 "--quick" in argv)
    start = time.time()
    try:
        drv.fixtures()
        for name, op_argv, outputs, pre, store in drv.ops():
            if only and only != name:
                continue
            t = time.time()
            counts = drv.check_op(name, op_argv, outputs, pre, store)
            print(f"{name}: {time.time() - t:.1f}s, calls " +
                  " ".join(f"{k}={v}" for k, v in counts.items() if v), flush=True)
    except Failure as e:
        drv.errors.append(str(e))
    finally:
        shutil.rmtree(drv.base, ignore_errors=True)
    print(f"{drv.runs} runs in {time.time() - start:.0f}s; {len(drv.errors)} problems")
    for e in drv.errors:
        print("FAIL:", e)
    return 1 if drv.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
