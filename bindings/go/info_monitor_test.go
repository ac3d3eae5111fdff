package mlops

import (
	"math"
	"testing"
)

// The profile, detector and reference values the binding reads from the
// library's info structs, against NumPy and river.
func TestInfoStructsOfTheMonitorLayer(t *testing.T) {
	// NumPy: x = [1, 2, 4]; x.var() = 1.5555555555555554,
	// x.var(ddof=1) = 2.333333333333333, x.mean() = 2.3333333333333335.
	p, err := NewProfile(Numeric, &ProfileOptions{Edges: []float64{2}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Update([]float64{1, math.NaN(), 2, 4, math.Inf(1), math.Inf(-1)}); err != nil {
		t.Fatal(err)
	}
	s := p.Stats()
	if s.Kind != Numeric || s.Count != 3 || s.NaN != 1 || s.PosInf != 1 || s.NegInf != 1 ||
		s.Mean != 2.3333333333333335 || !closeTo(s.Variance, 1.5555555555555554, 1e-15) ||
		!closeTo(s.SampleVariance, 2.333333333333333, 1e-15) || s.Min != 1 || s.Max != 4 ||
		s.K != 200 || s.Retained != 3 || s.RankError != 0 {
		t.Fatalf("numeric stats %+v", s)
	}
	if e, c := p.Histogram(); len(e) != 1 || e[0] != 2 || len(c) != 2 || c[0] != 1 || c[1] != 2 {
		t.Fatalf("histogram %v %v", e, c)
	}
	// The struct follows the profile.
	if err := p.Update([]float64{10}); err != nil {
		t.Fatal(err)
	}
	if s := p.Stats(); s.Count != 4 || s.Max != 10 {
		t.Fatalf("after update %+v", s)
	}
	one, _ := NewProfile(Numeric, nil)
	defer one.Close()
	_ = one.Update([]float64{5})
	if s := one.Stats(); s.Variance != 0 || !math.IsNaN(s.SampleVariance) {
		t.Fatalf("one value: %+v", s)
	}
	c, _ := NewProfile(Categorical, nil)
	defer c.Close()
	_ = c.UpdateCodes([]int64{5, 5, 7})
	if s := c.Stats(); s.Kind != Categorical || s.Count != 3 || s.CategorySize != 2 ||
		!math.IsNaN(s.Variance) || !math.IsNaN(s.Mean) || !math.IsNaN(s.RankError) || s.K != 0 {
		t.Fatalf("categorical stats %+v", s)
	}

	// river 0.21: ADWIN() updated with 1, 2, 4 has width 3.0 and
	// estimation 2.3333333333333335 (the NaN is counted and skipped).
	d, err := NewDetector(ADWIN, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Update([]float64{1, 2, 4, math.NaN()}); err != nil {
		t.Fatal(err)
	}
	if st := d.State(); st.Type != ADWIN || st.Count != 3 || st.NonFinite != 1 || st.Width != 3 ||
		st.Estimation != 2.3333333333333335 || st.Drifts != 0 || st.DriftDetected {
		t.Fatalf("adwin state %+v", st)
	}

	// NumPy: quantile bins of [1, 2, 3, 4] in 2 bins: edge 2.5, counts 2, 2.
	o := DefaultDriftOptions()
	o.Bins = 2
	r, err := NewDriftReference([]float64{1, 2, 3, 4, math.NaN()}, &o)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if e, n := r.Edges(), r.Counts(); len(e) != 1 || e[0] != 2.5 || len(n) != 2 || n[0] != 2 || n[1] != 2 {
		t.Fatalf("reference %v %v", e, n)
	}
}
