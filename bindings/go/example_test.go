package mlops_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"libmlops.dev/go/mlops"
)

func ExampleSHA256() {
	sum, err := mlops.SHA256([]byte("abc"))
	if err != nil {
		panic(err)
	}
	fmt.Println(mlops.FormatDigest(sum))
	// Output: sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
}

func ExampleSHA256File() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	_, err := mlops.SHA256File(context.Background(), filepath.Join(dir, "model.onnx"))
	var e *mlops.Error
	if errors.Is(err, mlops.ErrIO) && errors.As(err, &e) {
		fmt.Println(e.Name, filepath.Base(e.Path))
	}
	// Output: MLOPS_E_IO model.onnx
}

func ExampleParseSemVer() {
	v, err := mlops.ParseSemVer("1.4.0-rc.1+build.5")
	if err != nil {
		panic(err)
	}
	defer v.Close()
	fmt.Println(v.Major(), v.Minor(), v.Patch(), v.Prerelease(), v.Build())

	_, err = mlops.ParseSemVer("1.02.0")
	var e *mlops.Error
	if errors.As(err, &e) {
		fmt.Println(e.Name, "at byte", e.Offset)
	}
	// Output:
	// 1 4 0 rc.1 build.5
	// MLOPS_E_PARSE at byte 2
}

func ExampleCompareVersions() {
	r, _ := mlops.CompareVersions("1.0.0-rc.1", "1.0.0")
	fmt.Println(r)
	// Output: -1
}

func ExampleParseTimestamp() {
	t, _ := mlops.ParseTimestamp("2026-11-26T10:54:06.25Z")
	fmt.Println(t.Add(time.Hour).Format(time.RFC3339Nano))
	s, _ := mlops.FormatTimestamp(t)
	fmt.Println(s)
	// Output:
	// 2026-11-26T11:54:06.25Z
	// 2026-11-26T10:54:06.25Z
}
