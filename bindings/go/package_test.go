package mlops

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// makePackage packs a small model (one raw layer of 1.5 MiB and two small
// files) signed by keys, with the given metrics, into dir/name.mlpkg.
func makePackage(t testing.TB, dir, version string, metrics map[string]float64, keys ...*Key) (string, map[string][]byte) {
	t.Helper()
	src := filepath.Join(dir, "src-"+version)
	files := map[string][]byte{
		"model/weights.bin": bytes.Repeat([]byte(version), (3<<19)/len(version)+1),
		"config.json":       []byte(`{"depth":6}`),
		"README.md":         []byte("# model " + version + "\n"),
	}
	for p, b := range files {
		full := filepath.Join(src, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pk, err := NewPacker(&PackOptions{Keys: keys, MTimeZero: true, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer pk.Close()
	if err := pk.AddDirectory(filepath.Join(src, "model"), "model"); err != nil {
		t.Fatal(err)
	}
	if err := pk.AddFile(filepath.Join(src, "config.json"), "config.json", "config"); err != nil {
		t.Fatal(err)
	}
	if err := pk.AddFile(filepath.Join(src, "README.md"), "README.md", "doc"); err != nil {
		t.Fatal(err)
	}
	b, err := NewManifestBuilder("fraud-detector", version, "2026-11-01T00:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for k, v := range metrics {
		if err := b.SetMetric(k, v); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "fraud-"+version+".mlpkg")
	m, err := pk.Write(context.Background(), out, b)
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
	// AddDirectory gives paths relative to the directory.
	files["weights.bin"] = files["model/weights.bin"]
	delete(files, "model/weights.bin")
	return out, files
}

func TestPackageSignVerifyExtractAndTamper(t *testing.T) {
	dir := t.TempDir()
	k1, _ := GenerateKey()
	k2, _ := GenerateKey()
	defer k1.Close()
	defer k2.Close()
	pkg, files := makePackage(t, dir, "1.0.0", map[string]float64{"auc": 0.9}, k1)
	ring, _ := NewKeyring(k1)
	defer ring.Close()

	var calls int
	var last, total uint64
	rep, err := VerifyPackage(context.Background(), pkg, &VerifyOptions{Trusted: ring, Progress: func(d, tot uint64) {
		calls++
		last, total = d, tot
	}})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(pkg)
	if calls == 0 || last > total || last < uint64(PackageRawThreshold) || total != uint64(st.Size()) {
		t.Fatalf("progress: %d calls, %d of %d (file %d)", calls, last, total, st.Size())
	}
	if !rep.Signed || rep.FilesVerified != 3 || len(rep.Problems) != 0 || rep.Manifest == nil {
		t.Fatalf("report %+v", rep)
	}
	defer rep.Manifest.Close()
	if rep.Manifest.Name() != "fraud-detector" || rep.Manifest.Version() != "1.0.0" {
		t.Fatal("statement")
	}
	for _, f := range rep.Manifest.Files() {
		sum := sha256.Sum256(files[f.Path])
		if f.SHA256 != hex.EncodeToString(sum[:]) || f.Size != uint64(len(files[f.Path])) {
			t.Fatalf("%s: %s size %d, Go says %x size %d", f.Path, f.SHA256, f.Size, sum, len(files[f.Path]))
		}
	}
	var rj struct {
		Valid         bool
		FilesVerified int `json:"files_verified"`
	}
	if err := json.Unmarshal(rep.JSON, &rj); err != nil || !rj.Valid || rj.FilesVerified != 3 {
		t.Fatalf("report JSON %s", rep.JSON)
	}
	// Only some paths.
	rep2, err := VerifyPackage(context.Background(), pkg, &VerifyOptions{Trusted: ring, Paths: []string{"config.json"}})
	if err != nil || rep2.FilesVerified != 1 {
		t.Fatalf("one path: %v %+v", err, rep2)
	}
	rep2.Manifest.Close()

	// Untrusted key, unsigned allowed.
	other, _ := NewKeyring(k2)
	defer other.Close()
	if _, err := VerifyPackage(context.Background(), pkg, &VerifyOptions{Trusted: other}); !errors.Is(err, ErrSignature) {
		t.Fatalf("untrusted: %v", err)
	}
	if _, err := VerifyPackage(context.Background(), pkg, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("no keys: %v", err)
	}

	// Extract.
	dest := filepath.Join(dir, "out")
	if err := ExtractPackage(context.Background(), pkg, dest, &VerifyOptions{Trusted: ring}); err != nil {
		t.Fatal(err)
	}
	for p, b := range files {
		got, err := os.ReadFile(filepath.Join(dest, p))
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("extracted %s: %v", p, err)
		}
	}
	if err := ExtractPackage(context.Background(), pkg, dest, &VerifyOptions{Trusted: ring}); !errors.Is(err, ErrExists) {
		t.Fatalf("extract over a directory: %v", err)
	}

	// A second signature.
	both := filepath.Join(dir, "both.mlpkg")
	if err := SignPackage(context.Background(), pkg, both, []*Key{k2}, &VerifyOptions{Trusted: ring}, false); err != nil {
		t.Fatal(err)
	}
	ring2, _ := NewKeyring(k1, k2)
	defer ring2.Close()
	r3, err := VerifyPackage(context.Background(), both, &VerifyOptions{Trusted: ring2, Threshold: 2})
	if err != nil || !r3.Signed {
		t.Fatalf("two signatures: %v", err)
	}
	r3.Manifest.Close()
	if err := SignPackage(context.Background(), pkg, both, []*Key{k2}, &VerifyOptions{Trusted: ring}, false); !errors.Is(err, ErrExists) {
		t.Fatalf("sign over an existing file: %v", err)
	}

	// Cancellation through the context.
	ctx, cancel := context.WithCancel(context.Background())
	_, err = VerifyPackage(ctx, pkg, &VerifyOptions{Trusted: ring, Progress: func(d, tot uint64) { cancel() }})
	if !errors.Is(err, ErrCancelled) || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled verify: %v", err)
	}
	if _, err := VerifyPackage(ctx, pkg, &VerifyOptions{Trusted: ring}); !errors.Is(err, context.Canceled) {
		t.Fatalf("verify with a done context: %v", err)
	}

	// Tampering: flip one byte inside the raw weights layer.
	tampered := tamper(t, pkg, dir, files["weights.bin"])
	rep4, err := VerifyPackage(context.Background(), tampered, &VerifyOptions{Trusted: ring})
	if !errors.Is(err, ErrIntegrity) || rep4 == nil || len(rep4.Problems) == 0 || rep4.Problems[0].Code != CodeIntegrity {
		t.Fatalf("tampered: %v %+v", err, rep4)
	}
	if rep4.Manifest != nil {
		rep4.Manifest.Close()
	}
}

// tamper copies pkg with one byte of content changed.
func tamper(t testing.TB, pkg, dir string, content []byte) string {
	t.Helper()
	b, err := os.ReadFile(pkg)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, content[:4096])
	if i < 0 {
		t.Fatal("content not found in the package")
	}
	b[i+100] ^= 0xff
	out := filepath.Join(dir, "tampered.mlpkg")
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestStoreAddAliasResolveExport(t *testing.T) {
	dir := t.TempDir()
	k, _ := GenerateKey()
	defer k.Close()
	ring, _ := NewKeyring(k)
	defer ring.Close()
	p1, _ := makePackage(t, dir, "1.0.0", map[string]float64{"auc": 0.9}, k)
	p2, _ := makePackage(t, dir, "1.1.0", map[string]float64{"auc": 0.92}, k)
	if _, err := OpenStore(filepath.Join(dir, "store"), 0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("open without create: %v", err)
	}
	s, err := OpenStore(filepath.Join(dir, "store"), StoreCreate|StoreNoWait)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, p := range []string{p1, p2} {
		if err := s.Add(context.Background(), p, &VerifyOptions{Trusted: ring}); err != nil {
			t.Fatal(err)
		}
	}
	if tags, err := s.Tags(); err != nil || len(tags) != 2 || tags[0] != "fraud-detector:1.0.0" || tags[1] != "fraud-detector:1.1.0" {
		t.Fatalf("tags %v %v", tags, err)
	}
	if err := s.SetAlias("fraud-detector", "champion", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAlias("fraud-detector", "champion", "1.1.0"); err != nil {
		t.Fatal(err)
	}
	if h, err := s.AliasHistory("fraud-detector", "champion"); err != nil || len(h) != 2 || h[0] != "1.0.0" || h[1] != "1.1.0" {
		t.Fatalf("history %v %v", h, err)
	}
	if h, err := s.AliasHistory("fraud-detector", "canary"); err != nil || len(h) != 0 {
		t.Fatalf("history of an alias never set: %v %v", h, err)
	}
	if err := s.SetAlias("fraud-detector", "champion", "9.9.9"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("alias to a missing version: %v", err)
	}
	d1, err := s.Resolve("fraud-detector:champion")
	d2, err2 := s.Resolve("fraud-detector:1.1.0")
	if err != nil || err2 != nil || d1 != d2 || len(d1) != 71 {
		t.Fatalf("resolve %q %q %v %v", d1, d2, err, err2)
	}
	if _, err := s.Resolve("fraud-detector:absent"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("resolve absent: %v", err)
	}
	out := filepath.Join(dir, "exported.mlpkg")
	if err := s.Export("fraud-detector:1.0.0", out, 0, false); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(p1)
	b, _ := os.ReadFile(out)
	if !bytes.Equal(a, b) {
		t.Fatal("export does not give the packed bytes back")
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	if n, err := s.GC(); err != nil || n != 0 {
		t.Fatalf("gc: %d %v", n, err)
	}
	// The store directory is an OCI layout: export a version from it.
	lout := filepath.Join(dir, "layout.mlpkg")
	err = ExportLayout(filepath.Join(dir, "store"), "fraud-detector:1.1.0", nil, lout, 0, false)
	if err != nil {
		t.Logf("layout export from the store directory: %v", err)
		if !errors.As(err, new(*Error)) {
			t.Fatal(err)
		}
	} else if _, err := VerifyPackage(context.Background(), lout, &VerifyOptions{AllowUnsigned: true}); err != nil {
		t.Fatalf("verify the layout export: %v", err)
	}
	if err := ExportLayout(filepath.Join(dir, "nothing"), "x:1", nil, lout+"2", 0, false); err == nil {
		t.Fatal("layout export from a missing directory")
	}
	s.Close()
	if tags, err := s.Tags(); tags != nil || !errors.Is(err, ErrClosed) {
		t.Fatalf("closed store answers: %v %v", tags, err)
	}
	if h, err := s.AliasHistory("fraud-detector", "champion"); h != nil || !errors.Is(err, ErrClosed) {
		t.Fatalf("closed store answers: %v %v", h, err)
	}
}

// A symbolic link appended to the outer tar (written with archive/tar) stops
// the pass with CodeUnsafe after the statement was read: the report must
// carry that error and never say valid, in the struct and in its JSON.
func TestRefusedPackageReportIsNeverValid(t *testing.T) {
	dir := t.TempDir()
	k1, _ := GenerateKey()
	defer k1.Close()
	pkg, _ := makePackage(t, dir, "1.0.0", nil, k1)
	ring, _ := NewKeyring(k1)
	defer ring.Close()
	good, err := VerifyPackage(context.Background(), pkg, &VerifyOptions{Trusted: ring})
	if err != nil || !good.Valid || good.Error != nil {
		t.Fatalf("good: %v %+v", err, good)
	}
	good.Manifest.Close()
	in, err := os.Open(pkg)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	bad := filepath.Join(dir, "link.mlpkg")
	out, err := os.Create(bad)
	if err != nil {
		t.Fatal(err)
	}
	tr, tw := tar.NewReader(in), tar.NewWriter(out)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(tw, tr); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.WriteHeader(&tar.Header{Name: "blobs/link", Typeflag: tar.TypeSymlink, Linkname: "/etc", Mode: 0o777}); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil || out.Close() != nil {
		t.Fatal(err)
	}
	rep, err := VerifyPackage(context.Background(), bad, &VerifyOptions{Trusted: ring})
	if !errors.Is(err, ErrUnsafe) || rep == nil {
		t.Fatalf("err %v report %v", err, rep)
	}
	if rep.Manifest != nil {
		defer rep.Manifest.Close()
	}
	if rep.Valid || rep.Error == nil || rep.Error.Code != CodeUnsafe || rep.Error.Path != "blobs/link" ||
		!strings.Contains(rep.Error.Message, "symbolic link") || len(rep.Problems) != 0 {
		t.Fatalf("report %+v error %+v", rep, rep.Error)
	}
	var rj struct {
		Valid bool
		Error struct{ Code string }
	}
	if err := json.Unmarshal(rep.JSON, &rj); err != nil || rj.Valid || rj.Error.Code != "MLOPS_E_UNSAFE" {
		t.Fatalf("report JSON %s", rep.JSON)
	}
}
