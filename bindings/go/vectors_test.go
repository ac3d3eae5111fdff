package mlops

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// repoFile returns the path of a file of the repository (tests/vectors,
// examples, src) from this directory.
func repoFile(parts ...string) string {
	return filepath.Join(append([]string{"..", ".."}, parts...)...)
}

// vecCase is one "case NAME ... end" block of a vector file.
type vecCase struct {
	name string
	kv   map[string][]string
}

func (c vecCase) floats(t *testing.T, key string) []float64 {
	var out []float64
	for _, s := range c.kv[key] {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%s %s: %v", c.name, key, err)
		}
		out = append(out, f)
	}
	return out
}

func (c vecCase) ints(t *testing.T, key string) []int {
	var out []int
	for _, s := range c.kv[key] {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("%s %s: %v", c.name, key, err)
		}
		out = append(out, n)
	}
	return out
}

func readVectors(t *testing.T, path string) []vecCase {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []vecCase
	var cur *vecCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		switch fields[0] {
		case "case":
			cases = append(cases, vecCase{name: fields[1], kv: map[string][]string{}})
			cur = &cases[len(cases)-1]
		case "end":
			cur = nil
		default:
			if cur != nil {
				cur.kv[fields[0]] = fields[1:]
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// splitmix64 is the generator the vector scripts (Python) and the C tests
// share, reimplemented here from its definition.
func splitmix64(state *uint64) uint64 {
	*state += 0x9e3779b97f4a7c15
	z := *state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func unit(z uint64) float64 { return float64(z>>11) * (1.0 / (1 << 53)) }

// profileStream is gen_profile_vectors.py's stream(seed, n, a, b, nan, pinf, ninf).
func profileStream(t *testing.T, args []string) []float64 {
	v := make([]float64, len(args))
	for i, a := range args {
		f, err := strconv.ParseFloat(a, 64)
		if err != nil {
			t.Fatal(err)
		}
		v[i] = f
	}
	state := uint64(v[0])
	n := int(v[1])
	a, b := v[2], v[3]
	nanE, pE, nE := int(v[4]), int(v[5]), int(v[6])
	out := make([]float64, n)
	for i := range out {
		u := unit(splitmix64(&state))
		x := (a*u)*u + b*u
		switch {
		case nanE != 0 && i%nanE == nanE-1:
			x = math.NaN()
		case pE != 0 && i%pE == pE-1:
			x = math.Inf(1)
		case nE != 0 && i%nE == nE-1:
			x = math.Inf(-1)
		}
		out[i] = x
	}
	return out
}

// riverStream is gen_river.py's stream(seed, n, kind, scale, starts, levels).
func riverStream(t *testing.T, c vecCase) []float64 {
	s := c.floats(t, "stream")
	starts := c.ints(t, "starts")
	levels := c.floats(t, "levels")
	state := uint64(s[0])
	n, binary, scale := int(s[1]), s[2] == 1, s[3]
	out := make([]float64, n)
	j := 0
	for i := range out {
		for j+1 < len(starts) && i >= starts[j+1] {
			j++
		}
		u := unit(splitmix64(&state))
		if binary {
			if u < levels[j] {
				out[i] = 1
			}
		} else {
			out[i] = scale*u + levels[j]
		}
	}
	return out
}

func closeTo(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}
