package cgroups

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// Mode is how the host mounts cgroups.
type Mode string

const (
	// ModeLegacy: v1 hierarchies only.
	ModeLegacy Mode = "v1"
	// ModeHybrid: v1 hierarchies for the controllers, a cgroup2 tree beside
	// them (systemd's "unified" mount). saturn uses the v1 ones.
	ModeHybrid Mode = "hybrid"
	// ModeUnified: a single cgroup2 tree.
	ModeUnified Mode = "v2"
)

// Hierarchy is one mounted cgroup tree and where this process sits in it.
type Hierarchy struct {
	// Controllers as /proc/self/cgroup lists them ("cpu,cpuacct",
	// "name=systemd"); empty for cgroup2.
	Controllers string
	// Dir is this process's cgroup directory in the tree.
	Dir string
}

// System is the set of cgroup trees visible to this process.
type System struct {
	Mode        Mode
	Hierarchies []Hierarchy
}

// v1Wanted are the v1 controllers a pod gets a cgroup in. cpuset is left
// out: no isolator needs it, and its cgroups cost the most to make (each
// needs its parent's cpus and mems copied in), about 0.4ms of a pod start.
var v1Wanted = []string{"cpu", "cpuacct", "memory", "pids", "name=systemd"}

// Discover reads this process's mounts and cgroups.
func Discover() (*System, error) {
	mi, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("cgroups: %w", err)
	}
	defer mi.Close()
	cg, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return nil, fmt.Errorf("cgroups: %w", err)
	}
	defer cg.Close()
	return Parse(mi, cg)
}

// mount is one cgroup or cgroup2 line of mountinfo.
type mount struct {
	root, point string
	opts        []string // super options: the controllers for v1
	v2          bool
}

// Parse builds a System from the text of /proc/self/mountinfo and
// /proc/self/cgroup (Discover's inputs, separate so tests can point a
// System at a temporary directory).
func Parse(mountinfo, selfCgroup io.Reader) (*System, error) {
	mounts, err := parseMounts(mountinfo)
	if err != nil {
		return nil, err
	}
	s := &System{}
	var v1, v2 bool
	sc := bufio.NewScanner(selfCgroup)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		ctrls, cur := parts[1], parts[2]
		for _, m := range mounts {
			if m.v2 != (ctrls == "") || !m.has(ctrls) {
				continue
			}
			rel, ok := within(m.root, cur)
			if !ok {
				continue
			}
			s.Hierarchies = append(s.Hierarchies, Hierarchy{Controllers: ctrls, Dir: filepath.Join(m.point, rel)})
			v1 = v1 || !m.v2
			v2 = v2 || m.v2
			break
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cgroups: read /proc/self/cgroup: %w", err)
	}
	switch {
	case v1 && v2:
		s.Mode = ModeHybrid
	case v1:
		s.Mode = ModeLegacy
	case v2:
		s.Mode = ModeUnified
	default:
		return nil, fmt.Errorf("cgroups: no cgroup hierarchy mounted: %w", errdefs.ErrNotFound)
	}
	return s, nil
}

func parseMounts(r io.Reader) ([]mount, error) {
	var out []mount
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		// id parent maj:min root point opts [optional...] - fstype source superopts
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(g) < 3 || (g[0] != "cgroup" && g[0] != "cgroup2") {
			continue
		}
		out = append(out, mount{root: UnescapeMountinfo(f[3]), point: UnescapeMountinfo(f[4]),
			opts: strings.Split(g[2], ","), v2: g[0] == "cgroup2"})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cgroups: read mountinfo: %w", err)
	}
	return out, nil
}

// has reports whether every controller of ctrls is among the mount's
// super options.
func (m mount) has(ctrls string) bool {
	if ctrls == "" {
		return true
	}
	for _, c := range strings.Split(ctrls, ",") {
		if !slices.Contains(m.opts, c) {
			return false
		}
	}
	return true
}

// within returns cur relative to a mount whose root is root, if inside it.
func within(root, cur string) (string, bool) {
	if root == "/" {
		return cur, true
	}
	if cur == root {
		return "/", true
	}
	rest, ok := strings.CutPrefix(cur, root+"/")
	return "/" + rest, ok
}

// UnescapeMountinfo undoes mountinfo's octal escapes (\040 for a space).
func UnescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var v byte
			okOct := true
			for _, c := range []byte(s[i+1 : i+4]) {
				if c < '0' || c > '7' {
					okOct = false
				}
				v = v*8 + c - '0'
			}
			if okOct {
				b.WriteByte(v)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
