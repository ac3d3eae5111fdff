package mlops_test

import (
	"errors"
	"testing"

	"libmlops.dev/go/mlops"
)

// wantErr checks that err is an *Error matching sentinel through errors.Is
// and errors.As, and returns it for further checks of its detail.
func wantErr(t *testing.T, err error, sentinel *mlops.Error) *mlops.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", sentinel.Name)
	}
	if !errors.Is(err, sentinel) {
		t.Fatalf("errors.Is(%v, %s) = false", err, sentinel.Name)
	}
	var e *mlops.Error
	if !errors.As(err, &e) {
		t.Fatalf("errors.As(%T, *mlops.Error) = false", err)
	}
	if e.Code != sentinel.Code || e.Name != sentinel.Name {
		t.Fatalf("code %d %s, want %d %s", e.Code, e.Name, sentinel.Code, sentinel.Name)
	}
	if e.Message == "" {
		t.Fatalf("%s error without a detail message", e.Name)
	}
	return e
}
