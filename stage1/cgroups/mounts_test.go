package cgroups

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// hybridMountinfo is this project's CI host: v1 controllers plus an empty
// cgroup2 tree at /sys/fs/cgroup/unified.
const hybridMountinfo = `22 1 0:20 / /proc rw,nosuid - proc proc rw
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`

const hybridCgroup = `9:name=systemd:/
8:pids:/
5:devices:/
4:memory:/process_api/abc
3:cpuset:/
2:cpuacct:/
1:cpu:/
0::/
`

func TestParseHybrid(t *testing.T) {
	s, err := Parse(strings.NewReader(hybridMountinfo), strings.NewReader(hybridCgroup))
	if err != nil {
		t.Fatal(err)
	}
	if s.Mode != ModeHybrid {
		t.Errorf("mode %s, want hybrid", s.Mode)
	}
	p, err := s.NewPod("saturn-x")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"name=systemd": "/sys/fs/cgroup/systemd/saturn-x",
		"pids":         "/sys/fs/cgroup/pids/saturn-x",
		"memory":       "/sys/fs/cgroup/memory/process_api/abc/saturn-x",
		"cpuacct":      "/sys/fs/cgroup/cpuacct/saturn-x",
		"cpu":          "/sys/fs/cgroup/cpu/saturn-x",
	}
	if p.Unified || !reflect.DeepEqual(p.Dirs, want) {
		t.Errorf("pod %+v\nwant dirs %v", p, want)
	}
}

func TestParseUnifiedUnderSystemdUnit(t *testing.T) {
	mi := "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
	s, err := Parse(strings.NewReader(mi), strings.NewReader("0::/system.slice/saturn-1.service\n"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.NewPod("saturn-x")
	if err != nil {
		t.Fatal(err)
	}
	if s.Mode != ModeUnified || !p.Unified || p.Dirs[""] != "/sys/fs/cgroup/system.slice/saturn-1.service/saturn-x" {
		t.Errorf("mode %s pod %+v", s.Mode, p)
	}
}

// Inside a container the hierarchy's root is the container's cgroup and
// /proc/self/cgroup paths are relative to the host root.
func TestParseMountRootAndEscapes(t *testing.T) {
	mi := `50 40 0:32 /docker/abc /sys/fs/cgroup/my\040memory ro - cgroup cgroup rw,memory
51 40 0:29 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro - cgroup cgroup rw,cpu,cpuacct
`
	cg := "4:memory:/docker/abc/inner\n1:cpu,cpuacct:/docker/abc\n"
	s, err := Parse(strings.NewReader(mi), strings.NewReader(cg))
	if err != nil {
		t.Fatal(err)
	}
	want := []Hierarchy{
		{Controllers: "memory", Dir: "/sys/fs/cgroup/my memory/inner"},
		{Controllers: "cpu,cpuacct", Dir: "/sys/fs/cgroup/cpu,cpuacct"},
	}
	if s.Mode != ModeLegacy || !reflect.DeepEqual(s.Hierarchies, want) {
		t.Errorf("got %+v", s)
	}
}

func TestParseNothingMounted(t *testing.T) {
	_, err := Parse(strings.NewReader("22 1 0:20 / /proc rw - proc proc rw\n"), strings.NewReader("0::/\n"))
	if !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("got %v, want ErrNotFound", err)
	}
}

func TestNamesStayInsideThePod(t *testing.T) {
	s, err := Parse(strings.NewReader(hybridMountinfo), strings.NewReader(hybridCgroup))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "..", "a/b", "."} {
		if _, err := s.NewPod(bad); !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("NewPod(%q): %v", bad, err)
		}
	}
	p, _ := s.NewPod("saturn-x")
	if err := p.CreateApp("../../etc", Limits{}); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("CreateApp(../../etc): %v", err)
	}
}
