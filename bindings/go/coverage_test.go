package mlops

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// experimentalGetters are the per-field getters the read-only info structs
// replace (docs/api-conventions.md); they are in the experimental tier, and
// the binding calls none of them.
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
	"mlops_gate_result_action",
	"mlops_gate_result_check_count",
	"mlops_gate_result_check_kind",
	"mlops_gate_result_check_metric",
	"mlops_gate_result_check_passed",
	"mlops_gate_result_check_reason",
	"mlops_manifest_annotation_count",
	"mlops_manifest_annotation_key",
	"mlops_manifest_annotation_value",
	"mlops_manifest_code_commit",
	"mlops_manifest_code_uri",
	"mlops_manifest_created",
	"mlops_manifest_dataset_count",
	"mlops_manifest_dataset_foreign_alg",
	"mlops_manifest_dataset_foreign_scheme",
	"mlops_manifest_dataset_foreign_value",
	"mlops_manifest_dataset_name",
	"mlops_manifest_dataset_role",
	"mlops_manifest_dataset_sha256",
	"mlops_manifest_dataset_uri",
	"mlops_manifest_description",
	"mlops_manifest_diff_code_change",
	"mlops_manifest_diff_code_fields",
	"mlops_manifest_diff_dataset_change",
	"mlops_manifest_diff_dataset_count",
	"mlops_manifest_diff_dataset_fields",
	"mlops_manifest_diff_dataset_name",
	"mlops_manifest_diff_dataset_new_sha256",
	"mlops_manifest_diff_dataset_new_uri",
	"mlops_manifest_diff_dataset_old_sha256",
	"mlops_manifest_diff_dataset_old_uri",
	"mlops_manifest_diff_file_change",
	"mlops_manifest_diff_file_count",
	"mlops_manifest_diff_file_fields",
	"mlops_manifest_diff_file_new_sha256",
	"mlops_manifest_diff_file_new_size",
	"mlops_manifest_diff_file_old_sha256",
	"mlops_manifest_diff_file_old_size",
	"mlops_manifest_diff_file_path",
	"mlops_manifest_diff_metric_change",
	"mlops_manifest_diff_metric_count",
	"mlops_manifest_diff_metric_delta",
	"mlops_manifest_diff_metric_name",
	"mlops_manifest_diff_metric_new",
	"mlops_manifest_diff_metric_old",
	"mlops_manifest_diff_metric_relative",
	"mlops_manifest_diff_parameter_change",
	"mlops_manifest_diff_parameter_count",
	"mlops_manifest_diff_parameter_name",
	"mlops_manifest_diff_parameter_new_json",
	"mlops_manifest_diff_parameter_old_json",
	"mlops_manifest_diff_relation",
	"mlops_manifest_diff_unchanged_dataset_count",
	"mlops_manifest_diff_unchanged_file_count",
	"mlops_manifest_file_count",
	"mlops_manifest_file_media_type",
	"mlops_manifest_file_path",
	"mlops_manifest_file_role",
	"mlops_manifest_file_sha256",
	"mlops_manifest_file_shard",
	"mlops_manifest_file_shard_count",
	"mlops_manifest_file_shard_size",
	"mlops_manifest_file_size",
	"mlops_manifest_framework_name",
	"mlops_manifest_framework_version",
	"mlops_manifest_has_parent",
	"mlops_manifest_metric_count",
	"mlops_manifest_metric_name",
	"mlops_manifest_metric_value",
	"mlops_manifest_name",
	"mlops_manifest_parameter_bool",
	"mlops_manifest_parameter_count",
	"mlops_manifest_parameter_json",
	"mlops_manifest_parameter_name",
	"mlops_manifest_parameter_number",
	"mlops_manifest_parameter_string",
	"mlops_manifest_parameter_type",
	"mlops_manifest_parent_name",
	"mlops_manifest_parent_sha256",
	"mlops_manifest_parent_version",
	"mlops_manifest_statement_sha256",
	"mlops_manifest_tree_sha256",
	"mlops_manifest_version",
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
	"mlops_semver_build",
	"mlops_semver_major",
	"mlops_semver_minor",
	"mlops_semver_patch",
	"mlops_semver_prerelease",
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
	// The per-field getters the info structs replace (experimental now):
	// the binding calls none of them.
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
