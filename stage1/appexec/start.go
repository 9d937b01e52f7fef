package appexec

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// RunHelper runs the helper to the end: fork starts it with the given
// files (stdin, stdout, stderr and its end of the channel) and returns its
// pid; RunHelper then hands it spec and ns (see Handshake) and waits until
// it has exited. The error is the helper's own failure, if it had one.
func RunHelper(spec *Spec, ns []int, fork func(files []uintptr) (int, error)) (unix.WaitStatus, error) {
	parent, child, err := Socketpair()
	if err != nil {
		return 0, err
	}
	pid, err := fork(Files([3]uintptr{0, 1, 2}, child))
	unix.Close(child)
	if err != nil {
		unix.Close(parent)
		return 0, fmt.Errorf("start exec helper: %w", err)
	}
	herr := Handshake(parent, spec, ns)
	var ws unix.WaitStatus
	for {
		_, err = unix.Wait4(pid, &ws, 0, nil)
		if err != unix.EINTR {
			break
		}
	}
	if herr != nil {
		return 0, herr
	}
	if err != nil {
		return 0, fmt.Errorf("wait for exec helper: %w", os.NewSyscallError("wait4", err))
	}
	return ws, nil
}
