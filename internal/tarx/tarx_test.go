package tarx

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/internal/topdir"
)

func hdr(name string, typ byte, link string, size int64) *tar.Header {
	return &tar.Header{Name: name, Typeflag: typ, Linkname: link, Size: size, Mode: 0o755, ModTime: time.Unix(1000, 0)}
}

// setup returns an empty extraction dir and, beside it, a victim dir that
// must stay empty whatever the archive does.
func setup(t *testing.T) (dir, victim string) {
	return setupIn(t, t.TempDir())
}

func setupIn(t *testing.T, outer string) (dir, victim string) {
	dir, victim = filepath.Join(outer, "root"), filepath.Join(outer, "victim")
	os.Mkdir(dir, 0o755)
	os.Mkdir(victim, 0o755)
	return dir, victim
}

func assertUntouched(t *testing.T, victim string) {
	t.Helper()
	if ents, _ := os.ReadDir(victim); len(ents) > 0 {
		t.Fatalf("wrote outside the root: %s", ents[0].Name())
	}
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{"./a//b/": "a/b", "a": "a", ".": ".", "./": ".", "a/./b": "a/b"} {
		if got, err := CleanName(in); err != nil || got != want {
			t.Errorf("CleanName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "/a", "../a", "a/../../b", "a/..", "a\x00b", strings.Repeat("a", MaxNameLen+1)} {
		if _, err := CleanName(in); !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("CleanName(%q) accepted", in)
		}
	}
}

func TestNoWriteThroughSymlinks(t *testing.T) {
	dir, victim := setup(t)
	x, err := New(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(x.Add("abs", hdr("abs", tar.TypeSymlink, victim, 0), nil))
	must(x.Add("rel", hdr("rel", tar.TypeSymlink, "../victim", 0), nil))
	for _, name := range []string{"abs/f", "rel/f", "abs/d/f", "rel/d"} {
		typ := byte(tar.TypeReg)
		if name == "rel/d" {
			typ = tar.TypeDir
		}
		if err := x.Add(name, hdr(name, typ, "", 1), strings.NewReader("x")); err == nil {
			t.Errorf("%s: written through a symlink", name)
		}
	}
	// Replacing a symlink by a file: never overwritten.
	if err := x.Add("abs", hdr("abs", tar.TypeReg, "", 1), strings.NewReader("x")); err == nil {
		t.Error("overwrote a symlink")
	}
	// A hardlink may only name a file extracted before.
	os.WriteFile(filepath.Join(victim, "..", "secret"), []byte("s"), 0o600)
	for _, target := range []string{"../secret", "abs", "nothere"} {
		if err := x.Add("h", hdr("h", tar.TypeLink, target, 0), nil); err == nil {
			t.Errorf("hardlink to %s made", target)
		}
	}
	if err := x.Add("../escape", hdr("../escape", tar.TypeReg, "", 1), strings.NewReader("x")); err == nil {
		t.Error("../escape written")
	}
	if err := x.Add("dev", hdr("dev", tar.TypeChar, "", 0), nil); err == nil {
		t.Error("device node made without Devices")
	}
	must(x.Close())
	assertUntouched(t, victim)
}

func TestPreexistingSymlinkInRoot(t *testing.T) {
	dir, victim := setup(t)
	os.Symlink(victim, filepath.Join(dir, "lib"))
	x, _ := New(dir, Options{})
	defer x.Close()
	if err := x.Add("lib/x", hdr("lib/x", tar.TypeReg, "", 1), strings.NewReader("x")); err == nil {
		t.Error("wrote through a symlink already in the root")
	}
	if err := x.Add("lib", hdr("lib", tar.TypeDir, "", 0), nil); err == nil {
		t.Error("took a symlink for a directory")
	}
	assertUntouched(t, victim)
}

func TestSectionExtract(t *testing.T) {
	dir, _ := setup(t)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	data := bytes.Repeat([]byte("0123456789"), 300000)
	tw.WriteHeader(hdr("big", tar.TypeReg, "", int64(len(data))))
	tw.Write(data)
	tw.WriteHeader(hdr("small", tar.TypeReg, "", 5))
	tw.Write([]byte("hello"))
	tw.Close()
	f, _ := os.CreateTemp(t.TempDir(), "a.tar")
	f.Write(buf.Bytes())
	r := NewFileReader(f)
	x, _ := New(dir, Options{Owner: os.Geteuid() == 0})
	for {
		h, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body := r.Body(h)
		if _, ok := body.(*Section); !ok {
			t.Fatalf("%s: not a section", h.Name)
		}
		if err := x.Add(h.Name, h, body); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "big"))
	if !bytes.Equal(got, data) {
		t.Fatal("big differs")
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "small")); string(got) != "hello" {
		t.Fatalf("small = %q", got)
	}
	// Short data through a plain reader is an error, not a short file.
	x2, _ := New(t.TempDir(), Options{})
	if err := x2.Add("f", hdr("f", tar.TypeReg, "", 10), strings.NewReader("abc")); err == nil {
		t.Fatal("short body accepted")
	}
	x2.Close()
}

// FuzzExtract runs arbitrary archives through the extractor with no other
// check in front of it: nothing may land outside the root, and it must
// never panic.
func FuzzExtract(f *testing.F) {
	seed := func(hs ...*tar.Header) []byte {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for _, h := range hs {
			tw.WriteHeader(h)
			if h.Size > 0 {
				tw.Write(bytes.Repeat([]byte("x"), int(h.Size)))
			}
		}
		tw.Close()
		return buf.Bytes()
	}
	f.Add(seed(hdr("l", tar.TypeSymlink, "../victim", 0), hdr("l/f", tar.TypeReg, "", 1)))
	f.Add(seed(hdr("d", tar.TypeDir, "", 0), hdr("d/f", tar.TypeReg, "", 3), hdr("h", tar.TypeLink, "d/f", 0)))
	f.Add(seed(hdr("a/b/c", tar.TypeReg, "", 2), hdr("a", tar.TypeSymlink, "/", 0), hdr("a/x", tar.TypeReg, "", 1)))
	// Each run makes and removes a few dirs: spread over the disk, they do
	// not slow the next runs down (package topdir).
	base := f.TempDir()
	_ = topdir.Mark(base)
	f.Fuzz(func(t *testing.T, b []byte) {
		outer, err := os.MkdirTemp(base, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(outer) })
		dir, victim := setupIn(t, outer)
		x, err := New(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(bytes.NewReader(b))
		for i := 0; i < 100; i++ {
			h, err := tr.Next()
			if err != nil {
				break
			}
			if h.Size > 1<<20 {
				break
			}
			x.Add(h.Name, h, tr)
		}
		x.Close()
		assertUntouched(t, victim)
		if ents, _ := os.ReadDir(filepath.Dir(dir)); len(ents) != 2 {
			t.Fatalf("entries beside the root: %d", len(ents))
		}
	})
}
