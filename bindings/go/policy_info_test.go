package mlops

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"
)

// The values the binding reads from the read-only info structs (policy,
// decision, gate result, package report) against the policy text worked by
// hand and crypto/sha256.

// infoPolicy is canonical RFC 8785 JSON (keys sorted, no blanks): its digest
// is the SHA-256 of these very bytes.
const infoPolicy = `{"gate":{"metrics":{"auc":{"max_regression":0.0625,"min":0.75}}},` +
	`"policy_id":"info","revision":7,"rules":[` +
	`{"action":"rollback","cooldown":"1h","description":"x is very high","id":"big","when":{"gt":2,"signal":"x"}},` +
	`{"action":"block_promotion","dry_run":true,"id":"dry","when":{"gt":1,"signal":"x"}},` +
	`{"action":"warn","id":"warn","when":{"gt":1,"signal":"x"}}],` +
	`"schema":"libmlops.policy/v1","signals":{"auc":{"better":"higher","kind":"metric"},"x":{"kind":"score"}}}`

func TestPolicyInfoValues(t *testing.T) {
	pol, err := ParsePolicy([]byte(infoPolicy), "info.json")
	if err != nil {
		t.Fatal(err)
	}
	defer pol.Close()
	sum := sha256.Sum256([]byte(infoPolicy))
	if pol.ID() != "info" || pol.Revision() != 7 || pol.TestCount() != 0 ||
		pol.Digest() != "sha256:"+hex.EncodeToString(sum[:]) {
		t.Fatalf("summary %q %d %d %q", pol.ID(), pol.Revision(), pol.TestCount(), pol.Digest())
	}
	if ids := pol.RuleIDs(); len(ids) != 3 || ids[0] != "big" || ids[1] != "dry" || ids[2] != "warn" {
		t.Fatalf("rule ids %v", ids)
	}
	var nilPol *Policy
	if nilPol.ID() != "" || nilPol.Revision() != 0 || nilPol.RuleIDs() != nil || nilPol.TestCount() != 0 {
		t.Fatal("a nil policy reads as empty")
	}
}

func TestDecisionInfoValues(t *testing.T) {
	pol, err := ParsePolicy([]byte(infoPolicy), "info.json")
	if err != nil {
		t.Fatal(err)
	}
	defer pol.Close()
	obs, _ := NewObservations(pol)
	defer obs.Close()
	st, _ := NewState(pol)
	defer st.Close()
	d, _ := NewDecision(pol)
	defer d.Close()
	// nothing decided yet: no action, no rule, the epoch, every rule unevaluated
	if d.Action() != ActionNone || d.Rule() != "" || !d.Time().Equal(time.UnixMilli(0)) || d.Suppressed() != nil {
		t.Fatalf("undecided: %v %q %v %v", d.Action(), d.Rule(), d.Time(), d.Suppressed())
	}
	if rt := d.Rules(); len(rt) != 3 || rt[0] != (RuleTrace{"big", Truth(-1), Reason(-1), 0}) {
		t.Fatalf("undecided rules %+v", rt)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := obs.Set("x", 3, -1); err != nil {
		t.Fatal(err)
	}
	// x = 3: big decides; dry (a dry run) and warn are suppressed
	if err := pol.Decide(d, st, obs, t0, st); err != nil {
		t.Fatal(err)
	}
	if d.Action() != ActionRollback || d.Rule() != "big" || !d.Time().Equal(t0) {
		t.Fatalf("first: %v %q %v", d.Action(), d.Rule(), d.Time())
	}
	wantRules := []RuleTrace{{"big", True, ReasonOK, 0}, {"dry", True, ReasonDryRun, 0},
		{"warn", True, ReasonSuppressedBy, 0}}
	wantSup := []SuppressedRule{{"dry", ActionBlockPromotion, ReasonDryRun}, {"warn", ActionWarn, ReasonSuppressedBy}}
	if rt, sp := d.Rules(), d.Suppressed(); !equalRules(rt, wantRules) || !equalSuppressed(sp, wantSup) {
		t.Fatalf("first trace %+v suppressed %+v", rt, sp)
	}
	// ten minutes later the same decision object: big cools down for 50 minutes, warn decides
	if err := pol.Decide(d, st, obs, t0.Add(10*time.Minute), st); err != nil {
		t.Fatal(err)
	}
	wantRules = []RuleTrace{{"big", True, ReasonCooldown, 50 * time.Minute}, {"dry", True, ReasonDryRun, 0},
		{"warn", True, ReasonOK, 0}}
	wantSup = []SuppressedRule{{"big", ActionRollback, ReasonCooldown}, {"dry", ActionBlockPromotion, ReasonDryRun}}
	if d.Action() != ActionWarn || d.Rule() != "warn" || !d.Time().Equal(t0.Add(10*time.Minute)) ||
		!equalRules(d.Rules(), wantRules) || !equalSuppressed(d.Suppressed(), wantSup) {
		t.Fatalf("second: %v %q %+v %+v", d.Action(), d.Rule(), d.Rules(), d.Suppressed())
	}
	d.Close()
	if d.Action() != ActionNone || d.Rules() != nil || d.Suppressed() != nil {
		t.Fatal("a closed decision reads as empty")
	}
}

func equalRules(a, b []RuleTrace) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalSuppressed(a, b []SuppressedRule) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestGateResultInfoValues(t *testing.T) {
	pol, err := ParsePolicy([]byte(infoPolicy), "info.json")
	if err != nil {
		t.Fatal(err)
	}
	defer pol.Close()
	cand, _ := NewMetricSet()
	defer cand.Close()
	champ, _ := NewMetricSet()
	defer champ.Close()
	if err := cand.Put("auc", MetricValue{Value: 0.8125, Samples: -1}); err != nil {
		t.Fatal(err)
	}
	if err := champ.Put("auc", MetricValue{Value: 0.9375, Samples: -1}); err != nil {
		t.Fatal(err)
	}
	res, err := pol.Gate(cand, champ)
	if err != nil {
		t.Fatal(err)
	}
	// min: 0.8125 >= 0.75 passes; regression 0.9375 - 0.8125 = 0.125 > 0.0625 blocks
	want := []GateCheck{{"auc", "min", true, ReasonOK}, {"auc", "regression", false, ReasonOK}}
	if res.Action != ActionBlockPromotion || len(res.Checks) != 2 || res.Checks[0] != want[0] || res.Checks[1] != want[1] {
		t.Fatalf("gate %+v", res)
	}
}

func TestPackageReportInfoValues(t *testing.T) {
	dir := t.TempDir()
	pkg, files := makePackage(t, dir, "1.0.0", nil)
	rep, err := VerifyPackage(context.Background(), pkg, &VerifyOptions{AllowUnsigned: true})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Valid || rep.Signed || rep.FilesVerified != 3 || len(rep.Problems) != 0 || rep.Error != nil {
		t.Fatalf("valid report %+v", rep)
	}
	rep.Manifest.Close()
	tampered := tamper(t, pkg, dir, files["weights.bin"])
	flipped := append([]byte(nil), files["weights.bin"]...)
	flipped[100] ^= 0xff
	want, got := sha256.Sum256(files["weights.bin"]), sha256.Sum256(flipped)
	rep, err = VerifyPackage(context.Background(), tampered, &VerifyOptions{AllowUnsigned: true})
	if !errors.Is(err, ErrIntegrity) || rep == nil {
		t.Fatalf("tampered: %v %+v", err, rep)
	}
	if rep.Manifest != nil {
		rep.Manifest.Close()
	}
	if rep.Valid || rep.Error == nil || rep.Error.Code != CodeIntegrity || len(rep.Problems) != 1 {
		t.Fatalf("tampered report %+v", rep)
	}
	p := rep.Problems[0]
	if p.Code != CodeIntegrity || p.Entry != "weights.bin" ||
		p.Expected != "sha256:"+hex.EncodeToString(want[:]) || p.Found != "sha256:"+hex.EncodeToString(got[:]) ||
		p.Message == "" {
		t.Fatalf("problem %+v", p)
	}
}
