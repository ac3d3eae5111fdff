package mlops

/*
#include "bridge.h"
*/
import "C"

import (
	"errors"
	"runtime"
	"strconv"
	"strings"
	"unsafe"
)

// Code is a libmlops return code: 0 for success, negative for a failure. The
// list is append-only in the C library; a code never changes meaning.
type Code int

// The codes of include/mlops/common.h.
const (
	CodeOK          Code = 0
	CodeInvalid     Code = -1
	CodeNoMem       Code = -2
	CodeIO          Code = -3
	CodeParse       Code = -4
	CodeSchema      Code = -5
	CodeLimit       Code = -6
	CodeNotFound    Code = -7
	CodeExists      Code = -8
	CodeIntegrity   Code = -9
	CodeSignature   Code = -10
	CodeUnsafe      Code = -11
	CodeVersion     Code = -12
	CodeCancelled   Code = -13
	CodeDomain      Code = -14
	CodeLocked      Code = -15
	CodeCrypto      Code = -16
	CodeUnsupported Code = -17
	CodeInternal    Code = -18
)

// String returns the library's short description of the code, e.g.
// "parse error" (mlops_strerror).
func (c Code) String() string { return C.GoString(C.mlops_strerror(C.int(c))) }

// Name returns the library's symbolic name of the code, e.g. "MLOPS_E_PARSE"
// (mlops_error_name); "MLOPS_E_UNKNOWN" for a code this library does not know.
func (c Code) Name() string { return C.GoString(C.mlops_error_name(C.int(c))) }

// Error is the error every function of this package returns for a libmlops
// failure. It carries the code and the detail the library recorded for the
// failing call on the calling thread.
type Error struct {
	Code    Code   // negative libmlops code
	Name    string // symbolic name, e.g. "MLOPS_E_PARSE"
	Message string // detail, e.g. `invalid SemVer "01.2.3": leading zero ... at byte 0`
	Offset  int64  // byte offset in the input the failure refers to, -1 when unknown
	Line    int    // 1-based line, 0 when unknown
	Column  int    // 1-based column in bytes, 0 when unknown
	Path    string // file, archive entry or JSON path the failure refers to; "" when unknown

	cause error // what made the call fail on the Go side (ctx.Err() for a cancellation)
}

// Error formats the error as "mlops: MLOPS_E_PARSE: <detail>".
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Code.String()
	}
	return "mlops: " + e.Name + ": " + msg
}

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, mlops.ErrParse) holds for every parse failure whatever its
// detail.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t != nil && t.Code == e.Code
}

// Unwrap returns the Go-side cause of the failure, if any: a cancelled
// SHA256File returns an *Error with CodeCancelled that unwraps to the
// context's error, so errors.Is(err, context.Canceled) holds too.
func (e *Error) Unwrap() error { return e.cause }

func sentinel(c Code, name string) *Error {
	return &Error{Code: c, Name: name, Offset: -1}
}

// Sentinel errors, one per code, for errors.Is. They carry no detail; the
// errors returned by calls do.
var (
	ErrInvalid     = sentinel(CodeInvalid, "MLOPS_E_INVALID")
	ErrNoMem       = sentinel(CodeNoMem, "MLOPS_E_NOMEM")
	ErrIO          = sentinel(CodeIO, "MLOPS_E_IO")
	ErrParse       = sentinel(CodeParse, "MLOPS_E_PARSE")
	ErrSchema      = sentinel(CodeSchema, "MLOPS_E_SCHEMA")
	ErrLimit       = sentinel(CodeLimit, "MLOPS_E_LIMIT")
	ErrNotFound    = sentinel(CodeNotFound, "MLOPS_E_NOTFOUND")
	ErrExists      = sentinel(CodeExists, "MLOPS_E_EXISTS")
	ErrIntegrity   = sentinel(CodeIntegrity, "MLOPS_E_INTEGRITY")
	ErrSignature   = sentinel(CodeSignature, "MLOPS_E_SIGNATURE")
	ErrUnsafe      = sentinel(CodeUnsafe, "MLOPS_E_UNSAFE")
	ErrVersion     = sentinel(CodeVersion, "MLOPS_E_VERSION")
	ErrCancelled   = sentinel(CodeCancelled, "MLOPS_E_CANCELLED")
	ErrDomain      = sentinel(CodeDomain, "MLOPS_E_DOMAIN")
	ErrLocked      = sentinel(CodeLocked, "MLOPS_E_LOCKED")
	ErrCrypto      = sentinel(CodeCrypto, "MLOPS_E_CRYPTO")
	ErrUnsupported = sentinel(CodeUnsupported, "MLOPS_E_UNSUPPORTED")
	ErrInternal    = sentinel(CodeInternal, "MLOPS_E_INTERNAL")
)

// ErrClosed is returned by methods of an object after its Close.
var ErrClosed = errors.New("mlops: use of a closed object")

var sentinels = [...]*Error{
	ErrInvalid, ErrNoMem, ErrIO, ErrParse, ErrSchema, ErrLimit, ErrNotFound,
	ErrExists, ErrIntegrity, ErrSignature, ErrUnsafe, ErrVersion, ErrCancelled,
	ErrDomain, ErrLocked, ErrCrypto, ErrUnsupported, ErrInternal,
}

// Sentinel returns the sentinel error of a code, or nil for CodeOK and codes
// this binding does not know.
func Sentinel(c Code) *Error {
	i := -int(c) - 1
	if i < 0 || i >= len(sentinels) {
		return nil
	}
	return sentinels[i]
}

// nameOf is Code.Name without a cgo call for the codes this binding knows.
func nameOf(c Code) string {
	if s := Sentinel(c); s != nil {
		return s.Name
	}
	return c.Name()
}

// call runs fn, which makes exactly one libmlops call and returns its code,
// and turns a failure into an *Error built from the C library's thread-local
// error record.
//
// The record belongs to the OS thread that made the failing call, and a
// goroutine may move to another thread between two cgo calls, where another
// goroutine's failure would be read instead. So the goroutine is locked to
// its thread from the call until the record has been copied into Go memory.
// Every wrapper that calls a fallible C function goes through here.
func call(fn func() C.int) error {
	runtime.LockOSThread()
	rc := fn()
	var err error
	if rc != 0 {
		err = lastError(Code(rc))
	}
	runtime.UnlockOSThread()
	return err
}

// lastError copies the calling thread's error record; the caller holds the
// thread (see call).
func lastError(c Code) *Error {
	var r C.mlopsgo_error
	C.mlopsgo_error_read(&r)
	e := &Error{Code: c, Name: nameOf(c), Offset: -1}
	if Code(r.code) == c {
		e.Message = C.GoString(r.message)
		e.Offset = int64(r.offset)
		e.Line = int(r.line)
		e.Column = int(r.column)
		e.Path = C.GoString(r.path)
	} else {
		// The library returned a code without recording it (it never should):
		// do not report a stale detail from an earlier call.
		e.Message = c.String()
	}
	return e
}

// goError builds an *Error for a failure found on the Go side before any C
// call (an argument C cannot represent), in the library's terms.
func goError(c Code, offset int64, path, msg string) *Error {
	e := &Error{Code: c, Name: nameOf(c), Message: msg, Offset: offset, Path: path}
	if c == CodeParse && offset >= 0 {
		e.Line, e.Column = 1, int(offset)+1
	}
	return e
}

// cString returns a NUL-terminated copy of s for one C call. The copy is Go
// memory without Go pointers, so cgo lets C read it for the duration of the
// call (no libmlops function keeps a string argument after returning), and
// the garbage collector frees it: no C.CString/C.free pair, which would cost
// two more cgo transitions per argument.
//
// A Go string may hold a NUL byte, which C would take as its end: such input
// is refused rather than silently truncated. what names the argument in the
// message; parsers report CodeParse with the NUL's offset, other arguments
// CodeInvalid.
func cString(s string, what string, c Code) (*C.char, error) {
	if i := strings.IndexByte(s, 0); i >= 0 {
		path := ""
		if c != CodeParse {
			path = s[:i]
		}
		return nil, goError(c, int64(i), path, what+" contains a NUL byte at byte "+strconv.Itoa(i))
	}
	b := make([]byte, len(s)+1)
	copy(b, s)
	return (*C.char)(unsafe.Pointer(&b[0])), nil
}
