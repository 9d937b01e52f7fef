package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// distUnit reads a unit of dist/systemd with saturn's path replaced by this
// build's, on a data dir.
func (e *sdSaturn) distUnit(name string) string {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(), "dist/systemd", name))
	if err != nil {
		e.t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), "/usr/bin/saturn ", strings.Join(e.args(), " ")+" ")
}

// The shipped pod unit runs a pod with its env file, reports ready, stops
// cleanly; the shipped gc unit collects it.
func testDistUnits(t *testing.T, s *sdEnv) {
	e := s.newEnv(t)
	s.ok(t, "mkdir", "-p", "/etc/saturn/pods")
	env := "IMAGE=" + probeACI(t) + "\nSATURN_RUN_FLAGS=" + stage1Flag() + " --net=host\n"
	if err := os.WriteFile(s.sys.Root("/etc/saturn/pods/dist.env"), []byte(env), 0o644); err != nil {
		t.Fatal(err)
	}
	s.unit(t, "saturn-pod@.service", e.distUnit("saturn-pod@.service"))
	s.unit(t, "saturn-gc.service", e.distUnit("saturn-gc.service"))
	s.unit(t, "saturn-gc.timer", e.distUnit("saturn-gc.timer"))
	// The probe reports and exits 0 at once: the unit goes active, then inactive.
	s.ok(t, "systemctl", "start", "saturn-pod@dist.service")
	s.waitProp(t, "saturn-pod@dist.service", "ActiveState", "inactive", "failed")
	if res := s.prop(t, "saturn-pod@dist.service", "Result"); res != "success" {
		t.Errorf("Result=%s\n%s", res, s.journal(t, "saturn-pod@dist.service"))
	}
	if st := s.prop(t, "saturn-pod@dist.service", "ExecMainStatus"); st != "0" {
		t.Errorf("ExecMainStatus=%s", st)
	}
	waitJournal(t, s, "saturn-pod@dist.service", "PROBE ")
	if out, err := e.saturn("list", "--no-legend"); err != nil || !strings.Contains(out, "exited") {
		t.Errorf("saturn list: %v\n%s", err, out)
	}
	s.ok(t, "systemctl", "start", "saturn-gc.service")
	if res := s.prop(t, "saturn-gc.service", "Result"); res != "success" {
		t.Errorf("gc Result=%s\n%s", res, s.journal(t, "saturn-gc.service"))
	}
	// The exited pod is garbage now, kept for the grace period.
	if m, _ := filepath.Glob(filepath.Join(e.dir, "pods", "exited-garbage", "*")); len(m) != 1 {
		t.Errorf("after gc: exited-garbage holds %v", m)
	}
	s.ok(t, "systemctl", "start", "saturn-gc.timer")
	if st := s.prop(t, "saturn-gc.timer", "ActiveState"); st != "active" {
		t.Errorf("timer ActiveState=%s", st)
	}
	s.ok(t, "systemctl", "stop", "saturn-gc.timer")
}
