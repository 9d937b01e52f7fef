package tests

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// flyFlag selects stage1-fly from the stage1 images directory (bin/, the
// directory of the saturn binary under test).
func flyFlag(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(binPath("stage1-fly.aci")); err != nil {
		t.Fatalf("bin/stage1-fly.aci missing: run through `make test`")
	}
	return "--stage1-from-dir=stage1-fly.aci"
}

// hostStatus reads a field of the test process's /proc/self/status.
func hostStatus(t *testing.T, key string) string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no %s in /proc/self/status", key)
	return ""
}

// hostMountLines reads the test process's mount table.
func hostMountLines(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// sameMountCount checks that the host mount table has as many lines as
// before. On a machine where other tests mount and unmount meanwhile it
// waits (at most 5s) for the count to settle; if it still differs, the
// difference fails the test only if a line was added below dir (where
// every fly mount would be), and is logged otherwise.
func sameMountCount(t *testing.T, before []string, dir string) {
	t.Helper()
	var after []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if after = hostMountLines(t); len(after) == len(before) || time.Now().After(deadline) {
			break
		}
	}
	t.Logf("host mount table: %d lines before, %d after", len(before), len(after))
	if len(after) == len(before) {
		return
	}
	added, removed := lineDiff(before, after), lineDiff(after, before)
	for _, l := range added {
		if f := strings.Fields(l); len(f) > 4 && strings.HasPrefix(f[4], dir) {
			t.Errorf("host mount table grew by mounts of ours:\n%s", strings.Join(added, "\n"))
			return
		}
	}
	t.Logf("other processes changed the host mount table meanwhile; added:\n%s\nremoved:\n%s",
		strings.Join(added, "\n"), strings.Join(removed, "\n"))
}

// lineDiff lists the lines of b missing from a.
func lineDiff(a, b []string) []string {
	in := map[string]bool{}
	for _, l := range a {
		in[l] = true
	}
	var out []string
	for _, l := range b {
		if !in[l] {
			out = append(out, l)
		}
	}
	return out
}

// noMountsLeft fails if any host mount lies below the data dir.
func (e *env) noMountsLeft() {
	e.t.Helper()
	if m := e.mountsUnder(); len(m) > 0 {
		e.t.Errorf("mounts left in the host table: %v", m)
	}
}

// killedBy is the signal that ended a background pod's saturn process
// (0 if it exited). Call it after wait.
func (p *bgPod) killedBy() syscall.Signal {
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return ws.Signal()
	}
	return 0
}
