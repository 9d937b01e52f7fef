package tests

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// storeRootfs writes a root filesystem of n files of size bytes each.
func storeRootfs(t *testing.T, n, size int, salt string) string {
	t.Helper()
	root := t.TempDir()
	for i := range n {
		p := filepath.Join(root, fmt.Sprintf("d%02d/f%05d", i/100, i))
		os.MkdirAll(filepath.Dir(p), 0o755)
		unit := []byte(fmt.Sprintf("%s-%d;", salt, i))
		b := bytes.Repeat(unit, size/len(unit)+1)[:size]
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(root, "bin"), 0o755)
	os.WriteFile(filepath.Join(root, "bin", "app"), []byte("#!/bin/sh\necho "+salt+"\n"), 0o755)
	os.Symlink("app", filepath.Join(root, "bin", "alias"))
	return root
}

// storeBuild builds an ACI named name from rootfs with saturn image build.
func storeBuild(t *testing.T, e *env, rootfs, name string, extra ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), strings.ReplaceAll(name, "/", "_")+".aci")
	e.ok(append([]string{"image", "build", rootfs, out, "--name", name, "--exec", "/bin/app"}, extra...)...)
	return out
}

// storeTar writes a crafted (possibly hostile) archive.
func storeTar(t *testing.T, hdrs ...*tar.Header) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range hdrs {
		body := h.Linkname
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(body))
			h.Linkname = ""
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte(body))
		}
	}
	tw.Close()
	p := filepath.Join(t.TempDir(), "crafted.aci")
	os.WriteFile(p, buf.Bytes(), 0o644)
	return p
}

// storeEntries lists what is under a directory of the store (cas/<sub>).
func storeEntries(e *env, sub string) []string {
	ents, _ := os.ReadDir(filepath.Join(e.dir, "cas", sub))
	var names []string
	for _, x := range ents {
		names = append(names, x.Name())
	}
	return names
}

func storeLines(s string) []string { return strings.Fields(strings.TrimSpace(s)) }
