package inroot

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// setup makes a root with hostile symlinks and an "outside" dir beside it.
func setup(t *testing.T) (root int, rootDir, outside string) {
	base := t.TempDir()
	rootDir, outside = filepath.Join(base, "root"), filepath.Join(base, "outside")
	for _, d := range []string{rootDir, outside, filepath.Join(rootDir, "etc")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"abs":      outside,                 // absolute, out of root
		"dotdot":   "../../../../outside",   // relative, climbs out
		"dangling": outside + "/new/deeper", // missing target outside
		"proc":     "/",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(rootDir, name)); err != nil {
			t.Fatal(err)
		}
	}
	fd, err := unix.Open(rootDir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return fd, rootDir, outside
}

func fdTarget(t *testing.T, fd int) string {
	s, err := os.Readlink(FdPath(fd))
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(fd)
	return s
}

func TestMkdirAllStaysInRoot(t *testing.T) {
	root, rootDir, outside := setup(t)
	cases := map[string]string{
		"abs/a":        filepath.Join(rootDir, outside, "a"),
		"dotdot/b":     filepath.Join(rootDir, "outside", "b"),
		"dangling":     filepath.Join(rootDir, outside, "new", "deeper"),
		"/../../x/y/z": filepath.Join(rootDir, "x", "y", "z"),
	}
	for p, want := range cases {
		fd, err := MkdirAll(root, p, 0o755, Follow)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if got := fdTarget(t, fd); got != want {
			t.Errorf("%s resolved to %s, want %s", p, got, want)
		}
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Fatalf("created outside the root: %v", ents)
	}
}

func TestStrictRefusesSymlinks(t *testing.T) {
	root, _, _ := setup(t)
	_, err := MkdirAll(root, "proc", 0o755, Strict)
	if !errors.Is(err, unix.ELOOP) || !errors.Is(err, errdefs.ErrInvalid) {
		t.Fatalf("got %v, want ELOOP and invalid", err)
	}
	fd, err := MkdirAll(root, "sys", 0o755, Strict)
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(fd)
}

func TestWriteAndCreate(t *testing.T) {
	root, rootDir, outside := setup(t)
	if err := os.Symlink(outside+"/hosts", filepath.Join(rootDir, "etc/hosts")); err != nil {
		t.Fatal(err)
	}
	wrote, err := WriteFile(root, "/etc/hosts", []byte("x"), true)
	if err != nil || wrote {
		t.Fatalf("exclusive write over a symlink: wrote=%v err=%v", wrote, err)
	}
	if _, err := WriteFile(root, "/abs/resolv.conf", []byte("nameserver 1.1.1.1\n"), false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(rootDir, outside, "resolv.conf")); err != nil {
		t.Fatalf("write did not land inside the root: %v", err)
	}
	fd, err := CreateFile(root, "/dotdot/sub/file", Follow)
	if err != nil {
		t.Fatal(err)
	}
	if got := fdTarget(t, fd); got != filepath.Join(rootDir, "outside/sub/file") {
		t.Fatalf("created %s", got)
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Fatalf("wrote outside the root: %v", ents)
	}
}
