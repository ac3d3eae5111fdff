package mlops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Every code the C library knows has a sentinel with the library's own name,
// and the binding knows every code the library has (the first code past the
// table is unknown to the library too).
func TestSentinelsCoverEveryCode(t *testing.T) {
	for c := CodeInvalid; c >= CodeInternal; c-- {
		s := Sentinel(c)
		if s == nil {
			t.Fatalf("no sentinel for code %d", c)
		}
		if s.Code != c || s.Name != c.Name() {
			t.Errorf("sentinel %d: %d %q, library says %q", c, s.Code, s.Name, c.Name())
		}
		if !strings.HasPrefix(s.Name, "MLOPS_E_") || s.Name == "MLOPS_E_UNKNOWN" {
			t.Errorf("code %d has name %q", c, s.Name)
		}
		if txt := c.String(); txt == "" || txt == "unknown error" {
			t.Errorf("code %d: strerror %q", c, txt)
		}
		if got := s.Error(); got != "mlops: "+s.Name+": "+c.String() {
			t.Errorf("sentinel text %q", got)
		}
	}
	next := CodeInternal - 1
	if next.Name() != "MLOPS_E_UNKNOWN" {
		t.Errorf("the library knows code %d (%s) but the binding has no sentinel for it",
			next, next.Name())
	}
	if Sentinel(next) != nil || Sentinel(CodeOK) != nil || Sentinel(1) != nil {
		t.Error("Sentinel returned a value for a code without one")
	}
	if CodeOK.Name() != "MLOPS_OK" {
		t.Errorf("CodeOK.Name() = %q", CodeOK.Name())
	}
}

func TestErrorsIsMatchesByCodeOnly(t *testing.T) {
	e := &Error{Code: CodeParse, Name: "MLOPS_E_PARSE", Message: "detail", Offset: 3}
	if !errors.Is(e, ErrParse) {
		t.Error("parse error does not match ErrParse")
	}
	for _, s := range sentinels {
		if s != ErrParse && errors.Is(e, s) {
			t.Errorf("parse error matches %s", s.Name)
		}
	}
	if errors.Is(e, errors.New("MLOPS_E_PARSE")) {
		t.Error("matches a non-*Error")
	}
	var nilErr *Error
	if e.Is(nilErr) {
		t.Error("matches a nil *Error")
	}
	wrapped := fmt.Errorf("loading model: %w", e)
	var got *Error
	if !errors.As(wrapped, &got) || got != e {
		t.Fatal("errors.As through a wrapper failed")
	}
	if !errors.Is(wrapped, ErrParse) {
		t.Error("errors.Is through a wrapper failed")
	}
	if e.Error() != "mlops: MLOPS_E_PARSE: detail" {
		t.Errorf("Error() = %q", e.Error())
	}
}

func TestErrorUnwrapsItsCause(t *testing.T) {
	e := &Error{Code: CodeCancelled, Name: "MLOPS_E_CANCELLED", cause: context.DeadlineExceeded}
	if !errors.Is(e, context.DeadlineExceeded) || !errors.Is(e, ErrCancelled) {
		t.Fatal("cancellation does not match both its sentinel and its cause")
	}
	if errors.Unwrap(ErrParse) != nil {
		t.Fatal("a sentinel has a cause")
	}
}

// A NUL byte inside a Go string would silently cut the C string short; the
// wrappers refuse it and say where it is.
func TestEmbeddedNULIsRefused(t *testing.T) {
	_, err := cString("1.2.3\x00junk", "version", CodeParse)
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeParse || e.Offset != 5 || e.Column != 6 || e.Line != 1 {
		t.Fatalf("got %#v", err)
	}
	if e.Message != "version contains a NUL byte at byte 5" {
		t.Fatalf("message %q", e.Message)
	}
	_, err = cString("dir/a\x00b", "path", CodeInvalid)
	if !errors.As(err, &e) || e.Code != CodeInvalid || e.Path != "dir/a" || e.Offset != 5 || e.Line != 0 {
		t.Fatalf("got %#v", err)
	}
}
