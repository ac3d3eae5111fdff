package mlops

/*
#include "bridge.h"
*/
import "C"

import (
	"math"
	"runtime"
	"unsafe"
)

// ProfileKind is the kind of a profile.
type ProfileKind int

const (
	Numeric     ProfileKind = C.MLOPS_PROFILE_NUMERIC
	Categorical ProfileKind = C.MLOPS_PROFILE_CATEGORICAL
)

// ProfileOptions configure NewProfile; zero fields take the defaults.
type ProfileOptions struct {
	K           int       // KLL k (default 200)
	Seed        uint64    // sketch generator seed
	Edges       []float64 // histogram edges (numeric), copied by the library
	CategoryCap int       // exact categories kept (default 1024)
}

// Profile is a mergeable summary of one feature (mlops_profile). One
// goroutine at a time.
type Profile struct{ h handle }

func prp(p unsafe.Pointer) *C.mlops_profile { return (*C.mlops_profile)(p) }

func newProfile(p *C.mlops_profile) *Profile {
	pr := &Profile{h: newHandle(unsafe.Pointer(p), func(p unsafe.Pointer) { C.mlops_profile_free(prp(p)) })}
	runtime.SetFinalizer(pr, finalizeCloser[*Profile])
	return pr
}

// NewProfile makes an empty profile.
func NewProfile(kind ProfileKind, opts *ProfileOptions) (*Profile, error) {
	var o ProfileOptions
	if opts != nil {
		o = *opts
	}
	if o.K < 0 || o.CategoryCap < 0 {
		return nil, goError(CodeInvalid, -1, "", "ProfileOptions: negative K or CategoryCap")
	}
	var ep *C.double
	if len(o.Edges) > 0 {
		ep = (*C.double)(&o.Edges[0])
	}
	var p *C.mlops_profile
	if err := call(func() C.int {
		return C.mlopsgo_profile_new(&p, C.int(kind), C.uint32_t(o.K), C.uint64_t(o.Seed), ep, C.size_t(len(o.Edges)), C.uint32_t(o.CategoryCap))
	}); err != nil {
		return nil, err
	}
	return newProfile(p), nil
}

// DeserializeProfile reads a profile written by Serialize (profile-v1).
func DeserializeProfile(data []byte) (*Profile, error) {
	var p *C.mlops_profile
	if err := call(func() C.int { return C.mlops_profile_parse(&p, bytesPtr(data), C.size_t(len(data))) }); err != nil {
		return nil, err
	}
	return newProfile(p), nil
}

// Close releases the profile. Idempotent.
func (pr *Profile) Close() error {
	if pr == nil {
		return nil
	}
	pr.hd().close()
	runtime.SetFinalizer(pr, nil)
	return nil
}

// Clone returns a deep copy.
func (pr *Profile) Clone() (*Profile, error) {
	var c *C.mlops_profile
	err := pr.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int { return C.mlops_profile_dup(&c, prp(p)) })
	})
	if err != nil {
		return nil, err
	}
	return newProfile(c), nil
}

// Update adds values to a numeric profile; the slice is passed to C
// without copying (pinned for the call).
func (pr *Profile) Update(values []float64) error {
	var vp *C.double
	if len(values) > 0 {
		vp = (*C.double)(&values[0])
	}
	return pr.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int { return C.mlops_profile_update(prp(p), vp, C.size_t(len(values))) })
	})
}

// UpdateCodes adds category codes to a categorical profile (no copy).
func (pr *Profile) UpdateCodes(codes []int64) error {
	var cp *C.int64_t
	if len(codes) > 0 {
		cp = (*C.int64_t)(&codes[0])
	}
	return pr.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int { return C.mlops_profile_update_codes(prp(p), cp, C.size_t(len(codes))) })
	})
}

// Merge merges src into pr.
func (pr *Profile) Merge(src *Profile) error {
	if pr == src {
		return goError(CodeInvalid, -1, "", "Merge: a profile cannot be merged into itself")
	}
	return use2(pr.hd(), src.hd(), func(d, s unsafe.Pointer) error {
		return call(func() C.int { return C.mlops_profile_merge(prp(d), prp(s)) })
	})
}

// MarshalBinary serialises the profile (encoding.BinaryMarshaler).
func (pr *Profile) MarshalBinary() ([]byte, error) {
	var out []byte
	err := pr.hd().use(func(p unsafe.Pointer) error {
		var b C.mlops_buf
		err := call(func() C.int { return C.mlops_profile_write(&b, prp(p), 0) })
		if err == nil {
			out = goBuf(&b)
		}
		return err
	})
	return out, err
}

// ProfileStats are a profile's scalar summaries.
type ProfileStats struct {
	Kind                       ProfileKind
	Count, NaN, PosInf, NegInf uint64
	Mean, Variance, Min, Max   float64 // Variance with ddof 0
	SampleVariance             float64 // ddof 1
	K                          int
	Retained                   int
	RankError                  float64
	CategorySize               int
	CategoryError              uint64
}

// Stats returns the scalar summaries.
func (pr *Profile) Stats() ProfileStats {
	var s ProfileStats
	_ = pr.hd().use(func(p unsafe.Pointer) error {
		// The profile's info struct (profile.h, mlops_profile_info); the
		// variance with ddof d is m2 / (count - d) when count > d.
		i := C.mlops_profile_info(prp(p))
		count, m2 := uint64(i.count), float64(i.m2)
		variance := func(ddof uint64) float64 {
			if count <= ddof {
				return math.NaN()
			}
			return m2 / float64(count-ddof)
		}
		s = ProfileStats{
			Kind: ProfileKind(i.kind), Count: count,
			NaN: uint64(i.nan_count), PosInf: uint64(i.posinf_count),
			NegInf: uint64(i.neginf_count), Mean: float64(i.mean),
			Variance: variance(0), SampleVariance: variance(1),
			Min: float64(i.min), Max: float64(i.max),
			K: int(i.kll_k), Retained: int(i.retained),
			RankError: float64(i.rank_error), CategorySize: int(i.category_size),
			CategoryError: uint64(i.category_error),
		}
		return nil
	})
	return s
}

// Histogram returns copies of the histogram edges and counts (nil, nil
// when the profile has none).
func (pr *Profile) Histogram() (edges []float64, counts []uint64) {
	_ = pr.hd().use(func(p unsafe.Pointer) error {
		i := C.mlops_profile_info(prp(p))
		if i.histogram_edges != nil && i.n_histogram_edges > 0 {
			edges = append([]float64(nil), unsafe.Slice((*float64)(unsafe.Pointer(i.histogram_edges)), int(i.n_histogram_edges))...)
		}
		if i.histogram_counts != nil && i.n_histogram_counts > 0 {
			counts = append([]uint64(nil), unsafe.Slice((*uint64)(unsafe.Pointer(i.histogram_counts)), int(i.n_histogram_counts))...)
		}
		return nil
	})
	return edges, counts
}

// CategoryCount returns the (lower-bound) count of a code.
func (pr *Profile) CategoryCount(code int64) uint64 {
	var n C.uint64_t
	_ = pr.hd().use(func(p unsafe.Pointer) error { n = C.mlops_profile_category_count(prp(p), C.int64_t(code)); return nil })
	return uint64(n)
}

// Categories returns the retained categories sorted by code.
func (pr *Profile) Categories() (codes []int64, counts []uint64, err error) {
	err = pr.hd().use(func(p unsafe.Pointer) error {
		var n C.size_t
		if err := call(func() C.int { return C.mlops_profile_categories(nil, nil, 0, &n, prp(p)) }); err != nil && n == 0 {
			return err
		}
		if n == 0 {
			return nil
		}
		codes, counts = make([]int64, n), make([]uint64, n)
		return call(func() C.int {
			return C.mlops_profile_categories((*C.int64_t)(&codes[0]), (*C.uint64_t)(&counts[0]), n, &n, prp(p))
		})
	})
	return codes, counts, err
}

// Quantile returns the approximate value at rank in [0, 1].
func (pr *Profile) Quantile(rank float64) (float64, error) {
	var out C.double
	err := pr.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int { return C.mlops_profile_quantile(&out, prp(p), C.double(rank)) })
	})
	return float64(out), err
}

// Rank returns the approximate fraction of values <= x.
func (pr *Profile) Rank(x float64) (float64, error) {
	var out C.double
	err := pr.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int { return C.mlops_profile_rank(&out, prp(p), C.double(x)) })
	})
	return float64(out), err
}

// QuantileEdges returns the inner edges of bins equal-frequency bins.
func (pr *Profile) QuantileEdges(bins int) ([]float64, error) {
	if bins < 2 {
		return nil, goError(CodeInvalid, -1, "", "QuantileEdges: bins must be at least 2")
	}
	edges := make([]float64, bins-1)
	var n C.size_t
	err := pr.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int {
			return C.mlops_profile_quantile_edges((*C.double)(&edges[0]), &n, prp(p), C.uint32_t(bins))
		})
	})
	if err != nil {
		return nil, err
	}
	return edges[:n], nil
}

// Verdict is a sketch test's verdict.
type Verdict int

const (
	NoDrift      Verdict = C.MLOPS_SKETCH_NO_DRIFT
	Drift        Verdict = C.MLOPS_SKETCH_DRIFT
	Inconclusive Verdict = C.MLOPS_SKETCH_INCONCLUSIVE
)

// SketchTest is the result of a test between two profiles.
type SketchTest struct {
	Statistic, Low, High      float64
	PValueLow, PValueHigh     float64
	Threshold, EpsRef, EpsCur float64
	Verdict                   Verdict
}

func sketchTest(which C.int, ref, cur *Profile, param float64) (SketchTest, error) {
	var res [9]C.double
	err := use2(ref.hd(), cur.hd(), func(r, c unsafe.Pointer) error {
		return call(func() C.int { return C.mlopsgo_sketch_test(which, &res[0], prp(r), prp(c), C.double(param)) })
	})
	if err != nil {
		return SketchTest{}, err
	}
	return SketchTest{float64(res[0]), float64(res[1]), float64(res[2]), float64(res[3]), float64(res[4]),
		float64(res[5]), float64(res[6]), float64(res[7]), Verdict(res[8])}, nil
}

// KSTest is the two-sample Kolmogorov–Smirnov test between numeric profiles.
func KSTest(ref, cur *Profile, alpha float64) (SketchTest, error) {
	return sketchTest(0, ref, cur, alpha)
}

// Wasserstein is the Wasserstein-1 distance test between numeric profiles.
func Wasserstein(ref, cur *Profile, threshold float64) (SketchTest, error) {
	return sketchTest(1, ref, cur, threshold)
}
