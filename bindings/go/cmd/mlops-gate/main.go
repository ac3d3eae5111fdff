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
// Exit status: 0 promote; 1 promotion blocked by the gate; 2 verification
// failed (candidate or champion); 3 bad settings or another error.
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
	candidate   string
	champion    string // a package path
	store       string // or a store directory ...
	championRef string // ... and a reference in it, "name:alias"
	policy      string
	keys        []string
	threshold   int
	summary     string
	output      string
	workdir     string
}

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
			return nil, fmt.Errorf("threshold %q: want a positive integer", t)
		}
		c.threshold = n
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
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing settings: %s (PLUGIN_<NAME> or INPUT_<NAME>)", strings.Join(missing, ", "))
	}
	if c.champion != "" && c.store != "" {
		return nil, errors.New("give either champion (a package) or store with champion_ref, not both")
	}
	if c.store != "" && c.championRef == "" {
		return nil, errors.New("store needs champion_ref (e.g. fraud-detector:champion)")
	}
	return c, nil
}

// report accumulates the summary and the outputs.
type report struct {
	md      strings.Builder
	outputs [][2]string
}

func (r *report) out(k, v string)                   { r.outputs = append(r.outputs, [2]string{k, v}) }
func (r *report) p(format string, a ...interface{}) { fmt.Fprintf(&r.md, format+"\n", a...) }

func (r *report) flush(c *config, stdout io.Writer) error {
	fmt.Fprint(stdout, r.md.String())
	var errs []error
	if c != nil && c.summary != "" {
		errs = append(errs, appendFile(c.summary, r.md.String()+"\n"))
	}
	if c != nil && c.output != "" {
		var b strings.Builder
		for _, kv := range r.outputs {
			v := strings.ReplaceAll(kv[1], "\n", " ")
			fmt.Fprintf(&b, "%s=%s\n", kv[0], v)
		}
		errs = append(errs, appendFile(c.output, b.String()))
	}
	for _, e := range errs { // errors.Join needs Go 1.20; the module supports 1.19
		if e != nil {
			return e
		}
	}
	return nil
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
		_ = r.flush(c, stdout)
		return exitSettings
	}
	code := gate(ctx, c, r, stderr)
	if err := r.flush(c, stdout); err != nil {
		fmt.Fprintf(stderr, "mlops-gate: writing the summary or outputs: %v\n", err)
		if code == exitPromote {
			code = exitSettings
		}
	}
	return code
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
		r.out("champion_version", champ.Version())
	} else {
		r.p("No champion: only absolute bounds and sample counts apply.")
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
	res, err := pol.Gate(candSet, champSet)
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

func num(f float64) string {
	if math.IsNaN(f) {
		return "–"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
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
			return nil, label, 0, nil // no champion yet
		} else if err != nil {
			return nil, label, exitSettings, err
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
