package stop

import (
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// A group counts as alive while a live process is in it; a zombie (its
// parent has not reaped it yet) does not.
func TestGroupAlive(t *testing.T) {
	cmd := exec.Command("sleep", "10")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	if !leadsGroup(pid) || !groupAlive(pid) {
		t.Fatalf("running group leader %d: leads %v alive %v", pid, leadsGroup(pid), groupAlive(pid))
	}
	cmd.Process.Kill()
	// Not reaped yet: wait until it is a zombie.
	for deadline := time.Now().Add(5 * time.Second); groupAlive(pid); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("group %d still alive after its only process was killed", pid)
		}
	}
	cmd.Wait()
	if leadsGroup(pid) {
		t.Errorf("a reaped process still leads a group")
	}
}

// A process in the caller's group does not lead one: stop must not signal
// the caller's group.
func TestLeadsGroupNotCallers(t *testing.T) {
	cmd := exec.Command("sleep", "10")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	if leadsGroup(cmd.Process.Pid) {
		t.Errorf("a child in the test's group is taken for a group leader")
	}
}
