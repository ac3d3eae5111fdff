package mlops

import (
	"errors"
	"math"
	"sync"
	"testing"
)

func TestCategoryDictCodesInFirstSeenOrder(t *testing.T) {
	d, err := NewCategoryDict()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	codes, err := d.Add([]string{"b", "a", "b", "a\x00b", "a\x00c", "a"})
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{0, 1, 0, 2, 3, 1}
	for i := range want {
		if codes[i] != want[i] {
			t.Fatalf("codes %v, want %v", codes, want)
		}
	}
	if d.Len() != 4 {
		t.Fatalf("Len %d", d.Len())
	}
	if l, err := d.Label(3); err != nil || l != "a\x00c" {
		t.Fatalf("Label(3) = %q, %v", l, err)
	}
	if _, err := d.Label(4); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Label(4): %v", err)
	}
	enc, unseen, err := d.Encode([]string{"a", "zz", "a\x00b", ""})
	if err != nil || unseen != 2 || enc[0] != 1 || enc[1] != CategoryUnseen || enc[2] != 2 || enc[3] != CategoryUnseen {
		t.Fatalf("Encode = %v %d %v", enc, unseen, err)
	}
	d.Close()
	if _, err := d.Add([]string{"x"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Add after Close: %v", err)
	}
	if d.Len() != 0 {
		t.Fatal("Len after Close")
	}
}

// Reference a a a b c c and current b b c d d d: aligned by label the counts
// are (3,1,2,0) and (0,2,1,3). SciPy 1.17.1:
// jensenshannon([3,1,2,0],[0,2,1,3], base=2) = 0.7354264633345439.
func TestDriftCategoricalLabelsMatchesSciPy(t *testing.T) {
	ref := []string{"a", "a", "a", "b", "c", "c"}
	cur := []string{"b", "b", "c", "d", "d", "d"}
	r, labels, err := DriftCategoricalLabels(DriftJS, ref, cur, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.Statistic-0.7354264633345439) > 1e-12 {
		t.Fatalf("JS %.17g", r.Statistic)
	}
	if math.Abs(r.UnseenShare-0.5) > 1e-15 {
		t.Fatalf("unseen share %g", r.UnseenShare)
	}
	got := map[string]bool{}
	for _, l := range labels {
		got[l] = true
	}
	if len(labels) != 4 || !got["a"] || !got["b"] || !got["c"] || !got["d"] {
		t.Fatalf("labels %q", labels)
	}
}

func TestCategoryDictConcurrentUse(t *testing.T) {
	d, err := NewCategoryDict()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				l := string(rune('a' + (i+g)%20))
				if _, err := d.Add([]string{l}); err != nil {
					t.Error(err)
					return
				}
				if _, _, err := d.Encode([]string{l}); err != nil {
					t.Error(err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	if d.Len() != 20 {
		t.Fatalf("Len %d, want 20", d.Len())
	}
}
