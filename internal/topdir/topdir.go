// Package topdir marks a directory as the top of unrelated directory trees
// (FS_TOPDIR_FL, `chattr +T`), as /home is, so that ext4 spreads the
// directories made in it over the disk.
//
// ext4's Orlov allocator puts a directory made in a marked one in a block
// group with few directories and many free inodes, and the files made in
// that directory beside it; elsewhere, in its parent's group. That matters
// on ext4 without a journal, the disk of the VMs saturn is developed and
// tested on: there the inode allocator steps one by one over every inode
// freed in its group in the last minutes (recently_deleted). Directories
// made and removed over and over in one place (pods, test roots) make each
// later inode there cost 0.1-0.5 ms; spread, they cost microseconds.
package topdir

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// flag is FS_TOPDIR_FL of linux/fs.h, which x/sys/unix lacks.
const flag = 0x00020000

// Mark sets FS_TOPDIR_FL on dir, keeping its other flags. Filesystems
// without it refuse (or ignore) it, and so does the kernel for a caller
// that does not own dir; such errors are harmless to callers that only
// want the speed, which may ignore them.
func Mark(dir string) error {
	return withFlags(dir, func(fd int, flags uint32) error {
		if flags&flag != 0 {
			return nil
		}
		if err := unix.IoctlSetPointerInt(fd, unix.FS_IOC_SETFLAGS, int(flags|flag)); err != nil {
			return fmt.Errorf("%s: set FS_TOPDIR_FL: %w", dir, err)
		}
		return nil
	})
}

// Marked says whether dir carries FS_TOPDIR_FL.
func Marked(dir string) (marked bool, err error) {
	err = withFlags(dir, func(_ int, flags uint32) error {
		marked = flags&flag != 0
		return nil
	})
	return marked, err
}

// withFlags calls fn with an fd of dir and its inode flags.
func withFlags(dir string, fn func(fd int, flags uint32) error) error {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	flags, err := unix.IoctlGetUint32(fd, unix.FS_IOC_GETFLAGS)
	if err != nil {
		return fmt.Errorf("%s: inode flags: %w", dir, err)
	}
	return fn(fd, flags)
}
