// Package sdboot boots a throwaway systemd for the functional tests that
// need a real service manager (units, sd_notify, socket activation,
// machined, the journal): PID 1 of new pid, mount, UTS, IPC, network and
// cgroup namespaces, its root an overlay of the host's / with a tmpfs upper
// layer, booted in well under a second (boot.sh).
//
// Its cgroups are saturn-sdtest-* in each of the host's hierarchies; Stop
// powers it off (killing its PID namespace if it does not go) and removes
// them, deepest first. It touches no other cgroup, mount or process.
package sdboot

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

//go:embed boot.sh
var bootScript []byte

// System is a booted systemd.
type System struct {
	// PID is systemd's PID on the host.
	PID int
	// Cgroup is the name of its cgroups in each hierarchy.
	Cgroup string
	dir    string // scratch: the script, the console log
	cmd    *exec.Cmd
	done   chan struct{}
}

// Boot boots systemd, with each of binds (host dirs) at the same path
// inside, and waits until it is up.
func Boot(ctx context.Context, binds ...string) (*System, error) {
	if os.Geteuid() != 0 {
		return nil, errors.New("booting systemd needs root")
	}
	if _, err := os.Stat("/lib/systemd/systemd"); err != nil {
		return nil, fmt.Errorf("no systemd to boot: %w", err)
	}
	dir, err := os.MkdirTemp("", "saturn-sdboot-")
	if err != nil {
		return nil, err
	}
	s := &System{Cgroup: fmt.Sprintf("saturn-sdtest-%d-%d", os.Getpid(), time.Now().UnixNano()%1e6), dir: dir, done: make(chan struct{})}
	script := filepath.Join(dir, "boot.sh")
	console := filepath.Join(dir, "console")
	if err := os.WriteFile(script, bootScript, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(console, nil, 0o644); err != nil {
		return nil, err
	}
	s.cmd = exec.Command("/bin/sh", script)
	s.cmd.Env = append(os.Environ(), "CG="+s.Cgroup, "BINDS="+strings.Join(binds, " "), "CONSOLE_FILE="+console)
	s.cmd.Env = withoutVar(s.cmd.Env, "SDBOOT_INNER", "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID")
	var out bytes.Buffer
	s.cmd.Stdout, s.cmd.Stderr = &out, &out
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := s.cmd.Start(); err != nil {
		s.removeCgroups()
		return nil, err
	}
	go func() { s.cmd.Wait(); close(s.done) }()
	if err := s.waitUp(ctx); err != nil {
		err = fmt.Errorf("%w\nboot: %s\nconsole: %s", err, out.String(), s.Console())
		s.Stop()
		return nil, err
	}
	return s, nil
}

// waitUp finds systemd (the child of unshare, the script's process) and
// waits until it has booted.
func (s *System) waitUp(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for s.PID == 0 {
		select {
		case <-s.done:
			return errors.New("boot script ended")
		case <-ctx.Done():
			return errors.New("systemd did not start")
		case <-time.After(20 * time.Millisecond):
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", s.cmd.Process.Pid, s.cmd.Process.Pid))
		if err != nil || len(bytes.Fields(b)) == 0 {
			continue
		}
		pid, _ := strconv.Atoi(string(bytes.Fields(b)[0]))
		if c, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); bytes.HasPrefix(c, []byte("/lib/systemd/systemd")) {
			s.PID = pid
		}
	}
	for {
		// Until systemd listens on its private socket, systemctl fails at
		// once, or says "offline".
		out, err := s.Command(ctx, "systemctl", "is-system-running", "--wait").CombinedOutput()
		state := strings.TrimSpace(string(out))
		switch {
		case state == "running" || state == "degraded":
			return nil
		case !(state == "offline" || strings.Contains(state, "Failed to connect to bus")) || ctx.Err() != nil:
			return fmt.Errorf("systemd is %q: %v", state, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Command runs a command in all of systemd's namespaces (nsenter).
func (s *System) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	c := exec.CommandContext(ctx, "nsenter", append([]string{"-t", strconv.Itoa(s.PID), "-a", name}, args...)...)
	c.Env = withoutVar(os.Environ(), "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES")
	return c
}

// Run runs a command inside and returns its combined output.
func (s *System) Run(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := s.Command(ctx, name, args...).CombinedOutput()
	return string(out), err
}

// Root is a path inside, seen from the host.
func (s *System) Root(path string) string {
	return fmt.Sprintf("/proc/%d/root%s", s.PID, path)
}

// Console is what systemd printed on its console.
func (s *System) Console() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "console"))
	return string(b)
}

// Stop powers systemd off and waits (at most 30 s) for its PID namespace
// to end, else kills it; then it removes the cgroups and scratch files.
func (s *System) Stop() error {
	if s.PID != 0 {
		for range 50 {
			if _, err := s.Run("systemctl", "poweroff", "--no-block"); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.kill()
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			return fmt.Errorf("systemd %d (cgroups %s) did not end", s.PID, s.Cgroup)
		}
	}
	err := s.removeCgroups()
	os.Remove("/tmp/sdboot-" + s.Cgroup)
	os.RemoveAll(s.dir)
	return err
}

// kill kills the PID namespace (its PID 1: all of it goes) and the script.
func (s *System) kill() {
	pid := s.PID
	if pid == 0 { // still booting: the namespace's PID 1 is the script's child
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", s.cmd.Process.Pid, s.cmd.Process.Pid))
		if f := bytes.Fields(b); len(f) > 0 {
			pid, _ = strconv.Atoi(string(f[0]))
		}
	}
	if pid > 0 {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	s.cmd.Process.Kill()
}

// removeCgroups removes the cgroups the script made, deepest first; it
// retries while the last processes of the namespace are still exiting.
func (s *System) removeCgroups() error {
	var err error
	for range 50 {
		if err = s.removeCgroupsOnce(); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

func (s *System) removeCgroupsOnce() error {
	hiers, _ := filepath.Glob("/sys/fs/cgroup/*")
	var errs []error
	for _, h := range hiers {
		top := filepath.Join(h, s.Cgroup)
		if _, err := os.Stat(top); err != nil {
			continue
		}
		var dirs []string
		filepath.WalkDir(top, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, p)
			}
			return nil
		})
		sort.Slice(dirs, func(i, j int) bool { return len(dirs[i]) > len(dirs[j]) })
		for _, d := range dirs {
			if err := os.Remove(d); err != nil && !os.IsNotExist(err) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

func withoutVar(env []string, names ...string) []string {
	out := env[:0:0]
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, n := range names {
			keep = keep && k != n
		}
		if keep {
			out = append(out, kv)
		}
	}
	return out
}
