package tests

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/saturnpod/saturn/internal/nfttest"
)

// repoRoot is the checkout the tests run from (go test runs in tests/).
func repoRoot() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Dir(wd)
}

// binPath is a file the Makefile put under bin/ (saturn, stage1.aci, ...).
func binPath(name string) string { return filepath.Join(repoRoot(), "bin", name) }

// buildPath is a test artifact the Makefile put under build/ (test/probe, ...).
func buildPath(name string) string { return filepath.Join(repoRoot(), "build", name) }

func TestMain(m *testing.M) {
	if os.Geteuid() != 0 {
		fmt.Println("functional tests need root: skipping (run `sudo make test`)")
		os.Exit(0)
	}
	if _, err := os.Stat(binPath("saturn")); err != nil {
		fmt.Println("bin/saturn missing: run the functional tests through `make test`")
		os.Exit(1)
	}
	cleanup := nfttest.Cleanup()
	code := m.Run()
	cleanup()
	os.Exit(code)
}

// env is one saturn data directory, private to a test and removed after it.
type env struct {
	t   *testing.T
	dir string
}

// result is what one saturn invocation did.
type result struct {
	stdout, stderr string
	code           int
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir, err := os.MkdirTemp("", "saturn-test-")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, dir: dir}
	t.Cleanup(func() { e.cleanup() })
	return e
}

// cleanup stops what the test left running and removes the data dir.
func (e *env) cleanup() {
	// Pods a failed test left behind: stop them, then gc, so no process,
	// mount or cgroup outlives the test.
	out := e.run("list", "--no-legend", "--full")
	for _, line := range strings.Split(out.stdout, "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			e.run("stop", "--force", f[0])
		}
	}
	e.run("gc", "--grace-period=0s", "--expire-prepared=0s")
	if err := os.RemoveAll(e.dir); err != nil {
		e.t.Logf("cleanup %s: %v", e.dir, err)
	}
}

// cmd builds an exec.Cmd for saturn with this env's --dir.
func (e *env) cmd(ctx context.Context, args ...string) *exec.Cmd {
	full := append([]string{"--dir=" + e.dir}, args...)
	return exec.CommandContext(ctx, binPath("saturn"), full...)
}

// run runs saturn to completion (at most two minutes) and returns what it did.
func (e *env) run(args ...string) result {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := e.cmd(ctx, args...)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	err := c.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	if c.ProcessState != nil {
		r.code = c.ProcessState.ExitCode()
	}
	if err != nil && c.ProcessState == nil {
		r.code = -1
		r.stderr += err.Error()
	}
	return r
}

// ok runs saturn and fails the test unless it exits 0; it returns stdout.
func (e *env) ok(args ...string) string {
	e.t.Helper()
	r := e.run(args...)
	if r.code != 0 {
		e.t.Fatalf("saturn %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// fails runs saturn, expects a non-zero exit with a one-line error, and returns stderr.
func (e *env) fails(args ...string) string {
	e.t.Helper()
	r := e.run(args...)
	if r.code == 0 {
		e.t.Fatalf("saturn %s: succeeded, expected failure\nstdout: %s", strings.Join(args, " "), r.stdout)
	}
	return r.stderr
}
