package tests

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// stop signals the app (SIGTERM); --force kills it at once, even one that
// ignores SIGTERM. The app is saturn run's own process, so saturn run dies
// by the signal itself (a shell reports 143 and 137).
func TestFlyStop(t *testing.T) {
	e := newEnv(t)
	p := e.background(flyFlag(t), probeACI(t), "--", "--sleep=60s", "--quiet", "---")
	if pid := e.waitRunning(p); pid != p.cmd.Process.Pid {
		t.Errorf("pid file says %d, saturn run is %d: not exec'd in place", pid, p.cmd.Process.Pid)
	}
	if st := e.ok("status", p.uuid); !strings.Contains(st, "state=running") {
		t.Errorf("status while the app runs:\n%s", st)
	}
	e.ok("stop", p.uuid)
	if res := p.wait(t, 15*time.Second); p.killedBy() != syscall.SIGTERM {
		t.Errorf("stopped pod: %v, want killed by SIGTERM\n%s", p.cmd.ProcessState, res.stderr)
	}
	if st := e.ok("status", p.uuid); !strings.Contains(st, "state=exited") {
		t.Errorf("status after stop:\n%s", st)
	}

	p = e.background(flyFlag(t), probeACI(t), "--", "--sleep=60s", "--ignore-term", "--quiet", "---")
	e.waitRunning(p)
	start := time.Now()
	e.ok("stop", "--force", p.uuid)
	if res := p.wait(t, 15*time.Second); p.killedBy() != syscall.SIGKILL {
		t.Errorf("force-stopped pod: %v, want killed by SIGKILL\n%s", p.cmd.ProcessState, res.stderr)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("stop --force took %v", d)
	}
	e.noMountsLeft()
}

// What the app started goes with it: stop signals the app's process group
// too. The child here inherited the pod lock from the app, so the pod would
// stay "running" as long as the child lived.
func TestFlyStopProcessGroup(t *testing.T) {
	e := newEnv(t)
	out := t.TempDir()
	p := e.background(flyFlag(t), "--volume=out,kind=host,source="+out, probeACI(t), "--mount=volume=out,target=/out",
		"--exec=/bin/sh", "--", "-c", "sleep 60 & exec /bin/probe --sleep=60s --quiet --out=/out/ready", "---")
	waitFile(t, filepath.Join(out, "ready")) // the child runs: sh started it before the exec
	e.ok("stop", p.uuid)
	p.wait(t, 15*time.Second)
	if st := e.ok("status", p.uuid); !strings.Contains(st, "state=exited") {
		t.Errorf("the app's child outlived stop:\n%s", st)
	}
}

// enter runs a command in the app's mount namespace and root, as the app's
// user with its capabilities; its exit code is enter's.
func TestFlyEnter(t *testing.T) {
	e := newEnv(t)
	outDir := t.TempDir()
	os.Chmod(outDir, 0o777) // the app runs as 1234
	p := e.background(flyFlag(t), "--volume=out,kind=host,source="+outDir, probeACI(t),
		"--user=1234", "--group=2345", "--mount=volume=out,target=/out", "--", "--sleep=60s", "--out=/out/app.json", "--quiet", "---")
	e.waitRunning(p)
	app := readProbe(t, waitFile(t, filepath.Join(outDir, "app.json")))
	marker := "entered-" + p.uuid
	in := oneProbe(t, e.ok("enter", p.uuid, "/bin/probe", "--write=/tmp/"+marker+"=yes"))
	enteredLikeApp(t, in, app, []string{"mnt", "pid", "net", "ipc", "uts"}, []string{"CapBnd", "CapEff", "CapPrm", "NoNewPrivs", "Seccomp"})
	// The second enter finds the first one's file in the app's own /tmp,
	// not in the host's.
	again := oneProbe(t, e.ok("enter", p.uuid, "probe", "--read=/tmp/"+marker))
	if again.Files["/tmp/"+marker] != "yes" {
		t.Errorf("enter does not share the app's /tmp: %v", again.Errors)
	}
	if _, err := os.Stat("/tmp/" + marker); err == nil {
		t.Errorf("enter wrote to the host's /tmp")
	}
	e.enterExitThenStop(t, p)
}

// After SIGKILL of the app (which is the pod) the pod is exited; gc and rm
// clean it up, and no mount was ever in the host table.
func TestFlyGCAndRmAfterKill(t *testing.T) {
	e := newEnv(t)
	vol := t.TempDir()
	start := func() *bgPod {
		p := e.background(flyFlag(t), "--volume=h,kind=host,source="+vol, "--volume=v,kind=empty", probeACI(t),
			"--mount=volume=h,target=/h", "--mount=volume=v,target=/v", "--", "--sleep=60s", "--quiet", "---")
		e.waitRunning(p)
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.wait(t, 10*time.Second)
		if p.killedBy() != syscall.SIGKILL {
			t.Errorf("killed pod: %v", p.cmd.ProcessState)
		}
		if st := e.ok("status", p.uuid); !strings.Contains(st, "state=exited") {
			t.Errorf("status after kill:\n%s", st)
		}
		return p
	}
	gcd := start()
	e.ok("gc", "--grace-period=0s")
	if out := e.run("status", gcd.uuid); out.code == 0 {
		t.Errorf("pod %s still there after gc:\n%s", gcd.uuid, out.stdout)
	}
	removed := start()
	e.ok("rm", removed.uuid)
	if dirs := e.podDirs(); len(dirs) != 0 {
		t.Errorf("pod dirs left: %v", dirs)
	}
	e.noMountsLeft()
}

// 100 pods with a host volume leave the host's mount table as it was.
func TestFlyMountTableUnchanged(t *testing.T) {
	e := newEnv(t)
	vol := t.TempDir()
	aci := probeACI(t)
	e.ok("run", flyFlag(t), aci, "--", "--quiet", "---") // imports the images
	before := hostMountLines(t)
	for i := range 100 {
		e.ok("run", flyFlag(t), "--volume=v,kind=host,source="+vol, aci, "--mount=volume=v,target=/v",
			"--", "--quiet", "--write=/v/"+itoa(i)+"=ran", "---")
	}
	sameMountCount(t, before, e.dir)
	if ents, _ := os.ReadDir(vol); len(ents) != 100 {
		t.Errorf("%d of 100 apps wrote to the volume", len(ents))
	}
	e.ok("gc", "--grace-period=0s")
	sameMountCount(t, before, e.dir)
	e.noMountsLeft()
}
