package mlops

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// The library's version and ABI agree with what pkg-config (the file the
// build generated from meson.build) says about the library we linked.
func TestVersionMatchesPkgConfig(t *testing.T) {
	out, err := exec.Command("pkg-config", "--modversion", "libmlops").Output()
	if err != nil {
		t.Skipf("pkg-config --modversion libmlops: %v", err)
	}
	want := strings.TrimSpace(string(out))
	if got := Version(); got != want {
		t.Fatalf("Version() = %q, pkg-config says %q", got, want)
	}
	parts := strings.Split(want, ".")
	if len(parts) != 3 {
		t.Fatalf("version %q is not MAJOR.MINOR.PATCH", want)
	}
	var n [3]uint32
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			t.Fatalf("version part %q: %v", p, err)
		}
		n[i] = uint32(v)
	}
	if got, want := VersionNumber(), n[0]*10000+n[1]*100+n[2]; got != want {
		t.Fatalf("VersionNumber() = %d, want %d", got, want)
	}
}

func TestABIMajorIsTheBindings(t *testing.T) {
	if ABIMajor() != BindingABIMajor {
		t.Fatalf("ABIMajor() = %d, binding written for %d", ABIMajor(), BindingABIMajor)
	}
	if err := checkABI(ABIMajor()); err != nil {
		t.Fatalf("checkABI on the loaded library: %v", err)
	}
}

func TestABIMismatchIsExplained(t *testing.T) {
	err := checkABI(BindingABIMajor + 1)
	if err == nil {
		t.Fatal("checkABI accepted another ABI major")
	}
	msg := err.Error()
	for _, want := range []string{"ABI major 1", "written for ABI major 0", Version(), "LD_LIBRARY_PATH"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}
