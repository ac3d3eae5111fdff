package mlops

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// experimentalGetters are the per-field getters the binding no longer calls:
// it reads the read-only info structs instead (docs/api-conventions.md). They
// stay exported until the experimental tier takes them. One name a line,
// sorted.
var experimentalGetters = []string{
	"mlops_decision_action",
	"mlops_decision_rule",
	"mlops_decision_rule_reason",
	"mlops_decision_rule_truth",
	"mlops_decision_rule_wait_ms",
	"mlops_decision_suppressed_action",
	"mlops_decision_suppressed_count",
	"mlops_decision_suppressed_reason",
	"mlops_decision_suppressed_rule",
	"mlops_decision_time",
	"mlops_gate_result_action",
	"mlops_gate_result_check_count",
	"mlops_gate_result_check_kind",
	"mlops_gate_result_check_metric",
	"mlops_gate_result_check_passed",
	"mlops_gate_result_check_reason",
	"mlops_package_report_code",
	"mlops_package_report_count",
	"mlops_package_report_entry",
	"mlops_package_report_error_code",
	"mlops_package_report_error_message",
	"mlops_package_report_error_offset",
	"mlops_package_report_error_path",
	"mlops_package_report_expected",
	"mlops_package_report_files_verified",
	"mlops_package_report_found",
	"mlops_package_report_message",
	"mlops_package_report_signed",
	"mlops_package_report_valid",
	"mlops_policy_digest",
	"mlops_policy_id",
	"mlops_policy_revision",
	"mlops_policy_rule_count",
	"mlops_policy_rule_id",
	"mlops_policy_test_count",
}

func isExperimentalGetter(name string) bool {
	for _, f := range experimentalGetters {
		if f == name {
			return true
		}
	}
	return false
}

// TestEveryExportedFunctionIsWrapped parses the linker version script
// (src/libmlops.map, the list of every public function) and the binding's
// sources (Go files other than tests, and bridge.c), and requires every
// exported function to be called by the binding.
func TestEveryExportedFunctionIsWrapped(t *testing.T) {
	mapText, err := os.ReadFile(filepath.Join("..", "..", "src", "libmlops.map"))
	if err != nil {
		t.Fatal(err)
	}
	exported := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s*(mlops_[a-z0-9_]+);`).FindAllStringSubmatch(string(mapText), -1) {
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
	for _, f := range experimentalGetters {
		if !exported[f] {
			t.Errorf("experimentalGetters names %s, which src/libmlops.map does not export", f)
		}
		if called[f] {
			t.Errorf("the binding calls %s: it reads the info structs instead", f)
		}
	}
	if !sort.StringsAreSorted(experimentalGetters) {
		t.Errorf("experimentalGetters is not sorted")
	}
	var missing []string
	for f := range exported {
		if !called[f] && !isExperimentalGetter(f) {
			missing = append(missing, f)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d of %d exported functions are not called by the binding:\n  %s",
			len(missing), len(exported), strings.Join(missing, "\n  "))
	}
	t.Logf("%d exported functions, all called by the binding but %d experimental getters",
		len(exported), len(experimentalGetters))
}
