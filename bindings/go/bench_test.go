package mlops_test

import (
	"crypto/sha256"
	"testing"

	"libmlops.dev/go/mlops"
	"libmlops.dev/go/mlops/internal/cbench"
)

// Per-call cost of the binding. bench/bench_call (C) runs the same calls with
// the same names; bench/go_overhead.sh runs both side by side and prints the
// difference, which is the binding's overhead: the cgo transition, the thread
// lock around calls that can fail, and Go-side conversions.
func BenchmarkCall(b *testing.B) {
	abc := []byte("abc")
	mib := pattern(1 << 20)
	bad := "sha256:" + "0000000000000000000000000000000000000000000000000000000000000G00"
	b.Run("abi_major", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			mlops.ABIMajor()
		}
	})
	b.Run("version", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			mlops.Version()
		}
	})
	b.Run("sha256_3B", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := mlops.SHA256(abc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("compare_str", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if r, err := mlops.CompareVersions("1.0.0-rc.1", "1.0.0"); err != nil || r != -1 {
				b.Fatal(r, err)
			}
		}
	})
	b.Run("error_path", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := mlops.ParseDigest(bad); err == nil {
				b.Fatal("accepted")
			}
		}
	})
	b.Run("sha256_1MiB", func(b *testing.B) {
		b.SetBytes(int64(len(mib)))
		for i := 0; i < b.N; i++ {
			if _, err := mlops.SHA256(mib); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// pattern is the same content bench/bench_call.c hashes.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 31)
	}
	return b
}

// The same calls in C loops inside this process (package internal/cbench):
// the baseline measured side by side with BenchmarkCall.
func BenchmarkCLoop(b *testing.B) {
	abc := []byte("abc")
	mib := pattern(1 << 20)
	b.Run("abi_major", func(b *testing.B) { cbench.ABIMajor(b.N) })
	b.Run("version", func(b *testing.B) { cbench.Version(b.N) })
	b.Run("sha256_3B", func(b *testing.B) { cbench.SHA256(b.N, abc) })
	b.Run("compare_str", func(b *testing.B) { cbench.CompareStr(b.N) })
	b.Run("error_path", func(b *testing.B) { cbench.ErrorPath(b.N) })
	b.Run("sha256_1MiB", func(b *testing.B) {
		b.SetBytes(int64(len(mib)))
		cbench.SHA256(b.N, mib)
	})
}

// Go's own SHA-256 on the same inputs, for a sense of when calling C pays.
func BenchmarkCryptoSHA256(b *testing.B) {
	abc := []byte("abc")
	mib := pattern(1 << 20)
	b.Run("sha256_3B", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			sha256.Sum256(abc)
		}
	})
	b.Run("sha256_1MiB", func(b *testing.B) {
		b.SetBytes(int64(len(mib)))
		for i := 0; i < b.N; i++ {
			sha256.Sum256(mib)
		}
	})
}
