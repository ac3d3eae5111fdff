package mlops

/*
#include "bridge.h"
*/
import "C"

import (
	"context"
	"runtime"
	"unsafe"
)

// Store flags.
const (
	StoreCreate = C.MLOPS_STORE_CREATE  // create the store when the directory is absent or empty
	StoreNoWait = C.MLOPS_STORE_NOWAIT  // fail with ErrLocked instead of waiting for the lock
	StoreDryRun = C.MLOPS_STORE_DRY_RUN // Retain: list what would be removed, remove nothing
)

// Store is a local model store (an OCI image layout, mlops_store). Calls on
// one Store are serialised (a store handle is used by one thread at a time).
type Store struct{ h handle }

func sp(p unsafe.Pointer) *C.mlops_store { return (*C.mlops_store)(p) }

// OpenStore opens (with StoreCreate: creates) the store at path.
func OpenStore(path string, flags uint32) (*Store, error) {
	cp, err := mustCString(path, "path")
	if err != nil {
		return nil, err
	}
	var p *C.mlops_store
	if err := call(func() C.int { return C.mlops_store_open(&p, cp, C.uint32_t(flags)) }); err != nil {
		return nil, err
	}
	s := &Store{h: newHandle(unsafe.Pointer(p), func(p unsafe.Pointer) { C.mlops_store_free(sp(p)) })}
	runtime.SetFinalizer(s, finalizeCloser[*Store])
	return s, nil
}

// Close closes the store. Idempotent.
func (s *Store) Close() error {
	if s == nil {
		return nil
	}
	s.hd().close()
	runtime.SetFinalizer(s, nil)
	return nil
}

// use serialises calls: a store handle is used by one thread at a time.
func (s *Store) use(fn func(*C.mlops_store) error) error {
	if s == nil {
		return errNilObject()
	}
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	if s.h.closed || s.h.p == nil {
		return ErrClosed
	}
	err := fn(sp(s.h.p))
	runtime.KeepAlive(s)
	return err
}

// Add verifies a package and adds it under "name:version".
func (s *Store) Add(ctx context.Context, packagePath string, opts *VerifyOptions) error {
	var o VerifyOptions
	if opts != nil {
		o = *opts
	}
	cp, err := mustCString(packagePath, "path")
	if err != nil {
		return err
	}
	return s.use(func(p *C.mlops_store) error {
		return o.Trusted.usePtr(func(ring *C.mlops_keyring) error {
			return progressCall(ctx, o.Progress, func(h C.uintptr_t) error {
				return call(func() C.int { return C.mlopsgo_store_add(p, cp, o.flags(), ring, C.uint32_t(o.Threshold), h) })
			})
		})
	})
}

// Resolve returns the manifest digest ("sha256:<hex>") that "name:version"
// or "name:alias" names.
func (s *Store) Resolve(reference string) (string, error) {
	cr, err := mustCString(reference, "reference")
	if err != nil {
		return "", err
	}
	var out string
	err = s.use(func(p *C.mlops_store) error {
		var c *C.char
		err := call(func() C.int { return C.mlops_store_resolve(&c, p, cr) })
		if err == nil {
			out = C.GoString(c)
			C.mlops_free(unsafe.Pointer(c))
		}
		return err
	})
	return out, err
}

// SetAlias points alias of model name at version.
func (s *Store) SetAlias(name, alias, version string) error {
	cn, err := mustCString(name, "name")
	if err != nil {
		return err
	}
	ca, err := mustCString(alias, "alias")
	if err != nil {
		return err
	}
	cv, err := mustCString(version, "version")
	if err != nil {
		return err
	}
	return s.use(func(p *C.mlops_store) error {
		return call(func() C.int { return C.mlops_store_alias_set(p, cn, ca, cv) })
	})
}

// AliasHistory returns the versions an alias has pointed at, oldest first
// (the last is the one it resolves to; empty when it was never set). A
// store whose index.json or history cannot be read is an error, never an
// empty history.
func (s *Store) AliasHistory(name, alias string) ([]string, error) {
	cn, err := mustCString(name, "name")
	if err != nil {
		return nil, err
	}
	ca, err := mustCString(alias, "alias")
	if err != nil {
		return nil, err
	}
	var out []string
	err = s.use(func(p *C.mlops_store) error {
		var l *C.mlops_strlist
		if err := call(func() C.int { return C.mlops_store_alias_history_list(&l, p, cn, ca, 0) }); err != nil {
			return err
		}
		out = takeStrlist(l)
		return nil
	})
	return out, err
}

// Tags returns the "name:version" tags in byte order (aliases not
// included). A store whose index.json cannot be read is an error, never an
// empty list.
func (s *Store) Tags() ([]string, error) {
	var out []string
	err := s.use(func(p *C.mlops_store) error {
		var l *C.mlops_strlist
		if err := call(func() C.int { return C.mlops_store_tag_list(&l, p, 0) }); err != nil {
			return err
		}
		out = takeStrlist(l)
		return nil
	})
	return out, err
}

// takeStrlist copies a list the library returned into Go strings and frees
// it (the list owns its strings; nothing is borrowed from the store).
func takeStrlist(l *C.mlops_strlist) []string {
	defer C.mlops_strlist_free(l)
	n := C.mlops_strlist_count(l)
	out := make([]string, 0, int(n))
	for i := C.size_t(0); i < n; i++ {
		out = append(out, goStr(C.mlops_strlist_get(l, i)))
	}
	return out
}

// Export writes the version a reference names to a .mlpkg (mtime -1:
// SOURCE_DATE_EPOCH or 0).
func (s *Store) Export(reference, outPath string, mtime int64, overwrite bool) error {
	cr, err := mustCString(reference, "reference")
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
	return s.use(func(p *C.mlops_store) error {
		return call(func() C.int { return C.mlops_store_export(p, cr, co, C.int64_t(mtime), flags) })
	})
}

// Remove removes the version tag ("name:version"); its blobs go at the next
// GC. It fails with ErrExists while an alias points at the version.
func (s *Store) Remove(tag string) error {
	ct, err := mustCString(tag, "tag")
	if err != nil {
		return err
	}
	return s.use(func(p *C.mlops_store) error {
		return call(func() C.int { return C.mlops_store_remove(p, ct, 0) })
	})
}

// Retain keeps the keep highest versions of every model (SemVer precedence)
// and every version an alias points at, removes the other tags in one commit
// (not with dryRun) and returns them in Tags order.
func (s *Store) Retain(keep int, dryRun bool) ([]string, error) {
	if keep < 0 {
		return nil, goError(CodeInvalid, -1, "", "Retain: negative keep")
	}
	flags := C.uint32_t(0)
	if dryRun {
		flags = StoreDryRun
	}
	var out []string
	err := s.use(func(p *C.mlops_store) error {
		var l *C.mlops_strlist
		if err := call(func() C.int { return C.mlops_store_retain(&l, p, C.size_t(keep), flags) }); err != nil {
			return err
		}
		out = takeStrlist(l)
		return nil
	})
	return out, err
}

// GC removes unreachable blobs and returns how many.
func (s *Store) GC() (int, error) {
	var n C.size_t
	err := s.use(func(p *C.mlops_store) error { return call(func() C.int { return C.mlops_store_gc(&n, p) }) })
	return int(n), err
}

// Check verifies the store's index and every reachable blob.
func (s *Store) Check() error {
	return s.use(func(p *C.mlops_store) error { return call(func() C.int { return C.mlops_store_check(p) }) })
}

// ExportLayout turns an OCI image layout directory into a .mlpkg, carrying
// a DSSE envelope (nil: none) into it.
func ExportLayout(layoutDir, reference string, envelope []byte, outPath string, mtime int64, overwrite bool) error {
	cl, err := mustCString(layoutDir, "dir")
	if err != nil {
		return err
	}
	cr, err := mustCString(reference, "reference")
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
	return call(func() C.int {
		return C.mlops_layout_export(cl, cr, (*C.char)(bytesPtr(envelope)), C.size_t(len(envelope)), co, C.int64_t(mtime), flags)
	})
}
