package mlops

/*
#include "bridge.h"
*/
import "C"

import (
	"io"
	"runtime"
	"strings"
	"unsafe"
)

// DefaultShardSize is the shard size of signed shard digests (256 MiB).
func DefaultShardSize() uint64 { return uint64(C.mlops_manifest_default_shard_size()) }

// Manifest is an immutable version manifest (an in-toto statement,
// mlops_manifest). It may be shared between goroutines.
type Manifest struct{ h handle }

func newManifest(p *C.mlops_manifest) *Manifest {
	m := &Manifest{h: newHandle(unsafe.Pointer(p), func(p unsafe.Pointer) { C.mlops_manifest_free((*C.mlops_manifest)(p)) })}
	runtime.SetFinalizer(m, finalizeCloser[*Manifest])
	return m
}

// Close releases the manifest (once no Diff made from it is open). Idempotent.
func (m *Manifest) Close() error {
	if m == nil {
		return nil
	}
	m.hd().close()
	runtime.SetFinalizer(m, nil)
	return nil
}

func mp(p unsafe.Pointer) *C.mlops_manifest { return (*C.mlops_manifest)(p) }

// ParseOptions limits ParseManifestWithOptions; zero fields take the defaults.
type ParseOptions struct {
	MaxSize  int
	MaxDepth int
}

// ParseManifest parses and checks a statement (mlops_manifest_parse).
func ParseManifest(data []byte) (*Manifest, error) { return ParseManifestWithOptions(data, nil) }

// ParseManifestWithOptions is ParseManifest with limits.
func ParseManifestWithOptions(data []byte, opts *ParseOptions) (*Manifest, error) {
	var o ParseOptions
	if opts != nil {
		o = *opts
	}
	if o.MaxSize < 0 || o.MaxDepth < 0 {
		return nil, goError(CodeInvalid, -1, "", "ParseOptions: negative limit")
	}
	var p *C.mlops_manifest
	if err := call(func() C.int {
		return C.mlopsgo_manifest_parse(&p, (*C.char)(bytesPtr(data)), C.size_t(len(data)), C.size_t(o.MaxSize), C.size_t(o.MaxDepth))
	}); err != nil {
		return nil, err
	}
	return newManifest(p), nil
}

// ReadManifest parses a statement read from r until io.EOF.
func ReadManifest(r io.Reader) (*Manifest, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return ParseManifest(b)
}

func (m *Manifest) buf(pretty bool) ([]byte, error) {
	var out []byte
	err := m.hd().use(func(p unsafe.Pointer) error {
		var b C.mlops_buf
		err := call(func() C.int {
			if pretty {
				return C.mlops_manifest_write_json(&b, mp(p), C.MLOPS_JSON_PRETTY)
			}
			return C.mlops_manifest_write_json(&b, mp(p), 0)
		})
		if err == nil {
			out = goBuf(&b)
		}
		return err
	})
	return out, err
}

// Canonical returns the statement's canonical JSON (RFC 8785) bytes.
func (m *Manifest) Canonical() ([]byte, error) { return m.buf(false) }

// Pretty returns the statement as indented JSON.
func (m *Manifest) Pretty() ([]byte, error) { return m.buf(true) }

// WriteTo writes the canonical JSON to w (io.WriterTo).
func (m *Manifest) WriteTo(w io.Writer) (int64, error) {
	b, err := m.Canonical()
	if err != nil {
		return 0, err
	}
	n, err := w.Write(b)
	return int64(n), err
}

// TreeDigest returns the digest of the file tree (the statement's subject).
func (m *Manifest) TreeDigest() ([SHA256Size]byte, error) {
	var out [SHA256Size]byte
	err := m.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int { return C.mlops_manifest_tree_digest((*C.uint8_t)(&out[0]), mp(p)) })
	})
	return out, err
}

// StatementDigest returns the SHA-256 of the canonical statement.
func (m *Manifest) StatementDigest() ([SHA256Size]byte, error) {
	var out [SHA256Size]byte
	err := m.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int { return C.mlops_manifest_statement_digest((*C.uint8_t)(&out[0]), mp(p)) })
	})
	return out, err
}

func goStr(s *C.char) string {
	if s == nil {
		return ""
	}
	return C.GoString(s)
}

// digestHex is a digest of the info structs ("sha256:<hex>") as the bare
// hex this binding has always given ("" for NULL).
func digestHex(s *C.char) string { return strings.TrimPrefix(goStr(s), "sha256:") }

// info reads the library's read-only summary (mlops_manifest_info), borrowed
// from the manifest, while it is held open; nothing once closed.
func (m *Manifest) info(f func(p *C.mlops_manifest, in *C.struct_mlops_manifest_info)) {
	_ = m.hd().use(func(p unsafe.Pointer) error {
		if in := C.mlops_manifest_info(mp(p)); in != nil {
			f(mp(p), in)
		}
		return nil
	})
}

// infoStr reads one string field of the summary ("" once closed).
func (m *Manifest) infoStr(f func(in *C.struct_mlops_manifest_info) *C.char) string {
	var s string
	m.info(func(_ *C.mlops_manifest, in *C.struct_mlops_manifest_info) { s = goStr(f(in)) })
	return s
}

// TreeSHA256 returns the tree digest as lowercase hex.
func (m *Manifest) TreeSHA256() string {
	return strings.TrimPrefix(m.infoStr(func(in *C.struct_mlops_manifest_info) *C.char { return in.tree_digest }), "sha256:")
}

// StatementSHA256 returns the statement digest as lowercase hex.
func (m *Manifest) StatementSHA256() string {
	return strings.TrimPrefix(m.infoStr(func(in *C.struct_mlops_manifest_info) *C.char { return in.statement_digest }), "sha256:")
}

// Equal reports whether two manifests have the same canonical statement.
func (m *Manifest) Equal(o *Manifest) bool {
	var r C.int
	_ = use2(m.hd(), o.hd(), func(a, b unsafe.Pointer) error { r = C.mlops_manifest_equal(mp(a), mp(b)); return nil })
	return r == 1
}

// Validate re-checks every rule of the format.
func (m *Manifest) Validate() error {
	return m.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int { return C.mlops_manifest_validate(mp(p)) })
	})
}

// CheckManifestPath checks a package path against the manifest's path rules.
func CheckManifestPath(path string) error {
	b := []byte(path)
	return call(func() C.int { return C.mlops_manifest_path_check((*C.char)(bytesPtr(b)), C.size_t(len(b))) })
}

// CheckParent checks that parent is m's recorded parent.
func (m *Manifest) CheckParent(parent *Manifest) error {
	return use2(m.hd(), parent.hd(), func(a, b unsafe.Pointer) error {
		return call(func() C.int { return C.mlops_manifest_check_parent(mp(a), mp(b)) })
	})
}

func (m *Manifest) Name() string {
	return m.infoStr(func(in *C.struct_mlops_manifest_info) *C.char { return in.name })
}
func (m *Manifest) Version() string {
	return m.infoStr(func(in *C.struct_mlops_manifest_info) *C.char { return in.model_version })
}
func (m *Manifest) Created() string {
	return m.infoStr(func(in *C.struct_mlops_manifest_info) *C.char { return in.created })
}
func (m *Manifest) Description() string {
	return m.infoStr(func(in *C.struct_mlops_manifest_info) *C.char { return in.description })
}
func (m *Manifest) FrameworkName() string {
	return m.infoStr(func(in *C.struct_mlops_manifest_info) *C.char { return in.framework_name })
}
func (m *Manifest) FrameworkVersion() string {
	return m.infoStr(func(in *C.struct_mlops_manifest_info) *C.char { return in.framework_version })
}
func (m *Manifest) CodeURI() string {
	return m.infoStr(func(in *C.struct_mlops_manifest_info) *C.char { return in.code_uri })
}
func (m *Manifest) CodeCommit() string {
	return m.infoStr(func(in *C.struct_mlops_manifest_info) *C.char { return in.code_commit })
}

// Parent is a manifest's recorded parent version.
type Parent struct{ Name, Version, SHA256 string }

// Parent returns the recorded parent, ok false when there is none.
func (m *Manifest) Parent() (Parent, bool) {
	var pr Parent
	var has C.int
	m.info(func(_ *C.mlops_manifest, in *C.struct_mlops_manifest_info) {
		has = in.has_parent
		pr = Parent{goStr(in.parent_name), goStr(in.parent_version), digestHex(in.parent_digest)}
	})
	return pr, has == 1
}

// Shard is one signed shard digest of a large file.
type Shard struct {
	Offset, Size uint64
	SHA256       string
}

// File is one file of a manifest.
type File struct {
	Path, SHA256, MediaType, Role string
	Size                          uint64
	ShardSize                     uint64
	Shards                        []Shard
}

// Files returns the files, sorted by path.
func (m *Manifest) Files() []File {
	var fs []File
	m.info(func(p *C.mlops_manifest, in *C.struct_mlops_manifest_info) {
		for i := C.size_t(0); i < in.n_files; i++ {
			r := C.mlops_manifest_file(p, i)
			if r == nil {
				break
			}
			f := File{
				Path: goStr(r.path), Size: uint64(r.file_size), SHA256: digestHex(r.digest),
				MediaType: goStr(r.media_type), Role: goStr(r.role), ShardSize: uint64(r.shard_size),
			}
			for j := C.size_t(0); j < r.shard_count; j++ {
				if sh := C.mlops_manifest_file_shard_info(p, i, j); sh != nil {
					f.Shards = append(f.Shards, Shard{uint64(sh.offset), uint64(sh.length), digestHex(sh.digest)})
				}
			}
			fs = append(fs, f)
		}
	})
	return fs
}

// FindFile returns the index of path in Files(), -1 when absent.
func (m *Manifest) FindFile(path string) int {
	cp, err := mustCString(path, "path")
	if err != nil {
		return -1
	}
	idx := -1
	m.info(func(p *C.mlops_manifest, in *C.struct_mlops_manifest_info) {
		if n := C.mlops_manifest_file_find(p, cp); n < in.n_files {
			idx = int(n)
		}
	})
	return idx
}

// Dataset is one dataset of a manifest.
type Dataset struct {
	Name, URI, Role, SHA256            string
	ForeignAlg, ForeignScheme, Foreign string
}

// Datasets returns the datasets.
func (m *Manifest) Datasets() []Dataset {
	var ds []Dataset
	m.info(func(p *C.mlops_manifest, in *C.struct_mlops_manifest_info) {
		for i := C.size_t(0); i < in.n_datasets; i++ {
			if r := C.mlops_manifest_dataset(p, i); r != nil {
				ds = append(ds, Dataset{goStr(r.name), goStr(r.uri), goStr(r.role), digestHex(r.digest),
					goStr(r.foreign_alg), goStr(r.foreign_scheme), goStr(r.foreign_value)})
			}
		}
	})
	return ds
}

// ValueType is the JSON type of a parameter.
type ValueType int

const (
	ValueNone   ValueType = C.MLOPS_MANIFEST_VALUE_NONE
	ValueNull   ValueType = C.MLOPS_MANIFEST_VALUE_NULL
	ValueBool   ValueType = C.MLOPS_MANIFEST_VALUE_BOOL
	ValueNumber ValueType = C.MLOPS_MANIFEST_VALUE_NUMBER
	ValueString ValueType = C.MLOPS_MANIFEST_VALUE_STRING
)

// Parameter is one training parameter.
type Parameter struct {
	Name   string
	Type   ValueType // ValueNone for an array or object (see JSON)
	JSON   string    // canonical JSON of the value
	Number float64
	String string
	Bool   bool
}

// Parameters returns the parameters.
func (m *Manifest) Parameters() []Parameter {
	var ps []Parameter
	m.info(func(p *C.mlops_manifest, in *C.struct_mlops_manifest_info) {
		for i := C.size_t(0); i < in.n_parameters; i++ {
			if r := C.mlops_manifest_parameter(p, i); r != nil {
				ps = append(ps, Parameter{Name: goStr(r.name), Type: ValueType(r._type), JSON: goStr(r.json),
					Number: float64(r.number), String: goStr(r.string), Bool: r.boolean == 1})
			}
		}
	})
	return ps
}

// Metric is a named metric value.
type Metric struct {
	Name  string
	Value float64
}

// Metrics returns the metrics in the manifest's order.
func (m *Manifest) Metrics() []Metric {
	var ms []Metric
	m.info(func(p *C.mlops_manifest, in *C.struct_mlops_manifest_info) {
		for i := C.size_t(0); i < in.n_metrics; i++ {
			if r := C.mlops_manifest_metric(p, i); r != nil {
				ms = append(ms, Metric{goStr(r.name), float64(r.value)})
			}
		}
	})
	return ms
}

// Annotations returns the annotations as a map.
func (m *Manifest) Annotations() map[string]string {
	as := map[string]string{}
	m.info(func(p *C.mlops_manifest, in *C.struct_mlops_manifest_info) {
		for i := C.size_t(0); i < in.n_annotations; i++ {
			if r := C.mlops_manifest_annotation(p, i); r != nil {
				as[goStr(r.key)] = goStr(r.value)
			}
		}
	})
	return as
}

// ManifestBuilder assembles a manifest (mlops_manifest_builder). One
// goroutine at a time.
type ManifestBuilder struct{ h handle }

// NewManifestBuilder starts a manifest; created is RFC 3339 ("" for now).
func NewManifestBuilder(name, version, created string) (*ManifestBuilder, error) {
	cn, err := mustCString(name, "name")
	if err != nil {
		return nil, err
	}
	cv, err := mustCString(version, "version")
	if err != nil {
		return nil, err
	}
	cc, err := optString(created, "created")
	if err != nil {
		return nil, err
	}
	var p *C.mlops_manifest_builder
	if err := call(func() C.int { return C.mlops_manifest_builder_new(&p, cn, cv, cc) }); err != nil {
		return nil, err
	}
	b := &ManifestBuilder{h: newHandle(unsafe.Pointer(p), func(p unsafe.Pointer) { C.mlops_manifest_builder_free((*C.mlops_manifest_builder)(p)) })}
	runtime.SetFinalizer(b, finalizeCloser[*ManifestBuilder])
	return b, nil
}

// Close releases the builder. Idempotent.
func (b *ManifestBuilder) Close() error {
	if b == nil {
		return nil
	}
	b.hd().close()
	runtime.SetFinalizer(b, nil)
	return nil
}

// do runs one builder call with its string arguments converted ("" → NULL
// for optional ones is the caller's choice through opt).
func (b *ManifestBuilder) do(args []string, opt []bool, f func(*C.mlops_manifest_builder, []*C.char) C.int) error {
	cs := make([]*C.char, len(args))
	for i, a := range args {
		var err error
		if opt != nil && opt[i] {
			cs[i], err = optString(a, "argument")
		} else {
			cs[i], err = mustCString(a, "argument")
		}
		if err != nil {
			return err
		}
	}
	return b.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int { return f((*C.mlops_manifest_builder)(p), cs) })
	})
}

func (b *ManifestBuilder) SetDescription(d string) error {
	return b.do([]string{d}, nil, func(p *C.mlops_manifest_builder, c []*C.char) C.int {
		return C.mlops_manifest_builder_set_description(p, c[0])
	})
}
func (b *ManifestBuilder) SetFramework(name, version string) error {
	return b.do([]string{name, version}, []bool{false, true}, func(p *C.mlops_manifest_builder, c []*C.char) C.int {
		return C.mlops_manifest_builder_set_framework(p, c[0], c[1])
	})
}

// AddFile adds a file; sha256 is 64 hex digits or "sha256:<hex>"; mediaType may be "".
func (b *ManifestBuilder) AddFile(path string, size uint64, sha256, mediaType, role string) error {
	return b.do([]string{path, sha256, mediaType, role}, []bool{false, false, true, true}, func(p *C.mlops_manifest_builder, c []*C.char) C.int {
		return C.mlops_manifest_builder_add_file(p, c[0], C.uint64_t(size), c[1], c[2], c[3])
	})
}

// SetFileShards records the shard digests of a large file.
func (b *ManifestBuilder) SetFileShards(path string, shardSize uint64, sha256 []string) error {
	cs, err := newCStrings(sha256, "shard digest")
	if err != nil {
		return err
	}
	defer cs.free()
	return b.do([]string{path}, nil, func(p *C.mlops_manifest_builder, c []*C.char) C.int {
		return C.mlops_manifest_builder_set_file_shards(p, c[0], C.uint64_t(shardSize), cs.arr, C.size_t(cs.n))
	})
}
func (b *ManifestBuilder) AddDataset(name, uri, role, sha256 string) error {
	return b.do([]string{name, uri, role, sha256}, []bool{false, true, true, true}, func(p *C.mlops_manifest_builder, c []*C.char) C.int {
		return C.mlops_manifest_builder_add_dataset(p, c[0], c[1], c[2], c[3])
	})
}
func (b *ManifestBuilder) SetDatasetForeignDigest(dataset, alg, scheme, value string) error {
	return b.do([]string{dataset, alg, scheme, value}, nil, func(p *C.mlops_manifest_builder, c []*C.char) C.int {
		return C.mlops_manifest_builder_set_dataset_foreign_digest(p, c[0], c[1], c[2], c[3])
	})
}
func (b *ManifestBuilder) SetParameterString(name, v string) error {
	return b.do([]string{name, v}, nil, func(p *C.mlops_manifest_builder, c []*C.char) C.int {
		return C.mlops_manifest_builder_set_parameter_string(p, c[0], c[1])
	})
}
func (b *ManifestBuilder) SetParameterNumber(name string, v float64) error {
	return b.do([]string{name}, nil, func(p *C.mlops_manifest_builder, c []*C.char) C.int {
		return C.mlops_manifest_builder_set_parameter_number(p, c[0], C.double(v))
	})
}
func (b *ManifestBuilder) SetParameterInt(name string, v int64) error {
	return b.do([]string{name}, nil, func(p *C.mlops_manifest_builder, c []*C.char) C.int {
		return C.mlops_manifest_builder_set_parameter_int(p, c[0], C.int64_t(v))
	})
}
func (b *ManifestBuilder) SetParameterBool(name string, v bool) error {
	iv := C.int(0)
	if v {
		iv = 1
	}
	return b.do([]string{name}, nil, func(p *C.mlops_manifest_builder, c []*C.char) C.int {
		return C.mlops_manifest_builder_set_parameter_bool(p, c[0], iv)
	})
}
func (b *ManifestBuilder) SetParameterNull(name string) error {
	return b.do([]string{name}, nil, func(p *C.mlops_manifest_builder, c []*C.char) C.int {
		return C.mlops_manifest_builder_set_parameter_null(p, c[0])
	})
}
func (b *ManifestBuilder) SetParameterJSON(name, json string) error {
	return b.do([]string{name, json}, nil, func(p *C.mlops_manifest_builder, c []*C.char) C.int {
		return C.mlops_manifest_builder_set_parameter_json(p, c[0], c[1])
	})
}
func (b *ManifestBuilder) SetMetric(name string, v float64) error {
	return b.do([]string{name}, nil, func(p *C.mlops_manifest_builder, c []*C.char) C.int {
		return C.mlops_manifest_builder_set_metric(p, c[0], C.double(v))
	})
}
func (b *ManifestBuilder) SetAnnotation(key, value string) error {
	return b.do([]string{key, value}, nil, func(p *C.mlops_manifest_builder, c []*C.char) C.int {
		return C.mlops_manifest_builder_set_annotation(p, c[0], c[1])
	})
}
func (b *ManifestBuilder) SetParent(name, version, sha256 string) error {
	return b.do([]string{name, version, sha256}, nil, func(p *C.mlops_manifest_builder, c []*C.char) C.int {
		return C.mlops_manifest_builder_set_parent(p, c[0], c[1], c[2])
	})
}
func (b *ManifestBuilder) SetParentManifest(parent *Manifest) error {
	return use2(b.hd(), parent.hd(), func(pb, pm unsafe.Pointer) error {
		return call(func() C.int {
			return C.mlops_manifest_builder_set_parent_manifest((*C.mlops_manifest_builder)(pb), mp(pm))
		})
	})
}
func (b *ManifestBuilder) SetCode(uri, commit string) error {
	return b.do([]string{uri, commit}, []bool{true, true}, func(p *C.mlops_manifest_builder, c []*C.char) C.int {
		return C.mlops_manifest_builder_set_code(p, c[0], c[1])
	})
}

// Finish makes the manifest; the builder stays usable.
func (b *ManifestBuilder) Finish() (*Manifest, error) {
	var m *C.mlops_manifest
	err := b.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int { return C.mlops_manifest_builder_finish(&m, (*C.mlops_manifest_builder)(p)) })
	})
	if err != nil {
		return nil, err
	}
	return newManifest(m), nil
}

// Change is how an item differs between two manifests.
type Change int

const (
	Unchanged Change = C.MLOPS_MANIFEST_UNCHANGED
	Added     Change = C.MLOPS_MANIFEST_ADDED
	Removed   Change = C.MLOPS_MANIFEST_REMOVED
	Changed   Change = C.MLOPS_MANIFEST_CHANGED
)

func (c Change) String() string { return C.GoString(C.mlops_manifest_change_name(C.int(c))) }

// Relation is how two manifests are related.
type Relation int

const (
	Unrelated Relation = C.MLOPS_MANIFEST_UNRELATED
	Same      Relation = C.MLOPS_MANIFEST_SAME
	BChildOfA Relation = C.MLOPS_MANIFEST_B_CHILD_OF_A
	AChildOfB Relation = C.MLOPS_MANIFEST_A_CHILD_OF_B
)

func (r Relation) String() string { return C.GoString(C.mlops_manifest_relation_name(C.int(r))) }

// Field is a set of fields that differ between two files, datasets or code
// links of a Diff (mlops_manifest_field bits).
type Field uint32

const (
	FieldDigest        Field = C.MLOPS_MANIFEST_FIELD_DIGEST
	FieldSize          Field = C.MLOPS_MANIFEST_FIELD_SIZE
	FieldMediaType     Field = C.MLOPS_MANIFEST_FIELD_MEDIA_TYPE
	FieldRole          Field = C.MLOPS_MANIFEST_FIELD_ROLE
	FieldShards        Field = C.MLOPS_MANIFEST_FIELD_SHARDS
	FieldURI           Field = C.MLOPS_MANIFEST_FIELD_URI
	FieldForeignDigest Field = C.MLOPS_MANIFEST_FIELD_FOREIGN_DIGEST
	FieldCommit        Field = C.MLOPS_MANIFEST_FIELD_COMMIT
)

// Names returns the library's names of the set bits, lowest first ("digest",
// "size", "mediaType", "role", "shards", "uri", "foreignDigest", "commit").
func (f Field) Names() []string {
	var out []string
	for bit := Field(1); bit != 0; bit <<= 1 {
		if f&bit != 0 {
			out = append(out, C.GoString(C.mlops_manifest_field_name(C.uint32_t(bit))))
		}
	}
	return out
}

// String joins Names with ", ".
func (f Field) String() string { return strings.Join(f.Names(), ", ") }

// FileChange is one changed file of a Diff.
type FileChange struct {
	Path                 string
	Change               Change
	OldSHA256, NewSHA256 string
	OldSize, NewSize     uint64
	Fields               Field // what differs, for Changed
}

// DatasetChange is one dataset (matched by name) that differs in a Diff.
type DatasetChange struct {
	Name                 string
	Change               Change
	Fields               Field // what differs, for Changed
	OldSHA256, NewSHA256 string
	OldURI, NewURI       string
}

// ParameterChange is one changed parameter of a Diff.
type ParameterChange struct {
	Name             string
	Change           Change
	OldJSON, NewJSON string
}

// MetricChange is one metric of a Diff (every metric of either side).
type MetricChange struct {
	Name                      string
	Change                    Change
	Old, New, Delta, Relative float64 // NaN where not defined
}

// Diff compares two manifests (mlops_manifest_diff). It keeps both open
// until its own Close.
type Diff struct {
	h handle
}

func dp(p unsafe.Pointer) *C.mlops_manifest_diff { return (*C.mlops_manifest_diff)(p) }

// DiffManifests compares a (old) with b (new).
func DiffManifests(a, b *Manifest) (*Diff, error) {
	if err := retainAll(a.hd(), b.hd()); err != nil {
		return nil, err
	}
	var d *C.mlops_manifest_diff
	err := use2(a.hd(), b.hd(), func(pa, pb unsafe.Pointer) error {
		return call(func() C.int { return C.mlops_manifest_diff_new(&d, mp(pa), mp(pb), 0) })
	})
	if err != nil {
		a.hd().release()
		b.hd().release()
		return nil, err
	}
	df := &Diff{h: newHandle(unsafe.Pointer(d), func(p unsafe.Pointer) { C.mlops_manifest_diff_free(dp(p)) }, a.hd(), b.hd())}
	runtime.SetFinalizer(df, finalizeCloser[*Diff])
	return df, nil
}

// Close releases the diff and its hold on both manifests. Idempotent.
func (d *Diff) Close() error {
	if d == nil {
		return nil
	}
	d.hd().close()
	runtime.SetFinalizer(d, nil)
	return nil
}

// info reads the library's read-only diff summary (mlops_manifest_diff_info)
// and rows while the diff (and so both manifests) is held open.
func (d *Diff) info(f func(p *C.mlops_manifest_diff, in *C.struct_mlops_manifest_diff_info)) {
	_ = d.hd().use(func(p unsafe.Pointer) error {
		if in := C.mlops_manifest_diff_info(dp(p)); in != nil {
			f(dp(p), in)
		}
		return nil
	})
}

// Relation returns how the two manifests are related.
func (d *Diff) Relation() Relation {
	var r C.int
	d.info(func(_ *C.mlops_manifest_diff, in *C.struct_mlops_manifest_diff_info) { r = in.relation })
	return Relation(r)
}

// UnchangedFiles returns the number of files equal on both sides.
func (d *Diff) UnchangedFiles() int {
	var n C.size_t
	d.info(func(_ *C.mlops_manifest_diff, in *C.struct_mlops_manifest_diff_info) { n = in.unchanged_file_count })
	return int(n)
}

// Files returns the files that differ.
func (d *Diff) Files() []FileChange {
	var out []FileChange
	d.info(func(p *C.mlops_manifest_diff, in *C.struct_mlops_manifest_diff_info) {
		for i := C.size_t(0); i < in.n_files; i++ {
			if r := C.mlops_manifest_diff_file(p, i); r != nil {
				out = append(out, FileChange{goStr(r.path), Change(r.change), digestHex(r.old_digest), digestHex(r.new_digest),
					uint64(r.old_size), uint64(r.new_size), Field(r.fields)})
			}
		}
	})
	return out
}

// UnchangedDatasets returns the number of datasets equal on both sides.
func (d *Diff) UnchangedDatasets() int {
	var n C.size_t
	d.info(func(_ *C.mlops_manifest_diff, in *C.struct_mlops_manifest_diff_info) { n = in.unchanged_dataset_count })
	return int(n)
}

// Datasets returns the datasets added, removed or changed (by name).
func (d *Diff) Datasets() []DatasetChange {
	var out []DatasetChange
	d.info(func(p *C.mlops_manifest_diff, in *C.struct_mlops_manifest_diff_info) {
		for i := C.size_t(0); i < in.n_datasets; i++ {
			if r := C.mlops_manifest_diff_dataset(p, i); r != nil {
				out = append(out, DatasetChange{goStr(r.name), Change(r.change), Field(r.fields),
					digestHex(r.old_digest), digestHex(r.new_digest), goStr(r.old_uri), goStr(r.new_uri)})
			}
		}
	})
	return out
}

// Code returns how the code link changed and, for Changed, which fields
// (FieldURI, FieldCommit). Unchanged also when neither side has one.
func (d *Diff) Code() (Change, Field) {
	var c C.int
	var f C.uint32_t
	d.info(func(_ *C.mlops_manifest_diff, in *C.struct_mlops_manifest_diff_info) {
		c = in.code_change
		f = in.code_fields
	})
	return Change(c), Field(f)
}

// Parameters returns the parameters that differ.
func (d *Diff) Parameters() []ParameterChange {
	var out []ParameterChange
	d.info(func(p *C.mlops_manifest_diff, in *C.struct_mlops_manifest_diff_info) {
		for i := C.size_t(0); i < in.n_parameters; i++ {
			if r := C.mlops_manifest_diff_parameter(p, i); r != nil {
				out = append(out, ParameterChange{goStr(r.name), Change(r.change), goStr(r.old_json), goStr(r.new_json)})
			}
		}
	})
	return out
}

// Metrics returns every metric of either side with its change.
func (d *Diff) Metrics() []MetricChange {
	var out []MetricChange
	d.info(func(p *C.mlops_manifest_diff, in *C.struct_mlops_manifest_diff_info) {
		for i := C.size_t(0); i < in.n_metrics; i++ {
			if r := C.mlops_manifest_diff_metric(p, i); r != nil {
				out = append(out, MetricChange{goStr(r.name), Change(r.change), float64(r.old_value), float64(r.new_value),
					float64(r.delta), float64(r.relative)})
			}
		}
	})
	return out
}

// JSON returns the diff as JSON (indented when pretty).
func (d *Diff) JSON(pretty bool) ([]byte, error) {
	var out []byte
	flags := C.uint32_t(0)
	if pretty {
		flags = C.MLOPS_JSON_PRETTY
	}
	err := d.hd().use(func(p unsafe.Pointer) error {
		var b C.mlops_buf
		err := call(func() C.int { return C.mlops_manifest_diff_write_json(&b, dp(p), flags) })
		if err == nil {
			out = goBuf(&b)
		}
		return err
	})
	return out, err
}
