package networking

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// OnNetns runs once the namespace exists and before any plugin: a child it
// starts there sees the interfaces once Setup returns.
func TestSetupOnNetns(t *testing.T) {
	o := testOpts(t, NetRequest{Name: NetDefaultRestricted})
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var out strings.Builder
	cmd := exec.Command("sh", "-c", "read x; ip -o -4 addr show dev eth0")
	cmd.Stdout, cmd.Stderr = &out, &out
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	o.OnNetns = func(p *Pod) error {
		calls++
		leases, _ := filepath.Glob(filepath.Join(o.IPAMDataDir, "*", "*"))
		if p.NetnsFile() == nil || len(p.Networks()) != 0 || len(leases) != 0 {
			t.Errorf("OnNetns: netns %v, networks %v, leases %v: want a namespace and no plugin run yet", p.NetnsFile(), p.Networks(), leases)
		}
		return p.Start(cmd)
	}
	p := mustSetup(t, o)
	stdin.Write([]byte("go\n"))
	stdin.Close()
	if err := cmd.Wait(); err != nil || calls != 1 || !strings.Contains(out.String(), p.Networks()[0].IP+"/") {
		t.Errorf("child started by OnNetns (%d calls): %v: %s", calls, err, out.String())
	}
}

// An OnNetns error fails Setup, which undoes everything.
func TestSetupOnNetnsError(t *testing.T) {
	o := testOpts(t, NetRequest{Name: NetDefaultRestricted})
	before := snapshot(t)
	boom := errors.New("boom")
	o.OnNetns = func(*Pod) error { return boom }
	p, err := Setup(context.Background(), o)
	if !errors.Is(err, boom) || p != nil {
		t.Fatalf("Setup: %v %v, want boom", p, err)
	}
	assertClean(t, o, before, nil)
	if _, err := os.Stat(filepath.Join(o.PodDir, InfoFile)); !os.IsNotExist(err) {
		t.Errorf("net-info.json after a failed setup: %v", err)
	}
}
