package mlops_test

import (
	"strings"
	"sync"
	"testing"

	"libmlops.dev/go/mlops"
)

// Precedence examples of the SemVer 2.0.0 specification, §11, in increasing order.
var specOrder = []string{
	"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
	"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1",
}

func sign(i int) int {
	switch {
	case i < 0:
		return -1
	case i > 0:
		return 1
	}
	return 0
}

func mustParse(t testing.TB, s string) *mlops.SemVer {
	t.Helper()
	v, err := mlops.ParseSemVer(s)
	if err != nil {
		t.Fatalf("ParseSemVer(%q): %v", s, err)
	}
	return v
}

func TestSemVerSpecPrecedence(t *testing.T) {
	vs := make([]*mlops.SemVer, len(specOrder))
	for i, s := range specOrder {
		vs[i] = mustParse(t, s)
		defer vs[i].Close()
	}
	for i := range vs {
		if vs[i].Compare(vs[i]) != 0 {
			t.Errorf("Compare(%s, itself) != 0", specOrder[i])
		}
		for j := range vs {
			want := sign(i - j)
			if got := vs[i].Compare(vs[j]); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", specOrder[i], specOrder[j], got, want)
			}
			got, err := mlops.CompareVersions(specOrder[i], specOrder[j])
			if err != nil || got != want {
				t.Errorf("CompareVersions(%s, %s) = %d, %v; want %d", specOrder[i], specOrder[j], got, err, want)
			}
		}
	}
}

// §10: build metadata does not take part in precedence.
func TestSemVerBuildMetadataIgnored(t *testing.T) {
	a, b := mustParse(t, "1.0.0+20130313144700"), mustParse(t, "1.0.0+exp.sha.5114f85")
	defer a.Close()
	defer b.Close()
	if a.Compare(b) != 0 || b.Compare(a) != 0 {
		t.Fatal("build metadata changed precedence")
	}
	if r, err := mlops.CompareVersions("1.0.0-beta+x", "1.0.0-beta"); err != nil || r != 0 {
		t.Fatalf("CompareVersions = %d, %v", r, err)
	}
}

func TestSemVerAccessors(t *testing.T) {
	for _, c := range []struct {
		in                  string
		major, minor, patch uint64
		pre, build          string
	}{
		{"1.4.0-rc.1+build.5", 1, 4, 0, "rc.1", "build.5"},
		{"0.0.0", 0, 0, 0, "", ""},
		{"1.0.0-0.3.7", 1, 0, 0, "0.3.7", ""},
		{"1.0.0-x.7.z.92", 1, 0, 0, "x.7.z.92", ""},
		{"1.0.0+21AF26D3----117B344092BD", 1, 0, 0, "", "21AF26D3----117B344092BD"},
		{"18446744073709551615.2.3-a-b", 18446744073709551615, 2, 3, "a-b", ""},
	} {
		v := mustParse(t, c.in)
		if v.Major() != c.major || v.Minor() != c.minor || v.Patch() != c.patch ||
			v.Prerelease() != c.pre || v.Build() != c.build || v.String() != c.in {
			t.Errorf("%q: %d.%d.%d pre %q build %q string %q", c.in, v.Major(), v.Minor(),
				v.Patch(), v.Prerelease(), v.Build(), v.String())
		}
		if err := mlops.ValidateSemVer(c.in); err != nil {
			t.Errorf("ValidateSemVer(%q): %v", c.in, err)
		}
		v.Close()
	}
}

// Strings the SemVer 2.0.0 grammar rejects, with the byte the library must
// name: the first one at which the grammar can no longer match.
var badVersions = []struct {
	in     string
	offset int64
}{
	{"01.2.3", 0},
	{"1.02.3", 2},
	{"1.2.03", 4},
	{"1.2.3-01", 6},
	{"1.2.3-a_b", 7},
	{" 1.2.3", 0},
	{"v1.2.3", 0},
	{"1.2.3\x00", 5},
}

func TestSemVerRejectsWhatTheGrammarRejects(t *testing.T) {
	for _, c := range badVersions {
		v, err := mlops.ParseSemVer(c.in)
		if v != nil {
			t.Errorf("%q: got a version", c.in)
		}
		e := wantErr(t, err, mlops.ErrParse)
		if e.Offset != c.offset || e.Line != 1 || e.Column != int(c.offset)+1 {
			t.Errorf("ParseSemVer(%q): offset %d line %d column %d, want offset %d (%s)",
				c.in, e.Offset, e.Line, e.Column, c.offset, e.Message)
		}
		e = wantErr(t, mlops.ValidateSemVer(c.in), mlops.ErrParse)
		if e.Offset != c.offset {
			t.Errorf("ValidateSemVer(%q): offset %d, want %d", c.in, e.Offset, c.offset)
		}
	}
	// No position is asserted where the grammar allows more than one reading.
	for _, in := range []string{"1.2", "1.2.3-", "1.2.3+", "1.2.3-a..b", "1.2.3 ", "", "1.2.3.4",
		"18446744073709551616.0.0"} {
		wantErr(t, mlops.ValidateSemVer(in), mlops.ErrParse)
		if _, err := mlops.ParseSemVer(in); err == nil {
			t.Errorf("ParseSemVer(%q) accepted", in)
		}
	}
}

func TestSemVerMessagesQuoteTheInput(t *testing.T) {
	_, err := mlops.ParseSemVer("01.2.3")
	e := wantErr(t, err, mlops.ErrParse)
	if !strings.Contains(e.Message, `"01.2.3"`) || !strings.Contains(e.Message, "leading zero") {
		t.Errorf("message %q", e.Message)
	}
	_, err = mlops.CompareVersions("1.0.0", "1.0")
	e = wantErr(t, err, mlops.ErrParse)
	if !strings.Contains(e.Message, `"1.0"`) {
		t.Errorf("CompareVersions message %q does not quote the bad argument", e.Message)
	}
	_, err = mlops.CompareVersions("x", "1.0.0")
	e = wantErr(t, err, mlops.ErrParse)
	if !strings.Contains(e.Message, `"x"`) {
		t.Errorf("CompareVersions message %q does not quote the bad argument", e.Message)
	}
	_, err = mlops.CompareVersions("1.0.0", "1.0.0\x00")
	wantErr(t, err, mlops.ErrParse)
}

func TestSemVerCloseIsIdempotent(t *testing.T) {
	v := mustParse(t, "1.2.3-rc.1")
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if v.String() != "1.2.3-rc.1" {
		t.Fatalf("String after Close %q", v.String())
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "after Close") {
			t.Fatalf("accessor after Close recovered %v", r)
		}
	}()
	v.Major()
}

// A SemVer is immutable and may be read from many goroutines at once
// (checked by the race detector in `go test -race`).
func TestSemVerSharedBetweenGoroutines(t *testing.T) {
	a, b := mustParse(t, "2.0.0-rc.2"), mustParse(t, "2.0.0-rc.10")
	defer a.Close()
	defer b.Close()
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				if a.Compare(b) != -1 || b.Prerelease() != "rc.10" || a.Major() != 2 {
					t.Error("wrong value under concurrency")
					return
				}
			}
		}()
	}
	wg.Wait()
}
