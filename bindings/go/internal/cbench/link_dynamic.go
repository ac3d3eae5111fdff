//go:build !static

package cbench

// Linked like the binding (see ../../link_dynamic.go).

/*
#cgo pkg-config: libmlops
*/
import "C"
