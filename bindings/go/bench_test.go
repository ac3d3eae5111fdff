package mlops_test

import (
	"crypto/sha256"
	"runtime"
	"syscall"
	"testing"

	"libmlops.dev/go/mlops"
	"libmlops.dev/go/mlops/internal/cbench"
)

// The inputs of every per-call benchmark, the same as bench/bench_call.c's.
var (
	benchABC = []byte("abc")
	benchMiB = pattern(1 << 20)
	benchBad = "sha256:0000000000000000000000000000000000000000000000000000000000000G00"
)

// pattern is the content bench/bench_call.c hashes: real pages (an untouched
// buffer could be the kernel's shared zero page, always in cache).
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 31)
	}
	return b
}

// driftSample is bench/bench_call.c's drift_value: 10^6 values spread over
// [0, scale) by a multiplicative hash of the index.
func driftSample(scale float64) []float64 {
	out := make([]float64, 1000000)
	for i := range out {
		out[i] = float64(uint32(i)*2654435761) / 4294967296.0 * scale
	}
	return out
}

var benchDriftRef, benchDriftCur = driftSample(1.0), driftSample(1.1)

// threadCPU returns the CPU time the calling OS thread has used, in ns.
func threadCPU(b *testing.B) int64 {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// timed runs loop(b.N) on a locked OS thread and reports, next to Go's wall
// time, the thread's CPU time per call ("cpu-ns/op"): on a loaded machine
// the wall time also counts the time the thread waited for a CPU. (Work the
// runtime does on other threads, such as the collector's, is not counted.)
func timed(bytes int, loop func(n int)) func(b *testing.B) {
	return func(b *testing.B) {
		if bytes > 0 {
			b.SetBytes(int64(bytes))
		}
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		t0 := threadCPU(b)
		b.ResetTimer()
		loop(b.N)
		b.StopTimer()
		b.ReportMetric(float64(threadCPU(b)-t0)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkCall: per-call cost through the binding. BenchmarkCLoop runs the
// same calls in C; bench/go_overhead.sh runs both (and bench/bench_call)
// side by side and prints the difference, which is the binding's overhead:
// the cgo transition, the thread lock around calls that can fail, Go-side
// conversions and, on failure, building the *Error.
func BenchmarkCall(b *testing.B) {
	b.Run("abi_major", timed(0, func(n int) {
		for i := 0; i < n; i++ {
			mlops.ABIMajor()
		}
	}))
	b.Run("version", timed(0, func(n int) {
		for i := 0; i < n; i++ {
			mlops.Version()
		}
	}))
	b.Run("sha256_3B", timed(0, func(n int) {
		for i := 0; i < n; i++ {
			if _, err := mlops.SHA256(benchABC); err != nil {
				b.Fatal(err)
			}
		}
	}))
	b.Run("compare_str", timed(0, func(n int) {
		for i := 0; i < n; i++ {
			if r, err := mlops.CompareVersions("1.0.0-rc.1", "1.0.0"); err != nil || r != -1 {
				b.Fatal(r, err)
			}
		}
	}))
	b.Run("error_path", timed(0, func(n int) {
		for i := 0; i < n; i++ {
			if _, err := mlops.ParseDigest(benchBad); err == nil {
				b.Fatal("accepted")
			}
		}
	}))
	b.Run("sha256_1MiB", timed(len(benchMiB), func(n int) {
		for i := 0; i < n; i++ {
			if _, err := mlops.SHA256(benchMiB); err != nil {
				b.Fatal(err)
			}
		}
	}))
	// Drift on 10^6 values, the slices passed without copying.
	half := len(benchDriftRef) / 2
	b.Run("drift_ks_1e6", timed(0, func(n int) {
		for i := 0; i < n; i++ {
			if _, err := mlops.DriftNumeric(mlops.DriftKS, benchDriftRef[:half], benchDriftCur[:half], nil); err != nil {
				b.Fatal(err)
			}
		}
	}))
	ref, err := mlops.NewDriftReference(benchDriftRef, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer ref.Close()
	b.Run("drift_psi_1e6", timed(0, func(n int) {
		for i := 0; i < n; i++ {
			if _, err := ref.Compare(mlops.DriftPSI, benchDriftCur, nil); err != nil {
				b.Fatal(err)
			}
		}
	}))
}

// BenchmarkCLoop: the same calls in C loops inside this process (package
// internal/cbench, one cgo call per loop), the baseline of BenchmarkCall.
func BenchmarkCLoop(b *testing.B) {
	b.Run("abi_major", timed(0, cbench.ABIMajor))
	b.Run("version", timed(0, cbench.Version))
	b.Run("sha256_3B", timed(0, func(n int) { cbench.SHA256(n, benchABC) }))
	b.Run("compare_str", timed(0, cbench.CompareStr))
	b.Run("error_path", timed(0, cbench.ErrorPath))
	b.Run("sha256_1MiB", timed(len(benchMiB), func(n int) { cbench.SHA256(n, benchMiB) }))
	b.Run("drift_ks_1e6", timed(0, func(n int) {
		cbench.DriftKS(n, benchDriftRef, benchDriftCur, len(benchDriftRef)/2)
	}))
	b.Run("drift_psi_1e6", timed(0, func(n int) { cbench.DriftPSI(n, benchDriftRef, benchDriftCur) }))
}

// BenchmarkCryptoSHA256: Go's own SHA-256 on the same inputs, for a sense of
// when calling C pays.
func BenchmarkCryptoSHA256(b *testing.B) {
	b.Run("sha256_3B", timed(0, func(n int) {
		for i := 0; i < n; i++ {
			sha256.Sum256(benchABC)
		}
	}))
	b.Run("sha256_1MiB", timed(len(benchMiB), func(n int) {
		for i := 0; i < n; i++ {
			sha256.Sum256(benchMiB)
		}
	}))
}
