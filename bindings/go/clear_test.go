package mlops

import (
	"crypto/sha256"
	"os"
	"runtime"
	"testing"
)

// ClearError empties the thread's record: the stale-detail guard of
// lastError then reports the bare code instead of the earlier message.
func TestClearErrorEmptiesTheThreadRecord(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if _, err := ParseSemVer("1.2"); err == nil {
		t.Fatal("accepted")
	}
	if e := lastError(CodeParse); e.Message == CodeParse.String() || e.Message == "" {
		t.Fatalf("no detail recorded: %q", e.Message)
	}
	ClearError()
	if e := lastError(CodeParse); e.Message != CodeParse.String() || e.Offset != -1 {
		t.Fatalf("record after ClearError: %+v", e)
	}
}

// resetAllocatorErr is ResetAllocator's result, called from TestMain before
// any other test (mlops_allocator_set must not race other calls).
var resetAllocatorErr error

func TestMain(m *testing.M) {
	resetAllocatorErr = ResetAllocator()
	os.Exit(m.Run())
}

// ResetAllocator keeps the default allocator; the library keeps working.
func TestResetAllocatorKeepsTheLibraryWorking(t *testing.T) {
	if resetAllocatorErr != nil {
		t.Fatal(resetAllocatorErr)
	}
	sum, err := SHA256([]byte("abc"))
	if err != nil || sum != sha256.Sum256([]byte("abc")) {
		t.Fatalf("%x %v", sum, err)
	}
}
