package tests

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// storeKillWhen starts saturn with args, waits until ready() says the work
// is under way (or the command ends), then SIGKILLs it. It reports whether
// the kill landed before the command finished.
func storeKillWhen(t *testing.T, e *env, ready func() bool, args ...string) bool {
	t.Helper()
	c := e.cmd(context.Background(), args...)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { c.Wait(); close(done) }()
	deadline := time.After(30 * time.Second)
	for !ready() {
		select {
		case <-done:
			return false
		case <-deadline:
			t.Fatal("work never started")
		case <-time.After(2 * time.Millisecond):
		}
	}
	time.Sleep(20 * time.Millisecond)
	c.Process.Signal(syscall.SIGKILL)
	<-done
	ws := c.ProcessState.Sys().(syscall.WaitStatus)
	return ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// storeTmpHas reports whether the store's tmp area holds a file named name
// (in any work entry).
func storeTmpHas(e *env, name string) func() bool {
	return func() bool {
		m, _ := filepath.Glob(filepath.Join(e.dir, "cas", "tmp", "*", name))
		return len(m) > 0
	}
}

// TestStoreSurvivesSIGKILL kills a fetch and a render half-way, then shows
// that the next command leaves a clean store that works.
func TestStoreSurvivesSIGKILL(t *testing.T) {
	e := newEnv(t)
	aci := storeBuild(t, e, storeRootfs(t, 3000, 60000, "big"), "example.com/big")
	e.ok("image", "list") // create the store

	killed := storeKillWhen(t, e, storeTmpHas(e, "blob"), "fetch", aci)
	if !killed {
		t.Skip("fetch finished before the kill: machine too fast for this image")
	}
	if len(storeEntries(e, "tmp")) == 0 {
		t.Fatal("the killed fetch left nothing: the kill did not land half-way")
	}
	if out := e.ok("image", "list", "--no-legend"); strings.TrimSpace(out) != "" {
		t.Fatalf("half-fetched image listed:\n%s", out)
	}
	if tmp := storeEntries(e, "tmp"); len(tmp) > 0 {
		t.Fatalf("next command left the dead fetch's files: %v", tmp)
	}
	id := strings.TrimSpace(e.ok("fetch", aci))

	killed = storeKillWhen(t, e, storeTmpHas(e, "tree/rootfs"), "image", "tree", id)
	if !killed {
		t.Skip("render finished before the kill")
	}
	if trees := storeEntries(e, "trees"); len(trees) > 0 {
		t.Fatalf("half-rendered tree published: %v", trees)
	}
	e.ok("image", "list")
	if tmp := storeEntries(e, "tmp"); len(tmp) > 0 {
		t.Fatalf("next command left the dead render's files: %v", tmp)
	}
	tree := storeLines(e.ok("image", "tree", id))
	if _, err := os.Stat(filepath.Join(tree[1], "d29", "f02999")); err != nil {
		t.Fatalf("re-rendered tree incomplete: %v", err)
	}
	if out := e.ok("image", "verify", id); !strings.Contains(out, "ok (1 trees)") {
		t.Fatalf("verify: %s", out)
	}
}
