module libmlops.dev/go/mlops

// 1.19 is the oldest Go this module builds with, and Debian 12's golang-go:
// it needs runtime/cgo.Handle (1.17) and the typed sync/atomic values (1.19).
go 1.19
