module libmlops.dev/go/mlops

// 1.19 is the oldest Go this module builds with (Debian 12's golang-go);
// it needs runtime/cgo.Handle (1.17), generics-free code and sync/atomic types (1.19).
go 1.19
