// Package flyroot builds the root of a stage1-fly app: in a mount namespace
// of the calling thread's own, an overlay of the image's rendered tree and
// the pod's upper dir, the host's /dev, /proc and /sys bound recursively, a
// tmpfs /tmp, the volumes and the DNS files; then chroot.
//
// rkt's fly made these mounts in the host's namespace, where they leaked,
// multiplied and could not be unmounted. Here the namespace is made rslave
// before the first mount, so nothing reaches the host's mount table, and it
// dies with the app (and any process the app left), so nothing needs
// unmounting. The overlay, volume and DNS steps are the default stage1's
// (package approot); only the kernel filesystems and /tmp differ.
package flyroot

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/stage1/approot"
	"github.com/saturnpod/saturn/stage1/inroot"
)

// hostTrees are bound from the host as they are, submounts included: a
// host service sees the host's devices, processes and sysfs.
var hostTrees = []string{"/dev", "/proc", "/sys"}

// Setup moves the calling thread into a new mount namespace and builds the
// root of s in it. The caller has locked the goroutine to its thread and
// execs from it (or lets it die): the namespace is the thread's alone.
func Setup(s *approot.Spec) error {
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("unshare mount namespace: %w", err)
	}
	// Before any mount: the host's mounts still propagate in (a host
	// service sees a disk mounted later), ours never propagate out.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_SLAVE, ""); err != nil {
		return fmt.Errorf("make mounts rslave: %w", err)
	}
	if err := os.MkdirAll(s.Root, 0o755); err != nil {
		return err
	}
	if err := approot.MountOverlay(s); err != nil {
		return err
	}
	root, err := unix.Open(s.Root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open app root: %w", err)
	}
	defer unix.Close(root)
	for _, p := range hostTrees {
		if err := bindHost(root, p); err != nil {
			return err
		}
	}
	if err := mountTmp(root); err != nil {
		return err
	}
	if err := approot.MountVolumes(root, s); err != nil {
		return err
	}
	return approot.WriteDNS(root, s)
}

// bindHost binds the host tree p on the same path inside root. The place
// may not be a symlink (inroot.Strict): an image must not move where the
// host's /proc lands. The clone of a slave mount is a slave of the same
// master, so the binds propagate nothing out either.
func bindHost(root int, p string) error {
	target, err := inroot.MkdirAll(root, p, 0o755, inroot.Strict)
	if err != nil {
		return fmt.Errorf("mountpoint %s: %w", p, err)
	}
	defer unix.Close(target)
	tree, err := unix.OpenTree(unix.AT_FDCWD, p, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_RECURSIVE)
	if err != nil {
		return fmt.Errorf("open_tree %s: %w", p, err)
	}
	defer unix.Close(tree)
	if err := unix.MoveMount(tree, "", target, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH); err != nil {
		return fmt.Errorf("bind host %s: %w", p, err)
	}
	return nil
}

// mountTmp gives the app a /tmp of its own, gone when the app ends. A
// symlinked /tmp is followed inside the root, as a volume target is.
func mountTmp(root int) error {
	fd, err := inroot.MkdirAll(root, "/tmp", 0o755, inroot.Follow)
	if err != nil {
		return fmt.Errorf("mountpoint /tmp: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Mount("tmpfs", inroot.FdPath(fd), "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=1777"); err != nil {
		return fmt.Errorf("mount tmpfs on /tmp: %w", err)
	}
	return nil
}

// Chroot makes dir the calling thread's root. The working directory stays
// where it is (the pod dir, outside the new root) until the caller chdirs:
// the pod dir's files stay writable by relative path up to the exec.
func Chroot(dir string) error {
	if err := unix.Chroot(dir); err != nil {
		return fmt.Errorf("chroot %s: %w", dir, err)
	}
	return nil
}
