package tests

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// An app starts in one of two ways (package podinit's starter): forked
// straight from a pod init thread that took on its confinement, or through
// an exec helper when that confinement needs a process of its own (here:
// an oom-score-adj isolator; also rlimits, a custom seccomp filter, socket
// activation, cgroup2). Either way the app gets its stdio and no other fd,
// and the same user, groups, capability sets, no_new_privs, seccomp mode,
// cgroup, working dir and environment.
func TestAppStartPathsConfineAlike(t *testing.T) {
	e := newEnv(t)
	direct := customProbe(t, e, nil)
	helped := customProbe(t, e, nil, "--isolator", `os/linux/oom-score-adj=700`)
	for _, user := range []string{"0", "1234"} {
		probe := func(aci string, helper bool) probeReport {
			res := e.run("--debug", "run", stage1Flag(), "--net=none", aci, "--user="+user, "--group=2345")
			if res.code != 0 {
				t.Fatalf("run: exit %d\n%s", res.code, res.stderr)
			}
			// The pod init says which way it started the app.
			contains(t, res.stderr, fmt.Sprintf("helper=%t", helper))
			r := oneProbe(t, res.stdout)
			if got := slices.Sorted(maps.Keys(r.Fds)); !slices.Equal(got, []string{"0", "1", "2"}) {
				t.Errorf("user %s, %s: the app was started with fds %v, want only stdio", user, aci, r.Fds)
			}
			return r
		}
		a, b := probe(direct, false), probe(helped, true)
		if a.UID != b.UID || a.GID != b.GID || !slices.Equal(a.Groups, b.Groups) {
			t.Errorf("user %s: credentials differ: direct %d:%d %v, helper %d:%d %v", user, a.UID, a.GID, a.Groups, b.UID, b.GID, b.Groups)
		}
		for _, k := range []string{"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp"} {
			if a.Status[k] == "" || a.Status[k] != b.Status[k] {
				t.Errorf("user %s: %s: direct %q, helper %q", user, k, a.Status[k], b.Status[k])
			}
		}
		if !slices.Equal(a.Cgroup, b.Cgroup) || a.Cwd != b.Cwd || !slices.Equal(a.Env, b.Env) {
			t.Errorf("user %s: cgroup, cwd or env differ:\ndirect %v %q %v\nhelper %v %q %v", user, a.Cgroup, a.Cwd, a.Env, b.Cgroup, b.Cwd, b.Env)
		}
		if a.Status["Seccomp"] != "2" {
			t.Errorf("user %s: seccomp mode %q, want a filter (2)", user, a.Status["Seccomp"])
		}
	}
}

// saturn's stage1 declares a read-only root (saturn.io/stage1/rootfs):
// stage0 binds the stage1 tree instead of making an overlay for it, and
// the stage1 keeps the apps' exit codes in stage1/status, where stage0
// reads them.
func TestStage1ReadOnlyRoot(t *testing.T) {
	e := newEnv(t)
	uuidFile := filepath.Join(t.TempDir(), "uuid")
	if r := e.run("run", stage1Flag(), "--net=none", "--uuid-file-save="+uuidFile, probeACI(t), "--", "--exit=3", "---"); r.code != 3 {
		t.Fatalf("pod exit code %d, want the app's 3\n%s", r.code, r.stderr)
	}
	b, err := os.ReadFile(uuidFile)
	if err != nil {
		t.Fatal(err)
	}
	uuid := strings.TrimSpace(string(b))
	dir := filepath.Join(e.dir, "pods", "run", uuid)
	if _, err := os.Stat(filepath.Join(dir, "overlay", "stage1")); !os.IsNotExist(err) {
		t.Errorf("an overlay was made for the read-only stage1 root: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "stage1", "status", "probe")); err != nil || strings.TrimSpace(string(b)) != "3" {
		t.Errorf("stage1/status/probe: %q %v, want 3", b, err)
	}
	contains(t, e.ok("status", uuid), "app-probe=3")
}
