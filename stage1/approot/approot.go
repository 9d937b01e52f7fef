// Package approot builds an app's root in a mount namespace of its own: an
// overlay of the image's rendered tree and the pod's upper dir, the kernel
// filesystems, /dev, volumes, /etc/hosts and resolv.conf, then pivot_root.
//
// The kernel paths that leak host state or change it are masked (files
// covered by /dev/null, dirs by an empty read-only tmpfs) or bound
// read-only, as runc does (masks.go), unless --insecure-options=paths; with
// --readonly-rootfs the root mount itself is read-only.
//
// Setup runs on a private thread (package nsthread); every mount it makes
// lives in the new namespace only, which dies with the app (or with the pod),
// so nothing needs unmounting. Targets inside the root are resolved by
// package inroot: an image's symlinks never lead stage1 outside its root.
package approot

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/stage1/inroot"
	"github.com/saturnpod/saturn/stage1/podcfg"
)

// Spec is one app's root.
type Spec struct {
	Root     string // absolute mountpoint of the root, in the new mount namespace
	Lower    string // the image's rendered tree (read-only lower dir)
	Upper    string // overlay upper dir
	Work     string // overlay work dir
	Hostname string
	DNS      podcfg.DNSMode
	// DNSDir holds the DNS files stage0 (or stage1 init) provides
	// (rkt-resolv.conf, rkt-hosts).
	DNSDir string
	// Console binds the caller's terminal (stdin) as /dev/console.
	Console bool
	Mounts  []Mount
	// PodReady waits until stage1 init has set the pod up (its network,
	// and with it the DNS files; its cgroup) and returns the app's cgroup
	// dirs (nil: none). The first steps need none of that, so they run
	// while the pod is set up. A nil PodReady does not wait.
	PodReady func() ([]CgroupDir, error)
	// ReadOnlyRoot mounts the root read-only (--readonly-rootfs).
	ReadOnlyRoot bool
	// UnmaskedPaths leaves the kernel paths as they are
	// (--insecure-options=paths): no masks, no read-only /proc/sys.
	UnmaskedPaths bool
}

// Setup makes a new mount namespace for the calling thread, builds the
// root in it and pivots into it. It returns an fd of the namespace, which
// keeps it (and its mounts) alive for post-stop handlers after the app ends.
func Setup(s *Spec) (mntns int, err error) {
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return -1, fmt.Errorf("unshare mount namespace: %w", err)
	}
	mntns, err = unix.Open("/proc/thread-self/ns/mnt", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	if err := build(s); err != nil {
		unix.Close(mntns)
		return -1, err
	}
	return mntns, nil
}

func build(s *Spec) error {
	old := unix.Umask(0) // device nodes and dirs get exactly the modes asked
	defer unix.Umask(old)
	if err := os.MkdirAll(s.Root, 0o755); err != nil {
		return err
	}
	if err := mountOverlay(s); err != nil {
		return err
	}
	root, err := unix.Open(s.Root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open app root: %w", err)
	}
	defer unix.Close(root)
	if err := mountKernelFS(root, s); err != nil {
		return err
	}
	if err := hardenKernelFS(root, s); err != nil {
		return err
	}
	var cgroups []CgroupDir
	if s.PodReady != nil {
		if cgroups, err = s.PodReady(); err != nil {
			return err
		}
	}
	if err := mountCgroups(root, cgroups); err != nil {
		return err
	}
	for _, step := range []func(int, *Spec) error{mountDev, mountVolumes, writeDNS, readOnlyRoot} {
		if err := step(root, s); err != nil {
			return err
		}
	}
	return pivot(root)
}

// mountOverlay names the dirs by fd, so that no path (with a ',' or ':')
// can change the meaning of the option string.
func mountOverlay(s *Spec) error {
	var opts []string
	for _, d := range [][2]string{{"lowerdir", s.Lower}, {"upperdir", s.Upper}, {"workdir", s.Work}} {
		fd, err := unix.Open(d[1], unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("overlay %s %s: %w", d[0], d[1], err)
		}
		defer unix.Close(fd)
		opts = append(opts, d[0]+"="+inroot.FdPath(fd))
	}
	// volatile: no sync of the upper fs when the namespace's last user
	// exits. Without it every pod's end waits for an ext4 journal commit;
	// an app's upper dir is scratch that lives and dies with one run.
	opts = append(opts, "volatile")
	if err := unix.Mount("overlay", s.Root, "overlay", 0, strings.Join(opts, ",")); err != nil {
		return fmt.Errorf("mount app root overlay: %w", err)
	}
	return nil
}

// mountKernelFS mounts /proc (of the pod's PID namespace) and /sys read-only.
func mountKernelFS(root int, _ *Spec) error {
	const flags = unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC
	if err := mountAt(root, "/proc", "proc", "proc", flags, ""); err != nil {
		return err
	}
	return mountAt(root, "/sys", "sysfs", "sysfs", flags|unix.MS_RDONLY, "")
}

// mountAt mounts a new filesystem on dir p inside root. The kernel
// filesystems' places may not be symlinks at all (inroot.Strict).
func mountAt(root int, p, source, fstype string, flags uintptr, data string) error {
	fd, err := inroot.MkdirAll(root, p, 0o755, inroot.Strict)
	if err != nil {
		return fmt.Errorf("mountpoint %s: %w", p, err)
	}
	defer unix.Close(fd)
	if err := unix.Mount(source, inroot.FdPath(fd), fstype, flags, data); err != nil {
		return fmt.Errorf("mount %s on %s: %w", fstype, p, err)
	}
	return nil
}

// pivot makes root the namespace's root and drops the old one, so nothing
// of the host or of stage1 stays reachable (pivot_root, unlike chroot).
func pivot(root int) error {
	if err := unix.Fchdir(root); err != nil {
		return err
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detach old root: %w", err)
	}
	return unix.Chdir("/")
}
