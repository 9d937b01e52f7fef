package stopcmd

import (
	"errors"
	"os/exec"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
)

func TestMainForce(t *testing.T) {
	var got []bool
	stop := func(force bool) error { got = append(got, force); return nil }
	if c := Main("t", []string{"--force", "u"}, stop); c != 0 || len(got) != 1 || !got[0] {
		t.Errorf("--force: exit %d, got %v", c, got)
	}
	if c := Main("t", []string{"--bogus"}, stop); c != 254 || len(got) != 1 {
		t.Errorf("bad flag: exit %d, got %v", c, got)
	}
	if c := Main("t", []string{"u"}, func(bool) error { return errors.New("no") }); c != 254 {
		t.Errorf("failing stop: exit %d", c)
	}
}

func TestWaitExit(t *testing.T) {
	c := exec.Command("sleep", "10")
	if err := c.Start(); err != nil {
		t.Skip(err)
	}
	defer c.Wait()
	pidfd, err := unix.PidfdOpen(c.Process.Pid, 0)
	if err != nil {
		c.Process.Kill()
		t.Skip(err)
	}
	defer unix.Close(pidfd)
	if err := WaitExit(pidfd, time.Now().Add(50*time.Millisecond), "sleep running"); !errors.Is(err, errdefs.ErrBusy) {
		t.Errorf("running: %v", err)
	}
	c.Process.Kill()
	if err := WaitExit(pidfd, time.Now().Add(5*time.Second), "sleep running"); err != nil {
		t.Errorf("killed: %v", err)
	}
}
