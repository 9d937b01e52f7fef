// Package nsthread runs code on an OS thread of its own whose namespaces,
// root and working directory may change without touching the rest of the
// process.
//
// Go processes are multi-threaded from the start, and the kernel refuses
// setns(CLONE_NEWNS) to a thread that shares its fs_struct with others.
// Each thread here first unshares CLONE_FS; namespaces are per thread, and a
// child forked from that thread (syscall.ForkExec from the same goroutine)
// starts in them. The thread is never handed back to the Go scheduler: its
// goroutine ends while still locked, which makes the runtime discard it.
package nsthread

import (
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// Run runs fn on a fresh, private thread and returns its error.
func Run(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// No UnlockOSThread: the thread's state is tainted, let it die.
		if err := unix.Unshare(unix.CLONE_FS); err != nil {
			errc <- fmt.Errorf("unshare fs: %w", err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// Join moves the calling thread into the namespaces of the given nsfs fds
// (from /proc/PID/ns/*). The caller runs inside Run. A mount namespace
// also sets the thread's root and working directory to that namespace's
// root; a PID namespace applies to children only.
func Join(fds ...int) error {
	for _, fd := range fds {
		if err := unix.Setns(fd, 0); err != nil {
			return fmt.Errorf("setns: %w", err)
		}
	}
	return nil
}

// OpenNS opens the namespaces named (mnt, pid, uts, ...) of process pid;
// pid 0 means the calling thread. Close them with CloseAll.
func OpenNS(pid int, names ...string) ([]int, error) {
	base := fmt.Sprintf("/proc/%d/ns/", pid)
	if pid == 0 {
		base = "/proc/thread-self/ns/"
	}
	fds := make([]int, 0, len(names))
	for _, n := range names {
		fd, err := unix.Open(base+n, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			CloseAll(fds)
			return nil, fmt.Errorf("open %s%s: %w", base, n, err)
		}
		fds = append(fds, fd)
	}
	return fds, nil
}

// CloseAll closes fds.
func CloseAll(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}
