package tests

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The systemd tests share one booted systemd (package sdboot): each
// subtest runs pods as units in it.
func TestSystemd(t *testing.T) {
	s := bootSystemd(t)
	t.Run("NotifyStopGC", func(t *testing.T) { testNotifyStopGC(t, s, "mixed") })
	t.Run("StopControlGroup", func(t *testing.T) { testNotifyStopGC(t, s, "control-group") })
	t.Run("NotifyApp", func(t *testing.T) { testNotifyApp(t, s) })
	t.Run("SocketActivation", func(t *testing.T) { testSocketActivation(t, s) })
	t.Run("ExitStatus", func(t *testing.T) { testExitStatus(t, s) })
	t.Run("Machined", func(t *testing.T) { testMachined(t, s) })
	t.Run("JournalAndLogs", func(t *testing.T) { testJournalAndLogs(t, s) })
	t.Run("DistUnits", func(t *testing.T) { testDistUnits(t, s) })
}

// A Type=notify pod unit is active only once its app runs; systemctl stop
// ends it cleanly, leaving gc nothing to undo.
func testNotifyStopGC(t *testing.T, s *sdEnv, killMode string) {
	e := s.newEnv(t)
	name := "pod-notify-" + killMode + ".service"
	unit := strings.Replace(e.podService("notify", probeACI(t), "--sleep=1h"), "KillMode=mixed", "KillMode="+killMode, 1)
	s.unit(t, name, unit)
	s.ok(t, "systemctl", "start", name) // returns on READY=1
	uuid := e.uuid()
	dir := e.podDir(uuid)
	// READY=1 came after the app's exec: its PID and the pod's are recorded.
	for _, f := range []string{"pid", "stage1/state/apps/probe/pid"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("active, but %s missing: %v", f, err)
		}
	}
	if st := s.prop(t, name, "ActiveState"); st != "active" {
		t.Errorf("ActiveState=%s", st)
	}
	if st := s.prop(t, name, "StatusText"); !strings.Contains(st, uuid) {
		t.Errorf("StatusText=%q", st)
	}
	// saturn run is the unit's main process all along (stage0 execs stage1).
	mainPID := s.prop(t, name, "MainPID")
	if cmd, err := os.ReadFile(s.sys.Root("/proc/" + mainPID + "/cmdline")); err != nil || !strings.Contains(string(cmd), "stage1/rootfs/init") {
		t.Errorf("main process %s is %q (%v), not stage1 init", mainPID, cmd, err)
	}
	// The app runs in the unit's cgroup, as systemd tracks it: the
	// name=systemd hierarchy and cgroup2 (other v1 hierarchies hold the
	// unit only where systemd enabled their controller).
	appPid, err := os.ReadFile(filepath.Join(dir, "stage1/state/apps/probe/pid"))
	if err != nil {
		t.Fatal(err)
	}
	cgs := s.ok(t, "cat", "/proc/"+strings.TrimSpace(string(appPid))+"/cgroup")
	for _, line := range strings.Split(strings.TrimSpace(cgs), "\n") {
		f := strings.SplitN(line, ":", 3)
		if (f[1] == "name=systemd" || f[0] == "0") && !strings.HasPrefix(f[2], "/system.slice/"+name) {
			t.Errorf("app cgroup outside the unit's: %s", line)
		}
	}
	// NOTIFY_SOCKET reaches no app.
	waitJournal(t, s, name, "PROBE ")
	r := oneProbe(t, s.journal(t, name))
	if v := r.env("NOTIFY_SOCKET"); v != "" {
		t.Errorf("app got NOTIFY_SOCKET=%s", v)
	}

	s.ok(t, "systemctl", "stop", name)
	if st := s.prop(t, name, "ActiveState"); st != "inactive" {
		t.Errorf("after stop: ActiveState=%s (Result=%s)", st, s.prop(t, name, "Result"))
	}
	if left := e.leftovers(uuid); len(left) > 0 {
		t.Errorf("the stopped pod left for gc: %v", left)
	}
	if out, err := e.saturn("gc", "--grace-period=0s"); err != nil {
		t.Errorf("gc: %v\n%s", err, out)
	}
	if m, _ := filepath.Glob(filepath.Join(e.dir, "pods", "*", uuid)); len(m) > 0 {
		t.Errorf("gc left the pod: %v", m)
	}
}

// An app whose image supports sd_notify gets a socket of its own, and the
// pod is ready only once it said READY=1.
func testNotifyApp(t *testing.T, s *sdEnv) {
	e := s.newEnv(t)
	img := s.copyToBase(t, customProbe(t, &env{t: t, dir: e.dir}, nil,
		"--annotation=appc.io/executor/supports-systemd-notify=true", "--user=1234", "--group=2345")) // not root: the socket must be writable

	// Never says READY=1: the unit stays activating although the app runs.
	s.unit(t, "pod-silent.service", e.podService("notify", img, "--sleep=1h"))
	s.ok(t, "systemctl", "start", "--no-block", "pod-silent.service")
	waitJournal(t, s, "pod-silent.service", "PROBE ")
	r := oneProbe(t, s.journal(t, "pod-silent.service"))
	if v := r.env("NOTIFY_SOCKET"); v != "/run/saturn/notify/sock" {
		t.Errorf("app's NOTIFY_SOCKET=%q", v)
	}
	if r.UID != 1234 {
		t.Errorf("app runs as %d, want 1234", r.UID)
	}
	time.Sleep(200 * time.Millisecond) // a wrong READY=1 would be seen by now; none must come
	if st := s.prop(t, "pod-silent.service", "ActiveState"); st != "activating" {
		t.Errorf("the app did not say READY=1, yet the unit is %s", st)
	}
	s.ok(t, "systemctl", "stop", "pod-silent.service")

	// Says READY=1 after its report: start returns, active.
	os.Remove(e.uuidFile())
	s.unit(t, "pod-ready.service", e.podService("notify", img, "--notify-after=0s", "--sleep=1h"))
	s.ok(t, "systemctl", "start", "pod-ready.service")
	if st := s.prop(t, "pod-ready.service", "ActiveState"); st != "active" {
		t.Errorf("ActiveState=%s", st)
	}
	if !strings.Contains(s.journal(t, "pod-ready.service"), "PROBE ") {
		t.Errorf("active before the app reported (and notified)")
	}
	s.ok(t, "systemctl", "stop", "pod-ready.service")
}

// A .socket unit's socket reaches the app that declares the port by name,
// at fd 3 with LISTEN_PID its own; the app answers a connection.
func testSocketActivation(t *testing.T, s *sdEnv) {
	e := s.newEnv(t)
	img := s.copyToBase(t, customProbe(t, &env{t: t, dir: e.dir}, nil,
		"--port=web:tcp:80,socketActivated=true"))
	s.unit(t, "pod-web.socket", "[Socket]\nListenStream=/run/pod-web.sock\nFileDescriptorName=web\n")
	s.unit(t, "pod-web.service", e.podService("simple", img, "--serve=hello-from-pod"))
	s.ok(t, "systemctl", "start", "pod-web.socket")
	c, err := net.Dial("unix", s.sys.Root("/run/pod-web.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute))
	line, err := bufio.NewReader(c).ReadString('\n')
	if line != "hello-from-pod\n" {
		t.Fatalf("answer %q (%v)\n%s", line, err, s.journal(t, "pod-web.service"))
	}
	// The probe answered one connection and exited 0.
	s.waitProp(t, "pod-web.service", "ActiveState", "inactive", "failed")
	if res := s.prop(t, "pod-web.service", "Result"); res != "success" {
		t.Errorf("Result=%s\n%s", res, s.journal(t, "pod-web.service"))
	}
	r := oneProbe(t, s.journal(t, "pod-web.service"))
	if r.env("LISTEN_PID") != itoa(r.Pid) || r.env("LISTEN_FDS") != "1" || r.env("LISTEN_FDNAMES") != "web" {
		t.Errorf("app env: LISTEN_PID=%s (pid %d) LISTEN_FDS=%s LISTEN_FDNAMES=%s",
			r.env("LISTEN_PID"), r.Pid, r.env("LISTEN_FDS"), r.env("LISTEN_FDNAMES"))
	}
	s.ok(t, "systemctl", "stop", "pod-web.socket")
}

// The unit's exit status is the app's exit code.
func testExitStatus(t *testing.T, s *sdEnv) {
	e := s.newEnv(t)
	s.unit(t, "pod-exit.service", e.podService("simple", probeACI(t), "--quiet", "--exit=7"))
	s.ok(t, "systemctl", "start", "pod-exit.service")
	s.waitProp(t, "pod-exit.service", "ActiveState", "failed", "inactive")
	if st := s.prop(t, "pod-exit.service", "ExecMainStatus"); st != "7" {
		t.Errorf("ExecMainStatus=%s, want 7\n%s", st, s.journal(t, "pod-exit.service"))
	}
	s.ok(t, "systemctl", "reset-failed", "pod-exit.service")
}

// A running pod is machine saturn-<uuid>; machinectl terminate stops it.
func testMachined(t *testing.T, s *sdEnv) {
	e := s.newEnv(t)
	s.unit(t, "pod-machine.service", e.podService("notify", probeACI(t), "--quiet", "--sleep=1h"))
	s.ok(t, "systemctl", "start", "pod-machine.service")
	name := "saturn-" + e.uuid()
	if out := s.ok(t, "machinectl", "list", "--no-legend"); !strings.Contains(out, name) {
		t.Fatalf("machinectl list:\n%s", out)
	}
	if out := s.ok(t, "machinectl", "status", name); !strings.Contains(out, "pod-machine.service") {
		t.Errorf("machinectl status does not name the unit:\n%s", out)
	}
	s.ok(t, "machinectl", "terminate", name)
	s.waitProp(t, "pod-machine.service", "ActiveState", "inactive", "failed")
	if out := s.ok(t, "machinectl", "list", "--no-legend"); strings.Contains(out, name) {
		t.Errorf("still listed after terminate:\n%s", out)
	}
	s.sys.Run("systemctl", "reset-failed", "pod-machine.service")

	// A pod that ends while its unit stays active is unregistered. Its app
	// runs until the test creates a file in its volume.
	e2 := s.newEnv(t)
	gate := filepath.Join(e2.dir, "gate")
	if err := os.Mkdir(gate, 0o755); err != nil {
		t.Fatal(err)
	}
	unit := "[Service]\nType=notify\nDelegate=yes\nKillMode=mixed\nRemainAfterExit=yes\nExecStart=" +
		strings.Join(e2.args("run", stage1Flag(), "--net=host", "--uuid-file-save="+e2.uuidFile(),
			"--volume=gate,kind=host,source="+gate, probeACI(t), "--mount=volume=gate,target=/gate",
			"--exec=/bin/sh", "--"), " ") + ` -c "while [ ! -e /gate/go ]; do sleep 0.05; done"` + "\n"
	s.unit(t, "pod-remain.service", unit)
	s.ok(t, "systemctl", "start", "pod-remain.service")
	name = "saturn-" + e2.uuid()
	if out := s.ok(t, "machinectl", "list", "--no-legend"); !strings.Contains(out, name) {
		t.Fatalf("machinectl list:\n%s", out)
	}
	if err := os.WriteFile(filepath.Join(gate, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s.waitProp(t, "pod-remain.service", "SubState", "exited")
	if out := s.ok(t, "machinectl", "list", "--no-legend"); strings.Contains(out, name) {
		t.Errorf("still listed after the pod ended:\n%s", out)
	}
	s.ok(t, "systemctl", "stop", "pod-remain.service")
}

// The apps' output reaches the journal under the unit, and `saturn logs`,
// also after the pod exited.
func testJournalAndLogs(t *testing.T, s *sdEnv) {
	e := s.newEnv(t)
	unit := "[Service]\nType=simple\nDelegate=yes\nKillMode=mixed\nExecStart=" + strings.Join(e.args("run", stage1Flag(), "--net=host",
		"--uuid-file-save="+e.uuidFile(), probeACI(t), "--exec=/bin/sh", "--"), " ") +
		` -c "echo out-marker-1; echo err-marker-2 >&2; echo out-marker-3"` + "\n"
	s.unit(t, "pod-logs.service", unit)
	s.ok(t, "systemctl", "start", "pod-logs.service")
	s.waitProp(t, "pod-logs.service", "ActiveState", "inactive", "failed")
	for _, m := range []string{"out-marker-1", "err-marker-2", "out-marker-3"} {
		waitJournal(t, s, "pod-logs.service", m)
	}
	uuid := e.uuid()
	out := s.ok(t, "sh", "-c", strings.Join(e.args("logs", uuid), " ")+" 2>/dev/null")
	if out != "out-marker-1\nout-marker-3\n" {
		t.Errorf("saturn logs (stdout): %q", out)
	}
	errOut := s.ok(t, "sh", "-c", strings.Join(e.args("logs", uuid), " ")+" 2>&1 >/dev/null")
	if errOut != "err-marker-2\n" {
		t.Errorf("saturn logs (stderr): %q", errOut)
	}
	// --follow on an exited pod prints everything and ends.
	if out := s.ok(t, "sh", "-c", strings.Join(e.args("logs", "--follow", uuid), " ")+" 2>/dev/null"); out != "out-marker-1\nout-marker-3\n" {
		t.Errorf("saturn logs --follow: %q", out)
	}
}

// waitJournal waits (at most a minute) until a unit's journal has s.
func waitJournal(t *testing.T, s *sdEnv, unit, want string) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if strings.Contains(s.journal(t, unit), want) {
			return
		}
	}
	t.Fatalf("%q not in the journal of %s:\n%s", want, unit, s.journal(t, unit))
}
