package mlops

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Histograms compared through DriftCounts and through profiles built with the
// vectors' edges reproduce the SciPy/NumPy share metrics of tests/vectors/drift.
func TestProfileDriftAndCountsMatchVectors(t *testing.T) {
	files, _ := filepath.Glob(repoFile("tests", "vectors", "drift", "*.json"))
	checked := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v driftVector
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if v.Kind != "numeric" {
			continue
		}
		for _, bins := range []binVectors{v.QuantileBins, v.UniformBins} {
			if len(bins.Edges) == 0 {
				continue
			}
			interior := bins.Edges // the vectors record interior edges (bins - 1 values)
			ref, err := NewProfile(Numeric, &ProfileOptions{Edges: interior})
			if err != nil {
				t.Fatalf("%s: %v", v.Name, err)
			}
			cur, err := NewProfile(Numeric, &ProfileOptions{Edges: interior})
			if err != nil {
				t.Fatal(err)
			}
			if err := ref.Update(v.Reference); err != nil {
				t.Fatal(err)
			}
			if err := cur.Update(v.Current); err != nil {
				t.Fatal(err)
			}
			want := map[DriftMetric]float64{DriftPSI: bins.PSI, DriftJS: bins.JS}
			for m, w := range want {
				r, err := ProfileDrift(ref, cur, m, nil)
				if err != nil {
					t.Fatalf("%s %v: %v", v.Name, m, err)
				}
				if !closeTo(r.Statistic, w, 1e-12) {
					t.Errorf("%s %v from profiles: %.17g, NumPy %.17g", v.Name, m, r.Statistic, w)
				}
				c, err := DriftCounts(m, interior, bins.RefCounts, bins.CurCounts, v.MissingRef, v.MissingCur, nil)
				if err != nil {
					t.Fatalf("%s %v counts: %v", v.Name, m, err)
				}
				if !closeTo(c.Statistic, w, 1e-12) || c.MissingRef != v.MissingRef || c.MissingCur != v.MissingCur {
					t.Errorf("%s %v from counts: %+v, NumPy %.17g", v.Name, m, c, w)
				}
				checked++
			}
			ref.Close()
			cur.Close()
		}
	}
	if checked < 20 {
		t.Fatalf("only %d comparisons", checked)
	}
	// Mismatched inputs are refused with the library's error.
	a, _ := NewProfile(Numeric, &ProfileOptions{Edges: []float64{0, 1}})
	b, _ := NewProfile(Numeric, &ProfileOptions{Edges: []float64{0, 2}})
	defer a.Close()
	defer b.Close()
	_ = a.Update([]float64{0.5, 1.5})
	_ = b.Update([]float64{0.5, 1.5})
	if _, err := ProfileDrift(a, b, DriftPSI, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("different edges: %v", err)
	}
	if _, err := DriftCounts(DriftPSI, nil, []uint64{1, 2}, []uint64{1}, 0, 0, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("different lengths: %v", err)
	}
}
