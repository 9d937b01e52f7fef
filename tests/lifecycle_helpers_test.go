package tests

import (
	"strconv"
	"testing"
	"time"
)

// podExited checks a background pod's exit code and the code recorded for
// app (as stage1 wrote it in the pod's status files).
func (e *env) podExited(t *testing.T, p *bgPod, res result, app string, want int) {
	t.Helper()
	if res.code != want {
		t.Errorf("pod exit %d, want %d\n%s", res.code, want, res.stderr)
	}
	if c := e.appExitCode(p.uuid, app); c != strconv.Itoa(want) {
		t.Errorf("recorded %q, want %d", c, want)
	}
}

// enteredLikeApp checks that a command enter ran shares the app's
// namespaces in ns and its /proc/PID/status lines in status, and runs as
// the app's 1234:2345.
func enteredLikeApp(t *testing.T, in, app probeReport, ns, status []string) {
	t.Helper()
	for _, n := range ns {
		if in.NS[n] != app.NS[n] {
			t.Errorf("enter is not in the app's %s namespace: %s vs %s", n, in.NS[n], app.NS[n])
		}
	}
	if in.UID != 1234 || in.GID != 2345 {
		t.Errorf("enter runs as %d:%d, the app as 1234:2345", in.UID, in.GID)
	}
	for _, k := range status {
		if in.Status[k] != app.Status[k] {
			t.Errorf("%s: enter %s, app %s", k, in.Status[k], app.Status[k])
		}
	}
}

// enterExitThenStop checks that enter exits with its command's code, then
// stops the pod and waits for it.
func (e *env) enterExitThenStop(t *testing.T, p *bgPod) {
	t.Helper()
	if r := e.run("enter", p.uuid, "/bin/sh", "-c", "exit 5"); r.code != 5 {
		t.Errorf("enter exit %d, want 5: %s", r.code, r.stderr)
	}
	e.ok("stop", p.uuid)
	p.wait(t, 15*time.Second)
}
