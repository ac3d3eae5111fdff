// Package cbench runs libmlops calls in C loops, inside the Go test process,
// as the baseline of the binding's benchmarks: one cgo call runs n C calls,
// so the per-call time it gives is the C cost alone, measured in the same
// process and at the same moment as the Go calls it is compared with (the
// machine's noise hits both alike). bench/bench_call.c is the same baseline as
// a separate C program.
package cbench

/*
#cgo CFLAGS: -DMLOPS_EXPERIMENTAL
#include <string.h>
#include <mlops.h>

static volatile int cbench_sink;
static void cbench_abi_major(long n)
{
    for (long i = 0; i < n; i++)
        cbench_sink = mlops_abi_major();
}
static void cbench_version(long n)
{
    for (long i = 0; i < n; i++)
        cbench_sink = (int)strlen(mlops_version());
}
static void cbench_sha256(long n, const void *data, size_t len)
{
    uint8_t d[MLOPS_SHA256_SIZE];
    for (long i = 0; i < n; i++)
        cbench_sink = mlops_digest_buffer(d, data, len);
}
static void cbench_compare_str(long n)
{
    int r = 0;
    for (long i = 0; i < n; i++)
        cbench_sink = mlops_semver_compare_str(&r, "1.0.0-rc.1", "1.0.0") + r;
}
static void cbench_error_path(long n)
{
    uint8_t d[MLOPS_SHA256_SIZE];
    for (long i = 0; i < n; i++) {
        cbench_sink = mlops_digest_parse(d,
            "sha256:0000000000000000000000000000000000000000000000000000000000000G00");
        cbench_sink += (int)strlen(mlops_error_last()) + mlops_error_last_code() +
                       (int)mlops_error_last_offset() + (int)mlops_error_last_line() +
                       (int)mlops_error_last_column() + (int)strlen(mlops_error_last_path());
    }
}
static void cbench_drift_ks(long n, const double *ref, const double *cur, size_t each)
{
    for (long i = 0; i < n; i++) {
        mlops_drift_result *r = NULL;
        cbench_sink = mlops_drift_numeric(&r, MLOPS_DRIFT_KS, ref, each, cur, each, NULL);
        mlops_drift_result_free(r);
    }
}
static void cbench_drift_psi(long n, const double *ref, size_t n_ref, const double *cur, size_t n_cur)
{
    mlops_drift_reference *refobj = NULL;
    if (mlops_drift_reference_new(&refobj, ref, n_ref, NULL) != 0)
        return;
    for (long i = 0; i < n; i++) {
        mlops_drift_result *r = NULL;
        cbench_sink = mlops_drift_reference_compare(&r, refobj, MLOPS_DRIFT_PSI, cur, n_cur, NULL);
        mlops_drift_result_free(r);
    }
    mlops_drift_reference_free(refobj);
}
*/
import "C"

import "unsafe"

// ABIMajor calls mlops_abi_major n times.
func ABIMajor(n int) { C.cbench_abi_major(C.long(n)) }

// Version calls mlops_version n times.
func Version(n int) { C.cbench_version(C.long(n)) }

// SHA256 calls mlops_digest_buffer on data n times (data must not be empty).
func SHA256(n int, data []byte) {
	C.cbench_sha256(C.long(n), unsafe.Pointer(&data[0]), C.size_t(len(data)))
}

// CompareStr calls mlops_semver_compare_str("1.0.0-rc.1", "1.0.0") n times.
func CompareStr(n int) { C.cbench_compare_str(C.long(n)) }

// ErrorPath makes a failing mlops_digest_parse and reads the whole error
// record after it, n times.
func ErrorPath(n int) { C.cbench_error_path(C.long(n)) }

// DriftKS runs mlops_drift_numeric(KS) on ref[:each] and cur[:each] n times.
func DriftKS(n int, ref, cur []float64, each int) {
	C.cbench_drift_ks(C.long(n), (*C.double)(&ref[0]), (*C.double)(&cur[0]), C.size_t(each))
}

// DriftPSI bins ref once, then compares cur with it by PSI n times (the
// reference is built outside the loop, as on the Go side).
func DriftPSI(n int, ref, cur []float64) {
	C.cbench_drift_psi(C.long(n), (*C.double)(&ref[0]), C.size_t(len(ref)), (*C.double)(&cur[0]), C.size_t(len(cur)))
}
