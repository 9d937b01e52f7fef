package tests

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// saturn logs --follow prints a running pod's output as it comes, and ends
// when the pod does; the log outlives the pod until it is removed.
func TestLogsFollow(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	gate := t.TempDir()
	p := e.background(stage1Flag(), "--net=none", "--volume=gate,kind=host,source="+gate, probeACI(t),
		"--mount=volume=gate,target=/gate", "--exec=/bin/sh", "--", "-c",
		"echo before; while [ ! -e /gate/go ]; do sleep 0.05; done; echo after; echo to-stderr >&2")
	e.waitRunning(p)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	f := e.cmd(ctx, "logs", "--follow", p.uuid)
	stdout, err := f.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Start(); err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(stdout)
	if line, err := rd.ReadString('\n'); line != "before\n" {
		t.Fatalf("first line %q (%v)", line, err)
	}
	// The pod still runs: follow waits for more.
	if err := os.WriteFile(filepath.Join(gate, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(rd)
	if string(rest) != "after\n" {
		t.Errorf("followed %q after the gate", rest)
	}
	if err := f.Wait(); err != nil {
		t.Errorf("logs --follow: %v", err)
	}
	if r := p.wait(t, time.Minute); r.code != 0 {
		t.Errorf("pod exit %d: %s", r.code, r.stderr)
	}
	// After the exit, until removal.
	if out := e.ok("logs", p.uuid); out != "before\nafter\n" {
		t.Errorf("logs after exit: %q", out)
	}
	// The last two lines: "after" on stdout, then "to-stderr" on stderr.
	if r := e.run("logs", "--tail=2", "--app=probe", p.uuid); r.stdout != "after\n" || r.stderr != "to-stderr\n" {
		t.Errorf("logs --tail=2: %q %q", r.stdout, r.stderr)
	}
	if r := e.run("logs", "--app=nope", p.uuid); r.code == 0 || !strings.Contains(r.stderr, "nope") {
		t.Errorf("logs of an unknown app: %d %q", r.code, r.stderr)
	}
	e.ok("rm", p.uuid)
	if r := e.run("logs", p.uuid); r.code == 0 {
		t.Errorf("logs of a removed pod succeeded")
	}
}
