//go:build asan

package main

func init() { buildFlags = append(buildFlags, "-asan") }
