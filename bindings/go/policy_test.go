package mlops

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

func loadPolicy(t testing.TB, parts ...string) *Policy {
	t.Helper()
	b, err := os.ReadFile(repoFile(parts...))
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePolicy(b, parts[len(parts)-1])
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The policy's own embedded tests state the expected gate actions; the
// cases here are its first two tests, checked through the Go API.
func TestPolicyGateAndEmbeddedTests(t *testing.T) {
	pol := loadPolicy(t, "examples", "policies", "ci-promotion-gate.json")
	defer pol.Close()
	if pol.ID() != "ci-promotion-gate" || pol.Revision() != 2 || !strings.HasPrefix(pol.Digest(), "sha256:") ||
		len(pol.RuleIDs()) != 0 || pol.TestCount() != 6 {
		t.Fatalf("policy %s %d %s %v %d", pol.ID(), pol.Revision(), pol.Digest(), pol.RuleIDs(), pol.TestCount())
	}
	passed, failed, report, err := pol.RunTests()
	if err != nil || passed != 6 || failed != 0 || !json.Valid(report) {
		t.Fatalf("tests %d/%d %v %s", passed, failed, err, report)
	}
	lint, n, err := pol.Lint()
	if err != nil || n != 0 || !json.Valid(lint) {
		t.Fatalf("lint %d %v %s", n, err, lint)
	}
	cand, _ := NewMetricSet()
	champ, _ := NewMetricSet()
	defer cand.Close()
	defer champ.Close()
	put := func(s *MetricSet, name string, v MetricValue) {
		t.Helper()
		if err := s.Put(name, v); err != nil {
			t.Fatal(err)
		}
	}
	put(cand, "auc", MetricValue{Value: 0.915, HasCI: true, CILow: 0.905, CIHigh: 0.925, Samples: 20000})
	put(cand, "p99_latency_ms", MetricValue{Value: 42, Samples: -1})
	put(cand, "fairness_gap", MetricValue{Value: 0.02, Samples: 20000})
	put(champ, "auc", MetricValue{Value: 0.91, Samples: -1})
	put(champ, "p99_latency_ms", MetricValue{Value: 40, Samples: -1})
	put(champ, "fairness_gap", MetricValue{Value: 0.025, Samples: -1})
	r, err := pol.Gate(cand, champ)
	if err != nil || r.Blocked() || r.Action != ActionNone || len(r.Checks) == 0 {
		t.Fatalf("gate %v %+v", err, r)
	}
	metrics := map[string]bool{}
	for _, c := range r.Checks {
		metrics[c.Metric] = true
		if !c.Passed || c.Reason != ReasonOK || c.Kind == "" {
			t.Fatalf("check %+v", c)
		}
	}
	if len(metrics) != 3 || !json.Valid(r.JSON) || !strings.Contains(r.Explanation, "auc") {
		t.Fatalf("checks %v %s %q", metrics, r.JSON, r.Explanation)
	}
	// The second embedded test: AUC 0.902 against 0.91 regresses too much.
	put(cand, "auc", MetricValue{Value: 0.902, HasCI: true, CILow: 0.9, CIHigh: 0.904, Samples: 20000})
	put(champ, "fairness_gap", MetricValue{Value: 0.02, Samples: -1})
	put(cand, "p99_latency_ms", MetricValue{Value: 40, Samples: -1})
	r, err = pol.Gate(cand, champ)
	if err != nil || !r.Blocked() || r.Action.String() != "block_promotion" {
		t.Fatalf("regression: %v %+v", err, r)
	}
	var blocked []string
	for _, c := range r.Checks {
		if !c.Passed {
			blocked = append(blocked, c.Metric+"/"+c.Kind)
		}
	}
	if len(blocked) == 0 || blocked[0] != "auc/regression" {
		t.Fatalf("blocking checks %v", blocked)
	}
	// No champion: only bounds and samples apply (the sixth embedded test).
	if r, err := pol.Gate(cand, nil); err != nil || r.Blocked() {
		t.Fatalf("first model: %v %+v", err, r)
	}
	if err := cand.Put("auc", MetricValue{Value: 0.5, HasCI: true, CILow: 0.6, CIHigh: 0.7}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("value outside its interval: %v", err)
	}
	if _, err := ParsePolicy([]byte(`{"schema":`), "x.json"); !errors.Is(err, ErrParse) {
		t.Fatalf("bad policy: %v", err)
	}
	var e *Error
	if _, err := ParsePolicy([]byte(`{"schema":"libmlops.policy/v1","policy_id":"x","revision":1,"rules":[{"id":1}]}`), "x.json"); !errors.As(err, &e) || e.Path == "" {
		t.Fatalf("schema error without a path: %v", err)
	}
}

// replay-10k.jsonl was written by gen_replay.py, an independent model of
// the policy semantics: the library must agree on every step.
func TestPolicyReplayAndDecide(t *testing.T) {
	pol := loadPolicy(t, "tests", "vectors", "policy", "replay-policy.json")
	log, err := os.ReadFile(repoFile("tests", "vectors", "policy", "replay-10k.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	steps, mism, report, err := pol.Replay(log, false)
	if err != nil || steps != 10000 || mism != 0 {
		t.Fatalf("replay: %d steps %d mismatches %v %s", steps, mism, err, report)
	}
	_, _, rec, err := pol.Replay(log[:bytes.IndexByte(log, '\n')+1], true)
	if err != nil || !bytes.Contains(rec, []byte(`"expect"`)) {
		t.Fatalf("record: %v %s", err, rec)
	}

	if ids := pol.RuleIDs(); len(ids) != 3 || ids[0] != "collapse" {
		t.Fatalf("rules %v", ids)
	}
	obs, err := NewObservations(pol)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := NewState(pol)
	d, _ := NewDecision(pol)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := st.SetLastTraining(t0.Add(-24 * time.Hour)); err != nil {
		t.Fatal(err)
	}
	// "collapse" needs auc < 0.7 on 2 consecutive evaluations.
	if err := obs.SetMany([]string{"auc", "err"}, []float64{0.6, 0.01}, []int64{1000, 1000}); err != nil {
		t.Fatal(err)
	}
	if err := pol.Decide(d, st, obs, t0, st); err != nil {
		t.Fatal(err)
	}
	if d.Action() != ActionNone || d.Rule() != "" || !d.Time().Equal(t0) {
		t.Fatalf("first step: %v %q %v", d.Action(), d.Rule(), d.Time())
	}
	rt := d.Rules()
	if rt[0].Rule != "collapse" || rt[0].Truth != True || rt[0].Reason != ReasonPending {
		t.Fatalf("trace %+v", rt)
	}
	saved, err := st.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if err := obs.Set("auc", 0.55, 1000); err != nil {
		t.Fatal(err)
	}
	if err := pol.Decide(d, st, obs, t0.Add(5*time.Minute), st); err != nil {
		t.Fatal(err)
	}
	if d.Action() != ActionRollback || d.Rule() != "collapse" || d.Action().String() != "rollback" {
		t.Fatalf("second step: %v %q", d.Action(), d.Rule())
	}
	js, err := d.JSON(false)
	if err != nil || !json.Valid(js) || !bytes.Contains(js, []byte(`"rollback"`)) {
		t.Fatalf("decision JSON %s %v", js, err)
	}
	if pj, err := d.JSON(true); err != nil || !bytes.Contains(pj, []byte("\n")) {
		t.Fatal("pretty decision")
	}
	if ex, err := d.Explain(); err != nil || !strings.Contains(ex, "collapse") {
		t.Fatalf("explain %q %v", ex, err)
	}
	_ = d.Suppressed()
	// Going back in time is refused; a reloaded state repeats the decision.
	if err := pol.Decide(d, st, obs, t0, st); !errors.Is(err, ErrInvalid) {
		t.Fatalf("time going back: %v", err)
	}
	st2, _ := NewState(pol)
	if err := st2.UnmarshalJSON(saved); err != nil {
		t.Fatal(err)
	}
	st3, _ := NewState(pol)
	if err := st3.CopyFrom(st2); err != nil {
		t.Fatal(err)
	}
	if err := pol.Decide(d, st3, obs, t0.Add(5*time.Minute), st3); err != nil || d.Action() != ActionRollback {
		t.Fatalf("from the saved state: %v %v", err, d.Action())
	}
	st3.Reset()
	if err := pol.Decide(d, st3, obs, t0.Add(5*time.Minute), nil); err != nil || d.Action() == ActionRollback {
		t.Fatalf("from a fresh state: %v %v", err, d.Action())
	}
	obs.Clear()
	if err := obs.Set("auc", math.NaN(), -1); err != nil {
		t.Fatal(err)
	}
	if err := obs.Set("", 1, 1); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty name: %v", err)
	}
	if Truth(2).String() != "UNKNOWN" || ReasonNoChampion.String() != "NO_CHAMPION" {
		t.Fatal("names")
	}
	// Objects made for the policy keep its memory until they are closed:
	// the decision still reads rule ids owned by the closed policy.
	pol.Close()
	if ex, err := d.Explain(); err != nil || !strings.Contains(ex, "collapse") {
		t.Fatalf("explain after the policy's Close: %q %v", ex, err)
	}
	if err := pol.Decide(d, st, obs, t0.Add(time.Hour), st); err != ErrClosed {
		t.Fatalf("Decide on a closed policy: %v", err)
	}
	for _, c := range []interface{ Close() error }{obs, st, st2, st3, d} {
		c.Close()
	}
	if pol.ID() != "" {
		t.Fatal("policy still open after its objects closed")
	}
}
