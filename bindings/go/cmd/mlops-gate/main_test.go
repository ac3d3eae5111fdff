package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"libmlops.dev/go/mlops"
)

// buildFlags mirror the test binary's instrumentation (-race, -asan), so
// the plugin links the same libmlops build the test does.
var buildFlags []string

var (
	binDir    string
	pluginBin string
	buildOnce sync.Once
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// plugin builds the binary once, on first use (a run that selects no
// end-to-end test builds nothing).
func plugin(t *testing.T) string {
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "mlops-gate-test-"); buildErr != nil {
			return
		}
		pluginBin = filepath.Join(binDir, "mlops-gate")
		goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
		args := append([]string{"build", "-o", pluginBin}, buildFlags...)
		cmd := exec.Command(goTool, append(args, ".")...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			buildErr = fmt.Errorf("building mlops-gate: %v\n%s", err, out.String())
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return pluginBin
}

// fixture is a trusted key, a policy and packages made through the binding.
type fixture struct {
	dir, pubKey, policy string
	key                 *mlops.Key
}

const gatePolicy = `{
  "schema": "libmlops.policy/v1",
  "policy_id": "ci-gate-test",
  "revision": 3,
  "signals": {
    "auc": {"kind": "metric", "better": "higher", "range": [0, 1]},
    "p99_latency_ms": {"kind": "metric", "better": "lower", "range": [0, 60000]}
  },
  "gate": {
    "min_samples": 1000,
    "metrics": {
      "auc": {"min": 0.85, "max_regression": 0.005},
      "p99_latency_ms": {"max": 80, "max_regression_rel": 0.10, "min_samples": 0}
    }
  },
  "rules": []
}`

func newFixture(t *testing.T) *fixture {
	dir := t.TempDir()
	k, err := mlops.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	f := &fixture{dir: dir, key: k, pubKey: filepath.Join(dir, "trusted.pub.pem"), policy: filepath.Join(dir, "policy.json")}
	if err := k.WritePublicPEM(f.pubKey); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.policy, []byte(gatePolicy), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// pack makes a signed package of fraud-detector version with the given metrics.
func (f *fixture) pack(t *testing.T, version string, metrics map[string]float64) string {
	return f.packNamed(t, "fraud-detector", version, metrics)
}

// packNamed makes a signed package of model name, version.
func (f *fixture) packNamed(t *testing.T, name, version string, metrics map[string]float64) string {
	src := filepath.Join(f.dir, "src-"+name+"-"+version)
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	weights := bytes.Repeat([]byte(version+"|"), 400000) // > 1 MiB: a raw layer
	if err := os.WriteFile(filepath.Join(src, "model.onnx"), weights, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "config.json"), []byte(`{"v":"`+version+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := mlops.NewPacker(&mlops.PackOptions{Keys: []*mlops.Key{f.key}, MTimeZero: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.AddFile(filepath.Join(src, "model.onnx"), "model.onnx", "model"); err != nil {
		t.Fatal(err)
	}
	if err := p.AddFile(filepath.Join(src, "config.json"), "config.json", "config"); err != nil {
		t.Fatal(err)
	}
	b, err := mlops.NewManifestBuilder(name, version, "2026-11-01T00:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for k, v := range metrics {
		if err := b.SetMetric(k, v); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(f.dir, name+"-"+version+".mlpkg")
	m, err := p.Write(context.Background(), out, b)
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
	return out
}

type result struct {
	code                    int
	stdout, stderr, summary string
	outputs                 map[string]string
}

// runPlugin runs the built binary with a clean environment plus env.
func (f *fixture) runPlugin(t *testing.T, env ...string) result {
	summary := filepath.Join(t.TempDir(), "summary.md")
	output := filepath.Join(t.TempDir(), "output.txt")
	cmd := exec.Command(plugin(t))
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"LD_LIBRARY_PATH=" + os.Getenv("LD_LIBRARY_PATH"),
		"ASAN_OPTIONS=" + os.Getenv("ASAN_OPTIONS"),
		"GITHUB_STEP_SUMMARY=" + summary,
		"GITHUB_OUTPUT=" + output,
	}, env...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	r := result{stdout: so.String(), stderr: se.String(), outputs: map[string]string{}}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	s, _ := os.ReadFile(summary)
	r.summary = string(s)
	o, _ := os.ReadFile(output)
	for _, line := range strings.Split(string(o), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			r.outputs[k] = v
		}
	}
	return r
}

var (
	champMetrics = map[string]float64{"auc": 0.91, "auc.samples": 20000, "p99_latency_ms": 40}
	goodMetrics  = map[string]float64{"auc": 0.915, "auc.samples": 20000, "p99_latency_ms": 42}
	worseMetrics = map[string]float64{"auc": 0.89, "auc.samples": 20000, "p99_latency_ms": 41}
)

func TestSignedCandidateThatPassesIsPromoted(t *testing.T) {
	f := newFixture(t)
	champ := f.pack(t, "1.0.0", champMetrics)
	cand := f.pack(t, "1.1.0", goodMetrics)
	// Woodpecker/Drone style settings.
	r := f.runPlugin(t, "PLUGIN_CANDIDATE="+cand, "PLUGIN_CHAMPION="+champ,
		"PLUGIN_TRUSTED_KEYS="+f.pubKey, "PLUGIN_POLICY="+f.policy)
	if r.code != 0 {
		t.Fatalf("exit %d\nstderr: %s\nsummary:\n%s", r.code, r.stderr, r.summary)
	}
	for _, want := range []string{"| auc | samples | pass |", "| auc | min | pass |", "| auc | regression | pass |",
		"| p99_latency_ms | max | pass |", "| p99_latency_ms | regression_rel | pass |",
		// the delta for people: 0.915 - 0.91 is 0.0050000000000000044 in binary,
		// written with four significant digits as printf("%.4g") writes it
		"| auc | 0.91 | 0.915 | 0.005 |", "fraud-detector 1.1.0", "**Promote:**"} {
		if !strings.Contains(r.summary, want) {
			t.Fatalf("summary lacks %q:\n%s", want, r.summary)
		}
	}
	if r.outputs["promoted"] != "true" || r.outputs["action"] != "none" || r.outputs["verified"] != "true" ||
		r.outputs["candidate_version"] != "1.1.0" || r.outputs["champion_version"] != "1.0.0" ||
		!strings.HasPrefix(r.outputs["candidate_digest"], "sha256:") {
		t.Fatalf("outputs %v", r.outputs)
	}
	t.Logf("summary:\n%s", r.summary)
	if r.stdout != strings.TrimSuffix(r.summary, "\n") && r.stdout+"\n" != r.summary {
		t.Fatal("stdout and the step summary differ")
	}
}

func TestRegressionBlocksPromotion(t *testing.T) {
	f := newFixture(t)
	champ := f.pack(t, "1.0.0", champMetrics)
	cand := f.pack(t, "1.1.0", worseMetrics)
	// GitHub Actions style settings, with the champion from a store alias.
	store := filepath.Join(f.dir, "store")
	s, err := mlops.OpenStore(store, mlops.StoreCreate)
	if err != nil {
		t.Fatal(err)
	}
	ring, _ := mlops.NewKeyring(f.key)
	defer ring.Close()
	if err := s.Add(context.Background(), champ, &mlops.VerifyOptions{Trusted: ring}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAlias("fraud-detector", "champion", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	r := f.runPlugin(t, "INPUT_CANDIDATE="+cand, "INPUT_STORE="+store, "INPUT_CHAMPION-REF=fraud-detector:champion",
		"INPUT_TRUSTED-KEYS="+f.pubKey, "INPUT_POLICY="+f.policy)
	if r.code != exitBlocked {
		t.Fatalf("exit %d, want %d\nstderr: %s\nsummary:\n%s", r.code, exitBlocked, r.stderr, r.summary)
	}
	if !strings.Contains(r.summary, "| auc | regression | **BLOCK** | OK |") ||
		!strings.Contains(r.summary, "**Promotion blocked** by auc/regression") ||
		!strings.Contains(r.summary, "fraud-detector:champion in") ||
		!strings.Contains(r.stderr, "promotion blocked by auc/regression") {
		t.Fatalf("summary:\n%s\nstderr: %s", r.summary, r.stderr)
	}
	if r.outputs["promoted"] != "false" || r.outputs["action"] != "block_promotion" || r.outputs["blocked_checks"] != "auc/regression" {
		t.Fatalf("outputs %v", r.outputs)
	}
}

func TestTamperedPackageFailsVerification(t *testing.T) {
	f := newFixture(t)
	cand := f.pack(t, "1.1.0", goodMetrics)
	b, err := os.ReadFile(cand)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte("1.1.0|1.1.0|1.1.0|"))
	if i < 0 {
		t.Fatal("weights not found in the package")
	}
	b[i+5000] ^= 0x20
	tampered := filepath.Join(f.dir, "tampered.mlpkg")
	if err := os.WriteFile(tampered, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r := f.runPlugin(t, "PLUGIN_CANDIDATE="+tampered, "PLUGIN_TRUSTED_KEYS="+f.pubKey, "PLUGIN_POLICY="+f.policy,
		"PLUGIN_FIRST_RELEASE=true")
	if r.code != exitVerify {
		t.Fatalf("exit %d, want %d\nstderr: %s", r.code, exitVerify, r.stderr)
	}
	if !strings.Contains(r.summary, "MLOPS_E_INTEGRITY") || !strings.Contains(r.summary, "model.onnx") ||
		!strings.Contains(r.stderr, "MLOPS_E_INTEGRITY") {
		t.Fatalf("summary:\n%s\nstderr: %s", r.summary, r.stderr)
	}
	if r.outputs["verified"] != "false" || r.outputs["promoted"] != "false" {
		t.Fatalf("outputs %v", r.outputs)
	}

	// A package signed by a key that is not trusted fails too.
	other, _ := mlops.GenerateKey()
	defer other.Close()
	otherPub := filepath.Join(f.dir, "other.pub.pem")
	_ = other.WritePublicPEM(otherPub)
	r = f.runPlugin(t, "PLUGIN_CANDIDATE="+cand, "PLUGIN_TRUSTED_KEYS="+otherPub, "PLUGIN_POLICY="+f.policy,
		"PLUGIN_FIRST_RELEASE=true")
	if r.code != exitVerify || !strings.Contains(r.stderr, "MLOPS_E_SIGNATURE") {
		t.Fatalf("untrusted signer: exit %d, %s", r.code, r.stderr)
	}
}

func TestSettingsErrorsAndFirstModel(t *testing.T) {
	f := newFixture(t)
	r := f.runPlugin(t, "PLUGIN_CANDIDATE=x.mlpkg")
	if r.code != exitSettings || !strings.Contains(r.stderr, "missing settings: policy, trusted_keys, champion") {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	// Missing settings still write the step summary and the outputs, which say which.
	if !strings.Contains(r.summary, "missing settings: policy, trusted_keys, champion") ||
		r.outputs["promoted"] != "false" || !strings.Contains(r.outputs["error"], "missing settings") {
		t.Fatalf("summary:\n%s\noutputs %v", r.summary, r.outputs)
	}
	// No champion and no first_release: an error, not a first release.
	cand := f.pack(t, "1.0.0", goodMetrics)
	r = f.runPlugin(t, "PLUGIN_CANDIDATE="+cand, "PLUGIN_TRUSTED_KEYS="+f.pubKey, "PLUGIN_POLICY="+f.policy)
	if r.code != exitSettings || !strings.Contains(r.summary, "first_release") || r.outputs["promoted"] != "false" {
		t.Fatalf("no champion: exit %d %s\n%s", r.code, r.stderr, r.summary)
	}
	// A first release said explicitly: only bounds and samples apply.
	r = f.runPlugin(t, "PLUGIN_CANDIDATE="+cand, "PLUGIN_TRUSTED_KEYS="+f.pubKey, "PLUGIN_POLICY="+f.policy,
		"PLUGIN_FIRST_RELEASE=true")
	if r.code != 0 || !strings.Contains(r.summary, "No champion") || r.outputs["promoted"] != "true" ||
		r.outputs["first_release"] != "true" {
		t.Fatalf("first model: exit %d %s\n%s", r.code, r.stderr, r.summary)
	}
	r = f.runPlugin(t, "PLUGIN_CANDIDATE="+cand, "PLUGIN_TRUSTED_KEYS="+f.pubKey, "PLUGIN_POLICY="+f.policy,
		"PLUGIN_FIRST_RELEASE=maybe")
	if r.code != exitSettings || !strings.Contains(r.stderr, "first_release") || r.outputs["promoted"] != "false" {
		t.Fatalf("first_release=maybe: exit %d %s", r.code, r.stderr)
	}
}

// storeWithChampion makes a store holding champ under fraud-detector:champion.
func (f *fixture) storeWithChampion(t *testing.T, champ string) string {
	store := filepath.Join(f.dir, "store")
	s, err := mlops.OpenStore(store, mlops.StoreCreate)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ring, _ := mlops.NewKeyring(f.key)
	defer ring.Close()
	if err := s.Add(context.Background(), champ, &mlops.VerifyOptions{Trusted: ring}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAlias("fraud-detector", "champion", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	return store
}

// A champion reference that does not resolve is an error, not a first
// release; first_release says so explicitly and contradicts a champion.
func TestUnresolvedChampionIsAnError(t *testing.T) {
	f := newFixture(t)
	store := f.storeWithChampion(t, f.pack(t, "1.0.0", champMetrics))
	cand := f.pack(t, "1.1.0", goodMetrics)
	base := []string{"INPUT_CANDIDATE=" + cand, "INPUT_STORE=" + store, "INPUT_TRUSTED_KEYS=" + f.pubKey, "INPUT_POLICY=" + f.policy}
	r := f.runPlugin(t, append(base, "INPUT_CHAMPION_REF=typo-name:champion")...)
	if r.code != exitSettings || r.outputs["promoted"] != "false" || !strings.Contains(r.outputs["error"], "typo-name:champion") ||
		!strings.Contains(r.summary, "first_release") || strings.Contains(r.summary, "**Promote:**") {
		t.Fatalf("typo: exit %d\nstderr: %s\nsummary:\n%s\noutputs %v", r.code, r.stderr, r.summary, r.outputs)
	}
	r = f.runPlugin(t, append(base, "INPUT_CHAMPION_REF=typo-name:champion", "INPUT_FIRST_RELEASE=true")...)
	if r.code != 0 || r.outputs["promoted"] != "true" || r.outputs["first_release"] != "true" {
		t.Fatalf("first release: exit %d\nstderr: %s\nsummary:\n%s", r.code, r.stderr, r.summary)
	}
	r = f.runPlugin(t, append(base, "INPUT_CHAMPION_REF=fraud-detector:champion", "INPUT_FIRST_RELEASE=true")...)
	if r.code != exitSettings || r.outputs["promoted"] != "false" {
		t.Fatalf("first release with a champion: exit %d\nstderr: %s", r.code, r.stderr)
	}
}

// The candidate must be the champion's model, and not an older version
// unless allow_downgrade is set.
func TestOtherModelOrOlderVersionIsBlocked(t *testing.T) {
	f := newFixture(t)
	champ := f.pack(t, "1.0.0", champMetrics)
	other := f.packNamed(t, "totally-different", "0.0.1", goodMetrics)
	r := f.runPlugin(t, "PLUGIN_CANDIDATE="+other, "PLUGIN_CHAMPION="+champ, "PLUGIN_TRUSTED_KEYS="+f.pubKey, "PLUGIN_POLICY="+f.policy)
	if r.code != exitBlocked || r.outputs["promoted"] != "false" || r.outputs["action"] != "block_promotion" ||
		!strings.Contains(r.outputs["blocked_checks"], "model/name") ||
		!strings.Contains(r.summary, "| model | name | **BLOCK** | OTHER_MODEL |") {
		t.Fatalf("other model: exit %d\nstderr: %s\nsummary:\n%s\noutputs %v", r.code, r.stderr, r.summary, r.outputs)
	}
	older := f.pack(t, "0.9.0", goodMetrics)
	args := []string{"PLUGIN_CANDIDATE=" + older, "PLUGIN_CHAMPION=" + champ, "PLUGIN_TRUSTED_KEYS=" + f.pubKey, "PLUGIN_POLICY=" + f.policy}
	r = f.runPlugin(t, args...)
	if r.code != exitBlocked || r.outputs["blocked_checks"] != "model/version" ||
		!strings.Contains(r.summary, "| model | version | **BLOCK** | DOWNGRADE |") {
		t.Fatalf("downgrade: exit %d\nstderr: %s\nsummary:\n%s\noutputs %v", r.code, r.stderr, r.summary, r.outputs)
	}
	r = f.runPlugin(t, append(args, "PLUGIN_ALLOW_DOWNGRADE=true")...)
	if r.code != 0 || r.outputs["promoted"] != "true" {
		t.Fatalf("allowed downgrade: exit %d\nstderr: %s\nsummary:\n%s", r.code, r.stderr, r.summary)
	}
}

// A regression exactly at the limit passes: 0.91 - 0.905 is 0.005 in
// decimal (0.0050000000000000044 in binary), the documented limit.
func TestRegressionAtTheLimitPasses(t *testing.T) {
	f := newFixture(t)
	champ := f.pack(t, "1.0.0", champMetrics)
	cand := f.pack(t, "1.1.0", map[string]float64{"auc": 0.905, "auc.samples": 20000, "p99_latency_ms": 44})
	r := f.runPlugin(t, "PLUGIN_CANDIDATE="+cand, "PLUGIN_CHAMPION="+champ, "PLUGIN_TRUSTED_KEYS="+f.pubKey, "PLUGIN_POLICY="+f.policy)
	if r.code != 0 || r.outputs["promoted"] != "true" || !strings.Contains(r.summary, "| auc | regression | pass |") {
		t.Fatalf("exit %d\nstderr: %s\nsummary:\n%s", r.code, r.stderr, r.summary)
	}
	cand = f.pack(t, "1.2.0", map[string]float64{"auc": 0.9049, "auc.samples": 20000, "p99_latency_ms": 44})
	r = f.runPlugin(t, "PLUGIN_CANDIDATE="+cand, "PLUGIN_CHAMPION="+champ, "PLUGIN_TRUSTED_KEYS="+f.pubKey, "PLUGIN_POLICY="+f.policy)
	if r.code != exitBlocked || r.outputs["blocked_checks"] != "auc/regression" {
		t.Fatalf("0.9049: exit %d\nsummary:\n%s", r.code, r.summary)
	}
}

// When the outputs cannot be written the run fails, and the summary says so.
func TestUnwritableOutputsFailTheRun(t *testing.T) {
	f := newFixture(t)
	champ := f.pack(t, "1.0.0", champMetrics)
	cand := f.pack(t, "1.1.0", goodMetrics)
	r := f.runPlugin(t, "PLUGIN_CANDIDATE="+cand, "PLUGIN_CHAMPION="+champ, "PLUGIN_TRUSTED_KEYS="+f.pubKey,
		"PLUGIN_POLICY="+f.policy, "PLUGIN_OUTPUT_FILE="+filepath.Join(f.dir, "no-such-dir", "out"))
	if r.code != exitSettings || !strings.Contains(r.summary, "**Error:** writing the outputs") {
		t.Fatalf("exit %d\nstderr: %s\nsummary:\n%s", r.code, r.stderr, r.summary)
	}
}
