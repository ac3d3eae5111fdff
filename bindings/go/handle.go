package mlops

/*
#include "bridge.h"
*/
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

// handle owns one C object. Every Go type that wraps a C object embeds one
// and follows the same rules:
//
//   - calls run inside use (a read lock), so Close (the write lock) can never
//     free the object under a running call;
//   - a nil object (a nil *Manifest, *Key...) reaches a nil *handle through
//     hd(): use and retain return an ErrInvalid error ("nil object"),
//     close does nothing;
//   - Close is idempotent; the object is freed when it is closed and no
//     dependent object (one the C library says borrows it, such as a
//     decision made for a policy) still holds it: dependents retain their
//     parent and release it on their own Close;
//   - use ends with runtime.KeepAlive on the handle, an interior pointer
//     that keeps the whole wrapper (and so its finalizer) alive until the C
//     call has returned.
type handle struct {
	mu     sync.RWMutex
	p      unsafe.Pointer
	closed bool
	refs   int
	free   func(unsafe.Pointer)
	deps   []*handle // handles this one retains, released when it is freed
}

func newHandle(p unsafe.Pointer, free func(unsafe.Pointer), deps ...*handle) handle {
	return handle{p: p, free: free, deps: deps}
}

// errNilObject is the error of a method called on (or given) a nil object.
func errNilObject() error { return goError(CodeInvalid, -1, "", "nil object") }

// use runs fn with the C pointer under the read lock; ErrClosed once closed.
func (h *handle) use(fn func(p unsafe.Pointer) error) error {
	if h == nil { // the handle of a nil object (see hd)
		return errNilObject()
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.closed || h.p == nil {
		return ErrClosed
	}
	err := fn(h.p)
	runtime.KeepAlive(h)
	return err
}

// use2 runs fn with the pointers of two handles (which may be the same).
func use2(a, b *handle, fn func(pa, pb unsafe.Pointer) error) error {
	if a == b {
		return a.use(func(p unsafe.Pointer) error { return fn(p, p) })
	}
	return a.use(func(pa unsafe.Pointer) error {
		return b.use(func(pb unsafe.Pointer) error { return fn(pa, pb) })
	})
}

// retain marks h as borrowed by a dependent; it fails once h is closed.
func (h *handle) retain() error {
	if h == nil {
		return errNilObject()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || h.p == nil {
		return ErrClosed
	}
	h.refs++
	return nil
}

func (h *handle) release() {
	h.mu.Lock()
	h.refs--
	deps := h.freeLocked()
	h.mu.Unlock()
	for _, d := range deps {
		d.release()
	}
}

// freeLocked frees the C object when closed and unreferenced, and returns
// the handles to release (outside the lock).
func (h *handle) freeLocked() []*handle {
	if !h.closed || h.refs > 0 || h.p == nil {
		return nil
	}
	h.free(h.p)
	h.p = nil
	deps := h.deps
	h.deps = nil
	return deps
}

// close marks h closed and frees it unless dependents still borrow it.
func (h *handle) close() {
	if h == nil {
		return
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	deps := h.freeLocked()
	h.mu.Unlock()
	for _, d := range deps {
		d.release()
	}
}

// replace puts p, a new C object of the same kind, in place of the handle's
// (a state read or copied in place); the old one is freed once the calls in
// flight have returned. Once closed, p is freed and ErrClosed returned.
func (h *handle) replace(p unsafe.Pointer) error {
	if h == nil {
		return errNilObject()
	}
	h.mu.Lock()
	if h.closed || h.p == nil {
		h.mu.Unlock()
		h.free(p)
		return ErrClosed
	}
	old := h.p
	h.p = p
	h.mu.Unlock()
	h.free(old)
	return nil
}

// retainAll retains every handle or none.
func retainAll(hs ...*handle) error {
	for i, h := range hs {
		if err := h.retain(); err != nil {
			for _, g := range hs[:i] {
				g.release()
			}
			return err
		}
	}
	return nil
}

// goBuf copies an mlops_buf into Go memory and disposes of it.
func goBuf(b *C.mlops_buf) []byte {
	out := C.GoBytes(unsafe.Pointer(b.data), C.int(b.size))
	C.mlops_buf_dispose(b)
	return out
}

// bytesPtr returns a pointer to b's first byte for one C call, or nil.
func bytesPtr(b []byte) unsafe.Pointer {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Pointer(&b[0])
}

// cStrings is a C array of C strings, for the few calls that take one
// (Go memory may not hold Go pointers when passed to C). Release with free.
type cStrings struct {
	arr  **C.char
	n    int
	strs []*C.char
}

func newCStrings(ss []string, what string) (*cStrings, error) {
	for _, s := range ss {
		if _, err := cString(s, what, CodeInvalid); err != nil {
			return nil, err
		}
	}
	cs := &cStrings{n: len(ss)}
	if len(ss) == 0 {
		return cs, nil
	}
	cs.arr = (**C.char)(C.malloc(C.size_t(len(ss)) * C.size_t(unsafe.Sizeof(uintptr(0)))))
	if cs.arr == nil {
		panic("mlops: out of memory")
	}
	arr := unsafe.Slice(cs.arr, len(ss))
	for i, s := range ss {
		arr[i] = C.CString(s)
		cs.strs = append(cs.strs, arr[i])
	}
	return cs, nil
}

func (cs *cStrings) free() {
	for _, s := range cs.strs {
		C.free(unsafe.Pointer(s))
	}
	if cs.arr != nil {
		C.free(unsafe.Pointer(cs.arr))
	}
	cs.arr, cs.strs = nil, nil
}

// optString is cString for an optional argument: "" gives NULL.
func optString(s, what string) (*C.char, error) {
	if s == "" {
		return nil, nil
	}
	return cString(s, what, CodeInvalid)
}

// mustCString is cString for arguments whose NUL byte is an invalid argument.
func mustCString(s, what string) (*C.char, error) { return cString(s, what, CodeInvalid) }

// ClearError clears the calling thread's error record (mlops_error_clear).
// The binding never needs it (every *Error is copied right after the failing
// call); it is here for completeness.
func ClearError() {
	runtime.LockOSThread()
	C.mlops_error_clear()
	runtime.UnlockOSThread()
}

// ResetAllocator makes the library allocate with the C library's malloc
// (mlops_allocator_set with all three functions NULL), which is also the
// default. Go has no allocator C can use, so this is the only setting the
// binding offers; the C function is not thread-safe, so call it, if at all,
// before anything else.
func ResetAllocator() error {
	return call(func() C.int { return C.mlops_allocator_set(nil, nil, nil, nil) })
}

// finalizeCloser is the finalizer of every handle type but Digest: a
// safety net for an object dropped without Close, counted for the tests.
func finalizeCloser[T interface{ Close() error }](x T) {
	finalizerRuns.Add(1)
	_ = x.Close()
}
