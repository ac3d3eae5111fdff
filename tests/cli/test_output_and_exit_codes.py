"""How `mlops` writes its outputs, what --json prints when a command fails, and
its exit codes, command by command (docs/cli.md, "Output files", "JSON output"
and "Exit status").

Oracles: os.stat (a device stays a device, a FIFO a FIFO, a link a link),
tarfile (a package written into a pipe is a tar archive), hashlib (digests),
Python's json module (every --json stdout is exactly one JSON document), the
documented exit-code table.

Nothing here writes to a device of the machine: the device nodes are private
ones made with mknod in a temporary directory, the FIFOs are our own, and
the standard output is reached as /proc/self/fd/1 of the child.
"""
import hashlib
import json
import os
import shutil
import stat
import subprocess
import tarfile
import threading

import pytest

CLI = os.environ.get("MLOPS_CLI", "mlops")
HERE = os.path.dirname(__file__)
POLICIES = os.path.join(HERE, "..", "..", "examples", "policies")
RETRAIN = os.path.join(POLICIES, "drift-retrain.json")
GATE = os.path.join(POLICIES, "ci-promotion-gate.json")


def run(*args, timeout=120):
    return subprocess.run([CLI, *map(str, args)], capture_output=True, timeout=timeout)


def one_json_document(out: bytes):
    """stdout must be exactly one JSON document, valid UTF-8."""
    text = out.decode("utf-8")  # strict: a raw 0xFF byte fails here
    return json.loads(text)     # a second document or a partial one fails here


# ---------------------------------------------------------------------------
# fixtures: a signed package, a truncated and a tampered copy, a layout, data
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def w(tmp_path_factory):
    d = tmp_path_factory.mktemp("w")
    model = d / "model"
    (model / "weights").mkdir(parents=True)
    (model / "weights" / "model.onnx").write_bytes(os.urandom(300_000))
    (model / "config.json").write_text('{"threshold": 0.5}\n')
    for key in ("k.pem", "k2.pem"):
        r = run("keygen", "-o", d / key)
        assert r.returncode == 0, r.stderr
    good = d / "good.mlpkg"
    r = run("pack", model, "-o", good, "--name", "fraud", "--version", "1.0.0",
            "--created", "2026-11-26T10:00:00Z", "--key", d / "k.pem")
    assert r.returncode == 0, r.stderr
    data = good.read_bytes()
    (d / "trunc.mlpkg").write_bytes(data[: len(data) // 2])
    with tarfile.open(good) as t:
        big = max(t.getmembers(), key=lambda m: m.size)
        off = big.offset_data
    b = bytearray(data)
    b[off + 1000] ^= 0xFF
    (d / "tamper.mlpkg").write_bytes(bytes(b))
    # an OCI layout directory (what a registry pull gives) of each
    for name in ("good", "trunc", "tamper"):
        lay = d / f"layout-{name}"
        lay.mkdir()
        with tarfile.open(d / "good.mlpkg") as t:
            t.extractall(lay)
        blob = lay / big.name
        if name == "trunc":
            blob.write_bytes(blob.read_bytes()[: big.size // 2])
        elif name == "tamper":
            bb = bytearray(blob.read_bytes())
            bb[1000] ^= 0xFF
            blob.write_bytes(bytes(bb))
    (d / "d.csv").write_text("a\n" + "".join(f"{i % 7}\n" for i in range(200)))
    (d / "cur.csv").write_text("a\n" + "".join(f"{i % 7 + 3}\n" for i in range(200)))
    (d / "step.csv").write_text("v\n" + "".join("0\n" if i < 500 else "10\n"
                                                for i in range(1000)))
    store = d / "store"
    r = run("store", "add", store, good, "--trust", d / "k.pub.pem")
    assert r.returncode == 0, r.stderr
    return d


# The writers of the command: each takes an output path.
def writers(w):
    sig = ["--signal", "psi.amount=0.31@1000", "--signal", "psi.country=0.02@1000",
           "--now", "2026-01-01T00:00:00Z"]
    return {
        "profile build -o": ["profile", "build", w / "d.csv", "-o"],
        "drift --format prometheus -o": ["drift", "--format", "prometheus", w / "d.csv",
                                         w / "cur.csv", "-o"],
        "drift --html": ["drift", w / "d.csv", w / "cur.csv", "--html"],
        "policy eval --state-out": ["policy", "eval", RETRAIN, *sig, "--state-out"],
        "detect --state-out": ["detect", w / "step.csv", "--column", "v", "--state-out"],
        "pack -o --force": ["pack", w / "model", "--name", "fraud", "--version", "1.0.0",
                            "--created", "2026-11-26T10:00:00Z", "--force", "-o"],
        "sign -o --force": ["sign", w / "good.mlpkg", "--key", w / "k2.pem", "--trust",
                            w / "k.pub.pem", "--force", "-o"],
        "store export --force": ["store", "export", w / "store", "fraud:1.0.0", "--force"],
        "layout-export -o --force": ["layout-export", w / "layout-good", "1.0.0", "--force",
                                     "-o"],
    }


WRITERS = ["profile build -o", "drift --format prometheus -o", "drift --html",
           "policy eval --state-out", "detect --state-out", "pack -o --force",
           "sign -o --force", "store export --force", "layout-export -o --force"]
PACKAGE_WRITERS = {"pack -o --force", "sign -o --force", "store export --force",
                   "layout-export -o --force"}


def write_to(w, which, out):
    r = run(*writers(w)[which], out)
    # drift and detect report a verdict (1) when they find a change
    assert r.returncode in (0, 1), r.stderr
    return r


def check_content(which, data: bytes):
    assert data, "nothing was written"
    if which in PACKAGE_WRITERS:
        import io
        with tarfile.open(fileobj=io.BytesIO(data)) as t:
            assert "index.json" in t.getnames() and "oci-layout" in t.getnames()
    elif which == "policy eval --state-out":
        assert json.loads(data)["schema"] == "libmlops.policy-state/v1"
    elif which == "drift --format prometheus -o":
        assert b"# TYPE " in data
    elif which == "drift --html":
        assert data.lstrip().lower().startswith(b"<!doctype html")


def mknod_or_skip(path, minor):
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    except (PermissionError, OSError) as e:
        pytest.skip(f"cannot make a private device node: {e}")


# ---------------------------------------------------------------------------
# item: outputs are never renamed over a device, a FIFO or a symbolic link
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("which", WRITERS)
def test_output_to_a_character_device_writes_through_and_keeps_the_node(w, tmp_path, which):
    node = tmp_path / "null"
    mknod_or_skip(node, 3)  # a private null device, not the machine's /dev/null
    before = os.lstat(node)
    write_to(w, which, node)
    after = os.lstat(node)
    assert stat.S_ISCHR(after.st_mode), "the device node was replaced by a regular file"
    assert after.st_rdev == before.st_rdev and after.st_ino == before.st_ino
    assert sorted(os.listdir(tmp_path)) == ["null"]  # no temporary left beside it


def read_fifo_in_thread(path):
    got = {}

    def reader():
        with open(path, "rb") as f:
            got["data"] = f.read()
    t = threading.Thread(target=reader, daemon=True)
    t.start()
    return t, got


def unblock(path):
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
    except OSError:
        pass


@pytest.mark.parametrize("which", WRITERS)
def test_output_to_a_fifo_is_streamed_into_it(w, tmp_path, which):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    t, got = read_fifo_in_thread(fifo)
    try:
        write_to(w, which, fifo)
    finally:
        if stat.S_ISFIFO(os.lstat(fifo).st_mode):
            t.join(10)
            unblock(fifo)
        t.join(10)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced by a regular file"
    check_content(which, got.get("data", b""))
    assert sorted(os.listdir(tmp_path)) == ["pipe"]


@pytest.mark.parametrize("which", WRITERS)
def test_output_through_a_symlink_replaces_the_target_and_keeps_the_link(w, tmp_path, which):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "out.bin"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    # a chain: link1 -> sub/link2 (relative) -> ../real/out.bin (relative)
    (tmp_path / "sub").mkdir()
    os.symlink("../real/out.bin", tmp_path / "sub" / "link2")
    os.symlink("sub/link2", tmp_path / "link1")
    write_to(w, which, tmp_path / "link1")
    assert os.readlink(tmp_path / "link1") == "sub/link2"
    assert os.readlink(tmp_path / "sub" / "link2") == "../real/out.bin"
    data = target.read_bytes()
    assert data != b"old"
    check_content(which, data)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640  # the replaced file keeps its mode
    assert sorted(os.listdir(tmp_path / "real")) == ["out.bin"]
    assert sorted(os.listdir(tmp_path / "sub")) == ["link2"]


def test_a_dangling_symlink_creates_its_target(w, tmp_path):
    os.symlink("made.prof", tmp_path / "link")
    write_to(w, "profile build -o", tmp_path / "link")
    assert os.path.islink(tmp_path / "link")
    assert (tmp_path / "made.prof").stat().st_size > 0


def test_pack_without_force_still_refuses_an_existing_file_or_link(w, tmp_path):
    (tmp_path / "x.mlpkg").write_bytes(b"keep")
    os.symlink("x.mlpkg", tmp_path / "l.mlpkg")
    base = writers(w)["pack -o --force"]
    base = [a for a in base if a != "--force"]
    for out in ("x.mlpkg", "l.mlpkg"):
        r = run(*base, tmp_path / out)
        assert r.returncode == 2 and b"already exists" in r.stderr
    assert (tmp_path / "x.mlpkg").read_bytes() == b"keep"
    assert os.path.islink(tmp_path / "l.mlpkg")


def test_pack_into_a_device_needs_no_force_it_replaces_nothing(w, tmp_path):
    node = tmp_path / "null"
    mknod_or_skip(node, 3)
    base = [a for a in writers(w)["pack -o --force"] if a != "--force"]
    r = run(*base, node)
    assert r.returncode == 0, r.stderr
    assert stat.S_ISCHR(os.lstat(node).st_mode)


@pytest.mark.parametrize("which", ["profile build -o", "pack -o --force"])
def test_output_to_the_standard_output_by_descriptor(w, tmp_path, which):
    r = run(*writers(w)[which], "/proc/self/fd/1")
    assert r.returncode == 0, r.stderr
    check_content(which, r.stdout)
    if which == "profile build -o":
        write_to(w, which, tmp_path / "p.prof")
        # the same bytes as to a file (the human line goes to stdout after it)
        assert r.stdout.startswith((tmp_path / "p.prof").read_bytes())


def test_a_directory_or_socket_as_output_is_refused(w, tmp_path):
    (tmp_path / "dir").mkdir()
    r = run(*writers(w)["profile build -o"], tmp_path / "dir")
    assert r.returncode == 2 and b"dir" in r.stderr
    assert (tmp_path / "dir").is_dir() and os.listdir(tmp_path / "dir") == []


@pytest.mark.parametrize("which", ["profile build -o", "drift --html", "pack -o --force",
                                   "policy eval --state-out"])
def test_a_full_device_is_an_error_with_errno_and_stays_a_device(w, tmp_path, which):
    node = tmp_path / "full"
    mknod_or_skip(node, 7)  # a private "full" device: every write fails with ENOSPC
    r = run(*writers(w)[which], node)
    assert r.returncode == 2
    assert os.strerror(28).encode() in r.stderr  # "No space left on device"
    assert stat.S_ISCHR(os.lstat(node).st_mode)


@pytest.fixture
def full_disk(tmp_path):
    """A 64 KiB tmpfs (root only): skipped, saying so, where mounting is impossible."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)],
                       capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {r.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


@pytest.mark.parametrize("which", ["drift --html", "profile build -o", "pack -o --force",
                                   "policy eval --state-out"])
def test_a_full_disk_leaves_the_old_file_whole_and_no_temporary(w, full_disk, which):
    out = full_disk / "out.bin"
    out.write_bytes(b"OLD REPORT")
    # fill the file system
    fd = os.open(full_disk / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, b"\0" * 512)
    except OSError as e:
        assert e.errno == 28
    finally:
        os.close(fd)
    r = run(*writers(w)[which], out)
    assert r.returncode == 2, r.stderr
    assert os.strerror(28).encode() in r.stderr
    assert out.read_bytes() == b"OLD REPORT"
    assert sorted(os.listdir(full_disk)) == ["filler", "out.bin"]


def test_keygen_never_replaces_and_leaves_nothing_on_failure(w, tmp_path):
    (tmp_path / "k.pem").write_text("keep")
    r = run("keygen", "-o", tmp_path / "k.pem")
    assert r.returncode == 2 and (tmp_path / "k.pem").read_text() == "keep"
    # the private key is written, the public one exists: the new private key is removed
    (tmp_path / "n.pub.pem").write_text("keep")
    r = run("keygen", "-o", tmp_path / "n.pem")
    assert r.returncode == 2
    assert sorted(os.listdir(tmp_path)) == ["k.pem", "n.pub.pem"]


# ---------------------------------------------------------------------------
# item: --json prints exactly one JSON document, on failure too
# ---------------------------------------------------------------------------

def failure_cases(w, tmp):
    (tmp / "exists.mlpkg").write_bytes(b"x")
    (tmp / "bad-policy.json").write_text('{"schema": "libmlops.policy/v1",\n "rules": [\n')
    (tmp / "junk.state").write_bytes(b"\x00junk")
    (tmp / "bad.prof").write_bytes(b"MLPF" + os.urandom(60))
    (tmp / "log.jsonl").write_text('{"now_ms": 1767225600000, "signals": {}}\n{not json\n')
    (tmp / "bad-manifest.json").write_text('{"_type": 5}')
    k, pub, good, trunc = w / "k.pem", w / "k.pub.pem", w / "good.mlpkg", w / "trunc.mlpkg"
    missing = tmp / "missing"
    # (arguments, exit status, error code: exact, or a prefix ending in "_")
    return [
        (["verify", missing, "--allow-unsigned"], 2, "MLOPS_E_IO"),
        (["verify", good], 2, "usage"),
        (["verify", "--bogus", good], 2, "usage"),
        (["extract", trunc, tmp / "x", "--trust", pub], 1, "MLOPS_E_"),
        (["extract", w / "tamper.mlpkg", tmp / "x", "--trust", pub], 1, "MLOPS_E_INTEGRITY"),
        (["store", "add", tmp / "st", trunc, "--trust", pub], 1, "MLOPS_E_"),
        (["store", "add", tmp / "st", missing, "--trust", pub], 2, "MLOPS_E_IO"),
        (["store", "frob", tmp / "st"], 2, "usage"),
        (["inspect", trunc], 1, "MLOPS_E_"),
        (["inspect", tmp / "bad-manifest.json"], 2, "MLOPS_E_"),
        (["diff", good, missing], 2, "input"),
        (["sign", trunc, "-o", tmp / "s.mlpkg", "--key", k, "--trust", pub], 1, "MLOPS_E_"),
        (["sign", good, "-o", tmp / "s.mlpkg", "--key", pub, "--trust", pub], 2, "input"),
        (["layout-export", missing, "1.0.0", "-o", tmp / "l.mlpkg"], 2, "MLOPS_E_"),
        (["layout-export", w / "layout-good", "9.9.9", "-o", tmp / "l.mlpkg"], 2, "MLOPS_E_"),
        (["pack", missing, "-o", tmp / "p.mlpkg", "--name", "m", "--version", "1.0.0"], 2,
         "input"),
        (["pack", w / "model", "-o", tmp / "exists.mlpkg", "--name", "m", "--version",
          "1.0.0"], 2, "MLOPS_E_EXISTS"),
        (["keygen", "-o", tmp / "exists.mlpkg"], 2, "input"),
        (["keygen"], 2, "usage"),
        (["gate", GATE, "--candidate", missing], 2, ""),
        (["policy", "lint", tmp / "bad-policy.json"], 2, "MLOPS_E_PARSE"),
        (["policy", "eval", RETRAIN, "--now", "yesterday"], 2, "usage"),
        (["policy", "eval", RETRAIN, "--state-in", tmp / "junk.state"], 2, "MLOPS_E_"),
        (["policy", "replay", RETRAIN, tmp / "log.jsonl"], 2, "MLOPS_E_"),
        (["profile", "show", tmp / "bad.prof"], 2, "MLOPS_E_"),
        (["profile", "build", missing, "-o", tmp / "o.prof"], 2, ""),
        (["profile", "frob"], 2, "usage"),
        (["detect", w / "step.csv", "--column", "nosuch"], 2, ""),
        (["detect", w / "step.csv", "--column", "v", "--state-in", tmp / "junk.state"], 2,
         "MLOPS_E_"),
        (["drift", w / "d.csv", missing], 2, ""),
        (["drift", "--format", "bogus", w / "d.csv", w / "cur.csv"], 2, "usage"),
        (["semver", "compare", "1.0", "2.0.0"], 2, "MLOPS_E_PARSE"),
        (["semver", "frob"], 2, "usage"),
        (["digest"], 2, "usage"),
        (["version", "--bogus"], 2, "usage"),
        (["frobnicate"], 2, "usage"),
    ]


def test_every_failure_prints_one_json_error_document(w, tmp_path):
    cases = failure_cases(w, tmp_path)
    assert len(cases) >= 21
    for args, status, code in cases:
        r = run(*args, "--json")
        where = f"mlops {' '.join(map(str, args))} --json: {r.stdout!r} {r.stderr!r}"
        assert r.returncode == status, where
        doc = one_json_document(r.stdout)
        assert set(doc) == {"error"}, where
        e = doc["error"]
        assert isinstance(e["message"], str) and e["message"], where
        assert e["exit_status"] == status, where
        if code.endswith("_") or code == "":
            assert e["code"].startswith(code), where
        else:
            assert e["code"] == code, where
        # the message is the one on stderr
        assert e["message"].encode() in r.stderr, where


def test_error_document_carries_path_line_column_offset(w, tmp_path):
    bad = tmp_path / "p.json"
    bad.write_text('{"schema": "libmlops.policy/v1",\n "rules": [\n')
    r = run("policy", "lint", "--json", bad)
    e = one_json_document(r.stdout)["error"]
    # the document ends on line 3, column 1, at byte 45 (len of the text)
    assert (e["code"], e["line"], e["column"], e["offset"]) == \
        ("MLOPS_E_PARSE", 3, 1, len(bad.read_bytes()))
    r = run("verify", "--json", tmp_path / "none.mlpkg", "--allow-unsigned")
    e = one_json_document(r.stdout)["error"]
    assert e["code"] == "MLOPS_E_IO" and e["path"] == str(tmp_path / "none.mlpkg")
    # errors of the inputs the command reads itself: the file and the line
    csv = tmp_path / "t.csv"
    csv.write_text("a,b\n1,2\n3,4\n5\n")
    r = run("profile", "build", "--json", csv, "--column", "a", "-o", tmp_path / "o.prof")
    e = one_json_document(r.stdout)["error"]
    assert (e["code"], e["path"], e["line"]) == ("input", str(csv), 4)
    sig = tmp_path / "w.signals"
    sig.write_text("psi.amount 0.31\npsi.country zero\n")
    r = run("policy", "eval", "--json", RETRAIN, "--signals", sig)
    e = one_json_document(r.stdout)["error"]
    assert r.returncode == 2 and (e["path"], e["line"]) == (str(sig), 2)


def test_json_option_after_an_unknown_option_still_gives_json(w):
    r = run("drift", "--frob", "--json")
    assert r.returncode == 2 and one_json_document(r.stdout)["error"]["code"] == "usage"


def test_a_refused_package_gives_one_document_with_verify(w):
    for p in ("trunc.mlpkg", "tamper.mlpkg"):
        r = run("verify", "--json", w / p, "--trust", w / "k.pub.pem")
        assert r.returncode == 1
        one_json_document(r.stdout)


def test_digest_json_is_valid_for_a_name_that_is_not_utf8(tmp_path):
    name = os.path.join(os.fsencode(tmp_path), b"a\xffb.bin")
    with open(name, "wb") as f:
        f.write(b"hello")
    good = tmp_path / "ok.txt"
    good.write_bytes(b"x" * 10)
    r = subprocess.run([CLI, "digest", "--json", name, os.fsencode(good),
                        os.fsencode(tmp_path / "missing")], capture_output=True)
    assert r.returncode == 2
    doc = one_json_document(r.stdout)
    assert doc[0]["path"] == str(tmp_path) + "/a\ufffdb.bin"
    assert doc[0]["digest"] == "sha256:" + hashlib.sha256(b"hello").hexdigest()
    assert doc[1]["digest"] == "sha256:" + hashlib.sha256(b"x" * 10).hexdigest()
    # the unreadable file is in the document, as the exit status says
    assert doc[2]["path"] == str(tmp_path / "missing")
    assert doc[2]["error"]["code"] == "MLOPS_E_IO"


@pytest.mark.parametrize("raw,shown", [(b"\xc0\xaf", "\ufffd\ufffd"),      # overlong '/'
                                       (b"\xed\xa0\x80", "\ufffd" * 3),     # a surrogate
                                       (b"\xf4\x90\x80\x80", "\ufffd" * 4),  # > U+10FFFF
                                       (b"\xe2\x82", "\ufffd\ufffd"),       # cut short
                                       ("é€😀".encode(), "é€😀")])           # valid: kept
def test_json_strings_escape_every_invalid_utf8_sequence(tmp_path, raw, shown):
    name = os.path.join(os.fsencode(tmp_path), b"f" + raw)
    with open(name, "wb") as f:
        f.write(b"")
    r = subprocess.run([CLI, "digest", "--json", name], capture_output=True)
    assert r.returncode == 0
    assert one_json_document(r.stdout)[0]["path"] == str(tmp_path) + "/f" + shown


# ---------------------------------------------------------------------------
# item: one exit-code table for every command
# ---------------------------------------------------------------------------

PACKAGE_COMMANDS = {
    "verify": lambda w, p, t: ["verify", p, "--trust", w / "k.pub.pem"],
    "extract": lambda w, p, t: ["extract", p, t / "dest", "--trust", w / "k.pub.pem"],
    "store add": lambda w, p, t: ["store", "add", t / "st", p, "--trust", w / "k.pub.pem"],
    "inspect": lambda w, p, t: ["inspect", p],
    "diff": lambda w, p, t: ["diff", p, w / "good.mlpkg"],
    "sign": lambda w, p, t: ["sign", p, "-o", t / "s.mlpkg", "--key", w / "k2.pem",
                             "--trust", w / "k.pub.pem"],
}


@pytest.mark.parametrize("pkg,status", [("good", 0), ("trunc", 1), ("tamper", 1)])
@pytest.mark.parametrize("cmd", sorted(PACKAGE_COMMANDS) + ["layout-export"])
def test_the_same_package_gets_the_same_exit_status_from_every_command(w, tmp_path, cmd, pkg,
                                                                       status):
    if cmd == "layout-export":
        args = ["layout-export", w / f"layout-{pkg}", "1.0.0", "-o", tmp_path / "l.mlpkg"]
    else:
        args = PACKAGE_COMMANDS[cmd](w, w / f"{pkg}.mlpkg", tmp_path)
    r = run(*args)
    assert r.returncode == status, r.stderr
    if status:
        # refused: nothing was written
        assert not (tmp_path / "dest").exists() and not (tmp_path / "s.mlpkg").exists()
        assert not (tmp_path / "l.mlpkg").exists()
        assert sorted(os.listdir(tmp_path)) in ([], ["st"])
    r = run(*args[:1], "--json", *args[1:]) if cmd != "store add" else \
        run("store", "--json", *args[1:])
    if status == 0 and cmd in ("extract", "sign", "layout-export"):
        return  # the output exists now; the --json run is the failure table's business
    assert r.returncode == status
    one_json_document(r.stdout)


def test_a_missing_or_unreadable_package_is_2_for_every_command(w, tmp_path):
    for cmd, f in PACKAGE_COMMANDS.items():
        r = run(*f(w, tmp_path / "none.mlpkg", tmp_path))
        assert r.returncode == 2, (cmd, r.stderr)
    r = run("layout-export", tmp_path / "none", "1.0.0", "-o", tmp_path / "l.mlpkg")
    assert r.returncode == 2


def test_exit_status_of_the_other_commands(w, tmp_path):
    # verdicts (1) and inputs (2), command by command
    assert run("detect", w / "step.csv", "--column", "v").returncode == 1  # change found
    assert run("detect", w / "step.csv", "--column", "nosuch").returncode == 2
    assert run("gate", GATE, "--candidate", tmp_path / "missing").returncode == 2
    bad = tmp_path / "p.json"
    bad.write_text('{"schema": "libmlops.policy/v1",')
    assert run("policy", "lint", bad).returncode == 2
    pol = json.load(open(RETRAIN))
    pol["rules"][1]["when"]["over"] = "psii.*"
    (tmp_path / "lint.json").write_text(json.dumps(pol))
    assert run("policy", "lint", tmp_path / "lint.json").returncode == 1  # a finding
    (tmp_path / "bad.prof").write_bytes(b"MLPF" + os.urandom(60))
    assert run("profile", "show", tmp_path / "bad.prof").returncode == 2
    assert run("drift", w / "d.csv", tmp_path / "missing.csv").returncode == 2
    assert run("digest", tmp_path / "missing").returncode == 2
    assert run("semver", "validate", "1.0").returncode == 2
    assert run("semver", "compare", "1.0.0", "2.0.0").returncode == 0
    (tmp_path / "k.pem").write_text("x")
    assert run("keygen", "-o", tmp_path / "k.pem").returncode == 2
    # a damaged store blob is a negative verdict of 'store check'
    st = tmp_path / "store"
    assert run("store", "add", st, w / "good.mlpkg", "--trust", w / "k.pub.pem").returncode == 0
    blobs = sorted((st / "blobs" / "sha256").iterdir(), key=lambda p: p.stat().st_size)
    os.chmod(blobs[-1], 0o644)
    data = bytearray(blobs[-1].read_bytes())
    data[100] ^= 1
    blobs[-1].write_bytes(bytes(data))
    assert run("store", "check", st).returncode == 1


def test_help_man_page_and_docs_state_the_same_table():
    top = run("--help").stdout.decode()
    assert "1 negative verdict" in top and "2 usage or unreadable input" in top
    root = os.path.join(HERE, "..", "..")
    man = open(os.path.join(root, "src", "cli", "mlops.1")).read()
    doc = open(os.path.join(root, "docs", "cli.md")).read()
    for text in (man, doc):
        assert "MLOPS_E_INTEGRITY" in text and "MLOPS_E_PARSE" in text
