package cgroups

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// hogEnv makes the test binary a child that waits for a line on stdin, then
// allocates and touches memory until something stops it.
const hogEnv = "SATURN_CGROUPS_TEST_HOG"

func TestMain(m *testing.M) {
	if os.Getenv(hogEnv) != "" {
		var b [1]byte
		os.Stdin.Read(b[:])
		var keep [][]byte
		for range 1024 {
			chunk := make([]byte, 1<<20)
			for i := range chunk {
				chunk[i] = 1
			}
			keep = append(keep, chunk)
		}
		fmt.Println(len(keep))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// v1Pod creates a saturn-test pod on this host's real v1 hierarchies and
// removes it when the test ends, killing whatever the test left in it.
func v1Pod(t *testing.T) *Pod {
	t.Helper()
	s, err := Discover()
	if err != nil {
		t.Skip(err)
	}
	if s.Mode == ModeUnified || os.Geteuid() != 0 {
		t.Skipf("needs root and cgroup v1 (mode %s)", s.Mode)
	}
	p, err := s.NewPod(fmt.Sprintf("saturn-test-%d-%x", os.Getpid(), rand.Uint32()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Kill(5 * time.Second); err != nil {
			t.Error(err)
		}
		if err := p.Remove(); err != nil {
			t.Error(err)
		}
		for _, dir := range p.Dirs {
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("%s left behind: %v", dir, err)
			}
		}
	})
	if err := p.Create(0); err != nil {
		t.Fatal(err)
	}
	return p
}

// startHog starts a hog child, waiting for its go.
func startHog(t *testing.T) (*exec.Cmd, *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), hogEnv+"=1")
	cmd.Stdin = r
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	t.Cleanup(func() { w.Close(); cmd.Process.Kill(); cmd.Wait() })
	return cmd, w
}

func TestV1LimitsJoinAndRemove(t *testing.T) {
	p := v1Pod(t)
	if err := p.CreateApp("web", Limits{MemoryBytes: 64 << 20, CPUMillis: 500, CPUShares: 512}); err != nil {
		t.Fatal(err)
	}
	memDir, _ := p.AppDir("web", "memory")
	cpuDir, _ := p.AppDir("web", "cpu")
	for dir, want := range map[string]map[string]string{
		memDir: {"memory.limit_in_bytes": "67108864"},
		cpuDir: {"cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "50000", "cpu.shares": "512"},
	} {
		for name, val := range want {
			if got, err := readFile(dir, name); err != nil || got != val {
				t.Errorf("%s/%s = %q, %v; want %q", dir, name, got, err, val)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(memDir, "memory.memsw.limit_in_bytes")); err == nil {
		if got, _ := readFile(memDir, "memory.memsw.limit_in_bytes"); got != "67108864" {
			t.Errorf("memsw limit %q", got)
		}
	}

	cmd, _ := startHog(t)
	if err := p.Add("web", cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Base(p.Dirs["pids"])
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if _, used := p.Dirs[parts[1]]; used && !strings.HasSuffix(parts[2], "/"+name+"/web") {
			t.Errorf("child not in the app cgroup: %s", line)
		}
	}
	pids, err := p.Pids()
	if err != nil || !slices.Contains(pids, cmd.Process.Pid) {
		t.Errorf("Pids() = %v, %v; want %d in it", pids, err, cmd.Process.Pid)
	}
	// RemoveNow says so at once, without waiting for the process to leave.
	began := time.Now()
	if err := p.RemoveNow(); !errors.Is(err, errdefs.ErrBusy) {
		t.Errorf("RemoveNow of a pod with a live process: %v, want ErrBusy", err)
	}
	if d := time.Since(began); d >= removeWait {
		t.Errorf("RemoveNow took %v: it waited", d)
	}
	// Remove kills nothing: a populated pod stays, and says so.
	if err := p.Remove(); err == nil {
		t.Error("Remove of a pod with a live process succeeded")
	}
	if err := p.Kill(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if err := p.Remove(); err != nil {
		t.Fatal(err)
	}
	if err := p.Remove(); err != nil {
		t.Errorf("second Remove: %v", err)
	}
	if err := p.RemoveNow(); err != nil {
		t.Errorf("RemoveNow of a removed pod: %v", err)
	}
}

func TestV1MemoryLimitKills(t *testing.T) {
	p := v1Pod(t)
	if err := p.CreateApp("hog", Limits{MemoryBytes: 32 << 20}); err != nil {
		t.Fatal(err)
	}
	if err := p.CreateApp("calm", Limits{MemoryBytes: 32 << 20}); err != nil {
		t.Fatal(err)
	}
	cmd, w := startHog(t)
	if err := p.Add("hog", cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("go\n"))
	err := cmd.Wait()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("hog ended with %v (%v), want SIGKILL", ws, err)
	}
	if oom, err := p.OOMKilled("hog"); err != nil || !oom {
		t.Errorf("OOMKilled(hog) = %v, %v", oom, err)
	}
	if oom, err := p.OOMKilled("calm"); err != nil || oom {
		t.Errorf("OOMKilled(calm) = %v, %v", oom, err)
	}
}

func TestV1CreateMovesStage1(t *testing.T) {
	s, err := Discover()
	if err != nil || s.Mode == ModeUnified || os.Geteuid() != 0 {
		t.Skip("needs root and cgroup v1")
	}
	p := v1Pod(t)
	cmd, _ := startHog(t)
	// Create again, now with a stage1 process: the cgroups exist, the
	// process moves into the stage1 leaf of every hierarchy.
	if err := p.Create(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	for ctrls, dir := range p.Dirs {
		got, err := readFile(filepath.Join(dir, Stage1Leaf), "cgroup.procs")
		if err != nil || got != fmt.Sprint(cmd.Process.Pid) {
			t.Errorf("%s: stage1 leaf holds %q, %v", ctrls, got, err)
		}
	}
}

// BenchmarkV1PodLifecycle is the cgroup cost of a one-app pod: create the
// pod and the app's cgroup with limits, then remove them.
func BenchmarkV1PodLifecycle(b *testing.B) {
	s, err := Discover()
	if err != nil || s.Mode == ModeUnified || os.Geteuid() != 0 {
		b.Skip("needs root and cgroup v1")
	}
	for i := range b.N {
		p, err := s.NewPod(fmt.Sprintf("saturn-test-bench-%d-%d", os.Getpid(), i))
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Create(0); err != nil {
			b.Fatal(err)
		}
		if err := p.CreateApp("app", Limits{MemoryBytes: 64 << 20, CPUMillis: 500}); err != nil {
			b.Fatal(err)
		}
		if err := p.Remove(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLimitsValidate(t *testing.T) {
	for _, bad := range []Limits{{CPUShares: 1}, {CPUShares: 262145}, {MemoryBytes: -1}, {CPUMillis: -1}} {
		if err := bad.Validate(); !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	if err := (Limits{MemoryBytes: 1 << 20, CPUMillis: 250, CPUShares: 2}).Validate(); err != nil {
		t.Errorf("valid limits: %v", err)
	}
}
