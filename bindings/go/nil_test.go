package mlops

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"runtime"
	"testing"
	"time"
)

// callNoRuntimePanic calls method m of v with zero arguments (nil pointers,
// slices, funcs; a live context) and reports a runtime panic (a nil
// dereference: runtime.Error). A deliberate panic of the binding (SemVer and
// Digest.Sum on a closed object) is allowed; it is not a runtime.Error.
func callNoRuntimePanic(t *testing.T, label string, v reflect.Value, m reflect.Method) (out []reflect.Value) {
	t.Helper()
	fn := v.Method(m.Index)
	ft := fn.Type()
	if ft.IsVariadic() {
		return nil // the variadic ones take ...*Key: covered by the explicit cases
	}
	args := make([]reflect.Value, ft.NumIn())
	ctxType := reflect.TypeOf((*context.Context)(nil)).Elem()
	for i := range args {
		if ft.In(i) == ctxType {
			args[i] = reflect.ValueOf(context.Background())
		} else if in := ft.In(i); in.Kind() == reflect.Interface && reflect.TypeOf(&bytes.Buffer{}).Implements(in) {
			args[i] = reflect.ValueOf(&bytes.Buffer{}) // an io.Writer or io.Reader: nil ones panic in Go's own io
		} else {
			args[i] = reflect.Zero(ft.In(i))
		}
	}
	defer func() {
		if r := recover(); r != nil {
			if _, rt := r.(runtime.Error); rt {
				t.Errorf("%s.%s: runtime panic: %v", label, m.Name, r)
			}
			out = nil
		}
	}()
	return fn.Call(args)
}

func wrapperTypes() []reflect.Type {
	return []reflect.Type{
		reflect.TypeOf((*Detector)(nil)), reflect.TypeOf((*DriftReference)(nil)),
		reflect.TypeOf((*Manifest)(nil)), reflect.TypeOf((*ManifestBuilder)(nil)),
		reflect.TypeOf((*Diff)(nil)), reflect.TypeOf((*Packer)(nil)),
		reflect.TypeOf((*Policy)(nil)), reflect.TypeOf((*Observations)(nil)),
		reflect.TypeOf((*State)(nil)), reflect.TypeOf((*Decision)(nil)),
		reflect.TypeOf((*MetricSet)(nil)), reflect.TypeOf((*Profile)(nil)),
		reflect.TypeOf((*Key)(nil)), reflect.TypeOf((*Keyring)(nil)),
		reflect.TypeOf((*Store)(nil)), reflect.TypeOf((*Digest)(nil)),
		reflect.TypeOf((*SemVer)(nil)), reflect.TypeOf((*CategoryDict)(nil)),
		reflect.TypeOf((*GateResult)(nil)),
	}
}

// Every exported method of every wrapper type, called on a nil object,
// returns an error (ErrInvalid) or a zero value instead of dereferencing it.
func TestNilObjectsAreRefusedNotDereferenced(t *testing.T) {
	errType := reflect.TypeOf((*error)(nil)).Elem()
	for _, typ := range wrapperTypes() {
		nilv := reflect.Zero(typ)
		for i := 0; i < typ.NumMethod(); i++ {
			m := typ.Method(i)
			out := callNoRuntimePanic(t, typ.String()+"(nil)", nilv, m)
			if len(out) == 0 || m.Name == "Close" {
				continue
			}
			last := out[len(out)-1]
			if last.Type() == errType {
				err, _ := last.Interface().(error)
				if err == nil || !errors.Is(err, ErrInvalid) {
					t.Errorf("%s(nil).%s: error %v, want ErrInvalid", typ, m.Name, err)
				}
			}
		}
	}
}

// Every exported method of a live object given nil arguments returns an
// error or a value, never a nil dereference.
func TestNilArgumentsAreRefusedNotDereferenced(t *testing.T) {
	dir := t.TempDir()
	key, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	ring, err := NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	pol := loadPolicy(t, "examples", "policies", "ci-promotion-gate.json")
	man := loadManifest(t, "child.json")
	diff, err := DiffManifests(man, man)
	if err != nil {
		t.Fatal(err)
	}
	det, err := NewDetector(ADWIN, nil)
	if err != nil {
		t.Fatal(err)
	}
	dref, err := NewDriftReference([]float64{1, 2, 3, 4, 5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	mb, err := NewManifestBuilder("m", "1.0.0", "2026-11-01T00:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	pk, err := NewPacker(nil)
	if err != nil {
		t.Fatal(err)
	}
	obs, err := NewObservations(pol)
	if err != nil {
		t.Fatal(err)
	}
	st, err := NewState(pol)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := NewDecision(pol)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := NewMetricSet()
	if err != nil {
		t.Fatal(err)
	}
	prof, err := NewProfile(Numeric, nil)
	if err != nil {
		t.Fatal(err)
	}
	store, err := OpenStore(dir+"/store", StoreCreate)
	if err != nil {
		t.Fatal(err)
	}
	dg, err := NewDigest()
	if err != nil {
		t.Fatal(err)
	}
	sv, err := ParseSemVer("1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	live := []interface{}{det, dref, man, mb, diff, pk, pol, obs, st, dec, ms, prof, key, ring, store, dg, sv}
	for _, x := range live {
		v := reflect.ValueOf(x)
		for i := 0; i < v.Type().NumMethod(); i++ {
			m := v.Type().Method(i)
			if m.Name == "Close" {
				continue
			}
			callNoRuntimePanic(t, v.Type().String(), v, m)
		}
	}
	// The package-level functions that take objects.
	pkgCalls := map[string]func(){
		"DiffManifests(nil, m)": func() { _, _ = DiffManifests(nil, man) },
		"DiffManifests(m, nil)": func() { _, _ = DiffManifests(man, nil) },
		"NewKeyring(nil)":       func() { _, _ = NewKeyring(nil) },
		"NewObservations(nil)":  func() { _, _ = NewObservations(nil) },
		"NewState(nil)":         func() { _, _ = NewState(nil) },
		"NewDecision(nil)":      func() { _, _ = NewDecision(nil) },
		"KSTest(nil, nil)":      func() { _, _ = KSTest(nil, nil, 0.05) },
		"Wasserstein(nil, p)":   func() { _, _ = Wasserstein(nil, prof, 1) },
		"ProfileDrift(nil, p)":  func() { _, _ = ProfileDrift(nil, prof, DriftPSI, nil) },
		"DSSESign(nil key)":     func() { _, _ = DSSESign("t", []byte("x"), nil) },
		"DSSEAddSignature(nil)": func() { _, _ = DSSEAddSignature([]byte("{}"), nil) },
		"DSSEVerify(nil ring)":  func() { _, _ = DSSEVerify([]byte("{}"), nil, nil) },
		"NewPacker(nil key)":    func() { _, _ = NewPacker(&PackOptions{Keys: []*Key{nil}}) },
		"Keyring.Add(nil)":      func() { _ = ring.Add(nil) },
		"SignPackage(nil key)": func() {
			_ = SignPackage(context.Background(), dir+"/none.mlpkg", dir+"/out.mlpkg", []*Key{nil}, nil, false)
		},
		"VerifyPackage(nil ring)": func() {
			_, _ = VerifyPackage(context.Background(), dir+"/none.mlpkg", &VerifyOptions{Trusted: nil})
		},
	}
	for name, f := range pkgCalls {
		func() {
			defer func() {
				if r := recover(); r != nil {
					if _, rt := r.(runtime.Error); rt {
						t.Errorf("%s: runtime panic: %v", name, r)
					}
				}
			}()
			f()
		}()
	}
	for i := len(live) - 1; i >= 0; i-- {
		_ = live[i].(interface{ Close() error }).Close()
	}
}

// Decide with a nil state decides from a fresh state and keeps no next
// state, as Python's decide(state=None) does: the same decision as with a
// fresh State.
func TestDecideWithNilStateIsAFreshState(t *testing.T) {
	pol := loadPolicy(t, "examples", "policies", "ci-promotion-gate.json")
	defer pol.Close()
	obs, err := NewObservations(pol)
	if err != nil {
		t.Fatal(err)
	}
	defer obs.Close()
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	withNil, err := NewDecision(pol)
	if err != nil {
		t.Fatal(err)
	}
	defer withNil.Close()
	if err := pol.Decide(withNil, nil, obs, now, nil); err != nil {
		t.Fatalf("Decide with a nil state: %v", err)
	}
	fresh, err := NewState(pol)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	withFresh, err := NewDecision(pol)
	if err != nil {
		t.Fatal(err)
	}
	defer withFresh.Close()
	if err := pol.Decide(withFresh, fresh, obs, now, nil); err != nil {
		t.Fatal(err)
	}
	a, err := withNil.JSON(false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := withFresh.JSON(false)
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Fatalf("nil state decided\n%s\nfresh state decided\n%s", a, b)
	}
	if err := pol.Decide(nil, nil, obs, now, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Decide(nil decision): %v, want ErrInvalid", err)
	}
}

// A nil gate result (what Gate returns with an error) is blocked, never a
// pass; a nil category dictionary refuses every call.
func TestNilGateResultIsBlockedAndNilCategoryDictRefuses(t *testing.T) {
	var r *GateResult
	if !r.Blocked() {
		t.Fatal("a nil GateResult reads as not blocked")
	}
	var d *CategoryDict
	if _, err := d.Add([]string{"a"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("nil CategoryDict Add: %v", err)
	}
	if _, _, err := d.Encode([]string{"a"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("nil CategoryDict Encode: %v", err)
	}
	if _, err := d.Label(0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("nil CategoryDict Label: %v", err)
	}
	if d.Len() != 0 || d.Close() != nil {
		t.Fatal("nil CategoryDict Len/Close")
	}
}
