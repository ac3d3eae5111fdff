package mlops

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestEveryExportedFunctionIsWrapped parses the linker version script
// (src/libmlops.map, the list of every public function) and the binding's
// sources (Go files other than tests, and bridge.c), and requires every
// exported function to be called by the binding.
func TestEveryExportedFunctionIsWrapped(t *testing.T) {
	mapText, err := os.ReadFile(filepath.Join("..", "..", "src", "libmlops.map"))
	if err != nil {
		t.Fatal(err)
	}
	// The stable tier: every node of the version script but MLOPS_EXPERIMENTAL
	// (docs/abi-policy.md). The binding may use experimental functions too,
	// but it must reach everything the stable tier promises.
	stableText := regexp.MustCompile(`(?s)MLOPS_EXPERIMENTAL \{.*?\}[^;]*;`).ReplaceAllString(string(mapText), "")
	exported := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s*(mlops_[a-z0-9_]+);`).FindAllStringSubmatch(stableText, -1) {
		exported[m[1]] = true
	}
	if len(exported) < 100 {
		t.Fatalf("parsed only %d functions from src/libmlops.map", len(exported))
	}
	called := map[string]bool{}
	goRef := regexp.MustCompile(`\bC\.(mlops_[a-z0-9_]+)\b`)
	cRef := regexp.MustCompile(`\b(mlops_[a-z0-9_]+)\s*\(`)
	// Comments do not count: only code that calls.
	comments := regexp.MustCompile(`(?s)/\*.*?\*/|//[^\n]*`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goRef.FindAllStringSubmatch(comments.ReplaceAllString(string(b), ""), -1) {
			called[m[1]] = true
		}
	}
	b, err := os.ReadFile("bridge.c")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range cRef.FindAllStringSubmatch(comments.ReplaceAllString(string(b), ""), -1) {
		called[m[1]] = true
	}
	// The per-field getters the info structs replace (experimental now,
	// listed once for both bindings): the binding calls none of them.
	listText, err := os.ReadFile(filepath.Join("..", "..", "tests", "abi", "experimental-getters.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var experimentalGetters []string
	for _, line := range strings.Split(string(listText), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			experimentalGetters = append(experimentalGetters, line)
		}
	}
	if len(experimentalGetters) < 100 {
		t.Fatalf("parsed only %d names from tests/abi/experimental-getters.txt", len(experimentalGetters))
	}
	for _, f := range experimentalGetters {
		if called[f] {
			t.Errorf("the binding calls %s: it reads the info structs instead", f)
		}
	}
	if !sort.StringsAreSorted(experimentalGetters) {
		t.Errorf("experimentalGetters is not sorted")
	}
	var missing []string
	for f := range exported {
		if !called[f] {
			missing = append(missing, f)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d of %d stable functions are not called by the binding:\n  %s",
			len(missing), len(exported), strings.Join(missing, "\n  "))
	}
	t.Logf("%d stable functions, all called by the binding", len(exported))
}
