package stage0

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// closeOnExecAll marks every fd but stdio and keep close-on-exec. Go opens
// its own files close-on-exec, but not every fd in the process is Go's
// (the runtime keeps a cgroup file open to follow CPU limits, a library
// may open others), and stage1 must receive exactly stdio and the lock.
func closeOnExecAll(keep int) error {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return fmt.Errorf("list open fds: %w", err)
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return fmt.Errorf("list open fds: %w", err)
	}
	for _, n := range names {
		fd, err := strconv.Atoi(n)
		if err != nil || fd <= 2 || fd == keep || fd == int(d.Fd()) || activationFD(fd) {
			continue
		}
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC); err != nil && err != unix.EBADF {
			return fmt.Errorf("set close-on-exec on fd %d: %w", fd, err)
		}
	}
	return nil
}

// activationFD tells whether fd is a socket systemd passed to this process
// (LISTEN_PID, LISTEN_FDS: fds 3 and up). stage1 keeps this PID, so the
// sockets stay open for it; Documentation/systemd.md.
func activationFD(fd int) bool {
	if os.Getenv("LISTEN_PID") != strconv.Itoa(os.Getpid()) {
		return false
	}
	n, err := strconv.Atoi(os.Getenv("LISTEN_FDS"))
	return err == nil && fd >= 3 && fd < 3+n
}
