// Package mlops is the Go binding of libmlops, the embeddable C library that
// gives CI and deployment tools the parts of an ML delivery pipeline as
// linkable functions: content digests, SemVer, RFC 3339 time today; version
// manifests, drift metrics, the policy engine and model packages as those
// layers land.
//
// The package links the shared library through cgo and pkg-config
// (`#cgo pkg-config: libmlops`, in link_dynamic.go), or the static library
// when built with `-tags static` (link_static.go). Every function that can fail returns an
// error that is an *Error carrying the library's code and detail; compare it
// with the sentinels (errors.Is(err, mlops.ErrParse)) or unpack it with
// errors.As. Objects that own C memory (Digest, SemVer) have an idempotent
// Close and a finalizer as a safety net. See README.md in this directory for
// the error model, threading and lifetime rules.
package mlops

/*
// The binding reaches the experimental tier too (docs/abi-policy.md); a
// #cgo directive applies to every file of the package.
#cgo CFLAGS: -DMLOPS_EXPERIMENTAL
#include "bridge.h"
*/
import "C"

import "fmt"

// BindingABIMajor is the libmlops ABI major this binding is written for. The
// cgo preamble refuses headers of another ABI at build time, and package
// initialisation refuses a loaded library of another ABI at run time.
const BindingABIMajor = 0

// Version returns the version string of the loaded library, e.g. "0.1.0".
func Version() string { return C.GoString(C.mlops_version()) }

// VersionNumber returns the loaded library's version as
// MAJOR*10000 + MINOR*100 + PATCH.
func VersionNumber() uint32 { return uint32(C.mlops_version_number()) }

// ABIMajor returns the ABI major (soversion) of the loaded library.
func ABIMajor() int { return int(C.mlops_abi_major()) }

// checkABI explains a mismatch between the loaded library and this binding.
func checkABI(loaded int) error {
	if loaded != BindingABIMajor {
		return fmt.Errorf("mlops: the loaded libmlops (version %s) has ABI major %d, "+
			"but this Go binding is written for ABI major %d: build and run against a "+
			"matching libmlops (check PKG_CONFIG_PATH and LD_LIBRARY_PATH)",
			Version(), loaded, BindingABIMajor)
	}
	return nil
}

// The run-time ABI check happens once, at package initialisation, before any
// wrapper can be called: calling into a library of another ABI would be
// undefined behaviour, so a mismatch panics with an explanation rather than
// leaving a program that fails later in obscure ways. (The soname
// libmlops.so.0 already keeps the dynamic loader from picking another major;
// this catches a mislabelled or hand-copied library.)
func init() {
	if err := checkABI(ABIMajor()); err != nil {
		panic(err)
	}
}
