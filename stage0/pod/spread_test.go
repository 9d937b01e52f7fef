package pod

import (
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

func TestEmbryoSpreadsPods(t *testing.T) {
	ps := newPods(t)
	embryo := filepath.Join(ps.Root(), DirEmbryo)
	fd, err := unix.Open(embryo, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	flags, err := unix.IoctlGetUint32(fd, unix.FS_IOC_GETFLAGS)
	if err != nil {
		t.Skipf("%s keeps no inode flags: %v", embryo, err)
	}
	if flags&fsTopdirFl == 0 {
		t.Fatalf("embryo flags %#x: no FS_TOPDIR_FL", flags)
	}
	// Open again finds it set and leaves the other flags alone.
	if _, err := Open(filepath.Dir(ps.Root())); err != nil {
		t.Fatal(err)
	}
	if again, err := unix.IoctlGetUint32(fd, unix.FS_IOC_GETFLAGS); err != nil || again != flags {
		t.Errorf("flags after a second Open: %#x, %v; want %#x", again, err, flags)
	}
}
