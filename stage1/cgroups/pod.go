package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// Stage1Leaf is the sub-cgroup holding stage1's own processes.
const Stage1Leaf = "_stage1"

// v2Controllers are enabled for the pod's children on cgroup v2.
var v2Controllers = []string{"cpu", "memory", "pids"}

// Pod is a pod's cgroup in every hierarchy saturn uses.
type Pod struct {
	// Unified is true when Dirs holds the single cgroup2 tree.
	Unified bool `json:"unified,omitempty"`
	// Dirs maps each hierarchy, named by its controllers as
	// /proc/self/cgroup lists them ("" for cgroup2), to the pod's directory.
	Dirs map[string]string `json:"dirs"`
}

// NewPod computes, without touching anything, the cgroups of a pod named
// name (saturn uses "saturn-<uuid>") under this process's own cgroups. On a
// v1 or hybrid system it uses the v1 hierarchies, otherwise cgroup2.
func (s *System) NewPod(name string) (*Pod, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	p := &Pod{Dirs: map[string]string{}}
	for _, h := range s.Hierarchies {
		switch {
		case s.Mode == ModeUnified && h.Controllers == "":
			p.Unified = true
			p.Dirs[""] = filepath.Join(h.Dir, name)
		case s.Mode != ModeUnified && h.Controllers != "" && wanted(h.Controllers):
			p.Dirs[h.Controllers] = filepath.Join(h.Dir, name)
		}
	}
	if len(p.Dirs) == 0 {
		return nil, fmt.Errorf("cgroups: no usable hierarchy: %w", errdefs.ErrNotFound)
	}
	return p, nil
}

func wanted(ctrls string) bool {
	for _, c := range strings.Split(ctrls, ",") {
		if slices.Contains(v1Wanted, c) {
			return true
		}
	}
	return false
}

// checkName keeps a pod or app name to one path element.
func checkName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return fmt.Errorf("cgroups: name %q: %w", name, errdefs.ErrInvalid)
	}
	return nil
}

// Create makes the pod cgroup and its stage1 leaf, and moves stage1Pid
// (stage1 init itself, usually; 0 moves nothing) into the leaf. On cgroup2
// it then enables the controllers for the pod and its children: the move
// comes first because a non-root cgroup with processes cannot enable them,
// and under a systemd unit stage1 init is exactly such a process. An
// existing cgroup is reused, so Create can be retried.
func (p *Pod) Create(stage1Pid int) error {
	for ctrls, dir := range p.Dirs {
		if err := mkdir(dir); err != nil {
			return err
		}
		if strings.Contains(ctrls, "cpuset") {
			if err := copyCpuset(filepath.Dir(dir), dir); err != nil {
				return err
			}
		}
		if err := p.mkLeaf(ctrls, dir, Stage1Leaf); err != nil {
			return err
		}
	}
	if stage1Pid != 0 {
		if err := p.Add(Stage1Leaf, stage1Pid); err != nil {
			return err
		}
	}
	if p.Unified {
		return enableV2(p.Dirs[""])
	}
	return nil
}

// mkLeaf makes a child cgroup; cpuset children start empty on v1 and take
// no process until given their parent's cpus and mems.
func (p *Pod) mkLeaf(ctrls, dir, leaf string) error {
	child := filepath.Join(dir, leaf)
	if err := mkdir(child); err != nil {
		return err
	}
	if strings.Contains(ctrls, "cpuset") {
		return copyCpuset(dir, child)
	}
	return nil
}

// CreateApp makes the app's cgroup (reusing one that exists) and writes its
// limits.
func (p *Pod) CreateApp(app string, l Limits) error {
	if err := checkName(app); err != nil {
		return err
	}
	for ctrls, dir := range p.Dirs {
		if err := p.mkLeaf(ctrls, dir, app); err != nil {
			return err
		}
	}
	if p.Unified {
		return l.writeV2(filepath.Join(p.Dirs[""], app))
	}
	return l.writeV1(p, app)
}

// Add moves pid into leaf (an app name or Stage1Leaf) in every hierarchy.
// enter uses it to join an app's cgroup before it joins the app's
// namespaces.
func (p *Pod) Add(leaf string, pid int) error {
	if err := checkName(leaf); err != nil {
		return err
	}
	for _, dir := range p.Dirs {
		if err := writeFile(filepath.Join(dir, leaf), "cgroup.procs", fmt.Sprint(pid)); err != nil {
			return err
		}
	}
	return nil
}

// AppDir returns the app's cgroup directory in the hierarchy of controller
// ("memory", "cpu"; "" on cgroup2), for tests and diagnostics.
func (p *Pod) AppDir(app, controller string) (string, bool) {
	dir, ok := p.dir(controller)
	return filepath.Join(dir, app), ok
}

// dir finds the pod directory of the hierarchy holding controller.
func (p *Pod) dir(controller string) (string, bool) {
	if p.Unified {
		d, ok := p.Dirs[""]
		return d, ok
	}
	for ctrls, d := range p.Dirs {
		if slices.Contains(strings.Split(ctrls, ","), controller) {
			return d, true
		}
	}
	return "", false
}

func mkdir(dir string) error {
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("cgroups: %w", err)
	}
	return nil
}
