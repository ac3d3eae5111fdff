//go:build asan

package mlops

// underASan is true in `go test -asan` builds (the asan build tag).
const underASan = true
