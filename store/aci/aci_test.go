package aci

import (
	"archive/tar"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/store"
)

func TestBuildIsDeterministicAndImportable(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "bin"), 0o755)
	os.WriteFile(filepath.Join(root, "bin/app"), []byte("#!/bin/sh\n"), 0o755)
	os.Symlink("app", filepath.Join(root, "bin/alias"))
	os.Link(filepath.Join(root, "bin/app"), filepath.Join(root, "bin/hard"))
	m, err := Spec{Name: "example.com/app", Labels: []string{"version=1"}, Exec: "/bin/app --x 'a b'",
		Annotations: []string{"coreos.com/rkt/stage1/run=/init"}, Ports: []string{"http:tcp:80,socketActivated=true"},
		Isolators: []string{`resource/memory={"limit":"64M"}`}, EventHandlers: []string{"pre-start=/bin/app pre"}}.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if err := Write(&a, root, m); err != nil {
		t.Fatal(err)
	}
	// Same content, different times: same bytes.
	os.Chtimes(filepath.Join(root, "bin/app"), ModTime().Add(5e9), ModTime().Add(5e9))
	Write(&b, root, m)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two builds differ")
	}
	s, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.Import(&a)
	if err != nil {
		t.Fatal(err)
	}
	im, _ := s.Manifest(id)
	if !reflect.DeepEqual([]string(im.App.Exec), []string{"/bin/app", "--x", "a b"}) || !im.App.Ports[0].SocketActivated {
		t.Fatalf("manifest: %+v", im.App)
	}
	if v, _ := im.Annotations.Get("coreos.com/rkt/stage1/run"); v != "/init" {
		t.Fatal("annotation lost")
	}
	_, rootfs, err := s.RenderTree(id)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := os.Stat(filepath.Join(rootfs, "bin/app"))
	h, _ := os.Stat(filepath.Join(rootfs, "bin/hard"))
	if x.Mode().Perm() != 0o755 || !os.SameFile(x, h) {
		t.Fatalf("mode %v, hardlink kept %v", x.Mode(), os.SameFile(x, h))
	}
}

func TestSpecRefusesBadInput(t *testing.T) {
	for _, sp := range []Spec{
		{Name: "Bad Name"},
		{Name: "a", Labels: []string{"novalue"}},
		{Name: "a", Exec: "/x", Ports: []string{"http:sctp:80"}},
		{Name: "a", Exec: "/x", Ports: []string{"http:tcp:0"}},
		{Name: "a", Exec: "/x", Mounts: []string{"data:relative"}},
		{Name: "a", Exec: "/x", Isolators: []string{"resource/memory"}},
		{Name: "a", Exec: "/x", Isolators: []string{`example.com/unknown={}`}},
		{Name: "a", Exec: "/x", EventHandlers: []string{"on-boot=/x"}},
		{Name: "a", Exec: "/x 'unclosed"},
		{Name: "a", Env: []string{"A=b"}},
		{Name: "a", Exec: "/x", WorkingDir: "relative"},
	} {
		if _, err := sp.Manifest(); !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("%+v: %v", sp, err)
		}
	}
}

func TestSplitCommand(t *testing.T) {
	for in, want := range map[string][]string{
		`/bin/sh -c 'echo "hi there"'`: {"/bin/sh", "-c", `echo "hi there"`},
		`a "b c" d\ e`:                 {"a", "b c", "d e"},
		`a "x\"y" ''`:                  {"a", `x"y`, ""},
	} {
		got, err := SplitCommand(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("SplitCommand(%q) = %q, %v", in, got, err)
		}
	}
}

// The output may live inside the directory being built: it is left out.
func TestBuildIntoItsOwnRootfs(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "a"), []byte("a"), 0o644)
	m, _ := Spec{Name: "example.com/self"}.Manifest()
	out := filepath.Join(root, "self.aci")
	if err := BuildFile(root, m, out); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(out)
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		if strings.Contains(h.Name, "self") || strings.Contains(h.Name, ".tmp") {
			t.Fatalf("output archived in itself: %s", h.Name)
		}
	}
}
