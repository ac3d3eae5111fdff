package mlops_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"libmlops.dev/go/mlops"
)

var _ hash.Hash = (*mlops.Digest)(nil)

func randomBytes(n int, seed int64) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

func writeFile(t testing.TB, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "blob")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// FIPS 180-2 appendix B.1 and the empty message.
func TestSHA256KnownAnswers(t *testing.T) {
	for in, want := range map[string]string{
		"":    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"abc": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq": "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	} {
		got, err := mlops.SHA256([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(got[:]) != want {
			t.Errorf("SHA256(%q) = %x, want %s", in, got, want)
		}
	}
	got, err := mlops.SHA256(nil)
	if err != nil || hex.EncodeToString(got[:]) != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Fatalf("SHA256(nil) = %x, %v", got, err)
	}
}

func TestSHA256MatchesCryptoSHA256(t *testing.T) {
	for _, n := range []int{1, 3, 55, 56, 63, 64, 65, 127, 1000, 1 << 20, 3<<20 + 17} {
		data := randomBytes(n, int64(n))
		got, err := mlops.SHA256(data)
		if err != nil {
			t.Fatal(err)
		}
		if want := sha256.Sum256(data); got != want {
			t.Errorf("n=%d: %x, crypto/sha256 %x", n, got, want)
		}
		// A sub-slice: the pointer passed is &data[1], not the array start.
		got, _ = mlops.SHA256(data[1:])
		if want := sha256.Sum256(data[1:]); got != want {
			t.Errorf("n=%d sub-slice: %x, crypto/sha256 %x", n, got, want)
		}
	}
}

func TestSHA256FileMatchesCryptoSHA256(t *testing.T) {
	data := randomBytes(3<<20+5, 7)
	p := writeFile(t, data)
	want := sha256.Sum256(data)
	got, err := mlops.SHA256File(context.Background(), p)
	if err != nil || got != want {
		t.Fatalf("SHA256File = %x, %v; want %x", got, err, want)
	}
	got, err = mlops.SHA256File(nil, p)
	if err != nil || got != want {
		t.Fatalf("SHA256File(nil ctx) = %x, %v", got, err)
	}
	empty := writeFile(t, nil)
	got, err = mlops.SHA256File(context.Background(), empty)
	if err != nil || got != sha256.Sum256(nil) {
		t.Fatalf("empty file: %x, %v", got, err)
	}
}

func TestSHA256FileReportsProgress(t *testing.T) {
	data := randomBytes(1<<20+100, 8)
	p := writeFile(t, data)
	var calls []uint64
	got, err := mlops.SHA256FileWithOptions(context.Background(), p, &mlops.FileOptions{
		BufferSize: 64 << 10,
		Progress: func(done, total uint64) {
			if total != uint64(len(data)) {
				t.Errorf("total %d, want %d", total, len(data))
			}
			calls = append(calls, done)
		},
	})
	if err != nil || got != sha256.Sum256(data) {
		t.Fatalf("%x, %v", got, err)
	}
	// 16 full reads of 64 KiB and one of 100 bytes.
	if len(calls) != 17 || calls[0] != 64<<10 || calls[16] != uint64(len(data)) {
		t.Fatalf("progress calls %v", calls)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i] <= calls[i-1] {
			t.Fatalf("progress not increasing: %v", calls)
		}
	}
}

func TestSHA256FileErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.onnx")
	_, err := mlops.SHA256File(context.Background(), missing)
	e := wantErr(t, err, mlops.ErrIO)
	if e.Path != missing || !strings.Contains(e.Message, "cannot open") ||
		!strings.Contains(e.Message, "No such file or directory") {
		t.Errorf("missing file: path %q message %q", e.Path, e.Message)
	}

	dir := t.TempDir()
	_, err = mlops.SHA256File(context.Background(), dir)
	e = wantErr(t, err, mlops.ErrIO)
	if e.Path != dir || !strings.Contains(e.Message, "not a regular file") {
		t.Errorf("directory: path %q message %q", e.Path, e.Message)
	}

	_, err = mlops.SHA256File(context.Background(), dir+"/a\x00b")
	e = wantErr(t, err, mlops.ErrInvalid)
	if e.Path != dir+"/a" || !strings.Contains(e.Message, "NUL") {
		t.Errorf("NUL path: %+v", e)
	}

	_, err = mlops.SHA256FileWithOptions(context.Background(), missing, &mlops.FileOptions{BufferSize: -1})
	e = wantErr(t, err, mlops.ErrInvalid)
	if !strings.Contains(e.Message, "BufferSize") {
		t.Errorf("negative buffer: %q", e.Message)
	}
}

func TestSHA256FileCancelled(t *testing.T) {
	p := writeFile(t, randomBytes(4<<20, 9))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := mlops.SHA256File(ctx, p)
	e := wantErr(t, err, mlops.ErrCancelled)
	if !errors.Is(err, context.Canceled) || e.Path != p {
		t.Fatalf("pre-cancelled: %v (path %q)", err, e.Path)
	}

	// Cancelled from inside the call: the library stops after the read
	// during which the context was cancelled.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	var reads int
	_, err = mlops.SHA256FileWithOptions(ctx, p, &mlops.FileOptions{
		BufferSize: 64 << 10,
		Progress: func(done, total uint64) {
			reads++
			if reads == 3 {
				cancel()
			}
		},
	})
	e = wantErr(t, err, mlops.ErrCancelled)
	if !errors.Is(err, context.Canceled) || reads != 3 || e.Path != p ||
		!strings.Contains(e.Message, "cancelled by the progress callback") {
		t.Fatalf("cancelled mid-call after %d reads: %v", reads, err)
	}

	// A deadline that expires during the call.
	ctx, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	_, err = mlops.SHA256FileWithOptions(ctx, p, &mlops.FileOptions{
		BufferSize: 4 << 10,
		Progress:   func(done, total uint64) { time.Sleep(time.Millisecond) },
	})
	wantErr(t, err, mlops.ErrCancelled)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("deadline: %v does not match context.DeadlineExceeded", err)
	}
}

// The usual form: a timeout on a long hash, with no progress function. A
// sparse 8 GiB file would take seconds to hash; the call must end soon after
// the deadline, between two reads.
func TestSHA256FileTimeoutWithoutProgressFunction(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sparse")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(8 << 30); err != nil {
		f.Close()
		t.Skipf("cannot make a sparse file: %v", err)
	}
	f.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = mlops.SHA256File(ctx, p)
	elapsed := time.Since(start)
	e := wantErr(t, err, mlops.ErrCancelled)
	if !errors.Is(err, context.DeadlineExceeded) || e.Path != p {
		t.Fatalf("%v (path %q)", err, e.Path)
	}
	if elapsed > 2*time.Second {
		t.Fatalf("cancellation took %v", elapsed)
	}
}

func TestSHA256FileProgressPanicIsRaisedAfterTheCall(t *testing.T) {
	p := writeFile(t, randomBytes(1<<20, 10))
	defer func() {
		if r := recover(); r != "boom" {
			t.Fatalf("recovered %v, want boom", r)
		}
	}()
	_, _ = mlops.SHA256FileWithOptions(context.Background(), p, &mlops.FileOptions{
		BufferSize: 4 << 10,
		Progress:   func(done, total uint64) { panic("boom") },
	})
	t.Fatal("no panic")
}

func TestSHA256ReaderMatchesCryptoSHA256(t *testing.T) {
	data := randomBytes(3<<20+11, 13)
	// Big reads from a bytes.Reader, and many short ones.
	for _, r := range []io.Reader{bytes.NewReader(data), &smallReader{data: data, max: 4093}} {
		got, err := mlops.SHA256Reader(context.Background(), r)
		if err != nil || got != sha256.Sum256(data) {
			t.Fatalf("%T: %x, %v", r, got, err)
		}
	}
	got, err := mlops.SHA256Reader(context.Background(), strings.NewReader(""))
	if err != nil || got != sha256.Sum256(nil) {
		t.Fatalf("empty: %x, %v", got, err)
	}
}

func TestSHA256ReaderErrorsAndCancellation(t *testing.T) {
	boom := errors.New("read failed")
	_, err := mlops.SHA256Reader(context.Background(), io.MultiReader(strings.NewReader("abc"), errReader{boom}))
	if err != boom {
		t.Fatalf("read error: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &smallReader{data: randomBytes(1<<20, 14), max: 1000, after: 5, hook: cancel}
	_, err = mlops.SHA256Reader(ctx, r)
	wantErr(t, err, mlops.ErrCancelled)
	if !errors.Is(err, context.Canceled) || r.reads != 5 {
		t.Fatalf("cancelled after %d reads: %v", r.reads, err)
	}
}

// smallReader yields at most max bytes per Read and calls hook after `after` reads.
type smallReader struct {
	data  []byte
	max   int
	reads int
	after int
	hook  func()
}

func (r *smallReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.max)], r.data)
	r.data = r.data[n:]
	r.reads++
	if r.hook != nil && r.reads == r.after {
		r.hook()
	}
	return n, nil
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestDigestStreamingMatchesCryptoSHA256(t *testing.T) {
	data := randomBytes(1<<20+333, 11)
	d, err := mlops.NewDigest()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Size() != sha256.Size || d.BlockSize() != sha256.BlockSize {
		t.Fatalf("Size %d BlockSize %d", d.Size(), d.BlockSize())
	}
	ref := sha256.New()
	rng := rand.New(rand.NewSource(12))
	for off := 0; off < len(data); {
		n := rng.Intn(70000)
		if off+n > len(data) {
			n = len(data) - off
		}
		w, err := d.Write(data[off : off+n])
		if err != nil || w != n {
			t.Fatalf("Write = %d, %v", w, err)
		}
		ref.Write(data[off : off+n])
		off += n
	}
	want := ref.Sum(nil)
	if got := d.Sum(nil); !bytes.Equal(got, want) {
		t.Fatalf("Sum %x, want %x", got, want)
	}
	// Sum again gives the same value and appends to its argument.
	if got := d.Sum([]byte("x")); !bytes.Equal(got, append([]byte("x"), want...)) {
		t.Fatalf("second Sum %x", got)
	}
	// Reset starts a new message.
	d.Reset()
	io.WriteString(d, "abc")
	if got := hex.EncodeToString(d.Sum(nil)); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("after Reset: %s", got)
	}
	// Reset without Sum discards what was written.
	d.Reset()
	io.WriteString(d, "junk")
	d.Reset()
	if got := d.Sum(nil); !bytes.Equal(got, sha256.New().Sum(nil)) {
		t.Fatalf("Reset did not discard: %x", got)
	}
}

func TestDigestFinish(t *testing.T) {
	d, err := mlops.NewDigest()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	io.Copy(d, strings.NewReader("hello"))
	got, err := d.Finish()
	if err != nil || got != sha256.Sum256([]byte("hello")) {
		t.Fatalf("Finish %x, %v", got, err)
	}
	// Finish started a new message.
	got, err = d.Finish()
	if err != nil || got != sha256.Sum256(nil) {
		t.Fatalf("second Finish %x, %v", got, err)
	}
	// Finish after Sum returns the same digest and allows writing again.
	io.WriteString(d, "a")
	s := d.Sum(nil)
	got, _ = d.Finish()
	if !bytes.Equal(s, got[:]) || got != sha256.Sum256([]byte("a")) {
		t.Fatalf("Finish after Sum %x vs %x", got, s)
	}
	io.WriteString(d, "b")
	if got, _ = d.Finish(); got != sha256.Sum256([]byte("b")) {
		t.Fatalf("Write after Finish %x", got)
	}
}

// hash.Hash: Sum does not change the state; writing goes on after it
// (crypto/sha256 is the oracle).
func TestDigestWriteAfterSumContinues(t *testing.T) {
	d, _ := mlops.NewDigest()
	defer d.Close()
	ref := sha256.New()
	for _, part := range []string{"a", "bc", "", "defgh"} {
		io.WriteString(d, part)
		io.WriteString(ref, part)
		if got, want := d.Sum(nil), ref.Sum(nil); !bytes.Equal(got, want) {
			t.Fatalf("after %q: Sum %x, want %x", part, got, want)
		}
	}
}

func TestDigestCloseIsIdempotent(t *testing.T) {
	d, err := mlops.NewDigest()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if n, err := d.Write([]byte("x")); n != 0 || !errors.Is(err, mlops.ErrClosed) {
		t.Fatalf("Write after Close: %d, %v", n, err)
	}
	if _, err := d.Finish(); !errors.Is(err, mlops.ErrClosed) {
		t.Fatalf("Finish after Close: %v", err)
	}
	d.Reset() // no-op
	defer func() {
		if r := recover(); r != mlops.ErrClosed {
			t.Fatalf("Sum after Close recovered %v", r)
		}
	}()
	d.Sum(nil)
}

func TestParseAndFormatDigest(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3} {
		raw := sha256.Sum256([]byte{byte(n)})
		want := "sha256:" + hex.EncodeToString(raw[:])
		if got := mlops.FormatDigest(raw); got != want {
			t.Fatalf("FormatDigest = %q, want %q", got, want)
		}
		back, err := mlops.ParseDigest(want)
		if err != nil || back != raw {
			t.Fatalf("ParseDigest(%q) = %x, %v", want, back, err)
		}
	}
}

func TestParseDigestErrors(t *testing.T) {
	good := "sha256:" + strings.Repeat("ab", 32)
	cases := []struct {
		in     string
		want   *mlops.Error
		offset int64
	}{
		{"sha256:" + strings.Repeat("ab", 31) + "aB", mlops.ErrParse, 70},
		{"sha256:" + strings.Repeat("ab", 31) + "ag", mlops.ErrParse, 70},
		{good[:len(good)-1], mlops.ErrParse, -2},
		{good + "0", mlops.ErrParse, -2},
		{" " + good, mlops.ErrParse, -2},
		{"", mlops.ErrParse, -2},
		{good[:20] + "\x00" + good[21:], mlops.ErrParse, 20},
		{"sha512:" + strings.Repeat("ab", 64), mlops.ErrUnsupported, -2},
	}
	for _, c := range cases {
		got, err := mlops.ParseDigest(c.in)
		e := wantErr(t, err, c.want)
		if got != ([32]byte{}) {
			t.Errorf("%q: output not zero on failure", c.in)
		}
		if c.offset != -2 && e.Offset != c.offset {
			t.Errorf("%q: offset %d, want %d (%s)", c.in, e.Offset, c.offset, e.Message)
		}
		if e.Offset >= 0 && (e.Line != 1 || e.Column != int(e.Offset)+1) {
			t.Errorf("%q: line %d column %d for offset %d", c.in, e.Line, e.Column, e.Offset)
		}
	}
}
