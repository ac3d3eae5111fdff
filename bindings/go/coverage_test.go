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
// it reads the read-only info structs instead (mlops_manifest_info,
// mlops_manifest_file, ..., mlops_manifest_diff_info, ..., mlops_semver_info).
// They stay exported until the experimental tier takes them. One name a line,
// sorted.
var experimentalGetters = []string{
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
	"mlops_semver_build",
	"mlops_semver_major",
	"mlops_semver_minor",
	"mlops_semver_patch",
	"mlops_semver_prerelease",
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
