package tests

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// scanExe is an app (root, default confinement) that watches every process
// of its PID namespace until /out/stop appears: it reports any whose
// /proc/PID/exe it can resolve to a stage1 binary (the pod init, an exec
// helper before its exec: what runc CVE-2019-5736 overwrote through
// /proc/PID/exe), and tries to write through each.
const scanExe = `
while [ ! -e /out/stop ]; do
  for d in /proc/[0-9]*; do
    l=$(busybox readlink $d/exe 2>/dev/null) && case "$l" in */bin/*) ;; *) echo "LEAK $d $l";; esac
    (echo owned >> $d/exe) 2>/dev/null && echo "WROTE $d"
  done
done
echo SCAN-DONE`

// runc CVE-2019-5736 class: an app as root cannot reach a stage1 binary
// (the pod init, the exec helper that enter starts in the pod) through
// /proc/PID/exe or any path, to read or overwrite it, while enter runs in
// its pod again and again.
func TestIsolationStage1BinariesUnreachable(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	outDir := t.TempDir()
	p := e.background(stage1Flag(), "--net=none", "--volume=out,kind=host,source="+outDir,
		probeACI(t), "--user=0", "--mount=volume=out,target=/out", "--exec=/bin/sh", "--", "-c", scanExe, "---")
	e.waitRunning(p)
	// The stage1 image's tree in the store: the lower dir of the pod's
	// stage1 root, what every pod of this stage1 runs.
	bins, _ := filepath.Glob(filepath.Join(e.dir, "cas", "trees", "*", "rootfs", "stage1"))
	if len(bins) != 1 {
		t.Fatalf("stage1 binary in the store: %v", bins)
	}
	stage1Bin := bins[0]
	before, err := os.ReadFile(stage1Bin)
	if err != nil {
		t.Fatal(err)
	}
	for range 8 {
		out := e.ok("enter", p.uuid, "/bin/sh", "-c", "echo owned >> /proc/1/exe; busybox readlink /proc/1/exe; true")
		if strings.TrimSpace(out) != "" {
			t.Errorf("enter's command resolved the pod init's exe: %q", out)
		}
	}
	os.WriteFile(filepath.Join(outDir, "stop"), nil, 0o644)
	res := p.wait(t, 30*time.Second)
	if !strings.Contains(res.stdout, "SCAN-DONE") {
		t.Fatalf("the scanner did not finish: %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	for _, bad := range []string{"LEAK", "WROTE", "owned"} {
		if strings.Contains(res.stdout, bad) {
			t.Errorf("a stage1 process was reachable from the app:\n%s", res.stdout)
			break
		}
	}
	after, err := os.ReadFile(stage1Bin)
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("the stage1 binary changed (%v)", err)
	}
}
