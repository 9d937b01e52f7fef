package networking

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// NewNetns creates a network namespace with lo up and returns it open.
func NewNetns() (*os.File, error) {
	var ns *os.File
	err := inNetns(nil, func() error {
		f, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			return err
		}
		if err := loopbackUp(); err != nil {
			f.Close()
			return fmt.Errorf("pod netns: lo up: %w", err)
		}
		ns = f
		return nil
	})
	return ns, err
}

// loopbackUp brings up "lo" in the calling thread's network namespace,
// with two ioctls: a netlink handle costs a socket and a link dump more,
// and every pod start with a namespace of its own waits for this.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return err
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	return unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
}

// persistNetns bind-mounts ns at path, in the mount namespace hostNS when
// it can be joined, in the current one otherwise.
func persistNetns(ns *os.File, path, hostNS string) error {
	src := fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), ns.Fd())
	bind := func() error { return bindNetns(src, path) }
	err := inMountNS(hostNS, bind)
	if errors.Is(err, errNoMountNS) {
		slog.Debug("networking: netns mount in the current mount namespace", "reason", err)
		err = bind()
	}
	return err
}

// bindNetns mounts the namespace at src on path, in the calling thread's
// mount namespace.
func bindNetns(src, path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// Two setups racing here would stack two bind mounts of dir.
	unlock, err := lockFile(filepath.Join(filepath.Dir(dir), ".netns.lock"))
	if err != nil {
		return err
	}
	err = makeShared(dir)
	unlock()
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|unix.O_CLOEXEC, 0o444)
	if err != nil {
		return err
	}
	f.Close()
	if err := unix.Mount(src, path, "none", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind-mount netns at %s: %w", path, err)
	}
	return nil
}

// makeShared makes dir a shared mount point, as iproute2 does for
// /run/netns: mount namespaces copied from this one (stage0 makes one per
// pod) then see the unmount of a namespace mounted here and stop pinning
// it.
func makeShared(dir string) error {
	err := unix.Mount("", dir, "none", unix.MS_SHARED|unix.MS_REC, "")
	if err == unix.EINVAL { // not a mount point yet
		if err = unix.Mount(dir, dir, "none", unix.MS_BIND|unix.MS_REC, ""); err == nil {
			err = unix.Mount("", dir, "none", unix.MS_SHARED|unix.MS_REC, "")
		}
	}
	if err != nil {
		return fmt.Errorf("make %s a shared mount point: %w", dir, err)
	}
	return nil
}

// openNetns opens the namespace mounted at path, looking in hostNS and
// then in the current mount namespace. It returns nil, nil when there is
// none: never mounted, unmounted, or the mount vanished with a reboot.
func openNetns(path, hostNS string) (*os.File, error) {
	var ns *os.File
	open := func() error {
		f, err := os.Open(path)
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		var st unix.Statfs_t
		if err := unix.Fstatfs(int(f.Fd()), &st); err != nil || st.Type != unix.NSFS_MAGIC {
			f.Close() // a plain file whose mount is gone
			return err
		}
		ns = f
		return nil
	}
	err := inMountNS(hostNS, open)
	if errors.Is(err, errNoMountNS) {
		err = nil
	}
	if err == nil && ns == nil {
		err = open()
	}
	return ns, err
}

// removeNetns unmounts and removes path in the current mount namespace,
// then in hostNS (in that order: unlinking a mount point of our own
// namespace fails, one of another namespace detaches it). Nothing there is
// fine.
func removeNetns(path, hostNS string) error {
	remove := func() error {
		if err := unix.Unmount(path, unix.MNT_DETACH); err != nil && err != unix.EINVAL && err != unix.ENOENT {
			return fmt.Errorf("unmount %s: %w", path, err)
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	if err := remove(); err != nil {
		return err
	}
	err := inMountNS(hostNS, remove)
	if errors.Is(err, errNoMountNS) {
		err = nil
	}
	return err
}
