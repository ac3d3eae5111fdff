package mlops

/*
#include "bridge.h"
*/
import "C"

import (
	"time"
)

// ParseTimestamp parses an RFC 3339 UTC date-time in the library's canonical
// form, "YYYY-MM-DDTHH:MM:SS[.fraction]Z" (mlops_timestamp_parse), into a
// time.Time in UTC. Failures: ErrParse with the offending byte's Offset
// (numeric offsets, impossible dates, leap seconds, lower-case 't'/'z' ...).
func ParseTimestamp(s string) (time.Time, error) {
	cs, err := cString(s, "timestamp", CodeParse)
	if err != nil {
		return time.Time{}, err
	}
	var sec C.int64_t
	var nsec C.uint32_t
	if err := call(func() C.int { return C.mlops_timestamp_parse(&sec, &nsec, cs) }); err != nil {
		return time.Time{}, err
	}
	return time.Unix(int64(sec), int64(nsec)).UTC(), nil
}

// FormatTimestamp writes t, converted to UTC, as RFC 3339
// (mlops_timestamp_format): no fraction when t has no nanoseconds, else the
// fewest digits that keep it exact. Failures: ErrInvalid for a year outside
// 1..9999.
func FormatTimestamp(t time.Time) (string, error) {
	var buf [C.MLOPS_TIMESTAMP_STRING_SIZE]C.char
	sec, nsec := t.Unix(), t.Nanosecond()
	if err := call(func() C.int {
		return C.mlops_timestamp_format(&buf[0], C.int64_t(sec), C.uint32_t(nsec))
	}); err != nil {
		return "", err
	}
	return C.GoString(&buf[0]), nil
}
