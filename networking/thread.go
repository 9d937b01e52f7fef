package networking

import (
	"errors"
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// errNoMountNS: the mount namespace to join is out of reach (a sandbox
// that hides PID 1, no CAP_SYS_ADMIN over it); callers fall back to the
// current namespace.
var errNoMountNS = errors.New("mount namespace out of reach")

// onThread runs fn on an OS thread of its own, which fn may move into
// other namespaces. The goroutine ends still locked, so the runtime
// discards the thread instead of handing its namespaces to other code. (On
// the main thread the runtime parks it for good instead: only inMountNS
// uses this, and a parked thread in the host's mount namespace pins
// nothing that teardown removes.)
func onThread(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		errc <- fn()
	}()
	return <-errc
}

// inMountNS runs fn on a thread of its own that joined the mount namespace
// at nsPath. The kernel refuses setns(CLONE_NEWNS) to a thread sharing its
// root and cwd with others: the thread unshares CLONE_FS first, which
// cannot be undone, hence a thread that dies afterwards.
func inMountNS(nsPath string, fn func() error) error {
	return onThread(func() error {
		fd, err := unix.Open(nsPath, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("open %s: %w: %w", nsPath, err, errNoMountNS)
		}
		defer unix.Close(fd)
		if err := unix.Unshare(unix.CLONE_FS); err != nil {
			return fmt.Errorf("unshare fs: %w", err)
		}
		if err := unix.Setns(fd, unix.CLONE_NEWNS); err != nil {
			return fmt.Errorf("join %s: %w: %w", nsPath, err, errNoMountNS)
		}
		return fn()
	})
}

// inNetns runs fn on a locked OS thread inside the network namespace ns,
// or inside a new one if ns is nil, then moves the thread back to its own
// namespace before unlocking it. It does not let the thread die instead:
// a locked goroutine that ends on the main thread parks that thread for
// good, and a thread parked in the pod's namespace would keep it alive.
func inNetns(ns *os.File, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			errc <- err
			return
		}
		defer orig.Close()
		if ns == nil {
			err = unix.Unshare(unix.CLONE_NEWNET)
		} else {
			err = unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET)
		}
		if err == nil {
			err = fn()
		} else {
			err = fmt.Errorf("enter pod netns: %w", err)
		}
		if unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		errc <- err
	}()
	return <-errc
}
