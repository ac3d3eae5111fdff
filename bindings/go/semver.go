package mlops

/*
#include "bridge.h"
*/
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

// SemVer is a parsed Semantic Versioning 2.0.0 version (mlops_semver). It is
// immutable and may be shared between goroutines. Close releases its C
// memory (a finalizer does it for a SemVer dropped without Close); the
// accessors and Compare panic on a closed SemVer, String does not.
type SemVer struct {
	mu  sync.RWMutex // read-held during C calls so Close cannot free under them
	ptr *C.mlops_semver
	s   string
}

// ParseSemVer parses a version such as "1.4.0-rc.1+build.5"
// (mlops_semver_parse). Failures: ErrParse with the offending byte's Offset.
func ParseSemVer(s string) (*SemVer, error) {
	cs, err := cString(s, "version", CodeParse)
	if err != nil {
		return nil, err
	}
	var p *C.mlops_semver
	if err := call(func() C.int { return C.mlops_semver_parse(&p, cs) }); err != nil {
		return nil, err
	}
	v := &SemVer{ptr: p, s: s}
	runtime.SetFinalizer(v, (*SemVer).finalize)
	return v, nil
}

// handle returns the C object with v.mu read-held; the caller unlocks.
func (v *SemVer) handle() *C.mlops_semver {
	if v == nil {
		panic("mlops: method of a nil *SemVer")
	}
	v.mu.RLock()
	if v.ptr == nil {
		v.mu.RUnlock()
		panic("mlops: SemVer used after Close")
	}
	return v.ptr
}

// Major returns the major number.
func (v *SemVer) Major() uint64 {
	r := uint64(C.mlops_semver_info(v.handle()).major)
	v.mu.RUnlock()
	runtime.KeepAlive(v)
	return r
}

// Minor returns the minor number.
func (v *SemVer) Minor() uint64 {
	r := uint64(C.mlops_semver_info(v.handle()).minor)
	v.mu.RUnlock()
	runtime.KeepAlive(v)
	return r
}

// Patch returns the patch number.
func (v *SemVer) Patch() uint64 {
	r := uint64(C.mlops_semver_info(v.handle()).patch)
	v.mu.RUnlock()
	runtime.KeepAlive(v)
	return r
}

// Prerelease returns the pre-release part without its '-' ("" when none).
func (v *SemVer) Prerelease() string {
	r := goStr(C.mlops_semver_info(v.handle()).prerelease) // NULL when absent: ""
	v.mu.RUnlock()
	runtime.KeepAlive(v)
	return r
}

// Build returns the build metadata without its '+' ("" when none).
func (v *SemVer) Build() string {
	r := goStr(C.mlops_semver_info(v.handle()).build) // NULL when absent: ""
	v.mu.RUnlock()
	runtime.KeepAlive(v)
	return r
}

// Compare returns -1, 0 or 1 as v has lower, equal or higher precedence than
// w (SemVer §11; build metadata is ignored) (mlops_semver_compare).
func (v *SemVer) Compare(w *SemVer) int {
	if v == w {
		v.handle()
		v.mu.RUnlock()
		return 0
	}
	// Read-lock the two in one global order (by address; Go's collector does
	// not move objects), so two Compares of the same pair in opposite order
	// cannot deadlock behind pending Closes.
	first, second := v, w
	if uintptr(unsafe.Pointer(w)) < uintptr(unsafe.Pointer(v)) {
		first, second = w, v
	}
	first.handle()
	second.handle()
	r := int(C.mlops_semver_compare(v.ptr, w.ptr))
	second.mu.RUnlock()
	first.mu.RUnlock()
	runtime.KeepAlive(v)
	runtime.KeepAlive(w)
	return r
}

// String returns the version as parsed (the grammar is strict, so this is
// its one spelling).
func (v *SemVer) String() string {
	if v == nil {
		return "<nil>"
	}
	return v.s
}

// Close releases the C memory (mlops_semver_free). Idempotent; returns nil.
func (v *SemVer) Close() error {
	if v == nil {
		return nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.ptr != nil {
		C.mlops_semver_free(v.ptr)
		v.ptr = nil
		runtime.SetFinalizer(v, nil)
	}
	return nil
}

func (v *SemVer) finalize() {
	finalizerRuns.Add(1)
	_ = v.Close()
}

// ValidateSemVer checks a version string without keeping it
// (mlops_semver_validate). Failures: ErrParse with the offending byte's Offset.
func ValidateSemVer(s string) error {
	cs, err := cString(s, "version", CodeParse)
	if err != nil {
		return err
	}
	return call(func() C.int { return C.mlops_semver_validate(cs) })
}

// CompareVersions compares two version strings by SemVer precedence and
// returns -1, 0 or 1 (mlops_semver_compare_str). Failures: ErrParse, whose
// detail names which argument is malformed.
func CompareVersions(a, b string) (int, error) {
	ca, err := cString(a, "first version", CodeParse)
	if err != nil {
		return 0, err
	}
	cb, err := cString(b, "second version", CodeParse)
	if err != nil {
		return 0, err
	}
	var r C.int
	if err := call(func() C.int { return C.mlops_semver_compare_str(&r, ca, cb) }); err != nil {
		return 0, err
	}
	return int(r), nil
}
