package mlops

/*
#include "bridge.h"
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// DriftMetric names a drift metric or test.
type DriftMetric int

const (
	DriftAuto              DriftMetric = C.MLOPS_DRIFT_AUTO
	DriftKS                DriftMetric = C.MLOPS_DRIFT_KS
	DriftWasserstein       DriftMetric = C.MLOPS_DRIFT_WASSERSTEIN
	DriftWassersteinNormed DriftMetric = C.MLOPS_DRIFT_WASSERSTEIN_NORMED
	DriftEnergy            DriftMetric = C.MLOPS_DRIFT_ENERGY
	DriftCvM               DriftMetric = C.MLOPS_DRIFT_CVM
	DriftPSI               DriftMetric = C.MLOPS_DRIFT_PSI
	DriftKL                DriftMetric = C.MLOPS_DRIFT_KL
	DriftJS                DriftMetric = C.MLOPS_DRIFT_JS
	DriftHellinger         DriftMetric = C.MLOPS_DRIFT_HELLINGER
	DriftTVD               DriftMetric = C.MLOPS_DRIFT_TVD
	DriftLInf              DriftMetric = C.MLOPS_DRIFT_LINF
	DriftChi2              DriftMetric = C.MLOPS_DRIFT_CHI2
	DriftZTest             DriftMetric = C.MLOPS_DRIFT_ZTEST
)

// String returns the metric's name ("ks", "psi", ...).
func (m DriftMetric) String() string { return C.GoString(C.mlops_drift_metric_name(C.int(m))) }

// AutoDriftMetric returns the metric DriftAuto picks for a feature.
func AutoDriftMetric(categorical bool, nRef, nDistinct uint64) DriftMetric {
	c := C.int(0)
	if categorical {
		c = 1
	}
	return DriftMetric(C.mlops_drift_auto_metric(c, C.uint64_t(nRef), C.uint64_t(nDistinct)))
}

// Binning of the share metrics.
const (
	BinsQuantile = C.MLOPS_DRIFT_BINS_QUANTILE
	BinsUniform  = C.MLOPS_DRIFT_BINS_UNIFORM
	BinsEdges    = C.MLOPS_DRIFT_BINS_EDGES
)

// KS p-value modes.
const (
	KSSciPy              = C.MLOPS_DRIFT_KS_SCIPY
	KSExactWhereFeasible = C.MLOPS_DRIFT_KS_EXACT_WHERE_FEASIBLE
	KSAsymptotic         = C.MLOPS_DRIFT_KS_ASYMPTOTIC
)

// DriftOptions are the options of every drift call. Start from
// DefaultDriftOptions(); a nil *DriftOptions means the defaults.
type DriftOptions struct {
	RejectNonFinite bool      // fail on NaN/inf instead of omitting them
	Binning         int       // BinsQuantile, BinsUniform, BinsEdges
	Bins            int       // number of bins (default 10)
	Edges           []float64 // interior edges for BinsEdges
	Smoothing       float64   // additive smoothing of the share metrics (default 0.5)
	JSBase          float64   // logarithm base of JS (default 2)
	Threshold       float64   // NaN: the metric's default threshold
	KSMode          int       // KSSciPy, KSExactWhereFeasible, KSAsymptotic
}

// DriftTableOptions configure DriftTable. Start from DefaultDriftTableOptions().
type DriftTableOptions struct {
	Rule        int     // DriftRuleShare, DriftRuleBonferroni, DriftRuleHolm, DriftRuleBH
	DriftShare  float64 // share of drifted columns that makes the table drift
	Alpha       float64
	EffectFloor float64 // NaN: none
	Threads     int     // 0: the library's default
	Column      *DriftOptions
}

// Dataset-level drift rules.
const (
	DriftRuleShare      = C.MLOPS_DRIFT_RULE_SHARE
	DriftRuleBonferroni = C.MLOPS_DRIFT_RULE_BONFERRONI
	DriftRuleHolm       = C.MLOPS_DRIFT_RULE_HOLM
	DriftRuleBH         = C.MLOPS_DRIFT_RULE_BH
)

func driftDefaults() (C.mlopsgo_drift_opts, C.mlopsgo_table_opts) {
	var g C.mlopsgo_drift_opts
	var t C.mlopsgo_table_opts
	if err := call(func() C.int { return C.mlopsgo_drift_defaults(&g, &t) }); err != nil {
		panic(err) // only a library/binding version mismatch can fail
	}
	return g, t
}

// DefaultDriftOptions returns the library's defaults (mlops_drift_options_init).
func DefaultDriftOptions() DriftOptions {
	g, _ := driftDefaults()
	return DriftOptions{RejectNonFinite: g.flags&C.MLOPS_DRIFT_REJECT_NONFINITE != 0, Binning: int(g.binning),
		Bins: int(g.bins), Smoothing: float64(g.smoothing), JSBase: float64(g.js_base),
		Threshold: float64(g.threshold), KSMode: int(g.ks_mode)}
}

// DefaultDriftTableOptions returns the library's defaults (mlops_drift_table_options_init).
func DefaultDriftTableOptions() DriftTableOptions {
	_, t := driftDefaults()
	return DriftTableOptions{Rule: int(t.rule), DriftShare: float64(t.drift_share), Alpha: float64(t.alpha),
		EffectFloor: float64(t.effect_floor), Threads: int(t.threads)}
}

// cOpts converts options (nil: defaults) and returns the edges pointer.
func (o *DriftOptions) c() (*C.mlopsgo_drift_opts, *C.double, C.size_t, error) {
	if o == nil {
		return nil, nil, 0, nil
	}
	if o.Bins < 0 || o.Binning < 0 || o.KSMode < 0 {
		return nil, nil, 0, goError(CodeInvalid, -1, "", "DriftOptions: negative field")
	}
	g := &C.mlopsgo_drift_opts{binning: C.uint32_t(o.Binning), bins: C.size_t(o.Bins), smoothing: C.double(o.Smoothing),
		js_base: C.double(o.JSBase), threshold: C.double(o.Threshold), ks_mode: C.uint32_t(o.KSMode)}
	if o.RejectNonFinite {
		g.flags = C.MLOPS_DRIFT_REJECT_NONFINITE
	}
	var ep *C.double
	if len(o.Edges) > 0 {
		ep = (*C.double)(&o.Edges[0])
	}
	return g, ep, C.size_t(len(o.Edges)), nil
}

func f64p(s []float64) *C.double {
	if len(s) == 0 {
		return nil
	}
	return (*C.double)(&s[0])
}

// DriftResult is a drift metric's result, copied into Go.
type DriftResult struct {
	Metric       DriftMetric
	Statistic    float64
	PValue       float64 // NaN when the metric has none
	PValueMethod int     // 0 none, 1 exact, 2 asymptotic
	Threshold    float64
	PValueBelow  bool // drifted means p-value < threshold (else statistic >= threshold)
	Drifted      bool
	MissingRef   uint64
	MissingCur   uint64
	NRef, NCur   uint64
	Smoothing    float64
	JSBase       float64
	DoF          uint64
	UnseenShare  float64
	Bins         int
	Edges        []float64 // interior edges of a numeric share metric
	RefCounts    []uint64
	CurCounts    []uint64
	Categories   []int64 // category code of each bin of a categorical result
	JSON         []byte  // the library's JSON form
}

// copyDriftResult copies r (not freed) into Go memory.
func copyDriftResult(r *C.mlops_drift_result) (*DriftResult, error) {
	// One read of the result's info struct (drift.h, mlops_drift_result_info).
	i := C.mlops_drift_result_info(r)
	out := &DriftResult{
		Metric: DriftMetric(i.metric), Statistic: float64(i.statistic),
		PValue: float64(i.pvalue), PValueMethod: int(i.pvalue_method),
		Threshold: float64(i.threshold), PValueBelow: i.direction == C.MLOPS_DRIFT_PVALUE_LT,
		Drifted: i.drifted == 1, MissingRef: uint64(i.missing_ref),
		MissingCur: uint64(i.missing_cur), NRef: uint64(i.n_ref),
		NCur: uint64(i.n_cur), Smoothing: float64(i.smoothing),
		JSBase: float64(i.js_base), DoF: uint64(i.dof),
		UnseenShare: float64(i.unseen_share), Bins: int(i.bins),
	}
	if i.edges != nil && i.n_edges > 0 {
		out.Edges = append([]float64(nil), unsafe.Slice((*float64)(unsafe.Pointer(i.edges)), int(i.n_edges))...)
	}
	if out.Bins > 0 {
		if i.ref_counts != nil {
			out.RefCounts = append([]uint64(nil), unsafe.Slice((*uint64)(unsafe.Pointer(i.ref_counts)), out.Bins)...)
		}
		if i.cur_counts != nil {
			out.CurCounts = append([]uint64(nil), unsafe.Slice((*uint64)(unsafe.Pointer(i.cur_counts)), out.Bins)...)
		}
		if i.categories != nil {
			out.Categories = append([]int64(nil), unsafe.Slice((*int64)(unsafe.Pointer(i.categories)), out.Bins)...)
		}
	}
	var b C.mlops_buf
	if err := call(func() C.int { return C.mlops_drift_result_write_json(&b, r, 0) }); err != nil {
		return nil, err
	}
	out.JSON = goBuf(&b)
	return out, nil
}

func finishDrift(r *C.mlops_drift_result, err error) (*DriftResult, error) {
	if err != nil {
		return nil, err
	}
	defer C.mlops_drift_result_free(r)
	return copyDriftResult(r)
}

// DriftNumeric compares a reference sample with a current one. ref and cur
// are passed to C without copying: cgo pins them for the call.
func DriftNumeric(metric DriftMetric, ref, cur []float64, opts *DriftOptions) (*DriftResult, error) {
	g, ep, ne, err := opts.c()
	if err != nil {
		return nil, err
	}
	var r *C.mlops_drift_result
	err = call(func() C.int {
		return C.mlopsgo_drift_numeric(&r, C.int(metric), f64p(ref), C.size_t(len(ref)), f64p(cur), C.size_t(len(cur)), g, ep, ne)
	})
	return finishDrift(r, err)
}

// DriftCategorical compares category codes in [0, nCategories).
func DriftCategorical(metric DriftMetric, ref, cur []int64, nCategories int, opts *DriftOptions) (*DriftResult, error) {
	g, _, _, err := opts.c()
	if err != nil {
		return nil, err
	}
	if nCategories < 0 || nCategories > 1<<31-1 {
		return nil, goError(CodeInvalid, -1, "", "nCategories out of range")
	}
	ip := func(s []int64) *C.int64_t {
		if len(s) == 0 {
			return nil
		}
		return (*C.int64_t)(&s[0])
	}
	var r *C.mlops_drift_result
	err = call(func() C.int {
		return C.mlopsgo_drift_categorical(&r, C.int(metric), ip(ref), C.size_t(len(ref)), ip(cur), C.size_t(len(cur)), C.uint32_t(nCategories), g)
	})
	return finishDrift(r, err)
}

// AdjustPValues returns Bonferroni, Holm or Benjamini–Hochberg adjusted
// p-values (method: PValueBonferroni, PValueHolm, PValueBH).
func AdjustPValues(p []float64, method int) ([]float64, error) {
	out := make([]float64, len(p))
	err := call(func() C.int { return C.mlops_drift_pvalue_adjust(f64p(out), f64p(p), C.size_t(len(p)), C.int(method)) })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// P-value adjustment methods.
const (
	PValueBonferroni = C.MLOPS_PVALUE_BONFERRONI
	PValueHolm       = C.MLOPS_PVALUE_HOLM
	PValueBH         = C.MLOPS_PVALUE_BH
)

// DriftReference is a binned summary of a reference sample, compared with
// many current samples (mlops_drift_reference). Immutable: it may be shared.
type DriftReference struct{ h handle }

func drp(p unsafe.Pointer) *C.mlops_drift_reference { return (*C.mlops_drift_reference)(p) }

func newDriftReference(p *C.mlops_drift_reference) *DriftReference {
	d := &DriftReference{h: newHandle(unsafe.Pointer(p), func(p unsafe.Pointer) { C.mlops_drift_reference_free(drp(p)) })}
	runtime.SetFinalizer(d, finalizeCloser[*DriftReference])
	return d
}

// NewDriftReference bins a reference sample (the sample is not kept).
func NewDriftReference(ref []float64, opts *DriftOptions) (*DriftReference, error) {
	g, ep, ne, err := opts.c()
	if err != nil {
		return nil, err
	}
	var p *C.mlops_drift_reference
	if err := call(func() C.int {
		return C.mlopsgo_drift_reference_new(&p, f64p(ref), C.size_t(len(ref)), g, ep, ne)
	}); err != nil {
		return nil, err
	}
	return newDriftReference(p), nil
}

// DriftReferenceFromCounts builds a reference from interior edges and
// len(edges)+1 counts.
func DriftReferenceFromCounts(edges []float64, counts []uint64, missing uint64) (*DriftReference, error) {
	if len(counts) != len(edges)+1 {
		return nil, goError(CodeInvalid, -1, "", "DriftReferenceFromCounts: need len(edges)+1 counts")
	}
	var p *C.mlops_drift_reference
	if err := call(func() C.int {
		return C.mlops_drift_reference_from_counts(&p, f64p(edges), C.size_t(len(edges)), (*C.uint64_t)(&counts[0]), C.uint64_t(missing))
	}); err != nil {
		return nil, err
	}
	return newDriftReference(p), nil
}

// Close releases the reference. Idempotent.
func (d *DriftReference) Close() error {
	if d == nil {
		return nil
	}
	d.hd().close()
	runtime.SetFinalizer(d, nil)
	return nil
}

// Edges returns a copy of the interior bin edges.
func (d *DriftReference) Edges() []float64 {
	var out []float64
	_ = d.hd().use(func(p unsafe.Pointer) error {
		if i := C.mlops_drift_reference_info(drp(p)); i.edges != nil && i.n_edges > 0 {
			out = append(out, unsafe.Slice((*float64)(unsafe.Pointer(i.edges)), int(i.n_edges))...)
		}
		return nil
	})
	return out
}

// Counts returns a copy of the per-bin counts.
func (d *DriftReference) Counts() []uint64 {
	var out []uint64
	_ = d.hd().use(func(p unsafe.Pointer) error {
		if i := C.mlops_drift_reference_info(drp(p)); i.counts != nil && i.bins > 0 {
			out = append(out, unsafe.Slice((*uint64)(unsafe.Pointer(i.counts)), int(i.bins))...)
		}
		return nil
	})
	return out
}

// Compare compares a current sample (passed without copying) with the
// reference using a share metric.
func (d *DriftReference) Compare(metric DriftMetric, cur []float64, opts *DriftOptions) (*DriftResult, error) {
	g, _, _, err := opts.c()
	if err != nil {
		return nil, err
	}
	var r *C.mlops_drift_result
	err = d.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int {
			return C.mlopsgo_drift_reference_compare(&r, drp(p), C.int(metric), f64p(cur), C.size_t(len(cur)), g)
		})
	})
	return finishDrift(r, err)
}

// DriftCounts compares two histograms over the same bins (refCounts and
// curCounts, one count per bin) with a share metric (PSI, KL, JS, Hellinger,
// TVD, L-infinity). edges are the bins' interior edges (len(refCounts)-1
// values) or nil; missingRef and missingCur are reported as omitted values.
func DriftCounts(metric DriftMetric, edges []float64, refCounts, curCounts []uint64, missingRef, missingCur uint64, opts *DriftOptions) (*DriftResult, error) {
	g, _, _, err := opts.c()
	if err != nil {
		return nil, err
	}
	if len(refCounts) != len(curCounts) {
		return nil, goError(CodeInvalid, -1, "", "refCounts and curCounts differ in length")
	}
	u64p := func(s []uint64) *C.uint64_t {
		if len(s) == 0 {
			return nil
		}
		return (*C.uint64_t)(&s[0])
	}
	var r *C.mlops_drift_result
	err = call(func() C.int {
		return C.mlopsgo_drift_counts(&r, C.int(metric), f64p(edges), C.size_t(len(edges)),
			u64p(refCounts), u64p(curCounts), C.size_t(len(refCounts)),
			C.uint64_t(missingRef), C.uint64_t(missingCur), g)
	})
	return finishDrift(r, err)
}

// ProfileDrift compares two profiles on their histograms (numeric profiles
// with the same edges) or category counts (categorical profiles) with a
// share metric, or chi-square / z-test for categories.
func ProfileDrift(ref, cur *Profile, metric DriftMetric, opts *DriftOptions) (*DriftResult, error) {
	g, _, _, err := opts.c()
	if err != nil {
		return nil, err
	}
	var r *C.mlops_drift_result
	err = use2(ref.hd(), cur.hd(), func(a, b unsafe.Pointer) error {
		return call(func() C.int { return C.mlopsgo_profile_drift(&r, prp(a), prp(b), C.int(metric), g) })
	})
	return finishDrift(r, err)
}

// DriftTableResult is a table comparison, copied into Go.
type DriftTableResult struct {
	Columns         []*DriftResult
	ColumnDrifted   []bool
	AdjustedPValues []float64
	DriftedCount    int
	DriftedShare    float64
	Drifted         bool
	JSON            []byte
}

// DriftTable compares two column-major tables of nCols columns (ref holds
// nCols*nRef values, cur nCols*nCur), passed without copying. metrics may
// be nil (DriftAuto for every column).
func DriftTable(ref []float64, nRef int, cur []float64, nCur int, nCols int, metrics []DriftMetric, opts *DriftTableOptions) (*DriftTableResult, error) {
	if nRef < 0 || nCur < 0 || nCols < 0 || len(ref) != nRef*nCols || len(cur) != nCur*nCols ||
		(metrics != nil && len(metrics) != nCols) {
		return nil, goError(CodeInvalid, -1, "", "DriftTable: slice lengths do not match nRef, nCur and nCols")
	}
	o := DefaultDriftTableOptions()
	if opts != nil {
		o = *opts
	}
	if o.Threads < 0 {
		return nil, goError(CodeInvalid, -1, "", "DriftTableOptions.Threads is negative")
	}
	g, ep, ne, err := o.Column.c()
	if err != nil {
		return nil, err
	}
	t := C.mlopsgo_table_opts{rule: C.uint32_t(o.Rule), drift_share: C.double(o.DriftShare), alpha: C.double(o.Alpha),
		effect_floor: C.double(o.EffectFloor), threads: C.uint32_t(o.Threads)}
	var mp *C.int
	if metrics != nil {
		ms := make([]C.int, len(metrics))
		for i, m := range metrics {
			ms[i] = C.int(m)
		}
		if len(ms) > 0 {
			mp = &ms[0]
		}
	}
	var tr *C.mlops_drift_table_result
	if err := call(func() C.int {
		return C.mlopsgo_drift_table(&tr, f64p(ref), C.size_t(nRef), f64p(cur), C.size_t(nCur), C.size_t(nCols), mp, &t, g, ep, ne)
	}); err != nil {
		return nil, err
	}
	defer C.mlops_drift_table_result_free(tr)
	ti := C.mlops_drift_table_result_info(tr)
	out := &DriftTableResult{DriftedCount: int(ti.drifted_count),
		DriftedShare: float64(ti.drifted_share), Drifted: ti.drifted == 1}
	for i := C.size_t(0); i < ti.columns; i++ {
		ci := C.mlops_drift_table_result_column_info(tr, i)
		col, err := copyDriftResult(ci.result)
		if err != nil {
			return nil, err
		}
		out.Columns = append(out.Columns, col)
		out.ColumnDrifted = append(out.ColumnDrifted, ci.drifted == 1)
		out.AdjustedPValues = append(out.AdjustedPValues, float64(ci.adjusted_pvalue))
	}
	var b C.mlops_buf
	if err := call(func() C.int { return C.mlops_drift_table_result_write_json(&b, tr, 0) }); err != nil {
		return nil, err
	}
	out.JSON = goBuf(&b)
	return out, nil
}
