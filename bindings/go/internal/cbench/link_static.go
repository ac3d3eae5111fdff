//go:build static

package cbench

// Linked like the binding (see ../../link_static.go).

/*
#cgo pkg-config: --static libmlops
#cgo LDFLAGS: -Wl,-Bstatic -lmlops -Wl,-Bdynamic -Wl,--as-needed
*/
import "C"
