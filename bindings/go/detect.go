package mlops

/*
#include "bridge.h"
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// DetectorType names a streaming drift detector.
type DetectorType int

const (
	ADWIN       DetectorType = C.MLOPS_DETECT_ADWIN
	PageHinkley DetectorType = C.MLOPS_DETECT_PAGE_HINKLEY
	DDM         DetectorType = C.MLOPS_DETECT_DDM
	EDDM        DetectorType = C.MLOPS_DETECT_EDDM
	KSWIN       DetectorType = C.MLOPS_DETECT_KSWIN
)

// Page-Hinkley directions.
const (
	PHBoth = C.MLOPS_PH_BOTH
	PHUp   = C.MLOPS_PH_UP
	PHDown = C.MLOPS_PH_DOWN
)

// DetectorOptions override the library's defaults (river's): a nil field
// keeps the default.
type DetectorOptions struct {
	ADWINDelta                                        *float64
	ADWINClock, ADWINMaxBuckets, ADWINMinWindowLength *uint32
	ADWINGracePeriod, PHMinInstances                  *uint32
	PHDelta, PHThreshold, PHAlpha                     *float64
	PHMode, DDMWarmStart                              *uint32
	DDMWarningThreshold, DDMDriftThreshold            *float64
	EDDMWarmStart                                     *uint32
	EDDMAlpha, EDDMBeta, KSWINAlpha                   *float64
	KSWINWindowSize, KSWINStatSize                    *uint32
	KSWINSeed                                         *uint64
}

// Detector is a streaming drift detector (mlops_detector). One goroutine
// at a time.
type Detector struct{ h handle }

func detp(p unsafe.Pointer) *C.mlops_detector { return (*C.mlops_detector)(p) }

func newDetector(p *C.mlops_detector) *Detector {
	d := &Detector{h: newHandle(unsafe.Pointer(p), func(p unsafe.Pointer) { C.mlops_detector_free(detp(p)) })}
	runtime.SetFinalizer(d, finalizeCloser[*Detector])
	return d
}

// NewDetector makes a detector; opts may be nil.
func NewDetector(t DetectorType, opts *DetectorOptions) (*Detector, error) {
	var par C.mlopsgo_detector_params
	var set C.uint32_t
	if opts != nil {
		f := func(i int, v *float64) {
			if v != nil {
				par.d[i] = C.double(*v)
				set |= 1 << i
			}
		}
		u := func(i int, v *uint32) {
			if v != nil {
				par.d[i] = C.double(*v)
				set |= 1 << i
			}
		}
		o := opts
		f(0, o.ADWINDelta)
		u(1, o.ADWINClock)
		u(2, o.ADWINMaxBuckets)
		u(3, o.ADWINMinWindowLength)
		u(4, o.ADWINGracePeriod)
		u(5, o.PHMinInstances)
		f(6, o.PHDelta)
		f(7, o.PHThreshold)
		f(8, o.PHAlpha)
		u(9, o.PHMode)
		u(10, o.DDMWarmStart)
		f(11, o.DDMWarningThreshold)
		f(12, o.DDMDriftThreshold)
		u(13, o.EDDMWarmStart)
		f(14, o.EDDMAlpha)
		f(15, o.EDDMBeta)
		f(16, o.KSWINAlpha)
		u(17, o.KSWINWindowSize)
		u(18, o.KSWINStatSize)
		if o.KSWINSeed != nil {
			if *o.KSWINSeed >= 1<<53 {
				return nil, goError(CodeInvalid, -1, "", "DetectorOptions.KSWINSeed must be below 2^53")
			}
			par.d[19] = C.double(*o.KSWINSeed)
			set |= 1 << 19
		}
	}
	var p *C.mlops_detector
	if err := call(func() C.int { return C.mlopsgo_detector_new(&p, C.int(t), &par, set) }); err != nil {
		return nil, err
	}
	return newDetector(p), nil
}

// LoadDetector restores a detector saved with MarshalBinary.
func LoadDetector(data []byte) (*Detector, error) {
	var p *C.mlops_detector
	if err := call(func() C.int { return C.mlops_detector_parse(&p, bytesPtr(data), C.size_t(len(data))) }); err != nil {
		return nil, err
	}
	return newDetector(p), nil
}

// Close releases the detector. Idempotent.
func (d *Detector) Close() error {
	if d == nil {
		return nil
	}
	d.hd().close()
	runtime.SetFinalizer(d, nil)
	return nil
}

// Update feeds values (passed without copying) and returns the positions
// within values at which a drift was flagged.
func (d *Detector) Update(values []float64) ([]int, error) {
	drifts, _, err := d.update(values, false)
	return drifts, err
}

// UpdateWarn is Update that also returns warning positions (DDM, EDDM).
func (d *Detector) UpdateWarn(values []float64) (drifts, warnings []int, err error) {
	return d.update(values, true)
}

func (d *Detector) update(values []float64, warn bool) ([]int, []int, error) {
	// The C call stores at most `cap` positions and cannot be repeated (the
	// state has moved), so values go in chunks of at most 4096, each with
	// room for a position per value: every position is reported.
	const chunk = 4096
	n := len(values)
	if n > chunk {
		n = chunk
	}
	dr := make([]C.size_t, n+1)
	wr := make([]C.size_t, n+1)
	var drifts, warnings []int
	err := d.hd().use(func(p unsafe.Pointer) error {
		for off := 0; off < len(values); off += chunk {
			part := values[off:]
			if len(part) > chunk {
				part = part[:chunk]
			}
			var nd, nw C.size_t
			err := call(func() C.int {
				vp := (*C.double)(&part[0])
				if warn {
					return C.mlops_detector_update_warn(&dr[0], C.size_t(len(part)), &nd, &wr[0], C.size_t(len(part)), &nw, detp(p), vp, C.size_t(len(part)))
				}
				return C.mlops_detector_update(&dr[0], C.size_t(len(part)), &nd, detp(p), vp, C.size_t(len(part)))
			})
			if err != nil {
				return err
			}
			for _, x := range dr[:nd] {
				drifts = append(drifts, off+int(x))
			}
			for _, x := range wr[:nw] {
				warnings = append(warnings, off+int(x))
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return drifts, warnings, nil
}

// DetectorState is a detector's scalar state.
type DetectorState struct {
	Type            DetectorType
	DriftDetected   bool
	WarningDetected bool
	Count           uint64
	NonFinite       uint64
	Drifts          uint64
	Width           uint64
	Estimation      float64
}

// State returns the detector's scalar state.
func (d *Detector) State() DetectorState {
	var s DetectorState
	_ = d.hd().use(func(p unsafe.Pointer) error {
		// The detector's info struct (detector.h, mlops_detector_info).
		i := C.mlops_detector_info(detp(p))
		s = DetectorState{DetectorType(i._type), i.drift_detected == 1,
			i.warning_detected == 1, uint64(i.count),
			uint64(i.nonfinite_count), uint64(i.drift_count),
			uint64(i.width), float64(i.estimation)}
		return nil
	})
	return s
}

// MarshalBinary saves the detector (encoding.BinaryMarshaler).
func (d *Detector) MarshalBinary() ([]byte, error) {
	var out []byte
	err := d.hd().use(func(p unsafe.Pointer) error {
		var b C.mlops_buf
		err := call(func() C.int { return C.mlops_detector_write(&b, detp(p), 0) })
		if err == nil {
			out = goBuf(&b)
		}
		return err
	})
	return out, err
}
