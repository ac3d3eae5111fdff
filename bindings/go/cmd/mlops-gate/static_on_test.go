//go:build static

package main

// A `go test -tags static` run tests a plugin linked with the static libmlops.
func init() { buildFlags = append(buildFlags, "-tags", "static") }
