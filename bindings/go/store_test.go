package mlops

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A store whose index.json or alias history cannot be read answers Tags and
// AliasHistory with an error, never with an empty list; a history line that
// index.json never confirmed (an alias move killed before its commit) is
// not reported.
func TestStoreListingsReportErrors(t *testing.T) {
	dir := t.TempDir()
	k, _ := GenerateKey()
	defer k.Close()
	ring, _ := NewKeyring(k)
	defer ring.Close()
	p1, _ := makePackage(t, dir, "1.0.0", map[string]float64{"auc": 0.9}, k)
	root := filepath.Join(dir, "store")
	s, err := OpenStore(root, StoreCreate)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Add(context.Background(), p1, &VerifyOptions{Trusted: ring}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAlias("fraud-detector", "champion", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	// a move to 1.1.0 killed between the history and index.json
	hist := filepath.Join(root, "mlops-store.json")
	doc := map[string]map[string][]string{}
	b, err := os.ReadFile(hist)
	if err != nil || json.Unmarshal(b, &doc) != nil {
		t.Fatalf("history file: %v %s", err, b)
	}
	doc["aliases"]["fraud-detector:champion"] = append(doc["aliases"]["fraud-detector:champion"], "1.1.0")
	b, _ = json.Marshal(doc)
	if err := os.WriteFile(hist, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if h, err := s.AliasHistory("fraud-detector", "champion"); err != nil || len(h) != 1 || h[0] != "1.0.0" {
		t.Fatalf("history after a killed move: %v %v", h, err)
	}

	index := filepath.Join(root, "index.json")
	good, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(index, good[:len(good)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	if tags, err := s.Tags(); !errors.Is(err, ErrParse) || tags != nil {
		t.Fatalf("a truncated index.json: %v %v", tags, err)
	}
	if h, err := s.AliasHistory("fraud-detector", "champion"); !errors.Is(err, ErrParse) || h != nil {
		t.Fatalf("a truncated index.json: %v %v", h, err)
	}
	if err := os.WriteFile(index, good, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hist, []byte(`{"aliases":{"fraud-detector:champion":"1.0.0"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if h, err := s.AliasHistory("fraud-detector", "champion"); !errors.Is(err, ErrSchema) || h != nil {
		t.Fatalf("a damaged history: %v %v", h, err)
	}
}

// Versions in SemVer precedence (SemVer 2.0.0, section 11: 1.0.0-alpha <
// 1.0.0-rc.1 < 1.0.0; and 1.2.0 < 1.10.0), "latest", Remove and Retain.
func TestStoreLifecycle(t *testing.T) {
	dir := t.TempDir()
	k, _ := GenerateKey()
	defer k.Close()
	ring, _ := NewKeyring(k)
	defer ring.Close()
	order := []string{"1.0.0-alpha", "1.0.0-rc.1", "1.0.0", "1.2.0", "1.10.0"}
	s, err := OpenStore(filepath.Join(dir, "store"), StoreCreate)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := len(order) - 1; i >= 0; i-- {
		p, _ := makePackage(t, dir, order[i], map[string]float64{"auc": 0.9}, k)
		if err := s.Add(context.Background(), p, &VerifyOptions{Trusted: ring}); err != nil {
			t.Fatal(err)
		}
	}
	tags, err := s.Tags()
	if err != nil || len(tags) != len(order) {
		t.Fatalf("tags %v %v", tags, err)
	}
	for i, v := range order {
		if tags[i] != "fraud-detector:"+v {
			t.Fatalf("tags %v, want the SemVer order %v", tags, order)
		}
	}
	latest, err := s.Resolve("fraud-detector:latest")
	top, err2 := s.Resolve("fraud-detector:1.10.0")
	if err != nil || err2 != nil || latest != top {
		t.Fatalf("latest %q %v, 1.10.0 %q %v", latest, err, top, err2)
	}
	if err := s.SetAlias("fraud-detector", "latest", "1.0.0"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("alias named latest: %v", err)
	}
	if err := s.SetAlias("fraud-detector", "production", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove("fraud-detector:1.0.0"); !errors.Is(err, ErrExists) {
		t.Fatalf("remove an aliased version: %v", err)
	}
	if err := s.Remove("fraud-detector:1.0.0-alpha"); err != nil {
		t.Fatal(err)
	}
	would, err := s.Retain(1, true)
	if err != nil || len(would) != 2 || would[0] != "fraud-detector:1.0.0-rc.1" || would[1] != "fraud-detector:1.2.0" {
		t.Fatalf("retain dry run %v %v", would, err)
	}
	if tags, _ := s.Tags(); len(tags) != 4 {
		t.Fatalf("a dry run removed something: %v", tags)
	}
	gone, err := s.Retain(1, false)
	if err != nil || len(gone) != 2 {
		t.Fatalf("retain %v %v", gone, err)
	}
	if tags, _ := s.Tags(); len(tags) != 2 || tags[0] != "fraud-detector:1.0.0" || tags[1] != "fraud-detector:1.10.0" {
		t.Fatalf("kept %v", tags)
	}
	if n, err := s.GC(); err != nil || n == 0 {
		t.Fatalf("gc %d %v", n, err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Retain(-1, false); !errors.Is(err, ErrInvalid) {
		t.Fatalf("negative keep: %v", err)
	}
}
