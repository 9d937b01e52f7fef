package reaper

import (
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestStartAndExitCodes(t *testing.T) {
	r := New()
	cases := map[string]int{"exit 0": 0, "exit 3": 3, "kill -9 $$": 137, "kill -TERM $$": 143}
	for script, want := range cases {
		_, done, err := r.Start("/bin/sh", []string{"sh", "-c", script}, &syscall.ProcAttr{})
		if err != nil {
			t.Fatal(err)
		}
		select {
		case ws := <-done:
			if got := ExitCode(ws); got != want {
				t.Errorf("%q: exit code %d, want %d", script, got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%q: no exit reported", script)
		}
	}
	// A child that exits at once is not lost between fork and registration.
	for i := 0; i < 50; i++ {
		_, done, err := r.Start("/bin/true", []string{"true"}, &syscall.ProcAttr{})
		if err != nil {
			t.Fatal(err)
		}
		if ws := <-done; ws.ExitStatus() != 0 {
			t.Fatalf("true: %v", ws)
		}
	}
	if _, _, err := r.Start("/no/such/binary", nil, &syscall.ProcAttr{}); err == nil {
		t.Error("started a missing binary")
	}
	var ws unix.WaitStatus
	if pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil); err != unix.ECHILD {
		t.Errorf("a child was left unreaped: %d %v", pid, err)
	}
}
