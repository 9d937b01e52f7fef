package store

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/saturnpod/saturn/internal/topdir"
)

// FuzzManifest: ParseManifest never panics, and what it accepts has a
// name and only IDs it validated.
func FuzzManifest(f *testing.F) {
	f.Add([]byte(`{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/x"}`))
	f.Add([]byte(`{"acKind":"ImageManifest","acVersion":"0.8.11","name":"x","app":{"exec":["/x"],"user":"0","group":"0","isolators":[{"name":"resource/memory"}]}}`))
	f.Add([]byte(`{"acKind":"ImageManifest","acVersion":"0.8.11","name":"x","app":{"exec":["/x"],"user":"0","group":"0","isolators":[{"name":"resource/cpu","value":{"limit":"1"}}]}}`))
	f.Add([]byte(`{"acKind":"ImageManifest","acVersion":"0.8.11","name":"x","dependencies":[{"imageName":"y","imageID":"sha512-ab"}],"pathWhitelist":["/a"]}`))
	f.Add([]byte(`{"acKind":"ImageManifest","acVersion":"0.8.11","name":"x","app":{"exec":["/x"],"user":"0","group":"0","isolators":[{"name":"os/linux/seccomp-remove-set","value":{"set":["@rkt/default-blacklist"]}}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseManifest(b)
		if err != nil {
			return
		}
		if m.Name.Empty() {
			t.Fatal("accepted a manifest without a name")
		}
		for _, d := range m.Dependencies {
			if d.ImageID != nil && !d.ImageID.Empty() && !isIDPrefix(d.ImageID.String()) {
				t.Fatalf("accepted dependency ID %q", d.ImageID.String())
			}
		}
	})
}

// FuzzImportAndRender feeds arbitrary bytes to the importer and renders
// what it accepts. It must never panic, and nothing may appear outside
// the store in the data directory nor next to it.
func FuzzImportAndRender(f *testing.F) {
	f.Add(mkTar(f, mf("example.com/x"), dir("rootfs"), file("rootfs/a", "a"), symlink("rootfs/l", "/etc")))
	f.Add(mkTar(f, mf("example.com/x"), symlink("rootfs/l", "/tmp"), file("rootfs/l/x", "x")))
	f.Add(mkTar(f, mf("example.com/x"), file("rootfs/f", "x"), ent{name: "rootfs/h", typ: '1', link: "rootfs/f"}))
	f.Add(mkTar(f, mf("example.com/x"), file("rootfs/../x", "x")))
	// Each run makes and removes a store: spread over the disk, its dirs do
	// not slow the next runs down (package topdir).
	base := f.TempDir()
	_ = topdir.Mark(base)
	f.Fuzz(func(t *testing.T, b []byte) {
		outer, err := os.MkdirTemp(base, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(outer) })
		data := filepath.Join(outer, "data")
		s, err := Open(data)
		if err != nil {
			t.Fatal(err)
		}
		id, err := s.Import(bytes.NewReader(b))
		if err == nil {
			if _, _, err := s.RenderTree(id); err == nil {
				if rep, err := s.Verify(id); err != nil || len(rep.Problems) > 0 {
					t.Fatalf("verify after render: %+v %v", rep, err)
				}
			}
		}
		for _, d := range []string{outer, data} {
			ents, _ := os.ReadDir(d)
			if len(ents) != 1 {
				t.Fatalf("%s holds %d entries, want 1", d, len(ents))
			}
		}
		if ents, _ := os.ReadDir(filepath.Join(data, "cas", "tmp")); len(ents) > 0 {
			t.Fatalf("tmp not cleaned: %v", ents[0].Name())
		}
	})
}
