#!/usr/bin/env python3
"""Run the composite GitHub Action (action.yml) as a runner would, and the
GitLab CI job template, against the example data; check what they write.

Each `run:` step of action.yml runs with `bash --noprofile --norc -eo pipefail`
(GitHub's `shell: bash`), its `${{ ... }}` expressions substituted (inputs with
their defaults, github.action_path, runner.temp, steps.<id>.outputs.<name>;
any other expression is an error, so the action stays within what is tested
here), and the variables a runner sets: a fresh GITHUB_OUTPUT, GITHUB_ENV,
GITHUB_PATH and GITHUB_STEP_SUMMARY file per step, RUNNER_TEMP,
GITHUB_ACTION_PATH, GITHUB_WORKSPACE, GITHUB_ACTIONS=true, CI=true. What a
step appends to GITHUB_ENV and GITHUB_PATH reaches the later steps; a failing
step ends the run, the action's outputs are then evaluated as GitHub does.

The expected annotations are rebuilt line by line from `mlops drift --json`
and `mlops gate --json` with GitHub's documented escaping; never from the
github output itself.

usage: run_action.py MLOPS [--build]
  MLOPS    the built command (the steps get it through the `mlops` input,
           and through PATH for the case that finds it there)
  --build  also run the install step's build from source (meson, about a
           minute on two cores), with no mlops on PATH
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIAMONDS = os.path.join(ROOT, "examples", "data", "diamonds")
REF = os.path.join(DIAMONDS, "reference.csv")
W06 = os.path.join(DIAMONDS, "window-06.csv")
W01 = os.path.join(DIAMONDS, "window-01.csv")
POLICY = os.path.join(ROOT, "examples", "demo", "gate-policy.json")
EVAL_OLD = os.path.join(DIAMONDS, "eval-1.0.0.txt")
EVAL_NEW = os.path.join(DIAMONDS, "eval-1.1.0.txt")

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def esc_data(s):
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def esc_prop(s):
    return esc_data(s).replace(":", "%3A").replace(",", "%2C")


def g4(v):
    return "-" if v is None else "%.4g" % v


def parse_file_commands(text):
    """GITHUB_OUTPUT / GITHUB_ENV syntax: NAME=VALUE, or NAME<<DELIM ... DELIM."""
    out, lines, i = {}, text.split("\n"), 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        eq, hd = line.find("="), line.find("<<")
        if hd >= 0 and (eq < 0 or hd < eq):
            key, delim = line[:hd], line[hd + 2:]
            body = []
            while i < len(lines) and lines[i] != delim:
                body.append(lines[i])
                i += 1
            if i >= len(lines):
                raise ValueError("heredoc %r not closed" % delim)
            i += 1
            out[key] = "\n".join(body)
        elif eq > 0:
            out[line[:eq]] = line[eq + 1:]
        else:
            raise ValueError("bad file command line %r" % line)
    return out


class Run:
    def __init__(self, action, inputs, tmp, path_dirs):
        self.inputs = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
        for k in inputs:
            if k not in self.inputs:
                raise KeyError("action.yml has no input %r" % k)
        self.inputs.update(inputs)
        self.tmp = tmp
        self.steps = {}
        self.env_added = {}
        self.path_added = []
        self.path_dirs = path_dirs
        self.stdout = ""
        self.summary = ""
        self.failed_step = None
        self.exit_code = 0

    def expr(self, e):
        e = e.strip()
        m = re.fullmatch(r"inputs\.([A-Za-z0-9_-]+)", e)
        if m:
            return self.inputs[m.group(1)]
        m = re.fullmatch(r"steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)", e)
        if m:
            return self.steps.get(m.group(1), {}).get(m.group(2), "")
        if e == "github.action_path":
            return ROOT
        if e == "runner.temp":
            return os.path.join(self.tmp, "runner-temp")
        raise ValueError("expression not simulated: ${{ %s }}" % e)

    def subst(self, s):
        return re.sub(r"\$\{\{(.*?)\}\}", lambda m: self.expr(m.group(1)), str(s))

    def step(self, i, st):
        d = os.path.join(self.tmp, "step%d" % i)
        os.makedirs(d)
        files = {k: os.path.join(d, k.lower()) for k in
                 ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY")}
        for f in files.values():
            open(f, "w").close()
        os.makedirs(os.path.join(self.tmp, "runner-temp"), exist_ok=True)
        env = {"HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8",
               "PATH": os.pathsep.join(self.path_added[::-1] + self.path_dirs),
               "GITHUB_ACTIONS": "true", "CI": "true", "RUNNER_OS": "Linux",
               "RUNNER_TEMP": os.path.join(self.tmp, "runner-temp"),
               "GITHUB_ACTION_PATH": ROOT, "GITHUB_WORKSPACE": ROOT}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LD_LIBRARY_PATH", "LD_PRELOAD"):
            if k in os.environ:
                env[k] = os.environ[k]
        env.update(files)
        env.update(self.env_added)
        for k, v in (st.get("env") or {}).items():
            env[k] = self.subst(v)
        if st.get("shell") != "bash":
            raise ValueError("step %d: only shell: bash is simulated" % i)
        script = os.path.join(d, "script.sh")
        with open(script, "w") as f:
            f.write(self.subst(st["run"]))
        p = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", script],
                           capture_output=True, text=True, env=env, cwd=ROOT)
        self.stdout += p.stdout
        sys.stderr.write(p.stderr)
        self.steps[st.get("id", "step%d" % i)] = parse_file_commands(open(files["GITHUB_OUTPUT"]).read())
        self.env_added.update(parse_file_commands(open(files["GITHUB_ENV"]).read()))
        self.path_added += [l for l in open(files["GITHUB_PATH"]).read().split("\n") if l]
        self.summary += open(files["GITHUB_STEP_SUMMARY"]).read()
        return p.returncode


def run_action(inputs, path_dirs):
    with open(os.path.join(ROOT, "action.yml")) as f:
        action = yaml.safe_load(f)
    assert action["runs"]["using"] == "composite"
    tmp = tempfile.mkdtemp(prefix="mlops-action-")
    try:
        r = Run(action, inputs, tmp, path_dirs)
        for i, st in enumerate(action["runs"]["steps"]):
            code = r.step(i, st)
            if code != 0:
                r.failed_step, r.exit_code = st.get("id"), code
                break
        r.outputs = {k: r.subst(v["value"]) for k, v in action["outputs"].items()}
        return r
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def cli_json(mlops, *args):
    p = subprocess.run([mlops, *args, "--json"], capture_output=True, text=True)
    return p.returncode, json.loads(p.stdout)


def drift_annotations(doc):
    lines = []
    for f in doc["features"]:
        r = f["result"]
        if not (f["drifted"] or r.get("inconclusive")):
            continue
        adj = f["adjusted_pvalue"]
        if adj is not None:
            extra, th = ", %s-adjusted p-value %s" % (doc["rule"], g4(adj)), "adj p < " + g4(doc["rule_value"])
        else:
            extra = ""
            th = (">= " if r["direction"] == ">=" else "p < ") + g4(r["threshold"])
        level = "error" if f["drifted"] and doc["drifted"] else "warning"
        msg = "%s %s (%s, %s): statistic %s, p-value %s%s, threshold %s" % (
            f["feature"], "drifted" if f["drifted"] else "inconclusive", f["type"], r["metric"],
            g4(r["statistic"]), g4(r["pvalue"]), extra, th)
        lines.append("::%s title=%s::%s" % (level, esc_prop("mlops drift: " + f["feature"]), esc_data(msg)))
    return lines


def annotations(text):
    return [l for l in text.splitlines() if l.startswith("::")]


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    mlops = os.path.abspath(sys.argv[1])
    build = "--build" in sys.argv[2:]
    sys_path = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    # 1. drift, window-06 against the reference: drift found, the step fails
    code, doc = cli_json(mlops, "drift", REF, W06)
    r = run_action({"command": "drift", "reference": REF, "current": W06, "mlops": mlops}, sys_path)
    check(r.failed_step == "run" and r.exit_code == code == 1, "drift: the run step fails with exit 1")
    check(annotations(r.stdout) == drift_annotations(doc), "drift: annotations line by line")
    check(r.outputs["verdict"] == "drift" and r.outputs["exit-code"] == "1", "drift: verdict outputs")
    check(json.loads(r.outputs["drifted-features"]) == [f["feature"] for f in doc["features"] if f["drifted"]],
          "drift: drifted-features")
    check(r.outputs["drifted-count"] == str(doc["drifted_count"]), "drift: drifted-count")
    check(r.outputs["mlops"] == mlops, "drift: the mlops output names the command run")
    head = "## mlops drift\n\n**DRIFT**: %d of %d features drifted (rule share: drifted share 0.9 >= 0.5).\n" % (
        doc["drifted_count"], doc["features_count"])
    check(r.summary.startswith(head), "drift: the summary's verdict line")
    for f in doc["features"]:
        row = "| %s | %s | %s | %s | %s | >= %s | %s |" % (
            f["feature"], f["type"], f["result"]["metric"], g4(f["result"]["statistic"]),
            g4(f["result"]["pvalue"]), g4(f["result"]["threshold"]), "**DRIFT**" if f["drifted"] else "ok")
        check(row in r.summary.splitlines(), "drift: summary row " + row)
    check("Exit status 1: drift found." in r.summary, "drift: the summary's exit status")
    if failures:
        print(r.stdout, r.summary, sep="\n")

    # 2. fail-on-negative: false keeps the step green, the verdict is unchanged
    r = run_action({"command": "drift", "reference": REF, "current": W06, "mlops": mlops,
                    "fail-on-negative": "false"}, sys_path)
    check(r.failed_step is None and r.outputs["verdict"] == "drift" and r.outputs["exit-code"] == "1",
          "drift, fail-on-negative false: green step, verdict drift, exit-code 1")

    # 3. no drift, mlops found on PATH (no mlops input)
    code, doc = cli_json(mlops, "drift", REF, W01)
    r = run_action({"command": "drift", "reference": REF, "current": W01},
                   [os.path.dirname(mlops)] + sys_path)
    check(r.failed_step is None and code == 0 and r.outputs["verdict"] == "no_drift", "no drift: green")
    check(annotations(r.stdout) == ["::notice title=mlops drift::NO DRIFT: 0 of %d features drifted "
                                    "(rule share: drifted share 0 < 0.5)" % doc["features_count"]],
          "no drift: one notice")
    check(r.outputs["drifted-features"] == "[]", "no drift: no drifted features")

    # 4. args are passed through: two columns, KS, Holm
    args = ["--column", "carat", "--column", "depth", "--metric", "ks", "--rule", "holm"]
    code, doc = cli_json(mlops, "drift", REF, W06, *args)
    r = run_action({"command": "drift", "reference": REF, "current": W06, "mlops": mlops,
                    "args": " ".join(args)}, sys_path)
    check(annotations(r.stdout) == drift_annotations(doc) and len(doc["features"]) == 2,
          "drift with args: annotations")
    check(r.outputs["exit-code"] == str(code), "drift with args: exit code")

    # 5. the gate: promote, then blocked, then a first release
    code, doc = cli_json(mlops, "gate", POLICY, "--candidate", EVAL_NEW, "--champion", EVAL_OLD)
    r = run_action({"command": "gate", "policy": POLICY, "candidate": EVAL_NEW, "champion": EVAL_OLD,
                    "mlops": mlops}, sys_path)
    check(code == 0 and r.failed_step is None and r.outputs["verdict"] == "promote"
          and r.outputs["promoted"] == "true" and r.outputs["blocked-checks"] == "", "gate: promote")
    check(annotations(r.stdout) == ["::notice title=mlops gate::promote: every check passed (%d checks)"
                                    % len(doc["checks"])], "gate: one notice")
    check(r.summary.count("| pass |") == len(doc["checks"]), "gate: every check in the summary")
    tmp = tempfile.mkdtemp(prefix="mlops-action-")
    try:
        bad = os.path.join(tmp, "bad.txt")
        with open(bad, "w") as f:
            f.write("auc 0.96 samples=3000\naccuracy 0.95 samples=3000\n")
        code, doc = cli_json(mlops, "gate", POLICY, "--candidate", bad, "--champion", EVAL_OLD)
        r = run_action({"command": "gate", "policy": POLICY, "candidate": bad, "champion": EVAL_OLD,
                        "mlops": mlops}, sys_path)
        failed = [c for c in doc["checks"] if not c["passed"]]
        check(code == 1 and r.exit_code == 1 and r.outputs["verdict"] == "blocked"
              and r.outputs["promoted"] == "false", "gate: blocked")
        check(r.outputs["blocked-checks"] == ",".join("%s/%s" % (c["metric"], c["kind"]) for c in failed),
              "gate: blocked-checks")
        lines = annotations(r.stdout)
        check(len(lines) == len(failed) and all(
            l.startswith("::error title=%s::%s %s: observed " % (
                esc_prop("mlops gate: %s %s" % (c["metric"], c["kind"])), c["metric"], c["kind"]))
            and l.endswith(": BLOCK") for l, c in zip(lines, failed)), "gate: an error per blocking check")
    finally:
        shutil.rmtree(tmp)
    r = run_action({"command": "gate", "policy": POLICY, "candidate": EVAL_NEW, "first-release": "true",
                    "mlops": mlops}, sys_path)
    check(r.outputs["verdict"] == "promote", "gate: first release")

    # 6. errors fail closed: an unreadable input, a bad command, a bad mlops
    r = run_action({"command": "drift", "reference": REF, "current": "/nonexistent.csv", "mlops": mlops},
                   sys_path)
    check(r.exit_code == 2 and r.outputs["verdict"] == "error" and r.outputs["exit-code"] == "2"
          and "/nonexistent.csv" in r.outputs["error"], "error: verdict=error")
    check(len(annotations(r.stdout)) == 1 and annotations(r.stdout)[0].startswith("::error title=mlops drift::"),
          "error: one error annotation")
    check("**Error** (exit status 2" in r.summary, "error: an error summary")
    r = run_action({"command": "train", "mlops": mlops}, sys_path)
    check(r.exit_code == 2 and r.outputs["verdict"] == "error", "bad command: verdict=error")
    r = run_action({"command": "drift", "reference": REF, "current": W06,
                    "mlops": "/nonexistent/mlops"}, sys_path)
    check(r.failed_step == "install" and r.exit_code == 2 and r.outputs["verdict"] == "",
          "a bad mlops input fails the install step")

    # 7. the build from the action's own source
    if build:
        r = run_action({"command": "drift", "reference": REF, "current": W06}, sys_path)
        check(r.failed_step == "run" and r.exit_code == 1 and r.outputs["verdict"] == "drift"
              and r.outputs["mlops"].endswith("/mlops-prefix/bin/mlops"), "build: drift with the built command")

    # 8. the GitLab CI template: YAML, its jobs' scripts run with GitLab's variables
    gitlab(mlops)

    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("action.yml and the GitLab template: every check passed")
    return 0


def gitlab(mlops):
    path = os.path.join(ROOT, "ci", "gitlab", "mlops.gitlab-ci.yml")
    with open(path) as f:
        doc = yaml.safe_load(f)
    jobs = {k: v for k, v in doc.items() if isinstance(v, dict) and "script" in v}
    check(set(jobs) >= {".mlops-drift", ".mlops-gate"}, "gitlab: the two hidden jobs")
    for name, job in jobs.items():
        check(isinstance(job["script"], list) and all(isinstance(s, str) for s in job["script"]),
              "gitlab %s: script is a list of strings" % name)
        check(job.get("artifacts", {}).get("when") == "always", "gitlab %s: artifacts always" % name)

    def run_job(name, variables):
        job = jobs[name]
        tmp = tempfile.mkdtemp(prefix="mlops-gitlab-")
        try:
            env = {"HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8",
                   "PATH": os.path.dirname(mlops) + ":/usr/local/bin:/usr/bin:/bin",
                   "CI": "true", "GITLAB_CI": "true", "CI_PROJECT_DIR": tmp}
            for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LD_LIBRARY_PATH"):
                if k in os.environ:
                    env[k] = os.environ[k]
            env.update({k: str(v) for k, v in (job.get("variables") or {}).items()})
            env.update(variables)
            script = "\n".join(job["script"])
            p = subprocess.run(["bash", "-eo", "pipefail", "-c", script], capture_output=True, text=True,
                               env=env, cwd=tmp)
            files = {}
            for a in job["artifacts"].get("paths", []) + list(job["artifacts"].get("reports", {}).values()):
                for fn in ([a] if isinstance(a, str) else a):
                    fp = os.path.join(tmp, fn)
                    if os.path.exists(fp):
                        files[fn] = open(fp).read()
            return p, files
        finally:
            shutil.rmtree(tmp)

    code, doc = cli_json(mlops, "drift", REF, W06)
    p, files = run_job(".mlops-drift", {"MLOPS_REFERENCE": REF, "MLOPS_CURRENT": W06})
    check(p.returncode == code == 1, "gitlab drift: the job fails with drift")
    check(json.loads(files.get("mlops-drift.json", "null")) == doc, "gitlab drift: the JSON report artifact")
    cq = json.loads(files.get("gl-code-quality-report.json", "null") or "null")
    drifted = [f["feature"] for f in doc["features"] if f["drifted"]]
    check(isinstance(cq, list) and [c["description"].split(" ")[0] for c in cq] == drifted
          and all(c["severity"] == "major" for c in cq)
          and len({c["fingerprint"] for c in cq}) == len(cq), "gitlab drift: a code-quality issue per drifted feature")
    p, files = run_job(".mlops-drift", {"MLOPS_REFERENCE": REF, "MLOPS_CURRENT": W01})
    check(p.returncode == 0 and json.loads(files["gl-code-quality-report.json"]) == [], "gitlab no drift: green")
    code, doc = cli_json(mlops, "gate", POLICY, "--candidate", EVAL_NEW, "--champion", EVAL_OLD)
    p, files = run_job(".mlops-gate", {"MLOPS_POLICY": POLICY, "MLOPS_CANDIDATE": EVAL_NEW,
                                       "MLOPS_CHAMPION": EVAL_OLD})
    check(p.returncode == 0 and json.loads(files.get("mlops-gate.json", "null")) == doc, "gitlab gate: promote")
    p, files = run_job(".mlops-drift", {"MLOPS_REFERENCE": REF, "MLOPS_CURRENT": "/nonexistent.csv"})
    check(p.returncode == 2 and "error" in json.loads(files.get("mlops-drift.json", "null") or "{}"),
          "gitlab drift: an error fails the job with the error document")


if __name__ == "__main__":
    sys.exit(main())
