package tests

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// pre-start runs to completion before the app, post-stop after it, both in
// the app's root (they see its volume at its mount point).
func TestStage1EventHandlers(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	aci := customProbe(t, e, nil, "--mount=out:/out",
		`--event-handler=pre-start=/bin/sh -c "echo pre:$AC_APP_NAME > /out/pre; echo pre-root > /root-marker"`,
		`--event-handler=post-stop=/bin/sh -c "cat /root-marker /out/app > /out/post"`)
	outDir := t.TempDir()
	r := oneProbe(t, e.ok("run", stage1Flag(), "--net=none", "--volume=out,kind=host,source="+outDir, aci,
		"--", "--read=/out/pre", "--write=/out/app=app ran", "---"))
	if got := r.Files["/out/pre"]; got != "pre:probe-custom\n" {
		t.Errorf("app saw pre-start's file as %q", got)
	}
	b, err := os.ReadFile(filepath.Join(outDir, "post"))
	if err != nil || string(b) != "pre-root\napp ran" {
		t.Errorf("post-stop: %q %v", b, err)
	}
	// A failing pre-start fails the app: it never runs.
	bad := customProbe(t, e, nil, "--mount=out:/out", `--event-handler=pre-start=/bin/false`)
	e.fails("run", stage1Flag(), "--net=none", "--volume=out,kind=host,source="+outDir, bad, "--", "--write=/out/bad=ran", "---")
	if _, err := os.Stat(filepath.Join(outDir, "bad")); err == nil {
		t.Errorf("the app ran although pre-start failed")
	}
}

// The pod's exit code is the first failing app's; a failing app stops the
// others, whose codes are recorded too.
func TestStage1ExitCodes(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	aci := probeACI(t)
	r := e.run("run", stage1Flag(), "--net=none", aci, "--", "--exit=3", "---")
	if r.code != 3 {
		t.Fatalf("pod exit %d, want 3\n%s", r.code, r.stderr)
	}
	// An exec missing from the image is a runtime error, named.
	r = e.run("run", stage1Flag(), "--net=none", aci, "--exec=/no/such/binary")
	if r.code != 254 || !strings.Contains(r.stderr, "/no/such/binary") {
		t.Errorf("missing exec: exit %d: %s", r.code, r.stderr)
	}
	p := e.background(stage1Flag(), "--net=none",
		aci, "--name=fails", "--exec=/bin/sh", "--", "-c", "sleep 0.3; exit 7", "---",
		aci, "--name=sleeps", "--", "--sleep=60s", "--quiet", "---")
	start := time.Now()
	res := p.wait(t, 30*time.Second)
	if res.code != 7 {
		t.Errorf("pod exit %d, want 7 (the failing app's)\n%s", res.code, res.stderr)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the sleeping app was not stopped: pod took %v", d)
	}
	if c := e.appExitCode(p.uuid, "fails"); c != "7" {
		t.Errorf("fails: recorded %q", c)
	}
	if c := e.appExitCode(p.uuid, "sleeps"); c != "143" {
		t.Errorf("sleeps: recorded %q, want 143 (SIGTERM)", c)
	}
}

func TestStage1Stop(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	outDir := t.TempDir()
	aci := customProbe(t, e, nil, "--mount=out:/out", `--event-handler=post-stop=/bin/sh -c "echo stopped > /out/post"`)
	p := e.background(stage1Flag(), "--net=none", "--volume=out,kind=host,source="+outDir, aci, "--", "--sleep=60s", "--quiet", "---")
	e.waitRunning(p)
	e.ok("stop", p.uuid)
	res := p.wait(t, 15*time.Second)
	e.podExited(t, p, res, "probe-custom", 143)
	if b, _ := os.ReadFile(filepath.Join(outDir, "post")); string(b) != "stopped\n" {
		t.Errorf("post-stop after stop: %q", b)
	}
}

// SIGTERM to saturn (stage1 init, under a service manager) stops the pod
// cleanly: stage1 init forwards it to the pod init.
func TestStage1SigtermToStage1Init(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	p := e.background(stage1Flag(), "--net=none", probeACI(t), "--", "--sleep=60s", "--quiet", "---")
	e.waitRunning(p)
	p.cmd.Process.Signal(syscall.SIGTERM)
	e.podExited(t, p, p.wait(t, 15*time.Second), "probe", 143)
}

// --force kills at once, even an app that ignores SIGTERM.
func TestStage1StopForce(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	p := e.background(stage1Flag(), "--net=none", probeACI(t), "--", "--sleep=60s", "--ignore-term", "--quiet", "---")
	e.waitRunning(p)
	start := time.Now()
	e.ok("stop", "--force", p.uuid)
	res := p.wait(t, 15*time.Second)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("stop --force took %v", d)
	}
	e.podExited(t, p, res, "probe", 137)
}

// enter runs a command in the app's namespaces, root, cgroup and user.
func TestStage1Enter(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	outDir := t.TempDir()
	os.Chmod(outDir, 0o777) // the app runs as 1234
	p := e.background(stage1Flag(), "--net=none", "--volume=out,kind=host,source="+outDir,
		probeACI(t), "--user=1234", "--group=2345", "--mount=volume=out,target=/out", "--", "--sleep=60s", "--out=/out/app.json", "--quiet", "---")
	e.waitRunning(p)
	app := readProbe(t, waitFile(t, filepath.Join(outDir, "app.json")))
	out := e.ok("enter", p.uuid, "/bin/probe", "--write=/tmp/entered=yes")
	in := oneProbe(t, out)
	enteredLikeApp(t, in, app, []string{"pid", "mnt", "uts", "ipc", "net", "cgroup"}, []string{"CapBnd", "CapEff", "CapPrm", "CapInh", "CapAmb", "NoNewPrivs", "Seccomp"})
	if strings.Join(in.Cgroup, ";") != strings.Join(app.Cgroup, ";") {
		t.Errorf("cgroups differ:\nenter %v\napp   %v", in.Cgroup, app.Cgroup)
	}
	if in.Pid1 != "saturn-pod-init" {
		t.Errorf("enter sees PID 1 %q", in.Pid1)
	}
	// The command's exit code is enter's.
	e.enterExitThenStop(t, p)
}

// gc after kill -9 of stage1 init: the pod's processes die with it, and gc
// leaves no cgroup and no mount behind.
func TestStage1GCAfterKill(t *testing.T) {
	e := newEnv(t)
	cg := inTestCgroup(t)
	p := e.background(stage1Flag(), "--net=none", "--volume=v,kind=empty", probeACI(t), "--mount=volume=v,target=/v", "--", "--sleep=60s", "--quiet", "---")
	podPid := e.waitRunning(p)
	if len(podCgroups(cg)) == 0 {
		t.Fatalf("no pod cgroup while the pod runs")
	}
	// saturn exec'd stage1 init: the process we started is it.
	p.cmd.Process.Kill()
	p.wait(t, 10*time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat("/proc/" + itoa(podPid)); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pod init %d survived stage1 init", podPid)
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.ok("gc", "--grace-period=0s")
	e.ok("gc", "--grace-period=0s") // idempotent
	if left := podCgroups(cg); len(left) != 0 {
		t.Errorf("cgroups left: %v", left)
	}
	if m := mountsWith(t, p.uuid); len(m) != 0 {
		t.Errorf("mounts left: %v", m)
	}
}

// A stop that comes while the app is still starting (here: in a slow
// pre-start handler) is not lost: the app is stopped as it starts.
func TestStage1StopWhileStarting(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	aci := customProbe(t, e, nil, `--event-handler=pre-start=/bin/sleep 1`)
	p := e.background(stage1Flag(), "--net=none", aci, "--", "--sleep=60s", "--quiet", "---")
	waitFile(t, filepath.Join(e.dir, "pods", "run", p.uuid, "stage1", "state", "pod-init.pid"))
	e.ok("stop", p.uuid)
	if res := p.wait(t, 15*time.Second); res.code != 143 {
		t.Errorf("pod exit %d, want 143\n%s", res.code, res.stderr)
	}
}

// An isolator that stage0 lets through but stage1 init cannot read (an
// unknown capability) fails the pod before any app starts: one line that
// names it, the runtime error's exit code, and nothing left behind.
func TestStage1UnreadableIsolator(t *testing.T) {
	e := newEnv(t)
	cg := inTestCgroup(t)
	out := t.TempDir()
	r := e.run("run", stage1Flag(), "--net=none", "--volume=out,kind=host,source="+out,
		probeACI(t), "--caps-retain=CAP_NOPE", "--mount=volume=out,target=/out", "--", "--write=/out/ran=yes", "---")
	if r.code != 254 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, "CAP_NOPE") {
		t.Errorf("exit %d, stderr %q: want 254 and one line that names CAP_NOPE", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "ran")); err == nil {
		t.Error("the app ran")
	}
	if left := podCgroups(cg); len(left) != 0 {
		t.Errorf("cgroups left: %v", left)
	}
	if m := mountsWith(t, e.dir); len(m) != 0 {
		t.Errorf("mounts left: %v", m)
	}
}
