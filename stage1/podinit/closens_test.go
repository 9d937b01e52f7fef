package podinit

import (
	"testing"

	"golang.org/x/sys/unix"
)

// An app's mount namespace closes when the app is done, unless it is the
// pod's last app: that one waits for closeLastNS.
func TestCloseNS(t *testing.T) {
	open := func() int {
		t.Helper()
		fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		return fd
	}
	isOpen := func(fd int) bool {
		_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		return err == nil
	}
	p := &pod{left: 2}
	first := open()
	p.closeNS(first)
	if isOpen(first) {
		t.Error("the namespace of an app that ended before the last one stayed open")
	}
	p.left--
	last := open()
	p.closeNS(last)
	if !isOpen(last) {
		t.Fatal("the last app's namespace closed before the pod ended")
	}
	p.closeLastNS()
	if isOpen(last) {
		t.Error("closeLastNS left the last app's namespace open")
	}
}
