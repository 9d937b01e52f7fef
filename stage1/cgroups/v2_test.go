package cgroups

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// v2Pod points a System at a temporary directory standing in for a cgroup2
// mount, with the parent's files the kernel would have.
func v2Pod(t *testing.T, subtree string) (*Pod, string) {
	t.Helper()
	root := t.TempDir()
	parent := filepath.Join(root, "system.slice", "saturn.service")
	if err := os.MkdirAll(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, parent, "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
	write(t, parent, "cgroup.subtree_control", subtree)
	mi := "30 23 0:26 / " + root + " rw - cgroup2 cgroup2 rw\n"
	s, err := Parse(strings.NewReader(mi), strings.NewReader("0::/system.slice/saturn.service\n"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.NewPod("saturn-1234")
	if err != nil {
		t.Fatal(err)
	}
	return p, parent
}

func write(t *testing.T, dir, name, val string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(val), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestV2CreateEnablesControllers(t *testing.T) {
	p, parent := v2Pod(t, "")
	if err := p.Create(0); err != nil {
		t.Fatal(err)
	}
	pod := filepath.Join(parent, "saturn-1234")
	if got := read(t, parent, "cgroup.subtree_control"); got != "+cpu +memory +pids" {
		t.Errorf("parent subtree_control %q", got)
	}
	if got := read(t, pod, "cgroup.subtree_control"); got != "+cpu +memory +pids" {
		t.Errorf("pod subtree_control %q", got)
	}
	if fi, err := os.Stat(filepath.Join(pod, Stage1Leaf)); err != nil || !fi.IsDir() {
		t.Errorf("stage1 leaf: %v", err)
	}
	// Create again: nothing breaks, existing directories are reused.
	if err := p.Create(0); err != nil {
		t.Fatal(err)
	}
}

func TestV2CreateLeavesEnabledControllersAlone(t *testing.T) {
	p, parent := v2Pod(t, "memory pids\n")
	if err := p.Create(0); err != nil {
		t.Fatal(err)
	}
	// Only the missing one is added: the kernel's file keeps the others.
	if got := read(t, parent, "cgroup.subtree_control"); got != "+cpu" {
		t.Errorf("parent subtree_control %q, want only +cpu written", got)
	}
}

func TestV2AppLimits(t *testing.T) {
	p, parent := v2Pod(t, "")
	if err := p.Create(0); err != nil {
		t.Fatal(err)
	}
	app := filepath.Join(parent, "saturn-1234", "web")
	// The kernel makes memory.swap.max on mkdir when swap is accounted.
	if err := os.Mkdir(app, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, app, "memory.swap.max", "max\n")
	if err := p.CreateApp("web", Limits{MemoryBytes: 64 << 20, CPUMillis: 250, CPUShares: 512}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"memory.max":      "67108864",
		"memory.swap.max": "0",
		"cpu.max":         "25000 100000",
		"cpu.weight":      "20", // 1 + (510*9999)/262142
	}
	got := map[string]string{}
	for name := range want {
		got[name] = read(t, app, name)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	// An app without limits gets its cgroup and no limit file at all.
	if err := p.CreateApp("plain", Limits{}); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(parent, "saturn-1234", "plain"))
	if err != nil || len(entries) != 0 {
		t.Errorf("plain app: %v, %v", entries, err)
	}
	// No swap accounting: memory.swap.max is not invented.
	if err := p.CreateApp("noswap", Limits{MemoryBytes: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(parent, "saturn-1234", "noswap", "memory.swap.max")); !os.IsNotExist(err) {
		t.Errorf("memory.swap.max written where the kernel has none: %v", err)
	}
}

func TestV2CPUQuotaFloorAndWeights(t *testing.T) {
	if q := (Limits{CPUMillis: 5}).quota(); q != cfsMinQuota {
		t.Errorf("5m: quota %d, want the kernel minimum %d", q, cfsMinQuota)
	}
	for shares, want := range map[uint64]uint64{2: 1, 1024: 39, 262144: 10000} {
		if got := CPUWeight(shares); got != want {
			t.Errorf("CPUWeight(%d) = %d, want %d", shares, got, want)
		}
	}
}

func TestV2AddOOMAndPids(t *testing.T) {
	p, parent := v2Pod(t, "")
	if err := p.Create(0); err != nil {
		t.Fatal(err)
	}
	if err := p.CreateApp("web", Limits{}); err != nil {
		t.Fatal(err)
	}
	app := filepath.Join(parent, "saturn-1234", "web")
	if err := p.Add("web", 4242); err != nil {
		t.Fatal(err)
	}
	if got := read(t, app, "cgroup.procs"); got != "4242" {
		t.Errorf("cgroup.procs %q", got)
	}
	write(t, filepath.Join(parent, "saturn-1234", Stage1Leaf), "cgroup.procs", "7\n8\n")
	pids, err := p.Pids()
	if err != nil || !reflect.DeepEqual(pids, []int{7, 8, 4242}) {
		t.Errorf("pids %v, %v", pids, err)
	}
	write(t, app, "memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 0\n")
	if oom, err := p.OOMKilled("web"); err != nil || oom {
		t.Errorf("no kill yet: %v, %v", oom, err)
	}
	write(t, app, "memory.events", "low 0\nhigh 0\nmax 9\noom 2\noom_kill 1\noom_group_kill 0\n")
	if oom, err := p.OOMKilled("web"); err != nil || !oom {
		t.Errorf("killed: %v, %v", oom, err)
	}
}

// A host that mounts cpuset with a controller saturn uses gets cpuset
// cgroups, which take no process until given their parent's cpus and mems.
func TestCpusetCopiedWhenCoMounted(t *testing.T) {
	root := t.TempDir()
	write(t, root, "cpuset.cpus", "0-1\n")
	write(t, root, "cpuset.mems", "0\n")
	mi := "40 31 0:40 / " + root + " rw - cgroup cgroup rw,cpu,cpuset\n"
	s, err := Parse(strings.NewReader(mi), strings.NewReader("3:cpu,cpuset:/\n"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.NewPod("saturn-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Create(0); err != nil {
		t.Fatal(err)
	}
	if err := p.CreateApp("web", Limits{CPUShares: 100}); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"saturn-1", "saturn-1/" + Stage1Leaf, "saturn-1/web"} {
		d := filepath.Join(root, dir)
		if read(t, d, "cpuset.cpus") != "0-1" || read(t, d, "cpuset.mems") != "0" {
			t.Errorf("%s: cpus %q mems %q", dir, read(t, d, "cpuset.cpus"), read(t, d, "cpuset.mems"))
		}
	}
	if got := read(t, filepath.Join(root, "saturn-1/web"), "cpu.shares"); got != "100" {
		t.Errorf("cpu.shares %q", got)
	}
}
