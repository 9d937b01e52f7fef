// Command probe is saturn's test app: a static program that reports, as one
// JSON object, what it sees from inside a pod (PID, hostname, user, mounts,
// namespaces, capabilities, seccomp, cgroups, files), then acts as its flags
// say: write files, sleep, exit with a code. The functional tests and the
// demo assert on its reports.
//
// The runtime's cgroup-aware GOMAXPROCS is off: it keeps the CPU quota
// files open, which would show among the fds the probe reports as
// inherited.
//
//go:debug containermaxprocs=0
//go:debug updatemaxprocs=0
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/saturnpod/saturn/tests/probe/report"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	fds := inheritedFds()
	var reads, dirs, writes, syscalls, signals list
	out := flag.String("out", "", "also write the report to this file")
	sleep := flag.Duration("sleep", 0, "sleep this long after reporting")
	code := flag.Int("exit", 0, "exit code")
	ignoreTerm := flag.Bool("ignore-term", false, "ignore SIGTERM")
	quiet := flag.Bool("quiet", false, "do not print the report")
	serve := flag.String("serve", "", "answer connections on socket-activated fd 3 with this line (after reporting)")
	serveN := flag.Int("serve-count", 1, "connections --serve answers")
	notify := flag.Duration("notify-after", -1, "send READY=1 to NOTIFY_SOCKET this long after reporting")
	flag.Var(&reads, "read", "report this file's content (repeatable)")
	flag.Var(&dirs, "list", "report this dir's entries (repeatable)")
	flag.Var(&writes, "write", "PATH=CONTENT: write a file (repeatable)")
	flag.Var(&syscalls, "syscall", "try this syscall (unshare, keyctl, getpid, chroot) and report its errno (repeatable)")
	flag.Var(&signals, "signal", "PID:SIG: send a signal to a process and its threads (repeatable)")
	alloc := flag.Int("alloc", 0, "allocate and touch this many MiB before reporting")
	flag.Parse()
	if *ignoreTerm {
		signal.Ignore(syscall.SIGTERM)
	}
	r := collect(reads, dirs)
	r.Fds = fds
	for _, w := range writes {
		p, content, _ := strings.Cut(w, "=")
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.Errors = append(r.Errors, err.Error())
		}
	}
	for _, c := range syscalls {
		r.Syscalls[c] = trySyscall(c)
	}
	for _, sig := range signals {
		r.Signals[sig] = sendSignal(sig)
	}
	keep := allocate(*alloc)
	b, _ := json.Marshal(r)
	if *out != "" {
		if err := os.WriteFile(*out+".tmp", b, 0o644); err == nil {
			os.Rename(*out+".tmp", *out)
		}
	}
	if !*quiet {
		fmt.Printf("PROBE %s\n", b)
	}
	if *notify >= 0 {
		if err := notifyReady(*notify); err != nil {
			fmt.Fprintln(os.Stderr, "probe: notify:", err)
		}
	}
	if *serve != "" {
		if err := serveActivated(*serve, *serveN); err != nil {
			fmt.Fprintln(os.Stderr, "probe: serve:", err)
			os.Exit(70)
		}
	}
	time.Sleep(*sleep)
	runtime.KeepAlive(keep)
	os.Exit(*code)
}

func collect(reads, dirs []string) *report.Report {
	r := &report.Report{
		App: os.Getenv("AC_APP_NAME"), Args: os.Args, Pid: os.Getpid(), Ppid: os.Getppid(),
		UID: os.Getuid(), GID: os.Getgid(), Env: os.Environ(),
		NS: map[string]string{}, Status: map[string]string{}, Limits: map[string]string{},
		Files: map[string]string{}, Dirs: map[string][]string{},
		Syscalls: map[string]string{}, Signals: map[string]string{},
	}
	var err error
	r.Hostname, _ = os.Hostname()
	r.Groups, _ = os.Getgroups()
	r.Cwd, _ = os.Getwd()
	if b, err := os.ReadFile("/proc/1/cmdline"); err == nil {
		r.Pid1, _, _ = strings.Cut(string(b), "\x00")
	}
	for _, ns := range []string{"pid", "mnt", "uts", "ipc", "net", "cgroup", "user"} {
		if r.NS[ns], err = os.Readlink("/proc/self/ns/" + ns); err != nil {
			r.Errors = append(r.Errors, err.Error())
		}
	}
	r.Mounts = mounts()
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			k, v, _ := strings.Cut(line, ":")
			if strings.HasPrefix(k, "Cap") || k == "NoNewPrivs" || k == "Seccomp" {
				r.Status[k] = strings.TrimSpace(v)
			}
		}
	}
	if b, err := os.ReadFile("/proc/self/cgroup"); err == nil {
		r.Cgroup = strings.Split(strings.TrimSpace(string(b)), "\n")
	}
	for _, f := range []string{"memory/memory.limit_in_bytes", "memory/memory.memsw.limit_in_bytes", "cpu/cpu.cfs_quota_us", "cpu/cpu.cfs_period_us", "cpu/cpu.shares", "memory.max", "cpu.max", "cpu.weight"} {
		if b, err := os.ReadFile("/sys/fs/cgroup/" + f); err == nil {
			r.Limits[f] = strings.TrimSpace(string(b))
		}
	}
	for _, f := range reads {
		b, err := os.ReadFile(f)
		if err != nil {
			r.Errors = append(r.Errors, err.Error())
			continue
		}
		r.Files[f] = string(b)
	}
	for _, d := range dirs {
		ents, err := os.ReadDir(d)
		if err != nil {
			r.Errors = append(r.Errors, err.Error())
			continue
		}
		for _, e := range ents {
			r.Dirs[d] = append(r.Dirs[d], e.Name())
		}
	}
	return r
}

func mounts() []report.Mount {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	var ms []report.Mount
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		f, g := strings.Fields(pre), strings.Fields(post)
		if !ok || len(f) < 6 || len(g) < 1 {
			continue
		}
		ms = append(ms, report.Mount{Point: f[4], FSType: g[0], Options: f[5]})
	}
	return ms
}
