package mlops

/*
#include "bridge.h"
*/
import "C"

import (
	"context"
	"io"
	"runtime"
	"runtime/cgo"
	"sync"
	"sync/atomic"
	"unsafe"
)

// SHA256Size is the size of a SHA-256 digest in bytes.
const SHA256Size = 32

// SHA256BlockSize is SHA-256's block size in bytes.
const SHA256BlockSize = 64

// SHA256 returns the SHA-256 digest of data (mlops_digest_buffer). data is
// passed to C without copying: cgo pins the slice's memory for the duration
// of the call, and the library does not keep the pointer after it returns.
func SHA256(data []byte) ([SHA256Size]byte, error) {
	var out [SHA256Size]byte
	var p unsafe.Pointer
	if len(data) > 0 {
		p = unsafe.Pointer(&data[0])
	}
	err := call(func() C.int {
		return C.mlops_digest_buffer((*C.uint8_t)(&out[0]), p, C.size_t(len(data)))
	})
	if err != nil {
		return [SHA256Size]byte{}, err
	}
	return out, nil
}

// FileOptions tunes SHA256FileWithOptions.
type FileOptions struct {
	// BufferSize is the read size in bytes; 0 picks the library's default (1 MiB).
	BufferSize int
	// Progress, when set, is called after each read with the bytes hashed so
	// far and the file's size. It runs on the calling goroutine, inside the C
	// call: it must not call back into this package. A panic in it cancels
	// the hashing and is raised again by SHA256FileWithOptions.
	Progress func(done, total uint64)
}

// SHA256File returns the SHA-256 digest of a file's contents, read with
// constant memory (mlops_digest_file). The hashing stops between two reads
// once ctx is done; the error is then an *Error with CodeCancelled that also
// matches ctx.Err() (errors.Is(err, context.Canceled)).
func SHA256File(ctx context.Context, path string) ([SHA256Size]byte, error) {
	return SHA256FileWithOptions(ctx, path, nil)
}

// SHA256FileWithOptions is SHA256File with a read size and a progress
// function; opts may be nil.
func SHA256FileWithOptions(ctx context.Context, path string, opts *FileOptions) ([SHA256Size]byte, error) {
	var out [SHA256Size]byte
	if ctx == nil {
		ctx = context.Background()
	}
	var bufSize int
	var fn func(done, total uint64)
	if opts != nil {
		bufSize, fn = opts.BufferSize, opts.Progress
	}
	if bufSize < 0 {
		return out, goError(CodeInvalid, -1, path, "FileOptions.BufferSize is negative")
	}
	if err := ctx.Err(); err != nil {
		e := goError(CodeCancelled, -1, path, path+": hashing cancelled before it started")
		e.cause = err
		return out, e
	}
	cpath, err := cString(path, "path", CodeInvalid)
	if err != nil {
		return out, err
	}

	st := &progressState{ctx: ctx, done: ctx.Done(), fn: fn}
	var h cgo.Handle
	if st.done != nil || st.fn != nil {
		h = cgo.NewHandle(st)
		defer h.Delete()
	}
	err = call(func() C.int {
		return C.mlopsgo_digest_file((*C.uint8_t)(&out[0]), cpath, C.size_t(bufSize), C.uintptr_t(h))
	})
	if st.panicked {
		panic(st.panicVal)
	}
	if err != nil {
		if e, ok := err.(*Error); ok && e.Code == CodeCancelled {
			e.cause = st.ctxErr
		}
		return [SHA256Size]byte{}, err
	}
	return out, nil
}

// SHA256Reader returns the SHA-256 digest of everything r yields until
// io.EOF, through a Digest, reading 1 MiB at a time. It stops between two
// reads once ctx is done, with the same cancellation error as SHA256File; a
// read error of r is returned as it is.
func SHA256Reader(ctx context.Context, r io.Reader) ([SHA256Size]byte, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	d, err := NewDigest()
	if err != nil {
		return [SHA256Size]byte{}, err
	}
	defer d.Close()
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			e := goError(CodeCancelled, -1, "", "hashing cancelled")
			e.cause = err
			return [SHA256Size]byte{}, e
		}
		n, rerr := r.Read(buf)
		if n > 0 {
			if _, err := d.Write(buf[:n]); err != nil {
				return [SHA256Size]byte{}, err
			}
		}
		if rerr == io.EOF {
			return d.Finish()
		}
		if rerr != nil {
			return [SHA256Size]byte{}, rerr
		}
	}
}

// ParseDigest parses the strict OCI form "sha256:<64 lowercase hex digits>"
// (mlops_digest_parse). Failures: ErrParse (Offset says which byte is wrong),
// ErrUnsupported (a well-formed digest of another algorithm).
func ParseDigest(s string) ([SHA256Size]byte, error) {
	var out [SHA256Size]byte
	cs, err := cString(s, "digest", CodeParse)
	if err != nil {
		return out, err
	}
	if err := call(func() C.int { return C.mlops_digest_parse((*C.uint8_t)(&out[0]), cs) }); err != nil {
		return [SHA256Size]byte{}, err
	}
	return out, nil
}

// FormatDigest returns the string form "sha256:<64 lowercase hex digits>"
// (mlops_digest_format).
func FormatDigest(d [SHA256Size]byte) string {
	var buf [C.MLOPS_DIGEST_STRING_SIZE]C.char
	if err := call(func() C.int { return C.mlops_digest_format(&buf[0], (*C.uint8_t)(&d[0])) }); err != nil {
		panic(err) // only a NULL argument fails, and none is passed
	}
	return C.GoString(&buf[0])
}

// Release accounting, read by the lifetime tests: finalizerRuns counts
// objects a finalizer released, finalizedBusy those whose finalizer ran while
// a C call on the object was still in progress (which must never happen).
var (
	finalizerRuns atomic.Int64
	finalizedBusy atomic.Int64
)

// Digest is a streaming SHA-256 computation (mlops_digest_*). It implements
// hash.Hash; Close releases its C memory (a finalizer does it for a Digest
// that is dropped without Close). A Digest is not safe for concurrent use,
// except that Close may be called from any goroutine at any time.
//
// It keeps hash.Hash's contract: Sum finishes a copy of the computation
// (mlops_digest_dup), so writing may go on after it.
type Digest struct {
	mu  sync.Mutex
	ptr *C.mlops_digest
	// busy is 1 while a C call on ptr is in progress. It is allocated apart
	// from the Digest so that a call holding it does not itself keep the
	// Digest reachable: the finalizer's check then tests runtime.KeepAlive.
	busy *atomic.Int32
}

// NewDigest starts a streaming SHA-256 computation (mlops_digest_new).
func NewDigest() (*Digest, error) {
	var p *C.mlops_digest
	if err := call(func() C.int { return C.mlops_digest_new(&p) }); err != nil {
		return nil, err
	}
	d := &Digest{ptr: p, busy: new(atomic.Int32)}
	runtime.SetFinalizer(d, (*Digest).finalize)
	return d, nil
}

// Write feeds p to the computation without copying it (mlops_digest_update).
func (d *Digest) Write(p []byte) (int, error) {
	if d == nil {
		return 0, errNilObject()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ptr == nil {
		return 0, ErrClosed
	}
	if len(p) == 0 {
		return 0, nil
	}
	ptr, busy := d.ptr, d.busy
	busy.Store(1)
	err := call(func() C.int {
		return C.mlops_digest_update(ptr, unsafe.Pointer(&p[0]), C.size_t(len(p)))
	})
	busy.Store(0)
	runtime.KeepAlive(d)
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// finishOn runs mlops_digest_finish on ptr (d's or a copy of it) into sum;
// the caller holds d.mu.
func (d *Digest) finishOn(ptr *C.mlops_digest) (sum [SHA256Size]byte, err error) {
	busy := d.busy
	busy.Store(1)
	err = call(func() C.int { return C.mlops_digest_finish((*C.uint8_t)(&sum[0]), ptr) })
	busy.Store(0)
	runtime.KeepAlive(d)
	return sum, err
}

// Finish returns the digest of everything written since the last Finish or
// Reset and starts a new message (mlops_digest_finish). It is the
// error-returning form of Sum followed by Reset.
func (d *Digest) Finish() ([SHA256Size]byte, error) {
	if d == nil {
		return [SHA256Size]byte{}, errNilObject()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ptr == nil {
		return [SHA256Size]byte{}, ErrClosed
	}
	return d.finishOn(d.ptr)
}

// Sum appends the digest of everything written so far to b (hash.Hash),
// finishing a copy of the computation: writing may go on. It panics on a
// closed Digest and if the library fails (only an OpenSSL failure or an
// allocation can); Finish reports those as errors.
func (d *Digest) Sum(b []byte) []byte {
	if d == nil {
		panic(ErrClosed)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ptr == nil {
		panic(ErrClosed)
	}
	var dup *C.mlops_digest
	ptr := d.ptr
	if err := call(func() C.int { return C.mlops_digest_dup(&dup, ptr) }); err != nil {
		panic(err)
	}
	sum, err := d.finishOn(dup)
	C.mlops_digest_free(dup)
	if err != nil {
		panic(err)
	}
	return append(b, sum[:]...)
}

// Reset discards what was written and starts a new message. It does nothing
// on a closed Digest.
func (d *Digest) Reset() {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ptr == nil {
		return
	}
	if _, err := d.finishOn(d.ptr); err != nil {
		panic(err)
	}
}

// Size returns SHA256Size (hash.Hash).
func (d *Digest) Size() int { return SHA256Size }

// BlockSize returns SHA256BlockSize (hash.Hash).
func (d *Digest) BlockSize() int { return SHA256BlockSize }

// Close releases the C memory (mlops_digest_free). It is idempotent and
// always returns nil; methods called after it return ErrClosed (Sum panics).
func (d *Digest) Close() error {
	if d == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ptr != nil {
		C.mlops_digest_free(d.ptr)
		d.ptr = nil
		runtime.SetFinalizer(d, nil)
	}
	return nil
}

func (d *Digest) finalize() {
	finalizerRuns.Add(1)
	if d.busy.Load() != 0 {
		finalizedBusy.Add(1)
	}
	_ = d.Close()
}
