package tests

import (
	"os"
	"strings"
	"testing"
)

// With several apps, saturn logs prefixes each line with its app, and
// --app shows one app's lines alone; stdout and stderr stay apart.
func TestLogsApps(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	other := customProbe(t, e, nil)
	uuidFile := t.TempDir() + "/uuid"
	e.ok("run", stage1Flag(), "--net=none", "--uuid-file-save="+uuidFile,
		probeACI(t), "--exec=/bin/sh", "--", "-c", "echo one-out; echo one-err >&2", "---",
		other, "--exec=/bin/sh", "--", "-c", "echo two-out", "---")
	b, err := os.ReadFile(uuidFile)
	if err != nil {
		t.Fatal(err)
	}
	uuid := strings.TrimSpace(string(b))

	r := e.run("logs", uuid)
	if r.code != 0 {
		t.Fatalf("logs: %d %s", r.code, r.stderr)
	}
	for _, want := range []string{"probe: one-out\n", "probe-custom: two-out\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout %q lacks %q", r.stdout, want)
		}
	}
	if r.stderr != "probe: one-err\n" {
		t.Errorf("stderr %q", r.stderr)
	}
	r = e.run("logs", "--app=probe-custom", uuid)
	if r.stdout != "two-out\n" || r.stderr != "" {
		t.Errorf("--app=probe-custom: %q %q", r.stdout, r.stderr)
	}
	if out := e.ok("logs", "--tail=0", uuid); out != "" {
		t.Errorf("--tail=0: %q", out)
	}
}
