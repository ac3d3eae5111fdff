package mlops

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func loadManifest(t *testing.T, name string) *Manifest {
	b, err := os.ReadFile(repoFile("tests", "vectors", "manifest", name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	var x, y interface{}
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}

// The digests of expected.txt were computed with Node (check_with_node.js)
// and Python (make_expected.py); diff.json by make_expected.py.
func TestManifestVectorsDigestsAndDiff(t *testing.T) {
	exp, err := os.ReadFile(repoFile("tests", "vectors", "manifest", "expected.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, line := range strings.Split(string(exp), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			want[f[0]] = f[1]
		}
	}
	parent := loadManifest(t, "parent.json")
	defer parent.Close()
	child, err := ReadManifest(mustOpen(t, repoFile("tests", "vectors", "manifest", "child.json")))
	if err != nil {
		t.Fatal(err)
	}
	defer child.Close()
	for name, m := range map[string]*Manifest{"parent": parent, "child": child} {
		if m.TreeSHA256() != want[name+".tree"] || m.StatementSHA256() != want[name+".statement"] {
			t.Fatalf("%s digests %s %s", name, m.TreeSHA256(), m.StatementSHA256())
		}
		td, err := m.TreeDigest()
		if err != nil || hex.EncodeToString(td[:]) != want[name+".tree"] {
			t.Fatalf("%s TreeDigest %x %v", name, td, err)
		}
		canon, err := m.Canonical()
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(canon)
		sd, err := m.StatementDigest()
		if err != nil || sd != sum || hex.EncodeToString(sum[:]) != want[name+".statement"] {
			t.Fatalf("%s statement digest %x vs sha256(canonical) %x", name, sd, sum)
		}
		if err := m.Validate(); err != nil {
			t.Fatal(err)
		}
		pretty, err := m.Pretty()
		if err != nil || !jsonEqual(t, pretty, canon) || bytes.Equal(pretty, canon) {
			t.Fatalf("%s pretty form", name)
		}
		var w bytes.Buffer
		if n, err := m.WriteTo(&w); err != nil || n != int64(len(canon)) || !bytes.Equal(w.Bytes(), canon) {
			t.Fatalf("WriteTo %d %v", n, err)
		}
	}
	if parent.Name() != "fraud-detector" || parent.Version() != "1.3.2" || child.Version() != "1.4.0-rc.1" {
		t.Fatalf("names %s %s %s", parent.Name(), parent.Version(), child.Version())
	}
	if parent.Created() != "2026-10-01T08:30:00Z" || parent.Description() != "Gradient-boosted fraud scorer" ||
		parent.FrameworkName() != "onnx" || parent.FrameworkVersion() != "1.17" ||
		parent.CodeURI() != "https://git.example/fraud.git" || parent.CodeCommit() != "0123456789abcdef0123456789abcdef01234567" {
		t.Fatal("parent fields")
	}
	if parent.Annotations()["team"] != "risk" {
		t.Fatalf("annotations %v", parent.Annotations())
	}
	fs := parent.Files()
	if len(fs) != 4 || fs[2].Path != "model/model.onnx" || fs[2].Size != 1234567 ||
		fs[2].SHA256 != "97e79ca4f543a0ddb2336f125ebcc9bc9b453986408d58f8ce0fd0ce80be4bc2" || fs[2].Role != "model" ||
		fs[2].MediaType != "application/vnd.cncf.model.weight.v1.raw" {
		t.Fatalf("files %+v", fs)
	}
	if parent.FindFile("model/model.onnx") != 2 || parent.FindFile("absent") != -1 {
		t.Fatal("FindFile")
	}
	ds := parent.Datasets()
	if len(ds) != 1 || ds[0].Name != "train-2026-09" || ds[0].Role != "train" || ds[0].URI != "s3://data/fraud/train-2026-09" ||
		ds[0].SHA256 != "1fa3e7865558f1927084b5a9e272c0441dd5068204a063ea533e2d371a8c9201" ||
		ds[0].ForeignAlg != "md5" || ds[0].ForeignScheme != "dvc3" || ds[0].Foreign != "8d777f385d3dfec8815d20f7496026dc.dir" {
		t.Fatalf("datasets %+v", ds)
	}
	ms := map[string]float64{}
	for _, m := range parent.Metrics() {
		ms[m.Name] = m.Value
	}
	if !reflect.DeepEqual(ms, map[string]float64{"auc": 0.9, "f1": 0, "logloss": 0.35, "p99_latency_ms": 45.25}) {
		t.Fatalf("metrics %v", ms)
	}
	if _, ok := parent.Parent(); ok {
		t.Fatal("the parent has no parent")
	}
	pr, ok := child.Parent()
	if !ok || pr.Name != "fraud-detector" || pr.Version != "1.3.2" || pr.SHA256 != want["parent.statement"] {
		t.Fatalf("child's parent %+v", pr)
	}
	if err := child.CheckParent(parent); err != nil {
		t.Fatal(err)
	}
	if err := parent.CheckParent(child); err == nil {
		t.Fatal("parent is not the child's child")
	}
	if parent.Equal(child) || !parent.Equal(parent) {
		t.Fatal("Equal")
	}

	d, err := DiffManifests(parent, child)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	got, err := d.JSON(false)
	if err != nil {
		t.Fatal(err)
	}
	wantDiff, _ := os.ReadFile(repoFile("tests", "vectors", "manifest", "diff.json"))
	if !jsonEqual(t, got, wantDiff) {
		t.Fatalf("diff JSON differs from diff.json:\n%s", got)
	}
	if pj, err := d.JSON(true); err != nil || !jsonEqual(t, pj, wantDiff) {
		t.Fatal("pretty diff")
	}
	if d.Relation() != BChildOfA || d.Relation().String() == "" {
		t.Fatalf("relation %v", d.Relation())
	}
	var dj struct {
		Files struct {
			Unchanged int
			Entries   []struct{ Change, Path string }
		}
		Parameters []struct{ Change, Name string }
		Metrics    []struct {
			Change, Name              string
			Old, New, Delta, Relative *float64
		}
	}
	_ = json.Unmarshal(wantDiff, &dj)
	files := d.Files()
	if len(files) != len(dj.Files.Entries) || d.UnchangedFiles() != dj.Files.Unchanged {
		t.Fatalf("%d changed files, %d unchanged", len(files), d.UnchangedFiles())
	}
	for i, f := range files {
		if f.Path != dj.Files.Entries[i].Path || f.Change.String() != dj.Files.Entries[i].Change {
			t.Fatalf("file %d: %+v vs %+v", i, f, dj.Files.Entries[i])
		}
	}
	for i, p := range d.Parameters() {
		if p.Name != dj.Parameters[i].Name || p.Change.String() != dj.Parameters[i].Change {
			t.Fatalf("parameter %d: %+v", i, p)
		}
	}
	num := func(p *float64) float64 {
		if p == nil {
			return math.NaN()
		}
		return *p
	}
	same := func(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }
	if len(d.Parameters()) != len(dj.Parameters) {
		t.Fatalf("%d parameters", len(d.Parameters()))
	}
	for i, m := range d.Metrics() {
		w := dj.Metrics[i]
		if m.Name != w.Name || m.Change.String() != w.Change || !same(m.Old, num(w.Old)) && w.Old != nil ||
			!same(m.New, num(w.New)) && w.New != nil || !same(m.Delta, num(w.Delta)) || !same(m.Relative, num(w.Relative)) {
			t.Fatalf("metric %d: %+v vs %+v", i, m, w)
		}
	}
	if len(d.Metrics()) != len(dj.Metrics) {
		t.Fatalf("%d metrics", len(d.Metrics()))
	}
	// The diff keeps both manifests: closing them first is safe.
	parent.Close()
	child.Close()
	if d.Relation() != BChildOfA {
		t.Fatal("diff after its manifests were closed")
	}
	if _, err := DiffManifests(parent, child); err != ErrClosed {
		t.Fatalf("diff of closed manifests: %v", err)
	}
}

func mustOpen(t *testing.T, path string) *os.File {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestManifestBuilderRoundTrip(t *testing.T) {
	parent := loadManifest(t, "parent.json")
	defer parent.Close()
	b, err := NewManifestBuilder("fraud-detector", "1.5.0", "2026-11-01T00:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	weights := bytes.Repeat([]byte{7}, 300)
	sum := sha256.Sum256(weights)
	hexSum := hex.EncodeToString(sum[:])
	must(b.SetDescription("rebuilt"))
	must(b.SetFramework("onnx", "1.18"))
	must(b.AddFile("model/w.bin", 300, hexSum, "", "model"))
	must(b.SetFileShards("model/w.bin", 100, []string{hexSum, hexSum, hexSum}))
	must(b.AddDataset("eval", "s3://x/eval", "eval", hexSum))
	must(b.SetDatasetForeignDigest("eval", "md5", "dvc3", "abc"))
	must(b.SetParameterString("booster", "gbtree"))
	must(b.SetParameterNumber("eta", 0.3))
	must(b.SetParameterInt("depth", 6))
	must(b.SetParameterBool("early", true))
	must(b.SetParameterNull("seed"))
	must(b.SetParameterJSON("layers", "1E3"))
	must(b.SetMetric("auc", 0.93))
	must(b.SetAnnotation("team", "risk"))
	must(b.SetCode("https://git.example/fraud.git", "89abcdef0123456789abcdef0123456789abcdef"))
	must(b.SetParent("x", "1.0.0", strings.Repeat("0", 64)))
	must(b.SetParentManifest(parent))
	m, err := b.Finish()
	must(err)
	defer m.Close()
	pr, ok := m.Parent()
	if !ok || pr.SHA256 != parent.StatementSHA256() || pr.Version != "1.3.2" {
		t.Fatalf("parent %+v", pr)
	}
	must(m.CheckParent(parent))
	f := m.Files()
	if len(f) != 1 || f[0].SHA256 != hexSum || f[0].ShardSize != 100 || len(f[0].Shards) != 3 ||
		f[0].Shards[2] != (Shard{200, 100, hexSum}) {
		t.Fatalf("files %+v", f)
	}
	ps := map[string]Parameter{}
	for _, p := range m.Parameters() {
		ps[p.Name] = p
	}
	if ps["booster"].String != "gbtree" || ps["booster"].Type != ValueString || ps["eta"].Number != 0.3 ||
		ps["depth"].Number != 6 || !ps["early"].Bool || ps["early"].Type != ValueBool || ps["seed"].Type != ValueNull ||
		ps["layers"].JSON != "1000" || ps["layers"].Type != ValueNumber {
		t.Fatalf("parameters %+v", ps)
	}
	ds := m.Datasets()
	if len(ds) != 1 || ds[0].Foreign != "abc" || ds[0].SHA256 != hexSum {
		t.Fatalf("datasets %+v", ds)
	}
	canon, _ := m.Canonical()
	again, err := ParseManifestWithOptions(canon, &ParseOptions{MaxDepth: 64})
	must(err)
	defer again.Close()
	if !again.Equal(m) {
		t.Fatal("canonical bytes do not parse back to an equal manifest")
	}
	if _, err := ParseManifestWithOptions(canon, &ParseOptions{MaxSize: 10}); !errors.Is(err, ErrLimit) {
		t.Fatalf("max size: %v", err)
	}
	if _, err := ParseManifest([]byte(`{"_type":`)); !errors.Is(err, ErrParse) {
		t.Fatalf("truncated: %v", err)
	}
	must(CheckManifestPath("model/w.bin"))
	if err := CheckManifestPath("../escape"); err == nil {
		t.Fatal("a path with .. is accepted")
	}
	if DefaultShardSize() != 268435456 {
		t.Fatal("default shard size")
	}
	// duplicate path fails at Finish
	must(b.AddFile("model/w.bin", 300, hexSum, "", "model"))
	if _, err := b.Finish(); !errors.Is(err, ErrSchema) {
		t.Fatalf("duplicate path: %v", err)
	}
}

// exactAsCanonical is the oracle: the text's value equals that of the
// shortest round-trip form of its double (math/big, strconv).
func exactAsCanonical(t *testing.T, text string) bool {
	t.Helper()
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		t.Fatal(err)
	}
	a, ok1 := new(big.Rat).SetString(text)
	b, ok2 := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	return ok1 && ok2 && a.Cmp(b) == 0
}

// Numbers are signed through their double (RFC 8785): one whose canonical
// form is another number is refused by the builder and the parser.
func TestManifestNumbersADoubleCannotHoldAreRefused(t *testing.T) {
	hexSum := strings.Repeat("a", 64)
	for _, text := range []string{"9007199254740993", "-9007199254740995", "1152921504606846976",
		"0.10000000000000000001", "1e-400"} {
		if exactAsCanonical(t, text) {
			t.Fatalf("oracle: %s is exact", text)
		}
		b, err := NewManifestBuilder("m", "1.0.0", "2026-01-01T00:00:00Z")
		if err != nil {
			t.Fatal(err)
		}
		if err := b.SetParameterJSON("big", text); !errors.Is(err, ErrSchema) ||
			!strings.Contains(err.Error(), `"big" = `+text) {
			t.Errorf("SetParameterJSON(%s): %v", text, err)
		}
		if i, err := strconv.ParseInt(text, 10, 64); err == nil {
			if err := b.SetParameterInt("big", i); !errors.Is(err, ErrSchema) {
				t.Errorf("SetParameterInt(%s): %v", text, err)
			}
		}
		b.Close()
		doc := `{"_type":"https://in-toto.io/Statement/v1","predicate":{"created":"2026-01-01T00:00:00Z",` +
			`"files":[],"name":"m","parameters":{"big":` + text + `},"version":"1.0.0"},` +
			`"predicateType":"https://libmlops.dev/manifest/v1","subject":[{"digest":{"sha256":` +
			`"4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"},"name":"m@1.0.0"}]}`
		if _, err := ParseManifest([]byte(doc)); !errors.Is(err, ErrSchema) || !strings.Contains(err.Error(), text) {
			t.Errorf("ParseManifest with %s: %v", text, err)
		}
	}
	for _, text := range []string{"9007199254740994", "1.0", "1e2", "-0", "0.1"} {
		if !exactAsCanonical(t, text) {
			t.Fatalf("oracle: %s is not exact", text)
		}
		b, _ := NewManifestBuilder("m", "1.0.0", "2026-01-01T00:00:00Z")
		if err := b.AddFile("w", 1, hexSum, "", ""); err != nil {
			t.Fatal(err)
		}
		if err := b.SetParameterJSON("p", text); err != nil {
			t.Errorf("SetParameterJSON(%s): %v", text, err)
		}
		b.Close()
	}
}

// Two manifests from known bytes (crypto/sha256 digests): the diff's exact
// lists, with separate counts and the dataset and code changes.
func TestDiffReportsDatasetsCodeAndEveryFileField(t *testing.T) {
	h := func(s string) string { x := sha256.Sum256([]byte(s)); return hex.EncodeToString(x[:]) }
	build := func(version, role, media, train, commit string, files []string) *Manifest {
		b, err := NewManifestBuilder("fraud", version, "2026-01-01T00:00:00Z")
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		steps := []error{b.AddFile("same.bin", 4, h("same"), "", "model"), b.AddFile("role.bin", 4, h("role"), "", role),
			b.AddFile("media.bin", 5, h("media"), media, ""),
			b.AddDataset("train", "s3://t", "train", h(train)), b.AddDataset("eval", "s3://e", "eval", h("eval")),
			b.SetCode("https://git/x", commit)}
		for _, f := range files {
			steps = append(steps, b.AddFile(f, uint64(len(f)), h(f), "", ""))
		}
		for _, err := range steps {
			if err != nil {
				t.Fatal(err)
			}
		}
		m, err := b.Finish()
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	a := build("1.0.0", "model", "", "train-v1", strings.Repeat("0", 40), []string{"gone.txt"})
	defer a.Close()
	b := build("1.1.0", "doc", "text/plain", "train-v2", strings.Repeat("1", 40), []string{"new1", "new2", "new3"})
	defer b.Close()
	d, err := DiffManifests(a, b)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	type fc struct {
		path   string
		change Change
		fields string
	}
	var got []fc
	for _, f := range d.Files() {
		got = append(got, fc{f.Path, f.Change, f.Fields.String()})
	}
	want := []fc{{"gone.txt", Removed, ""}, {"media.bin", Changed, "mediaType"}, {"new1", Added, ""},
		{"new2", Added, ""}, {"new3", Added, ""}, {"role.bin", Changed, "role"}}
	if !reflect.DeepEqual(got, want) || d.UnchangedFiles() != 1 {
		t.Fatalf("files %+v (unchanged %d)", got, d.UnchangedFiles())
	}
	ds := d.Datasets()
	if len(ds) != 1 || ds[0] != (DatasetChange{"train", Changed, FieldDigest, h("train-v1"), h("train-v2"), "s3://t", "s3://t"}) ||
		d.UnchangedDatasets() != 1 {
		t.Fatalf("datasets %+v", ds)
	}
	if c, f := d.Code(); c != Changed || f != FieldCommit || f.String() != "commit" {
		t.Fatalf("code %v %v", c, f)
	}
	js, err := d.JSON(false)
	if err != nil {
		t.Fatal(err)
	}
	var report struct {
		Files    map[string]any `json:"files"`
		Datasets map[string]any `json:"datasets"`
	}
	if err := json.Unmarshal(js, &report); err != nil {
		t.Fatal(err)
	}
	if report.Files["added"] != 3.0 || report.Files["removed"] != 1.0 || report.Files["changed"] != 2.0 ||
		report.Datasets["changed"] != 1.0 {
		t.Fatalf("counts %v %v", report.Files, report.Datasets)
	}
}
