package tests

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/saturnpod/saturn/stage1/cgroups"
	"github.com/saturnpod/saturn/tests/probe/report"
)

// probeReport is what tests/probe prints.
type probeReport struct{ report.Report }

func (r *probeReport) mount(point string) (report.Mount, bool) { return r.Report.Mount(point) }
func (r *probeReport) env(name string) string                  { return r.Report.Getenv(name) }

// probeReports parses the PROBE lines of a pod's output.
func probeReports(t *testing.T, stdout string) []probeReport {
	t.Helper()
	var out []probeReport
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if js, ok := strings.CutPrefix(sc.Text(), "PROBE "); ok {
			var r probeReport
			if err := json.Unmarshal([]byte(js), &r); err != nil {
				t.Fatalf("probe report: %v\n%s", err, js)
			}
			out = append(out, r)
		}
	}
	return out
}

// oneProbe expects exactly one probe report in stdout.
func oneProbe(t *testing.T, stdout string) probeReport {
	t.Helper()
	rs := probeReports(t, stdout)
	if len(rs) != 1 {
		t.Fatalf("want one probe report, got %d in:\n%s", len(rs), stdout)
	}
	return rs[0]
}

// readProbe reads a report the probe wrote with --out.
func readProbe(t *testing.T, path string) probeReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("probe report: %v", err)
	}
	var r probeReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("probe report %s: %v", path, err)
	}
	return r
}

// probeACI is the probe image the Makefile built.
func probeACI(t *testing.T) string {
	t.Helper()
	p := buildPath("test/probe.aci")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s missing: run through `make test`", p)
	}
	return p
}

// customProbe builds a variant of the probe image: a copy of its tree that
// mod changes, built with extra `image build` flags.
func customProbe(t *testing.T, e *env, mod func(root string), flags ...string) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "rootfs")
	if out, err := exec.Command("cp", "-a", buildPath("test/probe-image"), root).CombinedOutput(); err != nil {
		t.Fatalf("copy probe tree: %v\n%s", err, out)
	}
	if mod != nil {
		mod(root)
	}
	aci := filepath.Join(t.TempDir(), "probe-custom.aci")
	args := append([]string{"image", "build", root, aci, "--name", "saturn.io/test/probe-custom",
		"--label", "os=linux", "--label", "arch=amd64", "--exec", "/bin/probe"}, flags...)
	e.ok(args...)
	return aci
}

// stage1Flag selects the stage1 this build made.
func stage1Flag() string { return "--stage1-path=" + binPath("stage1.aci") }

// inTestCgroup moves the test process into a cgroup of its own named
// saturn-test-*, for the duration of the test: the pods it runs make their
// cgroups inside it, and the test can check they are gone.
func inTestCgroup(t *testing.T) *cgroups.Pod {
	t.Helper()
	sys, err := cgroups.Discover()
	if err != nil {
		t.Fatal(err)
	}
	cg, err := sys.NewPod(fmt.Sprintf("saturn-test-%d-%d", os.Getpid(), time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	if err := cg.Create(os.Getpid()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pid := []byte(strconv.Itoa(os.Getpid()))
		for _, dir := range cg.Dirs {
			if err := os.WriteFile(filepath.Join(filepath.Dir(dir), "cgroup.procs"), pid, 0); err != nil {
				t.Errorf("leave test cgroup: %v", err)
			}
		}
		if err := cg.Remove(); err != nil {
			t.Errorf("remove test cgroup (a pod left a cgroup or a process?): %v", err)
		}
	})
	return cg
}

// podCgroups lists the pod cgroups (saturn-<uuid>) left under the test cgroup.
func podCgroups(cg *cgroups.Pod) []string {
	var left []string
	for _, dir := range cg.Dirs {
		matches, _ := filepath.Glob(filepath.Join(dir, cgroups.Stage1Leaf, "saturn-*"))
		left = append(left, matches...)
	}
	return left
}

// mountsWith lists the host's mount points containing s.
func mountsWith(t *testing.T, s string) []string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 4 && strings.Contains(f[4], s) {
			out = append(out, f[4])
		}
	}
	return out
}

// background starts saturn and returns the command and a channel of its
// result; the pod's UUID is read from --uuid-file-save.
type bgPod struct {
	cmd    *exec.Cmd
	done   chan result
	uuid   string
	stdout *strings.Builder
}

func (e *env) background(args ...string) *bgPod {
	e.t.Helper()
	uuidFile := filepath.Join(e.t.TempDir(), "uuid")
	full := append([]string{"run", "--uuid-file-save=" + uuidFile}, args...)
	c := e.cmd(e.t.Context(), full...)
	var stdout, stderr strings.Builder
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Start(); err != nil {
		e.t.Fatal(err)
	}
	p := &bgPod{cmd: c, done: make(chan result, 1), stdout: &stdout}
	go func() {
		c.Wait()
		p.done <- result{stdout: stdout.String(), stderr: stderr.String(), code: c.ProcessState.ExitCode()}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(uuidFile); err == nil && len(b) > 0 {
			p.uuid = strings.TrimSpace(string(b))
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if p.uuid == "" {
		e.t.Fatalf("pod did not start")
	}
	return p
}

// waitRunning waits until the pod's pid file exists (its apps started).
func (e *env) waitRunning(p *bgPod) int {
	e.t.Helper()
	pidFile := filepath.Join(e.dir, "pods", "run", p.uuid, "pid")
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(pidFile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				return pid
			}
		}
		select {
		case r := <-p.done:
			e.t.Fatalf("pod ended before it ran: %d\n%s\n%s", r.code, r.stdout, r.stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
	e.t.Fatalf("pod %s not running after 30s", p.uuid)
	return 0
}

// wait waits for a background pod's saturn to end.
func (p *bgPod) wait(t *testing.T, timeout time.Duration) result {
	t.Helper()
	select {
	case r := <-p.done:
		return r
	case <-time.After(timeout):
		t.Fatalf("pod still running after %v", timeout)
	}
	return result{}
}

// appExitCode reads an app's exit code from `saturn status`.
func (e *env) appExitCode(uuid, app string) string {
	e.t.Helper()
	for _, line := range strings.Split(e.ok("status", uuid), "\n") {
		if v, ok := strings.CutPrefix(line, "app-"+app+"="); ok {
			return v
		}
	}
	return ""
}

func itoa(n int) string { return strconv.Itoa(n) }

// waitFile waits (at most 10s) until path exists and returns it.
func waitFile(t *testing.T, path string) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return path
		}
	}
	t.Fatalf("%s did not appear", path)
	return ""
}
