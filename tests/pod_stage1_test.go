package tests

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The pod commands against the real default stage1 (bin/stage1.aci, the
// default when no --stage1-* flag is given) and the probe image.
func needRealStage1(t *testing.T) {
	t.Helper()
	for _, f := range []string{binPath("stage1.aci"), buildPath("test/probe.aci")} {
		if _, err := os.Stat(f); err != nil {
			t.Skipf("%s not built", f)
		}
	}
}

func TestPodRealStage1ExitCodes(t *testing.T) {
	needRealStage1(t)
	e := newEnv(t)
	for _, code := range []string{"0", "1", "42"} {
		uf := filepath.Join(e.dir, "uuid")
		r := e.run("run", "--net=none", "--uuid-file-save="+uf, buildPath("test/probe.aci"), "--exec=/bin/sh", "--", "-c", "exit "+code, "---")
		if want, _ := strconv.Atoi(code); r.code != want {
			t.Fatalf("exit %s: run exited %d: %s", code, r.code, r.stderr)
		}
		contains(t, e.ok("status", "--uuid-file="+uf), "app-probe="+code+"\n")
	}
	e.ok("gc", "--grace-period=0s")
	if len(e.podDirs()) != 0 || len(e.mountsUnder()) != 0 {
		t.Fatalf("gc left %v, mounts %v", e.podDirs(), e.mountsUnder())
	}
}

func TestPodRealStage1EnterStop(t *testing.T) {
	needRealStage1(t)
	e := newEnv(t)
	uf := filepath.Join(e.dir, "uuid")
	run := e.start(nil, "run", "--net=none", "--uuid-file-save="+uf, buildPath("test/probe.aci"), "--exec=/bin/sleep", "--", "60", "---")
	var uuid string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(uf); err == nil {
			uuid = strings.TrimSpace(string(b))
			if st := e.status(uuid); st["state"] == "running" && st["pid"] != "" {
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if e.status(uuid)["state"] != "running" {
		t.Fatal("pod did not start")
	}
	contains(t, e.ok("enter", uuid, "/bin/echo", "inside"), "inside")
	if m := e.mountsUnder(); len(m) != 0 {
		t.Errorf("mounts in the host namespace while running: %v", m)
	}
	e.ok("stop", uuid)
	run.Wait()
	if st := e.status(uuid)["state"]; st != "exited" {
		t.Fatalf("after stop: %s", st)
	}
	e.ok("rm", uuid)
	if len(e.podDirs()) != 0 || len(e.mountsUnder()) != 0 {
		t.Fatalf("rm left %v, mounts %v", e.podDirs(), e.mountsUnder())
	}
}
