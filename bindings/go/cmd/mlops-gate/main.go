// Command mlops-gate is a CI step that decides whether a candidate model
// package may be promoted. It verifies the candidate's signatures against
// trusted public keys, diffs its manifest against the champion's (a second
// package, or an alias in a local store), evaluates the promotion gate of a
// libmlops policy on the metrics recorded in the two manifests, writes a
// Markdown summary and key=value outputs, and exits non-zero exactly when
// verification fails or promotion is blocked.
//
// Settings come from the environment, as CI systems pass them to a step:
// PLUGIN_<NAME> (Drone, Woodpecker: `settings:`) or INPUT_<NAME> (GitHub
// Actions: `with:`), NAME upper-case, '-' or '_' alike. See README.md.
//
// A champion that cannot be found is an error unless the settings say that
// this is a first release (first_release); the candidate must be the
// champion's model and, unless allow_downgrade, not an older version.
//
// Exit status: 0 promote; 1 promotion blocked by the gate; 2 verification
// failed (candidate or champion); 3 bad settings or another error. The
// summary and outputs are written on every exit and agree with it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"libmlops.dev/go/mlops"
)

const (
	exitPromote  = 0
	exitBlocked  = 1
	exitVerify   = 2
	exitSettings = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// setting reads PLUGIN_<NAME>, then INPUT_<NAME> (with '_' or '-').
func setting(env func(string) string, name string) string {
	up := strings.ToUpper(name)
	for _, k := range []string{
		"PLUGIN_" + up, "INPUT_" + up, "INPUT_" + strings.ReplaceAll(up, "_", "-"),
	} {
		if v := strings.TrimSpace(env(k)); v != "" {
			return v
		}
	}
	return ""
}

// list splits a setting on commas and newlines.
func list(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

type config struct {
	candidate      string
	champion       string // a package path
	store          string // or a store directory ...
	championRef    string // ... and a reference in it, "name:alias"
	firstRelease   bool   // or no champion, said explicitly
	allowDowngrade bool
	policy         string
	keys           []string
	threshold      int
	summary        string
	output         string
	workdir        string
}

// boolSetting reads a true/false setting ("" is false).
func boolSetting(env func(string) string, name string) (bool, error) {
	v := setting(env, name)
	if v == "" {
		return false, nil
	}
	switch strings.ToLower(v) {
	case "true", "yes", "1":
		return true, nil
	case "false", "no", "0":
		return false, nil
	}
	return false, fmt.Errorf("%s %q: want true or false", name, v)
}

// loadConfig reads the settings. On an error it still returns the config
// read so far, whose summary and output files receive the error.
func loadConfig(env func(string) string) (*config, error) {
	c := &config{
		candidate:   setting(env, "candidate"),
		champion:    setting(env, "champion"),
		store:       setting(env, "store"),
		championRef: setting(env, "champion_ref"),
		policy:      setting(env, "policy"),
		keys:        list(setting(env, "trusted_keys")),
		summary:     setting(env, "summary_file"),
		output:      setting(env, "output_file"),
		threshold:   1,
	}
	if c.summary == "" {
		c.summary = env("GITHUB_STEP_SUMMARY")
	}
	if c.output == "" {
		c.output = env("GITHUB_OUTPUT")
	}
	if t := setting(env, "threshold"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 1 {
			return c, fmt.Errorf("threshold %q: want a positive integer", t)
		}
		c.threshold = n
	}
	var err error
	if c.firstRelease, err = boolSetting(env, "first_release"); err != nil {
		return c, err
	}
	if c.allowDowngrade, err = boolSetting(env, "allow_downgrade"); err != nil {
		return c, err
	}
	var missing []string
	if c.candidate == "" {
		missing = append(missing, "candidate")
	}
	if c.policy == "" {
		missing = append(missing, "policy")
	}
	if len(c.keys) == 0 {
		missing = append(missing, "trusted_keys")
	}
	if c.champion == "" && c.store == "" && c.championRef == "" && !c.firstRelease {
		missing = append(missing, "champion (or store with champion_ref, or first_release: true when there is no champion yet)")
	}
	if len(missing) > 0 {
		return c, fmt.Errorf("missing settings: %s (PLUGIN_<NAME> or INPUT_<NAME>)", strings.Join(missing, ", "))
	}
	if c.champion != "" && c.store != "" {
		return c, errors.New("give either champion (a package) or store with champion_ref, not both")
	}
	if c.store != "" && c.championRef == "" {
		return c, errors.New("store needs champion_ref (e.g. fraud-detector:champion)")
	}
	if c.championRef != "" && c.store == "" {
		return c, errors.New("champion_ref needs store (the store directory it names a model in)")
	}
	if c.firstRelease && c.champion != "" {
		return c, errors.New("first_release: true contradicts champion (a package): give one or the other")
	}
	return c, nil
}

// report accumulates the summary and the outputs.
type report struct {
	md      strings.Builder
	outputs [][2]string
}

// out sets output k (replacing an earlier value: one key, one truth).
func (r *report) out(k, v string) {
	for i := range r.outputs {
		if r.outputs[i][0] == k {
			r.outputs[i][1] = v
			return
		}
	}
	r.outputs = append(r.outputs, [2]string{k, v})
}

func (r *report) p(format string, a ...interface{}) { fmt.Fprintf(&r.md, format+"\n", a...) }

// flush writes the summary (stdout and the summary file) and the outputs,
// and returns the exit code: code, or exitSettings when a file could not be
// written. A failure to write the summary is recorded in the outputs, and a
// failure to write the outputs in the summary, so that what was written
// never says "promoted" for a run that exits non-zero.
func (r *report) flush(c *config, stdout, stderr io.Writer, code int) int {
	fail := func(what string, err error) {
		fmt.Fprintf(stderr, "mlops-gate: writing the %s: %v\n", what, err)
		code = exitSettings
		r.out("promoted", "false")
		r.out("error", fmt.Sprintf("writing the %s: %v", what, err))
	}
	var summaryErr error
	if c != nil && c.summary != "" {
		if summaryErr = appendFile(c.summary, r.md.String()+"\n"); summaryErr != nil {
			fail("summary", summaryErr)
		}
	}
	if c != nil && c.output != "" {
		var b strings.Builder
		for _, kv := range r.outputs {
			v := strings.ReplaceAll(kv[1], "\n", " ")
			fmt.Fprintf(&b, "%s=%s\n", kv[0], v)
		}
		if err := appendFile(c.output, b.String()); err != nil {
			fail("outputs", err)
			r.p("")
			r.p("**Error:** writing the outputs: `%s`; exit %d.", err, code)
			if summaryErr == nil && c.summary != "" {
				_ = appendFile(c.summary, fmt.Sprintf("\n**Error:** writing the outputs: `%s`; exit %d.\n", err, code))
			}
		}
	}
	fmt.Fprint(stdout, r.md.String())
	return code
}

func appendFile(path, s string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(s); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func run(ctx context.Context, env func(string) string, stdout, stderr io.Writer) int {
	r := &report{}
	r.p("## mlops-gate")
	r.p("")
	c, err := loadConfig(env)
	if err != nil {
		fmt.Fprintf(stderr, "mlops-gate: %v\n", err)
		r.p("**Error:** %s", err)
		r.out("verified", "false")
		r.out("promoted", "false")
		r.out("error", err.Error())
		return r.flush(c, stdout, stderr, exitSettings)
	}
	return r.flush(c, stdout, stderr, gate(ctx, c, r, stderr))
}

func fail(r *report, stderr io.Writer, code int, what string, err error) int {
	fmt.Fprintf(stderr, "mlops-gate: %s: %v\n", what, err)
	r.p("**%s:** `%s`", what, err)
	if code == exitVerify {
		r.out("verified", "false")
	}
	r.out("promoted", "false")
	r.out("error", fmt.Sprintf("%s: %v", what, err))
	return code
}

func gate(ctx context.Context, c *config, r *report, stderr io.Writer) int {
	ring, err := mlops.NewKeyring()
	if err != nil {
		return fail(r, stderr, exitSettings, "keyring", err)
	}
	defer ring.Close()
	for _, path := range c.keys {
		k, err := mlops.LoadKeyFile(path)
		if err != nil {
			return fail(r, stderr, exitSettings, "trusted key "+path, err)
		}
		err = ring.Add(k)
		k.Close()
		if err != nil {
			return fail(r, stderr, exitSettings, "trusted key "+path, err)
		}
	}

	// 1. The candidate: signatures and content.
	cand, err := mlops.VerifyPackage(ctx, c.candidate, &mlops.VerifyOptions{Trusted: ring, Threshold: c.threshold})
	if err != nil {
		r.p("### Verification failed: candidate `%s`", filepath.Base(c.candidate))
		r.p("")
		if cand != nil {
			for _, pr := range cand.Problems {
				r.p("- `%s`: %s (%s)", pr.Entry, pr.Message, pr.Code.Name())
			}
			if cand.Manifest != nil {
				cand.Manifest.Close()
			}
		}
		return fail(r, stderr, exitVerify, "candidate verification", err)
	}
	cm := cand.Manifest
	defer cm.Close()
	r.p("Candidate **%s %s** (statement `sha256:%s`): signature verified against %d trusted key(s), %d files verified.",
		cm.Name(), cm.Version(), cm.StatementSHA256(), ring.Len(), cand.FilesVerified)
	r.out("verified", "true")
	r.out("candidate_name", cm.Name())
	r.out("candidate_version", cm.Version())
	r.out("candidate_digest", "sha256:"+cm.StatementSHA256())

	// 2. The champion, if any.
	champ, label, code, err := loadChampion(ctx, c, ring)
	if err != nil {
		return fail(r, stderr, code, "champion "+label, err)
	}
	if champ != nil {
		defer champ.Close()
		r.p("Champion **%s %s** (%s).", champ.Name(), champ.Version(), label)
		r.out("champion_name", champ.Name())
		r.out("champion_version", champ.Version())
	} else {
		r.p("No champion (first release, as set by `first_release`): only absolute bounds and sample counts apply.")
		r.out("first_release", "true")
	}
	r.p("")

	// 3. Diff.
	if champ != nil {
		d, err := mlops.DiffManifests(champ, cm)
		if err != nil {
			return fail(r, stderr, exitSettings, "diff", err)
		}
		defer d.Close()
		r.p("### Changes from the champion (%s)", d.Relation())
		r.p("")
		r.p("Files: %d changed, %d unchanged. Parameters changed: %d.", len(d.Files()), d.UnchangedFiles(), len(d.Parameters()))
		r.p("")
		r.p("| metric | champion | candidate | delta |")
		r.p("| --- | ---: | ---: | ---: |")
		for _, m := range d.Metrics() {
			r.p("| %s | %s | %s | %s |", m.Name, num(m.Old), num(m.New), num(m.Delta))
		}
		r.p("")
	}

	// 4. The gate.
	pdata, err := os.ReadFile(c.policy)
	if err != nil {
		return fail(r, stderr, exitSettings, "policy", err)
	}
	pol, err := mlops.ParsePolicy(pdata, filepath.Base(c.policy))
	if err != nil {
		return fail(r, stderr, exitSettings, "policy", err)
	}
	defer pol.Close()
	candSet, err := metricSet(cm)
	if err != nil {
		return fail(r, stderr, exitSettings, "candidate metrics", err)
	}
	defer candSet.Close()
	var champSet *mlops.MetricSet
	if champ != nil {
		if champSet, err = metricSet(champ); err != nil {
			return fail(r, stderr, exitSettings, "champion metrics", err)
		}
		defer champSet.Close()
	}
	res, err := pol.GateWithOptions(candSet, champSet, &mlops.GateOptions{AllowDowngrade: c.allowDowngrade})
	if err != nil {
		return fail(r, stderr, exitSettings, "gate", err)
	}
	r.p("### Promotion gate (policy `%s` revision %d, %s)", pol.ID(), pol.Revision(), pol.Digest())
	r.p("")
	r.p("| metric | check | result | reason |")
	r.p("| --- | --- | --- | --- |")
	var blocked []string
	for _, ch := range res.Checks {
		mark := "pass"
		if !ch.Passed {
			mark = "**BLOCK**"
			blocked = append(blocked, ch.Metric+"/"+ch.Kind)
		}
		r.p("| %s | %s | %s | %s |", ch.Metric, ch.Kind, mark, ch.Reason)
	}
	if res.Blocked() != (len(blocked) > 0) { // one truth: the action and the checks agree
		return fail(r, stderr, exitSettings, "gate", fmt.Errorf("action %s with %d blocking checks", res.Action, len(blocked)))
	}
	r.p("")
	r.p("<details><summary>Explanation</summary>\n\n```\n%s\n```\n</details>\n", strings.TrimRight(res.Explanation, "\n"))
	r.out("action", res.Action.String())
	r.out("blocked_checks", strings.Join(blocked, ","))
	if res.Blocked() {
		r.p("**Promotion blocked** by %s.", strings.Join(blocked, ", "))
		r.out("promoted", "false")
		fmt.Fprintf(stderr, "mlops-gate: promotion blocked by %s\n", strings.Join(blocked, ", "))
		return exitBlocked
	}
	r.p("**Promote:** every check passed.")
	r.out("promoted", "true")
	return exitPromote
}

// num writes a number for people as the library and the command do (about
// four significant digits, C's "%.4g"; an integer-valued number exactly).
func num(f float64) string {
	switch {
	case math.IsNaN(f):
		return "–"
	case f == 0:
		return "0"
	case f == math.Trunc(f) && math.Abs(f) < 1<<53:
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	return strconv.FormatFloat(f, 'g', 4, 64)
}

// loadChampion verifies the champion package (a file: against the trusted
// keys; from a store: exported, then checked for integrity, since the store
// verified its signatures when it was added).
func loadChampion(ctx context.Context, c *config, ring *mlops.Keyring) (*mlops.Manifest, string, int, error) {
	switch {
	case c.champion != "":
		rep, err := mlops.VerifyPackage(ctx, c.champion, &mlops.VerifyOptions{Trusted: ring, Threshold: c.threshold})
		if err != nil {
			if rep != nil && rep.Manifest != nil {
				rep.Manifest.Close()
			}
			return nil, filepath.Base(c.champion), exitVerify, err
		}
		return rep.Manifest, filepath.Base(c.champion), 0, nil
	case c.store != "":
		label := c.championRef + " in " + c.store
		s, err := mlops.OpenStore(c.store, 0)
		if err != nil {
			return nil, label, exitSettings, err
		}
		defer s.Close()
		if _, err := s.Resolve(c.championRef); errors.Is(err, mlops.ErrNotFound) {
			if c.firstRelease {
				return nil, label, 0, nil // no champion yet, as the caller said
			}
			return nil, label, exitSettings, fmt.Errorf("%w (a misspelt reference? for a first release with no champion yet, set first_release: true)", err)
		} else if err != nil {
			return nil, label, exitSettings, err
		} else if c.firstRelease {
			return nil, label, exitSettings, errors.New("first_release: true, but the store has this champion: remove first_release")
		}
		tmp, err := os.MkdirTemp("", "mlops-gate-")
		if err != nil {
			return nil, label, exitSettings, err
		}
		defer os.RemoveAll(tmp)
		out := filepath.Join(tmp, "champion.mlpkg")
		if err := s.Export(c.championRef, out, -1, false); err != nil {
			return nil, label, exitVerify, err
		}
		rep, err := mlops.VerifyPackage(ctx, out, &mlops.VerifyOptions{AllowUnsigned: true})
		if err != nil {
			if rep != nil && rep.Manifest != nil {
				rep.Manifest.Close()
			}
			return nil, label, exitVerify, err
		}
		return rep.Manifest, label, 0, nil
	}
	return nil, "", 0, nil
}

// metricSet reads a manifest's metrics for the gate. A metric NAME may come
// with NAME.ci_low and NAME.ci_high (a confidence interval) and
// NAME.samples (the evaluation sample count) recorded beside it.
func metricSet(m *mlops.Manifest) (*mlops.MetricSet, error) {
	vals := map[string]float64{}
	for _, x := range m.Metrics() {
		vals[x.Name] = x.Value
	}
	set, err := mlops.NewMetricSet()
	if err != nil {
		return nil, err
	}
	if err := set.SetModel(m.Name(), m.Version()); err != nil {
		set.Close()
		return nil, fmt.Errorf("model %s %s: %w", m.Name(), m.Version(), err)
	}
	names := make([]string, 0, len(vals))
	for n := range vals {
		if !strings.HasSuffix(n, ".ci_low") && !strings.HasSuffix(n, ".ci_high") && !strings.HasSuffix(n, ".samples") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		v := mlops.MetricValue{Value: vals[n], Samples: -1}
		lo, okLo := vals[n+".ci_low"]
		hi, okHi := vals[n+".ci_high"]
		if okLo && okHi {
			v.HasCI, v.CILow, v.CIHigh = true, lo, hi
		}
		if s, ok := vals[n+".samples"]; ok {
			v.Samples = int64(s)
		}
		if err := set.Put(n, v); err != nil {
			set.Close()
			return nil, fmt.Errorf("metric %s: %w", n, err)
		}
	}
	return set, nil
}
