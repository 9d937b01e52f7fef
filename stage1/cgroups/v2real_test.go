package cgroups

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// cgroup2Only is a System over just this host's cgroup2 mount, if it has
// one: on a hybrid host that is the unified tree, with few controllers or
// none, enough to exercise the real cgroup2 mechanics (leaves, moves,
// cgroup.kill, removal) where the limits are covered by the tmpdir tests.
func cgroup2Only(t *testing.T) *System {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var line string
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if strings.Contains(sc.Text(), " - cgroup2 ") {
			line = sc.Text()
			break
		}
	}
	cg, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	if line == "" {
		t.Skip("no cgroup2 mount")
	}
	s, err := Parse(strings.NewReader(line+"\n"), strings.NewReader(string(cg)))
	if err != nil || s.Mode != ModeUnified {
		t.Skipf("cgroup2 tree unusable here: %v", err)
	}
	return s
}

func TestV2RealCreateAddKillRemove(t *testing.T) {
	s := cgroup2Only(t)
	p, err := s.NewPod(fmt.Sprintf("saturn-test-%d-%x", os.Getpid(), rand.Uint32()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Kill(5 * time.Second); p.Remove() })
	stage1, _ := startHog(t)
	if err := p.Create(stage1.Process.Pid); err != nil {
		t.Fatal(err)
	}
	if err := p.CreateApp("web", Limits{}); err != nil {
		t.Fatal(err)
	}
	app, _ := startHog(t)
	if err := p.Add("web", app.Process.Pid); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", app.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	if want := "0::/" + filepath.Base(p.Dirs[""]) + "/web"; !strings.Contains(string(b), want) {
		t.Errorf("app cgroup %q, want a line ending %q", b, want)
	}
	pids, err := p.Pids()
	if want := []int{stage1.Process.Pid, app.Process.Pid}; err != nil || !slices.Equal(pids, sortedInts(want)) {
		t.Errorf("Pids() = %v, %v; want %v", pids, err, want)
	}
	if err := p.Kill(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	stage1.Wait()
	app.Wait()
	if err := p.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p.Dirs[""]); !os.IsNotExist(err) {
		t.Errorf("pod cgroup left behind: %v", err)
	}
}

func sortedInts(v []int) []int {
	slices.Sort(v)
	return v
}
