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
		if err != nil || fd <= 2 || fd == keep || fd == int(d.Fd()) {
			continue
		}
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC); err != nil && err != unix.EBADF {
			return fmt.Errorf("set close-on-exec on fd %d: %w", fd, err)
		}
	}
	return nil
}
