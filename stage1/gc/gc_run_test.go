package gc

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/saturnpod/saturn/stage1/cgroups"
	"github.com/saturnpod/saturn/stage1/podstate"
)

// inPodDir makes a pod dir with the state files gc reads and works in it.
func inPodDir(t *testing.T, cg *cgroups.Pod) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, podstate.StateDir), 0o700); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(cg)
	os.WriteFile(filepath.Join(dir, podstate.CgroupFile), b, 0o644)
	os.WriteFile(filepath.Join(dir, podstate.NetFile), []byte("none"), 0o644)
	t.Chdir(dir)
}

// After a reboot the recorded cgroups are gone: gc has nothing to do and
// says so by succeeding, every time.
func TestGCAfterReboot(t *testing.T) {
	inPodDir(t, &cgroups.Pod{Dirs: map[string]string{"pids": "/sys/fs/cgroup/pids/saturn-test-gone-" + fmt.Sprint(os.Getpid())}})
	for i := 0; i < 2; i++ {
		if err := run([]string{"uuid"}); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
}

// After a crash a process may be left in the pod cgroup: gc kills it and
// removes the cgroup with its leaves.
func TestGCKillsLeftovers(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	sys, err := cgroups.Discover()
	if err != nil {
		t.Skip(err)
	}
	cg, err := sys.NewPod(fmt.Sprintf("saturn-test-gc-%d", os.Getpid()))
	if err != nil {
		t.Skip(err)
	}
	if err := cg.Create(0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cg.Kill(0); cg.Remove() })
	if err := cg.CreateApp("app", cgroups.Limits{}); err != nil {
		t.Fatal(err)
	}
	sleeper := exec.Command("sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	if err := cg.Add("app", sleeper.Process.Pid); err != nil {
		t.Fatal(err)
	}
	inPodDir(t, cg)
	if err := run([]string{"--debug", "uuid"}); err != nil {
		t.Fatal(err)
	}
	if err := sleeper.Wait(); err == nil {
		t.Error("the leftover process was not killed")
	}
	for _, dir := range cg.Dirs {
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("%s still there", dir)
		}
	}
}
