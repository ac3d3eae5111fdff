package mlops

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// flexFloats decodes a JSON array of numbers and "nan"/"inf"/"-inf" strings.
type flexFloats []float64

func (f *flexFloats) UnmarshalJSON(b []byte) error {
	var raw []interface{}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	for _, x := range raw {
		switch v := x.(type) {
		case float64:
			*f = append(*f, v)
		case string:
			switch strings.ToLower(v) {
			case "inf", "+inf", "infinity":
				*f = append(*f, math.Inf(1))
			case "-inf", "-infinity":
				*f = append(*f, math.Inf(-1))
			default:
				*f = append(*f, math.NaN())
			}
		default:
			*f = append(*f, math.NaN())
		}
	}
	return nil
}

type binVectors struct {
	K                                 int
	Smoothing                         float64
	JSBase                            float64 `json:"js_base"`
	Edges                             []float64
	PSI, KL, JS, Hellinger, TVD, LInf float64
	RefCounts                         []uint64 `json:"ref_counts"`
	CurCounts                         []uint64 `json:"cur_counts"`
}

type driftVector struct {
	Name, Kind         string
	Reference, Current flexFloats
	MissingRef         uint64 `json:"missing_ref"`
	MissingCur         uint64 `json:"missing_cur"`
	KS                 struct{ Statistic, PValue float64 }
	Wasserstein        float64
	WassersteinNormed  float64 `json:"wasserstein_normed"`
	Energy             float64
	CvM                struct{ Statistic, PValue float64 }
	QuantileBins       binVectors `json:"quantile_bins"`
	UniformBins        binVectors `json:"uniform_bins"`
	Chi2               struct {
		Statistic, PValue float64
		DoF               uint64
	}
	UnseenShare            float64 `json:"unseen_share"`
	PSI, KL, JS, Hellinger float64
	TVD, LInf              float64
	RefCounts              []uint64 `json:"ref_counts"`
	CurCounts              []uint64 `json:"cur_counts"`
	PValues                []float64
	Bonferroni, Holm, BH   []float64
}

// tests/vectors/drift: SciPy / NumPy results for each metric.
func TestDriftMatchesSciPyVectors(t *testing.T) {
	files, _ := filepath.Glob(repoFile("tests", "vectors", "drift", "*.json"))
	if len(files) < 10 {
		t.Fatalf("%d drift vector files", len(files))
	}
	near := func(name string, got, want, tol float64) {
		t.Helper()
		if !closeTo(got, want, tol) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("%s: %.17g, SciPy %.17g", name, got, want)
		}
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v driftVector
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		switch v.Kind {
		case "adjust":
			for m, want := range map[int][]float64{PValueBonferroni: v.Bonferroni, PValueHolm: v.Holm, PValueBH: v.BH} {
				got, err := AdjustPValues(v.PValues, m)
				if err != nil {
					t.Fatal(err)
				}
				for i := range want {
					near(v.Name+" adjusted", got[i], want[i], 1e-12)
				}
			}
		case "numeric":
			ks, err := DriftNumeric(DriftKS, v.Reference, v.Current, nil)
			if err != nil {
				t.Fatalf("%s: %v", v.Name, err)
			}
			near(v.Name+" ks", ks.Statistic, v.KS.Statistic, 1e-12)
			near(v.Name+" ks p", ks.PValue, v.KS.PValue, 1e-9)
			if ks.MissingRef != v.MissingRef || ks.MissingCur != v.MissingCur || !ks.PValueBelow || ks.Metric != DriftKS {
				t.Errorf("%s: ks result %+v", v.Name, ks)
			}
			for m, want := range map[DriftMetric]float64{DriftWasserstein: v.Wasserstein, DriftWassersteinNormed: v.WassersteinNormed, DriftEnergy: v.Energy} {
				r, err := DriftNumeric(m, v.Reference, v.Current, nil)
				if err != nil {
					t.Fatalf("%s %v: %v", v.Name, m, err)
				}
				near(v.Name+" "+m.String(), r.Statistic, want, 1e-9)
			}
			cvm, err := DriftNumeric(DriftCvM, v.Reference, v.Current, nil)
			if err != nil {
				t.Fatal(err)
			}
			near(v.Name+" cvm", cvm.Statistic, v.CvM.Statistic, 1e-9)
			near(v.Name+" cvm p", cvm.PValue, v.CvM.PValue, 1e-6)
			for _, bv := range []struct {
				binning int
				vec     binVectors
			}{{BinsQuantile, v.QuantileBins}, {BinsUniform, v.UniformBins}} {
				o := DefaultDriftOptions()
				o.Binning, o.Bins = bv.binning, bv.vec.K
				for m, want := range map[DriftMetric]float64{DriftPSI: bv.vec.PSI, DriftKL: bv.vec.KL, DriftJS: bv.vec.JS,
					DriftHellinger: bv.vec.Hellinger, DriftTVD: bv.vec.TVD, DriftLInf: bv.vec.LInf} {
					r, err := DriftNumeric(m, v.Reference, v.Current, &o)
					if err != nil {
						t.Fatalf("%s %v: %v", v.Name, m, err)
					}
					near(v.Name+" "+m.String(), r.Statistic, want, 1e-9)
					if m == DriftPSI && (len(r.Edges) != len(bv.vec.Edges) || !equalU(r.RefCounts, bv.vec.RefCounts) || !equalU(r.CurCounts, bv.vec.CurCounts)) {
						t.Errorf("%s: bins %v %v %v", v.Name, r.Edges, r.RefCounts, r.CurCounts)
					}
				}
				// The same through a reference summary, and one rebuilt from its counts.
				ref, err := NewDriftReference(v.Reference, &o)
				if err != nil {
					t.Fatal(err)
				}
				r, err := ref.Compare(DriftPSI, v.Current, &o)
				if err != nil {
					t.Fatal(err)
				}
				near(v.Name+" reference psi", r.Statistic, bv.vec.PSI, 1e-9)
				if !equalU(ref.Counts(), bv.vec.RefCounts) {
					t.Errorf("%s: reference counts %v", v.Name, ref.Counts())
				}
				ref2, err := DriftReferenceFromCounts(ref.Edges(), ref.Counts(), v.MissingRef)
				if err != nil {
					t.Fatal(err)
				}
				r2, err := ref2.Compare(DriftPSI, v.Current, &o)
				if err != nil || r2.Statistic != r.Statistic {
					t.Errorf("%s: from counts %v %v", v.Name, r2, err)
				}
				ref.Close()
				ref2.Close()
			}
		case "categorical":
			ref := toCodes(v.Reference)
			cur := toCodes(v.Current)
			n := 0
			for _, c := range append(append([]int64{}, ref...), cur...) {
				if int(c)+1 > n {
					n = int(c) + 1
				}
			}
			chi, err := DriftCategorical(DriftChi2, ref, cur, n, nil)
			if err != nil {
				t.Fatalf("%s: %v", v.Name, err)
			}
			near(v.Name+" chi2", chi.Statistic, v.Chi2.Statistic, 1e-9)
			near(v.Name+" chi2 p", chi.PValue, v.Chi2.PValue, 1e-6)
			near(v.Name+" unseen", chi.UnseenShare, v.UnseenShare, 1e-12)
			if chi.DoF != v.Chi2.DoF || !equalU(chi.RefCounts, v.RefCounts) || !equalU(chi.CurCounts, v.CurCounts) || len(chi.Categories) != chi.Bins {
				t.Errorf("%s: chi2 %+v", v.Name, chi)
			}
			for m, want := range map[DriftMetric]float64{DriftPSI: v.PSI, DriftKL: v.KL, DriftJS: v.JS, DriftHellinger: v.Hellinger, DriftTVD: v.TVD, DriftLInf: v.LInf} {
				r, err := DriftCategorical(m, ref, cur, n, nil)
				if err != nil {
					t.Fatal(err)
				}
				near(v.Name+" "+m.String(), r.Statistic, want, 1e-9)
			}
		}
	}
}

func equalU(a, b []uint64) bool {
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

func toCodes(f []float64) []int64 {
	out := make([]int64, len(f))
	for i, x := range f {
		out[i] = int64(x)
	}
	return out
}

func TestDriftTableAndErrors(t *testing.T) {
	b, _ := os.ReadFile(repoFile("tests", "vectors", "drift", "normal-shift-small.json"))
	var shift driftVector
	_ = json.Unmarshal(b, &shift)
	b, _ = os.ReadFile(repoFile("tests", "vectors", "drift", "normal-same.json"))
	var same driftVector
	_ = json.Unmarshal(b, &same)
	// Two columns of equal length from each file's first values.
	n := 400
	ref := append(append([]float64{}, shift.Reference[:n]...), same.Reference[:n]...)
	m := 400
	cur := append(append([]float64{}, shift.Current[:m]...), same.Current[:m]...)
	o := DefaultDriftTableOptions()
	o.Threads = 2
	tr, err := DriftTable(ref, n, cur, m, 2, []DriftMetric{DriftKS, DriftKS}, &o)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Columns) != 2 || len(tr.AdjustedPValues) != 2 || !json.Valid(tr.JSON) {
		t.Fatalf("table %+v", tr)
	}
	for j := 0; j < 2; j++ {
		one, err := DriftNumeric(DriftKS, ref[j*n:(j+1)*n], cur[j*m:(j+1)*m], nil)
		if err != nil || one.Statistic != tr.Columns[j].Statistic || one.Drifted != tr.ColumnDrifted[j] {
			t.Fatalf("column %d differs from the single call: %v", j, err)
		}
	}
	count := 0
	for _, d := range tr.ColumnDrifted {
		if d {
			count++
		}
	}
	if tr.DriftedCount != count || tr.DriftedShare != float64(count)/2 || tr.Drifted != (tr.DriftedShare >= o.DriftShare) {
		t.Fatalf("table summary %d %v %v", tr.DriftedCount, tr.DriftedShare, tr.Drifted)
	}
	if _, err := DriftTable(ref, n, cur, m, 3, nil, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad shape: %v", err)
	}
	if _, err := DriftNumeric(DriftKS, nil, []float64{1}, nil); !errors.Is(err, ErrDomain) {
		t.Fatalf("empty reference: %v", err)
	}
	o2 := DefaultDriftOptions()
	o2.RejectNonFinite = true
	if _, err := DriftNumeric(DriftKS, []float64{1, math.NaN()}, []float64{1}, &o2); !errors.Is(err, ErrDomain) {
		t.Fatalf("rejected NaN: %v", err)
	}
	if _, err := DriftCategorical(DriftChi2, []int64{0, 5}, []int64{1}, 3, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("code out of range: %v", err)
	}
	if AutoDriftMetric(false, 500, 500) != DriftKS || AutoDriftMetric(false, 5000, 5000) != DriftWassersteinNormed ||
		AutoDriftMetric(true, 500, 2) != DriftZTest || DriftPSI.String() != "psi" {
		t.Fatal("auto metric")
	}
	var js map[string]interface{}
	r, _ := DriftNumeric(DriftKS, shift.Reference, shift.Current, nil)
	if err := json.Unmarshal(r.JSON, &js); err != nil || js["metric"] != "ks" {
		t.Fatalf("result JSON %s", r.JSON)
	}
}
