package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Test artifacts of the pod tests (mk/stage0.mk builds them).
func stubStage1() string   { return buildPath("test/stage1-stub.aci") }
func stubStage1V1() string { return buildPath("test/stage1-stub-v1.aci") }
func stubApp() string      { return buildPath("test/stub-app.aci") }

// withStub is the stage1 flag that selects the stub.
func withStub() string { return "--stage1-path=" + stubStage1() }

// runEnv runs saturn with extra environment variables.
func (e *env) runEnv(vars []string, args ...string) result {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := e.cmd(ctx, args...)
	c.Env = append(os.Environ(), vars...)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	c.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), code: -1}
	if c.ProcessState != nil {
		r.code = c.ProcessState.ExitCode()
	}
	return r
}

// start starts saturn in the background; the test waits for or kills it.
func (e *env) start(vars []string, args ...string) *exec.Cmd {
	e.t.Helper()
	c := e.cmd(context.Background(), args...)
	c.Env = append(os.Environ(), vars...)
	c.Stdout, c.Stderr = os.Stderr, os.Stderr
	if err := c.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		if c.ProcessState == nil {
			c.Process.Kill()
			c.Wait()
		}
	})
	return c
}

// prepare prepares a stub pod and returns its UUID.
func (e *env) prepare(args ...string) string {
	e.t.Helper()
	out := e.ok(append([]string{"prepare", withStub()}, args...)...)
	return strings.TrimSpace(out)
}

// startPod runs a stub pod in the background that stays up for a while,
// and returns it once it is running.
func (e *env) startPod(sleep string, appArgs ...string) (string, *exec.Cmd) {
	e.t.Helper()
	uf := filepath.Join(e.dir, "uuid-"+time.Now().Format("150405.000000000"))
	args := append([]string{"run", withStub(), "--uuid-file-save=" + uf, stubApp(), "--environment=STUB_SLEEP=" + sleep}, appArgs...)
	c := e.start(nil, args...)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(uf); err == nil {
			uuid := strings.TrimSpace(string(b))
			if e.status(uuid)["state"] == "running" && e.status(uuid)["pid"] != "" {
				return uuid, c
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.t.Fatal("pod did not start")
	return "", nil
}

// status runs `saturn status` and parses its key=value lines.
func (e *env) status(uuid string) map[string]string {
	e.t.Helper()
	r := e.run("status", uuid)
	m := map[string]string{}
	for _, l := range strings.Split(r.stdout, "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			m[k] = v
		}
	}
	return m
}

// podJSON is what `list --format=json` and `status --format=json` print.
type podJSON struct {
	UUID  string `json:"uuid"`
	State string `json:"state"`
	Apps  []struct {
		Name     string `json:"name"`
		State    string `json:"state"`
		ExitCode *int   `json:"exit_code"`
		ImageID  string `json:"image_id"`
	} `json:"apps"`
}

func (e *env) list() []podJSON {
	e.t.Helper()
	var ps []podJSON
	if err := json.Unmarshal([]byte(e.ok("list", "--format=json")), &ps); err != nil {
		e.t.Fatal(err)
	}
	return ps
}

// podDirs lists every pod dir left under the data dir, in any state.
func (e *env) podDirs() []string {
	dirs, _ := filepath.Glob(filepath.Join(e.dir, "pods", "*", "*"))
	return dirs
}

// mountsUnder lists host mount points below the data dir.
func (e *env) mountsUnder() []string {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 4 && strings.HasPrefix(f[4], e.dir) {
			out = append(out, f[4])
		}
	}
	return out
}

func contains(t *testing.T, s, want string) {
	t.Helper()
	if !strings.Contains(s, want) {
		t.Fatalf("%q does not contain %q", s, want)
	}
}
