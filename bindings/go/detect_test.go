package mlops

import (
	"errors"
	"reflect"
	"testing"
)

// river.txt: river 0.26.1's change points on streams regenerated here.
func TestDetectorsMatchRiver(t *testing.T) {
	types := map[string]DetectorType{"adwin": ADWIN, "page_hinkley": PageHinkley, "ddm": DDM, "eddm": EDDM}
	checked := 0
	for _, c := range readVectors(t, repoFile("tests", "vectors", "detect", "river.txt")) {
		dt, ok := types[firstOr(c.kv["detector"])]
		if !ok || len(c.kv["stream"]) == 0 {
			continue
		}
		var opts DetectorOptions
		if v := c.kv["param_clock"]; len(v) > 0 {
			x := uint32(c.floats(t, "param_clock")[0])
			opts.ADWINClock = &x
		}
		if v := c.kv["param_delta"]; len(v) > 0 {
			x := c.floats(t, "param_delta")[0]
			if dt == ADWIN {
				opts.ADWINDelta = &x
			} else {
				opts.PHDelta = &x
			}
		}
		if v := c.kv["param_alpha"]; len(v) > 0 {
			x := c.floats(t, "param_alpha")[0]
			opts.PHAlpha = &x
		}
		if v := c.kv["param_threshold"]; len(v) > 0 {
			x := c.floats(t, "param_threshold")[0]
			opts.PHThreshold = &x
		}
		if v := c.kv["param_min_instances"]; len(v) > 0 {
			x := uint32(c.floats(t, "param_min_instances")[0])
			opts.PHMinInstances = &x
		}
		if v := c.kv["param_mode"]; len(v) > 0 {
			x := map[string]uint32{"both": PHBoth, "up": PHUp, "down": PHDown}[v[0]]
			opts.PHMode = &x
		}
		d, err := NewDetector(dt, &opts)
		if err != nil {
			t.Fatal(err)
		}
		xs := riverStream(t, c)
		drifts, warnings, err := d.UpdateWarn(xs)
		if err != nil {
			t.Fatal(err)
		}
		if want := c.ints(t, "drifts"); !reflect.DeepEqual(orEmpty(drifts), orEmpty(want)) {
			t.Fatalf("%s: drifts %v, river %v", c.name, drifts, want)
		}
		if want := c.kv["warnings"]; want != nil && !reflect.DeepEqual(orEmpty(warnings), orEmpty(c.ints(t, "warnings"))) {
			t.Fatalf("%s: %d warnings, river %d", c.name, len(warnings), len(want))
		}
		s := d.State()
		if s.Type != dt || s.Count != uint64(len(xs)) || s.Drifts != uint64(len(drifts)) {
			t.Fatalf("%s: state %+v", c.name, s)
		}
		_ = s.Estimation + float64(s.Width) + float64(s.NonFinite)
		_ = s.DriftDetected || s.WarningDetected
		blob, err := d.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		back, err := LoadDetector(blob)
		if err != nil || !sameState(back.State(), s) {
			t.Fatalf("%s: reload %v %+v", c.name, err, back.State())
		}
		// The reloaded detector continues exactly as the original.
		a, _ := d.Update(xs[:500])
		b, _ := back.Update(xs[:500])
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%s: reloaded detector diverges", c.name)
		}
		back.Close()
		d.Close()
		checked++
	}
	if checked < 8 {
		t.Fatalf("only %d river cases checked", checked)
	}
	ddm, _ := NewDetector(DDM, nil)
	defer ddm.Close()
	if _, err := ddm.Update([]float64{0, 1, 0.5}); !errors.Is(err, ErrDomain) {
		t.Fatalf("DDM given 0.5: %v", err)
	}
	ks, err := NewDetector(KSWIN, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = ks.Update(make([]float64, 200))
	if ks.State().Count != 200 {
		t.Fatal("KSWIN count")
	}
	ks.Close()
	if _, err := LoadDetector([]byte("junk")); err == nil {
		t.Fatal("junk detector accepted")
	}
}

func firstOr(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func orEmpty(s []int) []int {
	if s == nil {
		return []int{}
	}
	return s
}

func sameState(a, b DetectorState) bool {
	if a.Estimation != a.Estimation && b.Estimation != b.Estimation {
		a.Estimation, b.Estimation = 0, 0
	}
	return a == b
}
