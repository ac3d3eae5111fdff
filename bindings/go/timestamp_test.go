package mlops_test

import (
	"math/rand"
	"strings"
	"testing"
	"time"

	"libmlops.dev/go/mlops"
)

// The time package is the oracle: its layout with ".999999999" writes the
// fewest fraction digits that keep the value exact, which is the library's rule.
const rfc3339Fewest = "2006-01-02T15:04:05.999999999Z"

func TestTimestampsAgreeWithTimePackage(t *testing.T) {
	rng := rand.New(rand.NewSource(42))
	lo := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix()
	instants := []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 500000000, time.UTC),
		time.Date(2024, 2, 29, 12, 0, 5, 250000000, time.UTC),
		time.Date(2000, 2, 29, 0, 0, 0, 1, time.UTC),
	}
	for i := 0; i < 2000; i++ {
		sec := lo + rng.Int63n(hi-lo+1)
		nsec := int64(0)
		switch i % 4 {
		case 1:
			nsec = rng.Int63n(1e9)
		case 2:
			nsec = rng.Int63n(1000) * 1e6
		}
		instants = append(instants, time.Unix(sec, nsec).UTC())
	}
	for _, want := range instants {
		s, err := mlops.FormatTimestamp(want)
		if err != nil {
			t.Fatalf("FormatTimestamp(%v): %v", want, err)
		}
		if oracle := want.Format(rfc3339Fewest); s != oracle {
			t.Fatalf("FormatTimestamp = %q, time package %q", s, oracle)
		}
		got, err := mlops.ParseTimestamp(s)
		if err != nil {
			t.Fatalf("ParseTimestamp(%q): %v", s, err)
		}
		oracle, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(oracle) || !got.Equal(want) || got.Location() != time.UTC {
			t.Fatalf("ParseTimestamp(%q) = %v (%v), time package %v", s, got, got.Location(), oracle)
		}
	}
}

func TestParseTimestampFractionDigits(t *testing.T) {
	for _, s := range []string{"2026-11-26T10:54:06.1Z", "2026-11-26T10:54:06.120Z",
		"2026-11-26T10:54:06.000000001Z", "2026-11-26T10:54:06.000000000Z"} {
		got, err := mlops.ParseTimestamp(s)
		oracle, _ := time.Parse(time.RFC3339Nano, s)
		if err != nil || !got.Equal(oracle) {
			t.Errorf("ParseTimestamp(%q) = %v, %v; time package %v", s, got, err, oracle)
		}
	}
}

func TestFormatTimestampConvertsToUTC(t *testing.T) {
	zone := time.FixedZone("UTC+2", 2*3600)
	in := time.Date(2026, 1, 1, 1, 30, 0, 0, zone)
	s, err := mlops.FormatTimestamp(in)
	if err != nil || s != "2025-12-31T23:30:00Z" {
		t.Fatalf("FormatTimestamp = %q, %v", s, err)
	}
}

func TestFormatTimestampRangeErrors(t *testing.T) {
	// The zero time.Time is the first instant of year 1, still in range.
	if s, err := mlops.FormatTimestamp(time.Time{}); err != nil || s != "0001-01-01T00:00:00Z" {
		t.Fatalf("zero time: %q, %v", s, err)
	}
	for _, in := range []time.Time{
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(0, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(-5000, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		s, err := mlops.FormatTimestamp(in)
		e := wantErr(t, err, mlops.ErrInvalid)
		if s != "" || !strings.Contains(e.Message, "outside years 0001..9999") {
			t.Errorf("FormatTimestamp(%v) = %q, %q", in, s, e.Message)
		}
	}
}

// Inputs RFC 3339 or the library's canonical form rejects, with the byte
// that makes them invalid.
func TestParseTimestampErrors(t *testing.T) {
	for _, c := range []struct {
		in     string
		offset int64
	}{
		{"2024-01-01T00:00:00+00:00", 19},
		{"2024-01-01T00:00:00+02:00", 19},
		{"2024-01-01t00:00:00Z", 10},
		{"2024-01-01T00:00:00z", 19},
		{"2024-01-01T00:00:00Zx", 20},
		{"2024-01-01T00:00:00.1234567891Z", 29},
		{"2024-01-01T00:00:00.Z", 20},
		{"2024-01-01 00:00:00Z", 10},
		{"2024-01-01T00:00:00\x00Z", 19},
	} {
		got, err := mlops.ParseTimestamp(c.in)
		e := wantErr(t, err, mlops.ErrParse)
		if !got.IsZero() {
			t.Errorf("%q: time %v on failure", c.in, got)
		}
		if e.Offset != c.offset || e.Column != int(c.offset)+1 {
			t.Errorf("ParseTimestamp(%q): offset %d column %d, want %d (%s)", c.in, e.Offset,
				e.Column, c.offset, e.Message)
		}
	}
	// Impossible instants: the time package rejects them too.
	for _, in := range []string{"2023-02-29T00:00:00Z", "2024-02-30T00:00:00Z",
		"2024-04-31T00:00:00Z", "2024-01-01T24:00:00Z", "2016-12-31T23:59:60Z",
		"0000-01-01T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T00:60:00Z"} {
		e := wantErr(t, func() error { _, err := mlops.ParseTimestamp(in); return err }(), mlops.ErrParse)
		if !strings.Contains(e.Message, in) {
			t.Errorf("%q: message %q does not quote the input", in, e.Message)
		}
		if _, err := time.Parse(time.RFC3339, in); err == nil && !strings.HasPrefix(in, "0000") {
			t.Errorf("oracle accepts %q", in)
		}
	}
}
