package mlops_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"libmlops.dev/go/mlops"
)

// 64 goroutines interleave failing and succeeding calls. The C library keeps
// the detail of a failure per OS thread; each goroutine must read the detail
// of its own failure, never one recorded by another goroutine that ran on the
// same thread in between. Every failing input is unique to its goroutine and
// iteration, and its detail (quoted input, offset, path) is checked exactly.
func TestErrorDetailsAreIsolatedBetweenGoroutines(t *testing.T) {
	const goroutines = 64
	iterations := 300
	if testing.Short() {
		iterations = 50
	}
	dir := t.TempDir()
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < iterations; i++ {
				if !oneRound(t, dir, g, i) {
					return
				}
				if i%7 == 0 {
					runtime.Gosched()
				}
			}
		}(g)
	}
	wg.Wait()
}

func oneRound(t *testing.T, dir string, g, i int) bool {
	// A SemVer whose bad byte is at an offset that depends on g.
	prefix := strconv.Itoa(g) + "." + strconv.Itoa(i) + ".0-" + strings.Repeat("a", g%23)
	bad := prefix + "_"
	_, err := mlops.ParseSemVer(bad)
	e := wantErr(t, err, mlops.ErrParse)
	if e.Offset != int64(len(prefix)) || !strings.Contains(e.Message, strconv.Quote(bad)) {
		t.Errorf("goroutine %d: ParseSemVer(%q) got offset %d message %q", g, bad, e.Offset, e.Message)
		return false
	}

	// Successful calls in between must not disturb the next failure's detail.
	data := []byte(bad)
	sum, err := mlops.SHA256(data)
	if err != nil || sum != sha256.Sum256(data) {
		t.Errorf("goroutine %d: SHA256 %x, %v", g, sum, err)
		return false
	}
	if r, err := mlops.CompareVersions(prefix[:len(prefix)-1-g%23], "0.0.0"); err != nil || r != sign(g+i) {
		t.Errorf("goroutine %d: CompareVersions = %d, %v", g, r, err)
		return false
	}

	// An I/O failure naming a path unique to this goroutine and iteration.
	missing := filepath.Join(dir, fmt.Sprintf("g%d-i%d.bin", g, i))
	_, err = mlops.SHA256File(context.Background(), missing)
	e = wantErr(t, err, mlops.ErrIO)
	if e.Path != missing || !strings.HasPrefix(e.Message, missing+":") || e.Offset != -1 {
		t.Errorf("goroutine %d: SHA256File(%q) got path %q message %q", g, missing, e.Path, e.Message)
		return false
	}

	// A timestamp failure whose offset depends on g.
	ts := fmt.Sprintf("2026-11-26T10:%02d:%02d", g%60, i%60) + strings.Repeat("x", 1+g%5)
	_, err = mlops.ParseTimestamp(ts)
	e = wantErr(t, err, mlops.ErrParse)
	if e.Offset != 19 || !strings.Contains(e.Message, strconv.Quote(ts)) {
		t.Errorf("goroutine %d: ParseTimestamp(%q) got offset %d message %q", g, ts, e.Offset, e.Message)
		return false
	}

	// A digest failure at an offset that depends on g.
	hexs := []byte(strings.Repeat("0", 64))
	hexs[g] = 'G'
	_, err = mlops.ParseDigest("sha256:" + string(hexs))
	e = wantErr(t, err, mlops.ErrParse)
	if e.Offset != int64(7+g) {
		t.Errorf("goroutine %d: ParseDigest got offset %d message %q", g, e.Offset, e.Message)
		return false
	}

	// A policy (decide layer) with a syntax error at an offset that depends
	// on g, named by a source unique to the goroutine and iteration.
	pj := `{"schema":` + strings.Repeat(" ", g%50) + "@"
	src := fmt.Sprintf("g%d-i%d.json", g, i)
	_, err = mlops.ParsePolicy([]byte(pj), src)
	e = wantErr(t, err, mlops.ErrParse)
	if e.Offset != int64(10+g%50) || !strings.Contains(e.Message, src) {
		t.Errorf("goroutine %d: ParsePolicy got offset %d message %q", g, e.Offset, e.Message)
		return false
	}
	return true
}
