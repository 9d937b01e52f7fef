package approot

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/stage1/inroot"
)

// MaskedPaths are kernel files and dirs an app may not read at all: a
// file is covered by /dev/null, a dir by an empty read-only tmpfs. They
// leak kernel memory, keys, timers and hardware details, as runc's list
// says. A path the kernel lacks is skipped.
func MaskedPaths() []string {
	return []string{
		"/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys",
		"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
		"/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
	}
}

// ReadOnlyPaths are kernel paths an app may read but never write (sysctls,
// interrupts, magic SysRq): each is bound onto itself read-only.
func ReadOnlyPaths() []string {
	return []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}
}

// hardenKernelFS masks and write-protects the kernel paths, unless
// --insecure-options=paths asked not to. It runs once /proc and /sys are
// mounted: the paths are resolved without any symlink (inroot.Strict), so
// an image cannot redirect a mask; procfs and sysfs are the kernel's.
func hardenKernelFS(root int, s *Spec) error {
	if s.UnmaskedPaths {
		return nil
	}
	for _, p := range MaskedPaths() {
		if err := mask(root, p); err != nil {
			return fmt.Errorf("mask %s: %w", p, err)
		}
	}
	for _, p := range ReadOnlyPaths() {
		if err := bindSelfRO(root, p); err != nil {
			return fmt.Errorf("read-only %s: %w", p, err)
		}
	}
	return nil
}

// openKernelPath opens p in the app root; ok is false when it is missing.
func openKernelPath(root int, p string) (fd int, isDir, ok bool, err error) {
	fd, err = inroot.Open(root, p, unix.O_PATH|unix.O_NOFOLLOW, 0, inroot.Strict)
	if errors.Is(err, unix.ENOENT) {
		return -1, false, false, nil
	}
	if err != nil {
		return -1, false, false, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, false, false, err
	}
	return fd, st.Mode&unix.S_IFMT == unix.S_IFDIR, true, nil
}

func mask(root int, p string) error {
	fd, isDir, ok, err := openKernelPath(root, p)
	if !ok || err != nil {
		return err
	}
	defer unix.Close(fd)
	if isDir {
		const flags = unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC
		return unix.Mount("tmpfs", inroot.FdPath(fd), "tmpfs", flags, "mode=0555,size=4k,nr_inodes=1")
	}
	// The host's /dev/null: the thread still sees the host's mounts.
	tree, err := unix.OpenTree(unix.AT_FDCWD, "/dev/null", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	if err != nil {
		return fmt.Errorf("open_tree /dev/null: %w", err)
	}
	defer unix.Close(tree)
	return moveOnto(tree, fd)
}

// bindSelfRO binds p onto itself read-only (with its submounts).
func bindSelfRO(root int, p string) error {
	fd, _, ok, err := openKernelPath(root, p)
	if !ok || err != nil {
		return err
	}
	defer unix.Close(fd)
	tree, err := unix.OpenTree(fd, "", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_EMPTY_PATH|unix.AT_RECURSIVE)
	if err != nil {
		return fmt.Errorf("open_tree: %w", err)
	}
	defer unix.Close(tree)
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV | unix.MOUNT_ATTR_NOEXEC}
	if err := unix.MountSetattr(tree, "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, &attr); err != nil {
		return fmt.Errorf("make read-only: %w", err)
	}
	return moveOnto(tree, fd)
}

func moveOnto(tree, target int) error {
	if err := unix.MoveMount(tree, "", target, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH); err != nil {
		return fmt.Errorf("move_mount: %w", err)
	}
	return nil
}

// readOnlyRoot makes the root mount itself read-only (--readonly-rootfs,
// appc's readOnlyRootFS). The mounts on it (kernel filesystems, /dev,
// volumes) keep their own flags: a volume stays writable unless it is
// read-only itself. It runs last, after /etc/hosts and resolv.conf are
// written into the root.
func readOnlyRoot(root int, s *Spec) error {
	if !s.ReadOnlyRoot {
		return nil
	}
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
	if err := unix.MountSetattr(root, "", unix.AT_EMPTY_PATH, &attr); err != nil {
		return fmt.Errorf("read-only root: %w", err)
	}
	return nil
}
