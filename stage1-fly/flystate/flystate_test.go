package flystate

import (
	"os"
	"os/exec"
	"testing"

	"golang.org/x/sys/unix"
)

// HoldsPod recognizes the process by the fd of the pod dir it holds, and
// nothing else: not another fd number, not another process.
func TestHoldsPod(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	pod, err := unix.Open(".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(pod)
	other, err := unix.Open(os.TempDir(), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(other)
	self := os.Getpid()
	if !(&State{LockFD: pod}).HoldsPod(self) {
		t.Errorf("the holder is not recognized")
	}
	if (&State{LockFD: other}).HoldsPod(self) {
		t.Errorf("an fd of another dir is taken for the pod's")
	}
	cmd := exec.Command("sleep", "10")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	if (&State{LockFD: pod}).HoldsPod(cmd.Process.Pid) {
		t.Errorf("a process without the fd is taken for the pod's")
	}
}

func TestWriteRead(t *testing.T) {
	t.Chdir(t.TempDir())
	if _, err := Read(); err == nil {
		t.Errorf("Read before Write: no error")
	}
	in := &State{App: "web", LockFD: 5}
	in.Exec.Argv = []string{"/bin/web", "-v"}
	if err := Write(in); err != nil {
		t.Fatal(err)
	}
	out, err := Read()
	if err != nil || out.App != "web" || out.LockFD != 5 || len(out.Exec.Argv) != 2 {
		t.Errorf("read back %+v %v", out, err)
	}
}
