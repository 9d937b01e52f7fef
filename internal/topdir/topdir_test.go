package topdir

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

func TestMark(t *testing.T) {
	dir := t.TempDir()
	if on, err := Marked(dir); err != nil {
		t.Skipf("%s keeps no inode flags: %v", dir, err)
	} else if on {
		t.Fatalf("a new dir is marked already")
	}
	// Another flag survives the marking: NOATIME, which anyone may set.
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	before, err := unix.IoctlGetUint32(fd, unix.FS_IOC_GETFLAGS)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetPointerInt(fd, unix.FS_IOC_SETFLAGS, int(before|noatime)); err != nil {
		t.Fatal(err)
	}
	for range 2 { // idempotent
		if err := Mark(dir); err != nil {
			t.Fatal(err)
		}
	}
	flags, err := unix.IoctlGetUint32(fd, unix.FS_IOC_GETFLAGS)
	if err != nil || flags&flag == 0 || flags&noatime == 0 {
		t.Errorf("flags %#x, %v: want FS_TOPDIR_FL and FS_NOATIME_FL", flags, err)
	}
	if on, err := Marked(dir); err != nil || !on {
		t.Errorf("Marked = %v, %v", on, err)
	}
}

// noatime is FS_NOATIME_FL of linux/fs.h.
const noatime = 0x80

func TestMarkMissing(t *testing.T) {
	if err := Mark(filepath.Join(t.TempDir(), "none")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Mark of a missing dir: %v", err)
	}
}
