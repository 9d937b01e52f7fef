package stage0

import (
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// inheritable makes an fd without FD_CLOEXEC, as one a library opened.
func inheritable(t *testing.T) int {
	t.Helper()
	fd, err := unix.Dup(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return fd
}

func cloexec(t *testing.T, fd int) bool {
	t.Helper()
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	if err != nil {
		t.Fatal(err)
	}
	return flags&unix.FD_CLOEXEC != 0
}

func TestCloseOnExecAllKeepsOnlyKeep(t *testing.T) {
	before, keep, after := inheritable(t), inheritable(t), inheritable(t)
	if err := closeOnExecAll(keep); err != nil {
		t.Fatal(err)
	}
	if !cloexec(t, before) || !cloexec(t, after) {
		t.Error("an fd other than keep stays inheritable")
	}
	if cloexec(t, keep) {
		t.Error("keep was marked close-on-exec")
	}
	for fd := 0; fd <= 2; fd++ {
		if cloexec(t, fd) {
			t.Errorf("stdio fd %d marked close-on-exec", fd)
		}
	}
	// No fd to keep: every fd from 3 up.
	if _, err := unix.FcntlInt(uintptr(keep), unix.F_SETFD, 0); err != nil {
		t.Fatal(err)
	}
	if err := closeOnExecAll(-1); err != nil {
		t.Fatal(err)
	}
	if !cloexec(t, keep) {
		t.Error("closeOnExecAll(-1) left an fd inheritable")
	}
}

func TestActivationFDs(t *testing.T) {
	self := strconv.Itoa(os.Getpid())
	for _, c := range []struct {
		pid, fds string
		want     int
	}{
		{self, "2", 2},
		{"1", "2", 0}, // passed to another process
		{self, "x", 0},
		{self, "-3", 0},
		{"", "", 0},
	} {
		t.Setenv("LISTEN_PID", c.pid)
		t.Setenv("LISTEN_FDS", c.fds)
		if got := activationFDs(); got != c.want {
			t.Errorf("LISTEN_PID=%q LISTEN_FDS=%q: %d, want %d", c.pid, c.fds, got, c.want)
		}
	}
}
