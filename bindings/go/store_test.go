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
