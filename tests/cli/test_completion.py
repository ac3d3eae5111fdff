"""Bash and zsh completions (src/cli/completions), generated at build time from
the built command's --help.

Oracles: the C sources themselves: the command table of src/cli/main.c and
the `cli_opt` tables (and the repeatable options each command collects
before them) of every src/cli/cmd_*.c, read here with regular expressions;
every command and every option the parser accepts must complete.
"""
import os
import re
import shutil
import subprocess

import pytest

CLI = os.environ.get("MLOPS_CLI", "mlops")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "src", "cli")
COMP = os.path.join(os.path.dirname(os.path.abspath(CLI)), "completions")
BASH = os.path.join(COMP, "mlops")
ZSH = os.path.join(COMP, "_mlops")


def source_commands():
    text = open(os.path.join(SRC, "main.c")).read()
    table = text[text.index("static const cli_command commands[]"):]
    table = table[:table.index("};")]
    return re.findall(r'\{ "([a-z-]+)",', table)


def function_body(name):
    """The body of `int cli_cmd_<name>(` in whichever cmd_*.c defines it."""
    fn = "int cli_cmd_%s(" % name.replace("-", "_")
    for f in sorted(os.listdir(SRC)):
        if not f.endswith(".c"):
            continue
        text = open(os.path.join(SRC, f)).read()
        i = text.find(fn)
        if i >= 0:
            j = text.find("\n}\n", i)
            return text[i:j]
    raise LookupError(fn)


def source_options(name):
    """Every option the command's parser accepts: its cli_opt table, the
    repeatable options collected before it (take_multi, "--column" and
    "--label" loops), and the options of every command."""
    body = function_body(name)
    opts = set(re.findall(r'\{ "(--?[a-zA-Z][a-z0-9-]*)", ', body))
    opts |= set(re.findall(r'take_multi\([^;]*?"(--[a-z-]+)"', body))
    opts |= set(re.findall(r'strcmp\(argv\[i\], "(--[a-z-]+)"\) == 0', body))
    opts |= {"--json", "--help"}
    return opts


def bash_complete(*words):
    script = 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _mlops; ' \
             'printf "%s\\n" "${COMPREPLY[@]}"'
    p = subprocess.run(["bash", "--noprofile", "--norc", "-c", script, "bash", BASH, *words],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return [l for l in p.stdout.splitlines() if l]


def test_generated_and_installed_files_exist():
    assert os.path.isfile(BASH) and os.path.isfile(ZSH)
    assert open(ZSH).readline() == "#compdef mlops\n"


def test_bash_completes_every_command():
    cmds = source_commands()
    assert "drift" in cmds and "gate" in cmds
    assert bash_complete("mlops", "dr") == [c for c in cmds if c.startswith("dr")] == ["drift"]
    assert bash_complete("mlops", "s") == [c for c in cmds if c.startswith("s")]
    got = set(bash_complete("mlops", ""))
    assert set(cmds) <= got


@pytest.mark.parametrize("cmd", source_commands())
def test_bash_completes_every_option_the_parser_accepts(cmd):
    got = set(bash_complete("mlops", cmd, "-"))
    missing = source_options(cmd) - got
    assert not missing, "%s: options accepted but not completed: %s" % (cmd, sorted(missing))
    assert all(o.startswith("-") for o in got)


def test_bash_prefixes_values_and_subcommands():
    assert bash_complete("mlops", "drift", "--fo") == ["--format"]
    assert bash_complete("mlops", "drift", "a.csv", "--dr") == ["--drift-share"]
    assert bash_complete("mlops", "drift", "--format", "") == \
        ["text", "json", "prometheus", "signals", "github"]
    assert bash_complete("mlops", "gate", "--format", "g") == ["github"]
    assert bash_complete("mlops", "drift", "--rule", "b") == ["bonferroni", "bh"]
    assert bash_complete("mlops", "verify", "--al") == ["--allow-unsigned"]
    assert bash_complete("mlops", "policy", "") == ["lint", "test", "eval", "replay"]
    assert bash_complete("mlops", "store", "a") == ["add", "alias"]
    assert bash_complete("mlops", "profile", "b") == ["build"]


def test_bash_completes_files_for_arguments(tmp_path):
    (tmp_path / "reference.csv").write_text("x\n1\n")
    got = bash_complete("mlops", "drift", str(tmp_path / "ref"))
    assert got == [str(tmp_path / "reference.csv")]


def zsh_complete(*words):
    """Run the zsh function with the completion system's builtins stubbed:
    what it would offer is printed one per line."""
    stub = r'''
compadd() { while [[ $# -gt 0 && $1 != -- ]]; do shift; done; shift; print -l -- "$@"; }
_describe() { local -a a; a=("${(@P)${@[-1]}}"); print -l -- "${a[@]%%:*}"; }
_files() { print -- FILES; }
words=("${(@)argv[3,-1]}")
CURRENT=${#words}
PREFIX=${words[CURRENT]}
source "$1"
'''
    p = subprocess.run(["zsh", "-f", "-c", stub, "zsh", ZSH, "x", *words],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return [l for l in p.stdout.splitlines() if l]


@pytest.mark.skipif(shutil.which("zsh") is None,
                    reason="zsh is not installed (scripts/bootstrap --test installs it)")
def test_zsh_completion():
    cmds = source_commands()
    assert zsh_complete("mlops", "") == cmds
    for cmd in ("drift", "gate", "verify", "store", "profile"):
        assert source_options(cmd) <= set(zsh_complete("mlops", cmd, "-"))
    assert zsh_complete("mlops", "drift", "--format", "") == \
        ["text", "json", "prometheus", "signals", "github"]
    assert zsh_complete("mlops", "policy", "") == ["lint", "test", "eval", "replay"]
    assert zsh_complete("mlops", "drift", "a.c") == ["FILES"]
