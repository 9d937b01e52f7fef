package approot

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/stage1/inroot"
)

// mountDev gives the app a /dev of its own: a tmpfs with device nodes,
// a new devpts instance and /dev/shm.
func mountDev(root int, s *Spec) error {
	// The appc OS spec's devices, with their host numbers. /dev/console is
	// a second /dev/null unless the app has the caller's terminal: the
	// host's console is not the pod's to write to.
	devNodes := []struct {
		name         string
		major, minor uint32
	}{
		{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8},
		{"urandom", 1, 9}, {"tty", 5, 0}, {"console", 1, 3},
	}
	devLinks := [][2]string{
		{"ptmx", "pts/ptmx"}, {"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"},
		{"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
	}
	if err := mountAt(root, "/dev", "tmpfs", "tmpfs", unix.MS_NOSUID|unix.MS_NOEXEC, "mode=755,size=65536k"); err != nil {
		return err
	}
	// Reopen: the fd of the mountpoint is the dir under the tmpfs.
	dev, err := inroot.Open(root, "/dev", unix.O_PATH|unix.O_DIRECTORY, 0, inroot.Strict)
	if err != nil {
		return err
	}
	defer unix.Close(dev)
	for _, n := range devNodes {
		if n.name == "console" && s.Console {
			continue
		}
		if err := unix.Mknodat(dev, n.name, unix.S_IFCHR|0o666, int(unix.Mkdev(n.major, n.minor))); err != nil {
			return fmt.Errorf("mknod /dev/%s: %w", n.name, err)
		}
	}
	for _, l := range devLinks {
		if err := unix.Symlinkat(l[1], dev, l[0]); err != nil {
			return fmt.Errorf("symlink /dev/%s: %w", l[0], err)
		}
	}
	if err := mountAt(root, "/dev/pts", "devpts", "devpts", unix.MS_NOSUID|unix.MS_NOEXEC,
		"newinstance,ptmxmode=0666,mode=0620"); err != nil {
		return err
	}
	if err := mountAt(root, "/dev/shm", "shm", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "mode=1777,size=65536k"); err != nil {
		return err
	}
	if s.Console {
		return bindConsole(root)
	}
	return nil
}

// bindConsole binds the caller's terminal (stdin) on /dev/console. The
// source is its path, not /proc/self/fd/0: a bind source must be a mount of
// this namespace, and the fd's mount belongs to the one stdin was opened in.
func bindConsole(root int) error {
	tty, err := os.Readlink("/proc/self/fd/0")
	if err != nil {
		return err
	}
	fd, err := inroot.CreateFile(root, "/dev/console", inroot.Strict)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.Mount(tty, inroot.FdPath(fd), "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind terminal on /dev/console: %w", err)
	}
	return nil
}
