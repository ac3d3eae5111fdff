/**
 * @file
 * libmlops — RFC 3339 timestamps in UTC.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Every time the library reads or writes is UTC, written "YYYY-MM-DDTHH:MM:SSZ"
 * with optional fractional seconds. No locale, no local time, no clock: the
 * functions here are pure conversions.
 */
#ifndef MLOPS_TIMESTAMP_H
#define MLOPS_TIMESTAMP_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest string mlops_timestamp_format() writes, NUL included
 *  ("9999-12-31T23:59:59.999999999Z"). */
#define MLOPS_TIMESTAMP_STRING_SIZE 31

/**
 * Parse an RFC 3339 date-time in UTC into seconds since 1970-01-01T00:00:00Z
 * and nanoseconds.
 *
 * Accepted: "YYYY-MM-DDTHH:MM:SS[.fraction]Z", years 0001–9999, 1–9 fraction
 * digits, 'T' and 'Z' in upper case (the canonical form; RFC 3339 §5.6 allows
 * lower case, this library does not, so one instant has one spelling).
 * Rejected with MLOPS_E_PARSE: numeric offsets ("+02:00", and "+00:00" too —
 * write 'Z'), impossible dates (Feb 30, Feb 29 of a non-leap year), hour 24,
 * leap second 60 (POSIX time cannot represent it), more than 9 fraction
 * digits, any extra byte.
 *
 * @param seconds receives seconds since the epoch (negative before 1970).
 * @param nanos   receives 0..999999999; may be NULL when not needed.
 * @param str     the NUL-terminated string to parse.
 * @return 0, MLOPS_E_PARSE (detail with byte offset), MLOPS_E_INVALID.
 */
MLOPS_EXTERN int mlops_timestamp_parse(int64_t *seconds, uint32_t *nanos, const char *str);

/**
 * Format seconds since the epoch and nanoseconds as RFC 3339 UTC. Without
 * fraction when `nanos` is 0, else with the fewest digits that keep it exact
 * ("...:05.25Z").
 * @return 0, MLOPS_E_INVALID (nanos > 999999999, year outside 1..9999).
 */
MLOPS_EXTERN int mlops_timestamp_format(char out[MLOPS_TIMESTAMP_STRING_SIZE],
                                        int64_t seconds, uint32_t nanos);

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_TIMESTAMP_H */
