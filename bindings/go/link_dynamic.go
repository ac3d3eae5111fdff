//go:build !static

package mlops

// How the package links libmlops: by default the shared library, found by
// pkg-config (`libmlops.pc`, or `libmlops-uninstalled.pc` in a build tree's
// meson-uninstalled directory) and loaded at run time as libmlops.so.0.
// `go build -tags static` selects link_static.go instead.

/*
#cgo pkg-config: libmlops
*/
import "C"
