package tests

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Every state a user can see, through list and status.
func TestPodStates(t *testing.T) {
	e := newEnv(t)
	prepared := e.prepare(stubApp())
	running, run := e.startPod("30s")
	exited := e.prepare(stubApp())
	e.ok("run-prepared", exited)
	// An aborted prepare: a prepare dir nobody holds (what a killed prepare leaves).
	aborted := "0badc0de-0000-4000-8000-000000000001"
	os.MkdirAll(filepath.Join(e.dir, "pods", "prepare", aborted), 0o750)

	want := map[string]string{prepared: "prepared", running: "running", exited: "exited", aborted: "aborted prepare"}
	check := func() {
		t.Helper()
		for _, p := range e.list() {
			if p.State != want[p.UUID] {
				t.Errorf("list: pod %s is %q, want %q", p.UUID, p.State, want[p.UUID])
			}
			if st := e.status(p.UUID)["state"]; st != want[p.UUID] {
				t.Errorf("status: pod %s is %q, want %q", p.UUID, st, want[p.UUID])
			}
		}
	}
	check()
	st := e.status(running)
	if st["pid"] == "" || st["started"] == "" || st["created"] == "" || st["exited"] != "" {
		t.Errorf("running pod status %v", st)
	}

	// gc --mark-only: exited -> exited garbage, aborted -> garbage,
	// prepared stays (not expired), running stays.
	e.ok("gc", "--mark-only")
	want[exited], want[aborted] = "exited garbage", "garbage"
	check()
	e.ok("gc", "--mark-only", "--expire-prepared=0s")
	want[prepared] = "garbage"
	check()

	e.ok("stop", running)
	if err := run.Wait(); err == nil || run.ProcessState.ExitCode() != 143 {
		t.Errorf("stopped pod's run exited %v, want 143", run.ProcessState)
	}
	want[running] = "exited"
	check()
	contains(t, e.ok("status", running), "app-stub-app=143\n")
}

// Calls in the wrong state fail with one clear line, and change nothing.
func TestPodWrongStates(t *testing.T) {
	e := newEnv(t)
	running, _ := e.startPod("30s")
	exited := e.prepare(stubApp())
	e.ok("run-prepared", exited)
	prepared := e.prepare(stubApp())

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"rm", running}, "running"},
		{[]string{"run-prepared", running}, "is running, not prepared"},
		{[]string{"run-prepared", exited}, "is exited, not prepared"},
		{[]string{"enter", exited}, "is exited, not running"},
		{[]string{"enter", prepared}, "is prepared, not running"},
		{[]string{"stop", exited}, "is exited, not running"},
		{[]string{"stop", prepared}, "is prepared, not running"},
		{[]string{"enter", "--app=nope", running}, "no app nope"},
		{[]string{"status", "00000000-0000-4000-8000-000000000000"}, "not found"},
		{[]string{"rm", "ffffffffffff"}, "not found"},
		{[]string{"status", "not-a-uuid"}, "not a UUID"},
		{[]string{"status", "--wait=300ms", running}, "still running"},
	} {
		stderr := e.fails(tc.args...)
		contains(t, stderr, tc.want)
		if strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: error is not one line: %q", tc.args, stderr)
		}
	}
	if e.status(running)["state"] != "running" || e.status(prepared)["state"] != "prepared" {
		t.Fatal("a refused call changed a pod")
	}

	// An ambiguous prefix lists the candidates. Make pods until two share
	// a first hex digit (17 suffice).
	seen := map[byte]string{prepared[0]: prepared, exited[0]: exited, running[0]: running}
	for len(seen) < 17 {
		u := e.prepare(stubApp())
		if other, ok := seen[u[0]]; ok {
			stderr := e.fails("status", u[:1])
			contains(t, stderr, "ambiguous")
			contains(t, stderr, other)
			contains(t, stderr, u)
			break
		}
		seen[u[0]] = u
	}
}

// enter runs stage1's enter entrypoint with the pod's pid, the app and
// the command (default /bin/sh); stop --force kills the pod.
func TestPodEnterAndStop(t *testing.T) {
	e := newEnv(t)
	uuid, run := e.startPod("30s")
	pid := e.status(uuid)["pid"]
	// stage0 execs stage1: the pod's process is the `saturn run` process.
	if pid != strconv.Itoa(run.Process.Pid) {
		t.Errorf("pod pid %s, saturn run had pid %d", pid, run.Process.Pid)
	}
	// The stub checked that its root is an overlay in its own namespace;
	// the host's mount table must not show it.
	if m := e.mountsUnder(); len(m) != 0 {
		t.Errorf("stage1 mounts visible on the host: %v", m)
	}
	contains(t, e.ok("enter", uuid[:8]), "enter pid="+pid+" app=stub-app cmd=/bin/sh\n")
	contains(t, e.ok("enter", "--app=stub-app", uuid, "ls", "-l", "/"), "cmd=ls -l /\n")

	start := time.Now()
	e.ok("stop", "--force", uuid)
	run.Wait()
	if run.ProcessState.ExitCode() != -1 || time.Since(start) > 10*time.Second {
		t.Errorf("stop --force: run ended %v after %v", run.ProcessState, time.Since(start))
	}
	if st := e.status(uuid)["state"]; st != "exited" {
		t.Errorf("after stop --force: %s", st)
	}
	e.ok("rm", uuid)
	if len(e.podDirs()) != 0 {
		t.Errorf("rm left %v", e.podDirs())
	}
}

// Racing rm and gc on one pod: exactly one removes it, the others fail
// with one clear line, and nothing is left half-removed.
func TestPodRacingRemove(t *testing.T) {
	e := newEnv(t)
	for range 5 {
		u := e.prepare(stubApp())
		e.ok("run-prepared", u)
		results := make(chan result, 4)
		for i := range 4 {
			go func() {
				if i == 3 {
					results <- e.run("gc", "--grace-period=0s")
					return
				}
				results <- e.run("rm", u)
			}()
		}
		removed := 0
		for range 4 {
			r := <-results
			switch {
			case r.code == 0 && (strings.Contains(r.stdout, "removed "+u) || strings.TrimSpace(r.stdout) == `"`+u+`"`):
				removed++
			case r.code == 0: // a gc that found nothing to do
			default:
				if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, u) {
					t.Errorf("loser's error: %q", r.stderr)
				}
			}
		}
		if removed != 1 {
			t.Fatalf("%d commands removed the pod, want 1", removed)
		}
		if left := e.podDirs(); len(left) != 0 {
			t.Fatalf("left %v", left)
		}
	}
}
