//go:build !race

package mlops

// underRace is true in `go test -race` builds (the race build tag).
const underRace = false
