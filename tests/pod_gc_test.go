package tests

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// gc runs stage1's gc for pods that ran, never stops at one bad pod, and
// a second gc finishes what the first could not.
func TestPodGCGoesOn(t *testing.T) {
	e := newEnv(t)
	var pods []string
	for range 3 {
		u := e.prepare(stubApp())
		e.ok("run-prepared", u)
		pods = append(pods, u)
	}
	never := e.prepare(stubApp())
	bad := filepath.Join(e.dir, "pods", "run", pods[1], "stub-gc-fail")
	if err := os.WriteFile(bad, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(e.dir, "gc.log")
	vars := []string{"STUB_GC_LOG=" + log}

	// The default grace period keeps freshly marked pods.
	if r := e.runEnv(vars, "gc"); r.code != 0 || len(e.podDirs()) != 4 {
		t.Fatalf("gc with grace: exit %d, %d pods left", r.code, len(e.podDirs()))
	}
	r := e.runEnv(vars, "gc", "--grace-period=0s", "--expire-prepared=0s")
	if r.code == 0 || !strings.Contains(r.stderr, pods[1]) {
		t.Fatalf("gc with a failing pod: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, u := range []string{pods[0], pods[2], never} {
		contains(t, r.stdout, "removed "+u)
	}
	if left := e.podDirs(); len(left) != 1 || filepath.Base(left[0]) != pods[1] {
		t.Fatalf("after gc: %v", left)
	}
	os.Remove(filepath.Join(e.dir, "pods", "exited-garbage", pods[1], "stub-gc-fail"))
	e.okEnv(vars, "gc", "--grace-period=0s")
	if left := e.podDirs(); len(left) != 0 {
		t.Fatalf("second gc left %v", left)
	}
	b, _ := os.ReadFile(log)
	calls := string(b)
	for _, u := range pods {
		contains(t, calls, "gc "+u+"\n")
	}
	if strings.Contains(calls, never) {
		t.Errorf("stage1 gc ran for a pod that never ran")
	}
	if strings.Count(calls, pods[1]) != 2 {
		t.Errorf("stage1 gc of the failing pod ran %d times, want 2", strings.Count(calls, pods[1]))
	}
}

func (e *env) okEnv(vars []string, args ...string) string {
	e.t.Helper()
	r := e.runEnv(vars, args...)
	if r.code != 0 {
		e.t.Fatalf("saturn %v: exit %d: %s", args, r.code, r.stderr)
	}
	return r.stdout
}

// SIGKILL saturn at points during prepare, run and gc: afterwards one gc
// leaves no pod directory, mount or lock behind.
func TestPodKilledHalfway(t *testing.T) {
	e := newEnv(t)
	delays := []time.Duration{0, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond,
		20 * time.Millisecond, 40 * time.Millisecond, 80 * time.Millisecond}
	kill := func(d time.Duration, vars []string, args ...string) {
		c := e.start(vars, args...)
		time.Sleep(d)
		c.Process.Signal(syscall.SIGKILL)
		c.Wait()
	}
	for _, d := range delays {
		kill(d, nil, "prepare", withStub(), stubApp())
		kill(d, nil, "run", withStub(), stubApp(), "--environment=STUB_SLEEP=10s")
	}
	// A run killed while its pod is certainly up.
	_, run := e.startPod("30s")
	run.Process.Signal(syscall.SIGKILL)
	run.Wait()

	// gc killed while stage1's gc runs (it sleeps), more than once.
	for range 2 {
		kill(700*time.Millisecond, []string{"STUB_GC_SLEEP=1s"}, "gc", "--grace-period=0s", "--expire-prepared=0s")
	}
	t.Logf("before gc:\n%s", e.ok("list", "--full"))
	inodes := e.podInodes()
	if len(inodes) == 0 {
		t.Fatal("no pod survived the kills: the test killed nothing half-way")
	}
	e.ok("gc", "--grace-period=0s", "--expire-prepared=0s")
	if left := e.podDirs(); len(left) != 0 {
		t.Errorf("gc left pod dirs: %v", left)
	}
	if m := e.mountsUnder(); len(m) != 0 {
		t.Errorf("mounts left: %v", m)
	}
	if held := locksOn(t, inodes); len(held) != 0 {
		t.Errorf("locks left on pod dirs: %v", held)
	}
}

// podInodes maps the inode of every pod dir to its path.
func (e *env) podInodes() map[uint64]string {
	m := map[uint64]string{}
	for _, d := range e.podDirs() {
		var st syscall.Stat_t
		if syscall.Stat(d, &st) == nil {
			m[st.Ino] = d
		}
	}
	return m
}

// locksOn returns the /proc/locks lines on any of the inodes.
func locksOn(t *testing.T, inodes map[uint64]string) []string {
	f, err := os.Open("/proc/locks")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var held []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// 1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF
		for _, field := range strings.Fields(sc.Text()) {
			parts := strings.Split(field, ":")
			if len(parts) != 3 {
				continue
			}
			if ino, err := strconv.ParseUint(parts[2], 10, 64); err == nil {
				if p, ok := inodes[ino]; ok {
					held = append(held, p+": "+sc.Text())
				}
			}
		}
	}
	return held
}

// A mount a misbehaving stage1 left in the host namespace below a pod dir
// is unmounted before the dir is removed, never descended into.
func TestPodGCUnmountsLeftovers(t *testing.T) {
	e := newEnv(t)
	u := e.prepare(stubApp())
	e.ok("run-prepared", u)
	leak := filepath.Join(e.dir, "pods", "run", u, "leak")
	os.Mkdir(leak, 0o755)
	if err := syscall.Mount("tmpfs", leak, "tmpfs", 0, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Unmount(leak, syscall.MNT_DETACH) })
	// A file only in the tmpfs: removing through the mount would delete it
	// and then fail on the busy mount point.
	os.WriteFile(filepath.Join(leak, "inside"), []byte("x"), 0o644)
	if len(e.mountsUnder()) != 1 {
		t.Fatalf("test mount not seen: %v", e.mountsUnder())
	}
	e.ok("rm", u)
	if m := e.mountsUnder(); len(m) != 0 {
		t.Fatalf("mounts left: %v", m)
	}
	if left := e.podDirs(); len(left) != 0 {
		t.Fatalf("pod dirs left: %v", left)
	}
}
