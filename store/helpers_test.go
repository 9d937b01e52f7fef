package store

import (
	"archive/tar"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// ent is one entry of a crafted archive.
type ent struct {
	name string
	typ  byte
	body string
	link string
	mode int64
}

func file(name, body string) ent { return ent{name: name, typ: tar.TypeReg, body: body, mode: 0o644} }
func dir(name string) ent        { return ent{name: name, typ: tar.TypeDir, mode: 0o755} }
func symlink(name, target string) ent {
	return ent{name: name, typ: tar.TypeSymlink, link: target, mode: 0o777}
}

func mf(name string, extra ...string) ent {
	s := `{"acKind":"ImageManifest","acVersion":"0.8.11","name":"` + name + `"`
	for _, e := range extra {
		s += "," + e
	}
	return file("manifest", s+"}")
}

// mkTar writes entries as a tar, in order, with a fixed time.
func mkTar(t testing.TB, ents ...ent) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range ents {
		hdr := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: e.mode, Linkname: e.link,
			Size: int64(len(e.body)), ModTime: time.Unix(1000, 0)}
		if e.typ != tar.TypeReg {
			hdr.Size = 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if hdr.Size > 0 {
			tw.Write([]byte(e.body))
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func newStore(t testing.TB) (*Store, string) {
	t.Helper()
	data := t.TempDir()
	s, err := Open(data)
	if err != nil {
		t.Fatal(err)
	}
	return s, data
}

func mustImport(t testing.TB, s *Store, b []byte) string {
	t.Helper()
	id, err := s.Import(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return id
}

// assertEmpty checks that the store holds no image, blob, reference or
// temporary entry: what a refused import must leave.
func assertEmpty(t *testing.T, s *Store) {
	t.Helper()
	for _, d := range []string{"blobs", "images", "trees", "tmp"} {
		ents, _ := os.ReadDir(filepath.Join(s.dir, d))
		if len(ents) > 0 {
			t.Errorf("%s not empty: %v", d, ents[0].Name())
		}
	}
}

func wantErr(t *testing.T, err error, kind error, substr string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", substr)
	}
	if !errors.Is(err, kind) {
		t.Errorf("error %q is not %v", err, kind)
	}
	if !strings.Contains(err.Error(), substr) {
		t.Errorf("error %q does not mention %q", err, substr)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q is not one line", err)
	}
}

var _ = errdefs.ErrInvalid
