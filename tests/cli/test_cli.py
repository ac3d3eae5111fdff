"""The `mlops` command driven as a user would: real files, real exit codes.

Oracles: hashlib for digests, the SemVer specification's precedence examples.
MLOPS_CLI names the binary under test (meson test sets it).
"""
import hashlib
import json
import os
import subprocess

import pytest

CLI = os.environ.get("MLOPS_CLI", "mlops")


def run(*args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([CLI, *args], capture_output=True, text=True, env=e)


def test_no_arguments_prints_help_and_exits_2():
    r = run()
    assert r.returncode == 2
    assert "usage: mlops COMMAND" in r.stderr


def test_help_lists_every_command_and_exit_codes():
    r = run("--help")
    assert r.returncode == 0
    for name in ("digest", "semver", "version"):
        assert f"  {name} " in r.stdout
    assert "1 negative verdict" in r.stdout


@pytest.mark.parametrize("cmd", ["digest", "semver", "version"])
def test_every_command_has_help(cmd):
    r = run(cmd, "--help")
    assert r.returncode == 0
    assert r.stdout.startswith(f"usage: mlops {cmd}")


def test_unknown_command_and_unknown_flag_are_usage_errors():
    r = run("frobnicate")
    assert r.returncode == 2 and "unknown command 'frobnicate'" in r.stderr
    r = run("digest", "--frobnicate", "x")
    assert r.returncode == 2 and "unknown option '--frobnicate'" in r.stderr


def test_version_human_and_json():
    r = run("version")
    assert r.returncode == 0 and r.stdout.startswith("libmlops 0.")
    j = json.loads(run("version", "--json").stdout)
    assert j["abi_major"] == 0 and j["version"].count(".") == 2


def test_digest_matches_hashlib(tmp_path):
    files = []
    for i, size in enumerate((0, 1, 1 << 20, 3 * (1 << 20) + 7)):
        p = tmp_path / f"f{i}.bin"
        p.write_bytes(os.urandom(size))
        files.append(p)
    r = run("digest", *map(str, files))
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert len(lines) == len(files)
    for line, p in zip(lines, files):
        assert line == f"sha256:{hashlib.sha256(p.read_bytes()).hexdigest()}  {p}"
    j = json.loads(run("digest", "--json", *map(str, files)).stdout)
    assert [x["digest"] for x in j] == [
        "sha256:" + hashlib.sha256(p.read_bytes()).hexdigest() for p in files]


def test_digest_missing_file_names_it_and_exits_2(tmp_path):
    ok = tmp_path / "ok"
    ok.write_bytes(b"abc")
    r = run("digest", str(tmp_path / "missing.onnx"), str(ok))
    assert r.returncode == 2
    assert "missing.onnx: cannot open: No such file or directory" in r.stderr
    # the readable file is still reported
    assert "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" in r.stdout


def test_digest_json_escapes_odd_names(tmp_path):
    p = tmp_path / 'a "quoted"\tname'
    p.write_bytes(b"abc")
    j = json.loads(run("digest", "--json", str(p)).stdout)
    assert j[0]["path"] == str(p)


def test_semver_compare_follows_the_spec():
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
               "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0"]
    for a, b in zip(ordered, ordered[1:]):
        r = run("semver", "compare", a, b)
        assert r.returncode == 0 and r.stdout.strip() == f"{a} < {b}"
        j = json.loads(run("semver", "compare", "--json", b, a).stdout)
        assert j == {"a": b, "b": a, "order": 1}
    assert run("semver", "compare", "1.0.0+x", "1.0.0+y").stdout.strip() == "1.0.0+x == 1.0.0+y"


@pytest.mark.parametrize("bad,why", [("1.2", "expected '.' after the minor version"),
                                     ("01.2.3", "leading zero"),
                                     ("1.2.3-", "empty pre-release identifier")])
def test_semver_validate_rejects_with_reason(bad, why):
    r = run("semver", "validate", bad)
    assert r.returncode == 2 and why in r.stderr
    j = json.loads(run("semver", "validate", "--json", bad).stdout)
    assert j["valid"] is False and why in j["error"]
    assert run("semver", "validate", "1.2.3-rc.1+b").returncode == 0


def test_no_color_and_pipes_get_no_escape_codes():
    r = run("semver", "compare", "1.0.0", "2.0.0", env={"NO_COLOR": "1"})
    assert "\033[" not in r.stdout + r.stderr
