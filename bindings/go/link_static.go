//go:build static

package mlops

// `go build -tags static` links the static library libmlops.a into the
// program, so that it runs without libmlops.so.0 (the pattern git2go uses:
// a static.go/dynamic.go pair selected by a build tag). pkg-config --static
// adds the library's own dependencies (Libs.private: libcrypto, libarchive,
// zlib, pthread, libm), which stay shared.
//
// A libmlops built with -Ddefault_library=both installs libmlops.a next to
// libmlops.so, and `-lmlops` alone would pick the shared one. So libmlops is
// named once more, first and between -Bstatic and -Bdynamic, which resolves
// every libmlops symbol from the archive; --as-needed then drops the shared
// library that pkg-config's own -lmlops names, since nothing is left for it
// to provide. (cgo places #cgo LDFLAGS before pkg-config's flags, and GNU ld
// applies pkg-config's -L to every -l, wherever it appears.) Without a
// libmlops.a the link fails: "cannot find -lmlops".

/*
#cgo pkg-config: --static libmlops
#cgo LDFLAGS: -Wl,-Bstatic -lmlops -Wl,-Bdynamic -Wl,--as-needed
*/
import "C"
