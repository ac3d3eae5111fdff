package mlops

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

// Smoothing 0: 0·ln 0 = 0 and an empty bin on one side is +Inf (the values
// are scipy.special.rel_entr's, SciPy 1.17); +Inf drifts, the JSON form says
// "Infinity" and a statistic that cannot be computed is ErrDomain, never
// Drifted == false.
func TestDriftSmoothingZeroAndNonFiniteStatistics(t *testing.T) {
	o := DefaultDriftOptions()
	o.Smoothing = 0
	r, err := DriftCounts(DriftKL, nil, []uint64{0, 1}, []uint64{341, 359}, 0, 0, &o)
	if err != nil {
		t.Fatal(err)
	}
	// scipy.stats.entropy([0, 1], [341/700, 359/700]) = 0.6677579465551258
	if math.Abs(r.Statistic-0.6677579465551258) > 1e-12 || !r.Drifted {
		t.Fatalf("KL with smoothing 0: %v drifted=%v", r.Statistic, r.Drifted)
	}
	r, err = DriftCounts(DriftPSI, nil, []uint64{2, 2, 0}, []uint64{1, 1, 2}, 0, 0, &o)
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsInf(r.Statistic, 1) || !r.Drifted {
		t.Fatalf("PSI with an empty reference bin: %v drifted=%v", r.Statistic, r.Drifted)
	}
	var doc map[string]any
	if err := json.Unmarshal(r.JSON, &doc); err != nil {
		t.Fatalf("result JSON does not parse: %v: %s", err, r.JSON)
	}
	if doc["statistic"] != "Infinity" || doc["pvalue"] != nil {
		t.Fatalf("JSON statistic %v pvalue %v: %s", doc["statistic"], doc["pvalue"], r.JSON)
	}
	big := []float64{-math.MaxFloat64, math.MaxFloat64}
	r, err = DriftNumeric(DriftWasserstein, big, big, nil)
	if !errors.Is(err, ErrDomain) || r != nil || !strings.Contains(err.Error(), "not computable") {
		t.Fatalf("NaN statistic: result %+v, error %v", r, err)
	}
}
