package mlops

/*
#include "bridge.h"
*/
import "C"

import (
	"context"
	"runtime"
	"runtime/cgo"
	"unsafe"
)

// PackageRawThreshold: files of this size or more travel as raw layers.
const PackageRawThreshold = 1 << 20

// Flags of packing and verification.
const (
	PackOverwrite        = C.MLOPS_PACK_OVERWRITE         // replace an existing output file
	PackageAllowUnsigned = C.MLOPS_PACKAGE_ALLOW_UNSIGNED // accept a package without checking signatures
)

// progressCall runs fn with a cgo.Handle routing progress to the context
// and the caller's function (0 when neither can do anything), then turns a
// cancellation into an error that unwraps to ctx.Err() and re-raises a
// panic of the progress function.
func progressCall(ctx context.Context, progress func(done, total uint64), fn func(h C.uintptr_t) error) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		e := goError(CodeCancelled, -1, "", "cancelled before it started")
		e.cause = err
		return e
	}
	st := &progressState{ctx: ctx, done: ctx.Done(), fn: progress}
	var h cgo.Handle
	if st.done != nil || st.fn != nil {
		h = cgo.NewHandle(st)
		defer h.Delete()
	}
	err := fn(C.uintptr_t(h))
	if st.panicked {
		panic(st.panicVal)
	}
	if e, ok := err.(*Error); ok && e.Code == CodeCancelled {
		e.cause = st.ctxErr
	}
	return err
}

// PackOptions configure a Packer; the zero value is the default.
type PackOptions struct {
	Overwrite bool
	Keys      []*Key // sign the statement at pack time; none: unsigned
	MTime     int64  // tar mtime; 0 here means -1 (SOURCE_DATE_EPOCH or 0), use MTimeZero for 0
	MTimeZero bool
	ShardSize uint64
	Threads   int
	Progress  func(done, total uint64)
}

// Packer collects files and writes a .mlpkg package (mlops_packer). One
// goroutine at a time.
type Packer struct {
	h        handle
	keys     []*Key
	slot     *C.uintptr_t // C memory: the progress handle of the write in progress
	progress func(done, total uint64)
}

// NewPacker makes a packer; the keys stay open until the packer is closed.
func NewPacker(opts *PackOptions) (*Packer, error) {
	var o PackOptions
	if opts != nil {
		o = *opts
	}
	if o.Threads < 0 {
		return nil, goError(CodeInvalid, -1, "", "PackOptions.Threads is negative")
	}
	flags := C.uint32_t(0)
	if o.Overwrite {
		flags |= PackOverwrite
	}
	mtime := o.MTime
	if mtime == 0 && !o.MTimeZero {
		mtime = -1
	}
	hs := make([]*handle, len(o.Keys))
	for i, k := range o.Keys {
		hs[i] = k.hd()
	}
	if err := retainAll(hs...); err != nil {
		return nil, err
	}
	slot := (*C.uintptr_t)(C.calloc(1, C.size_t(unsafe.Sizeof(C.uintptr_t(0)))))
	var p *C.mlops_packer
	// The packer keeps the key pointers: they must be C memory.
	var keyArr **C.mlops_key
	if len(o.Keys) > 0 {
		keyArr = (**C.mlops_key)(C.calloc(C.size_t(len(o.Keys)), C.size_t(unsafe.Sizeof(uintptr(0)))))
		arr := unsafe.Slice(keyArr, len(o.Keys))
		for i, k := range o.Keys {
			arr[i] = (*C.mlops_key)(k.hd().p) // retained above: p stays valid
		}
	}
	err := call(func() C.int {
		return C.mlopsgo_packer_new(&p, flags, keyArr, C.size_t(len(o.Keys)), C.int64_t(mtime), C.uint64_t(o.ShardSize), C.uint32_t(o.Threads), slot)
	})
	if err != nil {
		C.free(unsafe.Pointer(slot))
		C.free(unsafe.Pointer(keyArr))
		for _, h := range hs {
			h.release()
		}
		return nil, err
	}
	pk := &Packer{slot: slot, keys: o.Keys, progress: o.Progress}
	pk.h = newHandle(unsafe.Pointer(p), func(p unsafe.Pointer) {
		C.mlops_packer_free((*C.mlops_packer)(p))
		C.free(unsafe.Pointer(slot))
		C.free(unsafe.Pointer(keyArr))
	}, hs...)
	runtime.SetFinalizer(pk, finalizeCloser[*Packer])
	return pk, nil
}

// Close releases the packer and its hold on the keys. Idempotent.
func (pk *Packer) Close() error {
	if pk == nil {
		return nil
	}
	pk.hd().close()
	runtime.SetFinalizer(pk, nil)
	return nil
}

// AddFile adds the file source as path in the package with role
// ("model", "config", "doc", "code" or "dataset").
func (pk *Packer) AddFile(source, path, role string) error {
	cs, err := mustCString(source, "source")
	if err != nil {
		return err
	}
	cp, err := mustCString(path, "path")
	if err != nil {
		return err
	}
	cr, err := mustCString(role, "role")
	if err != nil {
		return err
	}
	return pk.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int { return C.mlops_packer_add_file((*C.mlops_packer)(p), cs, cp, cr, 0) })
	})
}

// AddDirectory adds every regular file under dir (honouring .mlopsignore).
func (pk *Packer) AddDirectory(dir, role string) error {
	cd, err := mustCString(dir, "dir")
	if err != nil {
		return err
	}
	cr, err := mustCString(role, "role")
	if err != nil {
		return err
	}
	return pk.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int { return C.mlops_packer_add_directory((*C.mlops_packer)(p), cd, cr, 0) })
	})
}

// Write hashes the files, completes the manifest from b, signs it and
// writes the package to outPath; it returns the finished statement. It
// stops once ctx is done (ErrCancelled, nothing written).
func (pk *Packer) Write(ctx context.Context, outPath string, b *ManifestBuilder) (*Manifest, error) {
	co, err := mustCString(outPath, "path")
	if err != nil {
		return nil, err
	}
	var m *C.mlops_manifest
	err = use2(pk.hd(), b.hd(), func(pp, pb unsafe.Pointer) error {
		return progressCall(ctx, pk.progress, func(h C.uintptr_t) error {
			*pk.slot = h
			defer func() { *pk.slot = 0 }()
			return call(func() C.int {
				return C.mlops_packer_write_file(&m, (*C.mlops_packer)(pp), co, (*C.mlops_manifest_builder)(pb))
			})
		})
	})
	if err != nil {
		return nil, err
	}
	return newManifest(m), nil
}

// VerifyOptions configure package verification; the zero value verifies
// signatures against no keys, which fails: give Trusted or AllowUnsigned.
type VerifyOptions struct {
	Trusted       *Keyring
	AllowUnsigned bool
	Threshold     int
	Paths         []string // verify only these files (VerifyPackage only)
	Progress      func(done, total uint64)
}

func (o *VerifyOptions) flags() C.uint32_t {
	if o.AllowUnsigned {
		return PackageAllowUnsigned
	}
	return 0
}

// Problem is one content mismatch a verification found.
type Problem struct {
	Code                            Code
	Entry, Expected, Found, Message string
}

// ReportError is why a verification stopped: the code the call returned
// (CodeIntegrity, CodeSignature, CodeUnsafe...), its message, and the file,
// entry or document it is about ("" when not known) and the byte offset in
// the package (-1 when not known).
type ReportError struct {
	Code    Code
	Message string
	Path    string
	Offset  int64
}

// Report is what VerifyPackage found. It is plain Go data. Valid is true
// only when the verification succeeded; otherwise Error says why it stopped
// (also when Problems is empty).
type Report struct {
	Manifest      *Manifest // the verified statement; nil when not reached
	Problems      []Problem
	FilesVerified int
	Signed        bool
	Valid         bool
	Error         *ReportError // nil when Valid
	JSON          []byte       // the library's canonical JSON report
}

// VerifyPackage verifies a package in one streaming pass. The report is
// returned also on failure when the pass got far enough to make one (its
// Problems then list every content mismatch).
func VerifyPackage(ctx context.Context, path string, opts *VerifyOptions) (*Report, error) {
	var o VerifyOptions
	if opts != nil {
		o = *opts
	}
	cp, err := mustCString(path, "path")
	if err != nil {
		return nil, err
	}
	cs, err := newCStrings(o.Paths, "path")
	if err != nil {
		return nil, err
	}
	defer cs.free()
	var rep *C.mlops_package_report
	err = o.Trusted.usePtr(func(ring *C.mlops_keyring) error {
		return progressCall(ctx, o.Progress, func(h C.uintptr_t) error {
			return call(func() C.int {
				return C.mlopsgo_package_verify(&rep, cp, o.flags(), ring, C.uint32_t(o.Threshold), cs.arr, C.size_t(cs.n), h)
			})
		})
	})
	if rep == nil {
		return nil, err
	}
	defer C.mlops_package_report_free(rep)
	in := C.mlops_package_report_info(rep) // struct mlops_package_report_info
	r := &Report{
		FilesVerified: int(in.files_verified),
		Signed:        in.is_signed == 1,
		Valid:         in.valid == 1,
	}
	if in.error_code != 0 {
		r.Error = &ReportError{Code(in.error_code), goStr(in.error_message), goStr(in.error_path),
			int64(in.error_offset)}
	}
	for i := C.size_t(0); i < in.problem_count; i++ {
		p := C.mlops_package_report_problem(rep, i)
		r.Problems = append(r.Problems, Problem{Code(p.code), goStr(p.entry), goStr(p.expected),
			goStr(p.found), goStr(p.message)})
	}
	var b C.mlops_buf
	if jerr := call(func() C.int { return C.mlops_package_report_write_json(&b, rep, 0) }); jerr == nil {
		r.JSON = goBuf(&b)
	}
	if m := C.mlops_package_report_manifest(rep); m != nil {
		// The report's statement is borrowed from the report: take a
		// reference of its own (never fails on a valid manifest).
		var own *C.mlops_manifest
		if derr := call(func() C.int { return C.mlops_manifest_dup(&own, m) }); derr != nil {
			return r, derr
		}
		r.Manifest = newManifest(own)
	}
	return r, err
}

// ExtractPackage verifies a package and extracts its files under dest (which
// must not exist) in the same pass; on failure dest does not exist.
func ExtractPackage(ctx context.Context, path, dest string, opts *VerifyOptions) error {
	var o VerifyOptions
	if opts != nil {
		o = *opts
	}
	cp, err := mustCString(path, "path")
	if err != nil {
		return err
	}
	cd, err := mustCString(dest, "dest")
	if err != nil {
		return err
	}
	return o.Trusted.usePtr(func(ring *C.mlops_keyring) error {
		return progressCall(ctx, o.Progress, func(h C.uintptr_t) error {
			return call(func() C.int {
				return C.mlopsgo_package_extract(cp, cd, o.flags(), ring, C.uint32_t(o.Threshold), h)
			})
		})
	})
}

// SignPackage verifies inPath with opts, then writes outPath with one more
// signature by each key.
func SignPackage(ctx context.Context, inPath, outPath string, keys []*Key, opts *VerifyOptions, overwrite bool) error {
	var o VerifyOptions
	if opts != nil {
		o = *opts
	}
	ci, err := mustCString(inPath, "path")
	if err != nil {
		return err
	}
	co, err := mustCString(outPath, "path")
	if err != nil {
		return err
	}
	flags := C.uint32_t(0)
	if overwrite {
		flags = PackOverwrite
	}
	return withKeys(keys, func(arr **C.mlops_key, n C.size_t) error {
		return o.Trusted.usePtr(func(ring *C.mlops_keyring) error {
			return progressCall(ctx, o.Progress, func(h C.uintptr_t) error {
				return call(func() C.int {
					return C.mlopsgo_package_sign(ci, co, arr, n, o.flags(), ring, C.uint32_t(o.Threshold), h, flags)
				})
			})
		})
	})
}
