package mlops

import (
	"errors"
	"math"
	"testing"
)

// streams.txt holds NumPy/SciPy results on streams regenerated here.
func TestProfilesMatchNumPyAndSciPy(t *testing.T) {
	cases := readVectors(t, repoFile("tests", "vectors", "profile", "streams.txt"))
	seen := 0
	for _, c := range cases {
		if len(c.kv["ref_stream"]) == 0 || len(c.kv["edges"]) == 0 {
			continue
		}
		seen++
		edges := c.floats(t, "edges")
		ref := profileStream(t, c.kv["ref_stream"])
		cur := profileStream(t, c.kv["cur_stream"])
		pr, err := NewProfile(Numeric, &ProfileOptions{K: 200, Seed: 1, Edges: edges})
		if err != nil {
			t.Fatal(err)
		}
		if err := pr.Update(ref); err != nil {
			t.Fatal(err)
		}
		s := pr.Stats()
		if s.Kind != Numeric || s.Count != uint64(c.floats(t, "ref_count")[0]) || s.NaN != uint64(c.floats(t, "ref_nan")[0]) ||
			s.PosInf != uint64(c.floats(t, "ref_posinf")[0]) || s.NegInf != uint64(c.floats(t, "ref_neginf")[0]) ||
			!closeTo(s.Mean, c.floats(t, "ref_mean")[0], 1e-12) || !closeTo(s.SampleVariance, c.floats(t, "ref_var1")[0], 1e-9) ||
			s.Min != c.floats(t, "ref_min")[0] || s.Max != c.floats(t, "ref_max")[0] || s.K != 200 {
			t.Fatalf("%s: stats %+v", c.name, s)
		}
		he, hc := pr.Histogram()
		want := c.floats(t, "ref_hist")
		if len(he) != len(edges) || len(hc) != len(want) {
			t.Fatalf("%s: histogram %v %v", c.name, he, hc)
		}
		for i := range want {
			if float64(hc[i]) != want[i] {
				t.Fatalf("%s: histogram bin %d: %d vs NumPy %v", c.name, i, hc[i], want[i])
			}
		}
		// Serialise, reload, merge halves: same counts.
		blob, err := pr.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		back, err := DeserializeProfile(blob)
		if err != nil || back.Stats().Count != s.Count {
			t.Fatalf("%s: reload %v", c.name, err)
		}
		half, _ := NewProfile(Numeric, &ProfileOptions{Seed: 1, Edges: edges})
		other, _ := NewProfile(Numeric, &ProfileOptions{Seed: 2, Edges: edges})
		_ = half.Update(ref[:len(ref)/2])
		_ = other.Update(ref[len(ref)/2:])
		if err := half.Merge(other); err != nil || half.Stats().Count != s.Count || !closeTo(half.Stats().Mean, s.Mean, 1e-12) {
			t.Fatalf("%s: merge %v", c.name, err)
		}
		if err := half.Merge(half); !errors.Is(err, ErrInvalid) {
			t.Fatalf("self merge: %v", err)
		}
		cl, _ := pr.Clone()
		if cl.Stats() != s {
			t.Fatal("clone differs")
		}
		q, err := pr.Quantile(0)
		if err != nil || q != s.Min {
			t.Fatalf("quantile 0: %v %v", q, err)
		}
		if r, err := pr.Rank(s.Max); err != nil || r != 1 {
			t.Fatalf("rank of max %v %v", r, err)
		}
		for _, p := range []*Profile{back, half, other, cl, pr} {
			p.Close()
		}
		if c.name[:5] != "small" {
			continue
		}
		// Exact sketches: NumPy's quantile edges and SciPy's KS statistic.
		ex, _ := NewProfile(Numeric, &ProfileOptions{K: 65535})
		ex2, _ := NewProfile(Numeric, &ProfileOptions{K: 65535})
		_ = ex.Update(ref)
		_ = ex2.Update(cur)
		qe, err := ex.QuantileEdges(10)
		if err != nil || len(qe) != len(edges) {
			t.Fatalf("quantile edges %v %v", qe, err)
		}
		for i := range qe {
			if qe[i] != edges[i] {
				t.Fatalf("%s edge %d: %v vs NumPy %v", c.name, i, qe[i], edges[i])
			}
		}
		ks, err := KSTest(ex, ex2, 0.05)
		if err != nil || !closeTo(ks.Statistic, c.floats(t, "ks_d")[0], 1e-12) || ks.EpsRef != 0 {
			t.Fatalf("%s: KS %+v %v (SciPy D %v)", c.name, ks, err, c.kv["ks_d"])
		}
		w, err := Wasserstein(ex, ex2, 0.01)
		if err != nil || w.Statistic <= 0 || (w.Verdict != Drift && w.Verdict != NoDrift && w.Verdict != Inconclusive) {
			t.Fatalf("wasserstein %+v %v", w, err)
		}
		if wd := c.kv["wasserstein"]; len(wd) > 0 && !closeTo(w.Statistic, c.floats(t, "wasserstein")[0], 1e-9) {
			t.Fatalf("%s: W1 %v vs SciPy %v", c.name, w.Statistic, wd)
		}
		ex.Close()
		ex2.Close()
	}
	if seen == 0 {
		t.Fatal("no profile vectors")
	}

	cat, err := NewProfile(Categorical, &ProfileOptions{CategoryCap: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	if err := cat.UpdateCodes([]int64{3, 1, 3, 7, 3, 1}); err != nil {
		t.Fatal(err)
	}
	codes, counts, err := cat.Categories()
	if err != nil || len(codes) != 3 || codes[0] != 1 || counts[0] != 2 || codes[1] != 3 || counts[1] != 3 || counts[2] != 1 {
		t.Fatalf("categories %v %v %v", codes, counts, err)
	}
	if cat.CategoryCount(3) != 3 || cat.Stats().CategorySize != 3 || cat.Stats().CategoryError != 0 {
		t.Fatal("category counts")
	}
	if err := cat.Update([]float64{1}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("values into a categorical profile: %v", err)
	}
	if _, err := NewProfile(Numeric, &ProfileOptions{Edges: []float64{1, math.NaN()}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("NaN edge: %v", err)
	}
	if _, err := DeserializeProfile([]byte("junk")); err == nil {
		t.Fatal("junk profile accepted")
	}
}
