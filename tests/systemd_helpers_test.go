package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saturnpod/saturn/stage1/cgroups"
	"github.com/saturnpod/saturn/tests/sdboot"
)

// sdEnv is a systemd booted for the test (package sdboot), with the
// checkout and a scratch dir (data dirs, images, reports) bound inside at
// the same paths.
type sdEnv struct {
	t    *testing.T
	sys  *sdboot.System
	base string
}

// bootSystemd boots systemd once for a test and its subtests; the test's
// cleanup powers it off and removes its cgroups. It skips only where no
// systemd can be booted at all.
func bootSystemd(t *testing.T) *sdEnv {
	t.Helper()
	if _, err := os.Stat("/lib/systemd/systemd"); err != nil {
		t.Skip("systemd is not installed: cannot boot one for the systemd tests")
	}
	base, err := os.MkdirTemp("", "saturn-sdtest-")
	if err != nil {
		t.Fatal(err)
	}
	sys, err := sdboot.Boot(t.Context(), repoRoot(), base)
	if err != nil {
		os.RemoveAll(base)
		t.Fatalf("boot systemd: %v", err)
	}
	s := &sdEnv{t: t, sys: sys, base: base}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("systemd console:\n%s", sys.Console())
		}
		if err := sys.Stop(); err != nil {
			t.Errorf("stop systemd: %v", err)
		}
		os.RemoveAll(base)
	})
	return s
}

// newEnv is a saturn data dir inside the bound scratch dir; saturn
// commands on it run inside the booted system (its PID namespace is the
// pods').
func (s *sdEnv) newEnv(t *testing.T) *sdSaturn {
	t.Helper()
	dir, err := os.MkdirTemp(s.base, "data-")
	if err != nil {
		t.Fatal(err)
	}
	return &sdSaturn{sdEnv: s, t: t, dir: dir}
}

// sdSaturn runs saturn inside the booted system on one data dir.
type sdSaturn struct {
	*sdEnv
	t   *testing.T
	dir string
}

// args is saturn's command line on this data dir.
func (e *sdSaturn) args(args ...string) []string {
	return append([]string{binPath("saturn"), "--dir=" + e.dir}, args...)
}

// saturn runs saturn inside; it returns the output and the error.
func (e *sdSaturn) saturn(args ...string) (string, error) {
	return e.sys.Run(binPath("saturn"), append([]string{"--dir=" + e.dir}, args...)...)
}

// ok runs a command inside and fails the test unless it succeeds.
func (s *sdEnv) ok(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := s.sys.Run(name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// unit installs a unit file (in /run/systemd/system inside) and reloads.
func (s *sdEnv) unit(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(s.sys.Root("/run/systemd/system/"+name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	s.ok(t, "systemctl", "daemon-reload")
}

// prop reads a unit property.
func (s *sdEnv) prop(t *testing.T, unit, name string) string {
	t.Helper()
	return strings.TrimSpace(s.ok(t, "systemctl", "show", "-p", name, "--value", unit))
}

// waitProp waits (at most a minute) until a unit property has one of the
// values, and returns it.
func (s *sdEnv) waitProp(t *testing.T, unit, name string, values ...string) string {
	t.Helper()
	var v string
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		v = s.prop(t, unit, name)
		for _, w := range values {
			if v == w {
				return v
			}
		}
	}
	t.Fatalf("%s: %s=%s, want one of %v\n%s", unit, name, v, values, s.journal(t, unit))
	return ""
}

// journal is a unit's journal.
func (s *sdEnv) journal(t *testing.T, unit string) string {
	out, _ := s.sys.Run("journalctl", "--no-pager", "-o", "cat", "-u", unit)
	return out
}

// podService is a unit running one pod of the given image and app args,
// its UUID saved to a file in the data dir.
func (e *sdSaturn) podService(typ, image string, appArgs ...string) string {
	cmd := e.args("run", stage1Flag(), "--net=host", "--uuid-file-save="+e.uuidFile(), image)
	if len(appArgs) > 0 {
		cmd = append(append(cmd, "--"), appArgs...)
		cmd = append(cmd, "---")
	}
	return fmt.Sprintf(`[Service]
Type=%s
ExecStart=%s
Delegate=yes
KillMode=mixed
TimeoutStopSec=30
`, typ, strings.Join(cmd, " "))
}

func (e *sdSaturn) uuidFile() string { return filepath.Join(e.dir, "uuid") }

// uuid is the pod's UUID, once saved.
func (e *sdSaturn) uuid() string {
	e.t.Helper()
	b, err := os.ReadFile(waitFile(e.t, e.uuidFile()))
	if err != nil {
		e.t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// podDir finds the pod's directory in any state.
func (e *sdSaturn) podDir(uuid string) string {
	e.t.Helper()
	m, _ := filepath.Glob(filepath.Join(e.dir, "pods", "*", uuid))
	if len(m) != 1 {
		e.t.Fatalf("pod dir of %s: %v", uuid, m)
	}
	return m[0]
}

// leftovers lists what an exited pod left for gc: its cgroups (as the
// booted system sees them) and mounts in the system's mount namespace.
func (e *sdSaturn) leftovers(uuid string) []string {
	e.t.Helper()
	var left []string
	if b, err := os.ReadFile(filepath.Join(e.podDir(uuid), "stage1/state/cgroup")); err == nil {
		var cg cgroups.Pod
		if err := json.Unmarshal(b, &cg); err != nil {
			e.t.Fatal(err)
		}
		for _, d := range cg.Dirs {
			if _, err := os.Stat(e.sys.Root(d)); err == nil {
				left = append(left, "cgroup "+d)
			}
		}
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/mountinfo", e.sys.PID))
	if err != nil {
		e.t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, uuid) {
			left = append(left, "mount "+line)
		}
	}
	return left
}

// copyToBase copies an image into the bound scratch dir.
func (s *sdEnv) copyToBase(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(s.base, fmt.Sprintf("img-%d-%s", time.Now().UnixNano(), filepath.Base(path)))
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}
