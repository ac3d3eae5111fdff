package mlops

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// experimentalGetters are per-field getters the binding no longer calls: it
// reads the read-only info structs instead (docs/api-conventions.md). They
// stay exported until the experimental tier replaces this list.
var experimentalGetters = []string{
	"mlops_detector_count",
	"mlops_detector_drift_count",
	"mlops_detector_drift_detected",
	"mlops_detector_estimation",
	"mlops_detector_nonfinite_count",
	"mlops_detector_type_of",
	"mlops_detector_warning_detected",
	"mlops_detector_width",
	"mlops_drift_reference_counts",
	"mlops_drift_reference_edges",
	"mlops_drift_result_bins",
	"mlops_drift_result_categories",
	"mlops_drift_result_cur_counts",
	"mlops_drift_result_direction",
	"mlops_drift_result_dof",
	"mlops_drift_result_drifted",
	"mlops_drift_result_edges",
	"mlops_drift_result_js_base",
	"mlops_drift_result_metric",
	"mlops_drift_result_missing_cur",
	"mlops_drift_result_missing_ref",
	"mlops_drift_result_n_cur",
	"mlops_drift_result_n_ref",
	"mlops_drift_result_pvalue",
	"mlops_drift_result_pvalue_method",
	"mlops_drift_result_ref_counts",
	"mlops_drift_result_smoothing",
	"mlops_drift_result_statistic",
	"mlops_drift_result_threshold",
	"mlops_drift_result_unseen_share",
	"mlops_drift_table_result_adjusted_pvalue",
	"mlops_drift_table_result_column",
	"mlops_drift_table_result_column_drifted",
	"mlops_drift_table_result_columns",
	"mlops_drift_table_result_drifted",
	"mlops_drift_table_result_drifted_count",
	"mlops_drift_table_result_drifted_share",
	"mlops_profile_category_error",
	"mlops_profile_category_size",
	"mlops_profile_count",
	"mlops_profile_histogram_counts",
	"mlops_profile_histogram_edges",
	"mlops_profile_kind",
	"mlops_profile_kll_k",
	"mlops_profile_max",
	"mlops_profile_mean",
	"mlops_profile_min",
	"mlops_profile_nan_count",
	"mlops_profile_neginf_count",
	"mlops_profile_posinf_count",
	"mlops_profile_rank_error",
	"mlops_profile_retained",
	"mlops_profile_variance",
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
	if !sort.StringsAreSorted(experimentalGetters) {
		t.Errorf("experimentalGetters is not sorted")
	}
	experimental := map[string]bool{}
	for _, f := range experimentalGetters {
		experimental[f] = true
	}
	var missing []string
	for f := range exported {
		if !called[f] && !experimental[f] {
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
