package stage0

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// closeOnExecAll marks every fd but stdio, systemd's sockets and keep (-1:
// none) close-on-exec. Go opens its own files close-on-exec, but not every
// fd in the process is Go's (the runtime keeps a cgroup file open to follow
// CPU limits, a library may open others), and stage1 must receive exactly
// stdio, the sockets and the lock. One close_range per run of fds, not a
// listing of /proc/self/fd and a call per fd.
func closeOnExecAll(keep int) error {
	first := uint(3 + activationFDs())
	runs := [][2]uint{{first, ^uint(0)}}
	if k := uint(keep); keep >= 0 && k >= first {
		runs = [][2]uint{{first, k - 1}, {k + 1, ^uint(0)}}
	}
	for _, r := range runs {
		if r[0] > r[1] {
			continue // keep is the first fd of the run
		}
		if err := unix.CloseRange(r[0], r[1], unix.CLOSE_RANGE_CLOEXEC); err != nil {
			return fmt.Errorf("set close-on-exec on fds %d-%d: %w", r[0], r[1], err)
		}
	}
	return nil
}

// activationFDs is how many sockets systemd passed to this process
// (LISTEN_PID, LISTEN_FDS: fds 3 and up). stage1 keeps this PID, so the
// sockets stay open for it; Documentation/systemd.md.
func activationFDs() int {
	if os.Getenv("LISTEN_PID") != strconv.Itoa(os.Getpid()) {
		return 0
	}
	n, err := strconv.Atoi(os.Getenv("LISTEN_FDS"))
	if err != nil || n < 0 {
		return 0
	}
	return n
}
