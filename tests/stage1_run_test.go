package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/saturnpod/saturn/stage1/approot"
)

func hostNS(t *testing.T, ns string) string {
	s, err := os.Readlink("/proc/self/ns/" + ns)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// One app: the pod init is PID 1, the app sees its own hostname, mounts,
// /dev, environment and namespaces.
func TestStage1OneApp(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	out := e.ok("run", stage1Flag(), "--net=none", probeACI(t), "--", "--list=/dev",
		"--read=/sys/class/net/lo/flags", "--read=/sys/fs/cgroup/memory/memory.limit_in_bytes", "---")
	r := oneProbe(t, out)
	if r.Pid1 != "saturn-pod-init" || r.Ppid != 1 {
		t.Errorf("PID 1 is %q, parent %d: want the pod init as parent", r.Pid1, r.Ppid)
	}
	if !strings.HasPrefix(r.Hostname, "saturn-") || len(r.Hostname) != len("saturn-")+8 {
		t.Errorf("hostname %q, want saturn-<8 hex>", r.Hostname)
	}
	if r.Cwd != "/" || r.UID != 0 || r.GID != 0 {
		t.Errorf("cwd %q uid %d gid %d", r.Cwd, r.UID, r.GID)
	}
	want := map[string]string{"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "AC_APP_NAME": "probe", "container": "saturn"}
	for k, v := range want {
		if got := r.env(k); got != v {
			t.Errorf("env %s=%q, want %q", k, got, v)
		}
	}
	for point, fstype := range map[string]string{"/": "overlay", "/proc": "proc", "/sys": "sysfs", "/dev": "tmpfs", "/dev/pts": "devpts", "/dev/shm": "tmpfs"} {
		m, ok := r.mount(point)
		if !ok || m.FSType != fstype {
			t.Errorf("mount %s: got %+v, want %s", point, m, fstype)
		}
	}
	if m, _ := r.mount("/sys"); !strings.HasPrefix(m.Options, "ro") {
		t.Errorf("/sys is not read-only: %s", m.Options)
	}
	for _, m := range r.Mounts {
		hardened := slices.Contains(approot.MaskedPaths(), m.Point) || slices.Contains(approot.ReadOnlyPaths(), m.Point)
		if _, ok := map[string]bool{"/": true, "/proc": true, "/sys": true, "/dev": true, "/dev/pts": true, "/dev/shm": true}[m.Point]; !ok && !hardened &&
			!(strings.HasPrefix(m.Point, "/sys/fs/cgroup") && strings.HasPrefix(m.Options, "ro")) {
			t.Errorf("unexpected mount %+v", m)
		}
	}
	if r.Files["/sys/class/net/lo/flags"] != "0x9\n" {
		t.Errorf("--net=none: loopback flags %q, want up (0x9)", r.Files["/sys/class/net/lo/flags"])
	}
	if _, ok := r.Files["/sys/fs/cgroup/memory/memory.limit_in_bytes"]; !ok {
		t.Errorf("the app cannot read its cgroup: %v", r.Errors)
	}
	for _, d := range []string{"null", "zero", "full", "random", "urandom", "tty", "console", "pts", "ptmx", "shm", "stdin", "stdout", "stderr", "fd"} {
		if !slices.Contains(r.Dirs["/dev"], d) {
			t.Errorf("/dev/%s missing: %v", d, r.Dirs["/dev"])
		}
	}
	for _, ns := range []string{"pid", "mnt", "uts", "ipc", "net", "cgroup"} {
		if r.NS[ns] == hostNS(t, ns) {
			t.Errorf("app shares the host's %s namespace", ns)
		}
	}
	if len(r.Errors) > 0 {
		t.Errorf("probe errors: %v", r.Errors)
	}
}

func TestStage1HostnameAndHostNet(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	r := oneProbe(t, e.ok("run", stage1Flag(), "--net=host", "--hostname=pod.example", probeACI(t),
		"--", "--read=/etc/hosts", "--read=/etc/resolv.conf", "---"))
	if r.Hostname != "pod.example" {
		t.Errorf("hostname %q", r.Hostname)
	}
	if r.NS["net"] != hostNS(t, "net") {
		t.Errorf("--net=host: app has its own network namespace")
	}
	if !strings.Contains(r.Files["/etc/hosts"], "localhost") || !strings.Contains(r.Files["/etc/hosts"], "pod.example") {
		t.Errorf("/etc/hosts: %q", r.Files["/etc/hosts"])
	}
	if host, err := os.ReadFile("/etc/resolv.conf"); err == nil && r.Files["/etc/resolv.conf"] != string(host) {
		t.Errorf("resolv.conf %q, want the host's %q", r.Files["/etc/resolv.conf"], host)
	}
}

// Two apps in one pod share PID, UTS, IPC and network namespaces, not mount
// namespaces and not the host's; an empty volume carries a file between them.
func TestStage1TwoApps(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	outDir := t.TempDir()
	aci := probeACI(t)
	out := e.ok("run", stage1Flag(), "--net=none",
		"--volume=out,kind=host,source="+outDir, "--volume=shared,kind=empty",
		aci, "--name=writer", "--mount=volume=out,target=/out", "--mount=volume=shared,target=/shared",
		"--", "--write=/shared/hello=from writer", "--write=/marker=writer root", "--out=/out/writer.json", "--quiet", "---",
		aci, "--name=reader", "--mount=volume=out,target=/out", "--mount=volume=shared,target=/shared",
		"--exec=/bin/sh", "--", "-c", "while [ ! -e /shared/hello ]; do sleep 0.05; done; exec /bin/probe --quiet --read=/shared/hello --list=/ --out=/out/reader.json", "---")
	_ = out
	w, r := readProbe(t, outDir+"/writer.json"), readProbe(t, outDir+"/reader.json")
	for _, ns := range []string{"pid", "uts", "ipc", "net"} {
		if w.NS[ns] != r.NS[ns] {
			t.Errorf("apps do not share the %s namespace: %s vs %s", ns, w.NS[ns], r.NS[ns])
		}
		if w.NS[ns] == hostNS(t, ns) {
			t.Errorf("apps share the host's %s namespace", ns)
		}
	}
	if w.NS["mnt"] == r.NS["mnt"] || w.NS["mnt"] == hostNS(t, "mnt") {
		t.Errorf("mount namespaces: writer %s reader %s host %s", w.NS["mnt"], r.NS["mnt"], hostNS(t, "mnt"))
	}
	if w.Pid1 != "saturn-pod-init" || r.Pid1 != "saturn-pod-init" {
		t.Errorf("PID 1: %q %q", w.Pid1, r.Pid1)
	}
	if r.Files["/shared/hello"] != "from writer" {
		t.Errorf("reader got %q through the empty volume (errors %v)", r.Files["/shared/hello"], r.Errors)
	}
	if slices.Contains(r.Dirs["/"], "marker") {
		t.Errorf("reader sees the writer's root: %v", r.Dirs["/"])
	}
}

// --interactive gives the app the caller's stdin (and its terminal, when it
// is one); otherwise the app's stdin is /dev/null.
func TestStage1Interactive(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	aci := probeACI(t)
	script := `read line; echo "got:$line"; if [ -t 0 ]; then echo tty; fi`
	args := []string{"run", stage1Flag(), "--net=none", aci, "--exec=/bin/sh", "--", "-c", script, "---"}
	c := e.cmd(t.Context(), append(args[:3:3], append([]string{"--interactive"}, args[3:]...)...)...)
	c.Stdin = strings.NewReader("hello\n")
	out, err := c.Output()
	if err != nil || strings.TrimSpace(string(out)) != "got:hello" {
		t.Errorf("--interactive with a pipe: %q %v", out, err)
	}
	c = e.cmd(t.Context(), args...)
	c.Stdin = strings.NewReader("hello\n")
	if out, _ := c.Output(); strings.TrimSpace(string(out)) != "got:" {
		t.Errorf("without --interactive the app read %q", out)
	}
	// A terminal: script(1) runs saturn on a new pty.
	if _, err := exec.LookPath("script"); err != nil {
		t.Skip("script(1) not installed")
	}
	cmdline := strings.Join(append([]string{binPath("saturn"), "--dir=" + e.dir, "run", stage1Flag(), "--net=none", "--interactive", aci,
		"--exec=/bin/sh", "--", "-c", `'[ -t 0 ] && [ -t 1 ] && echo tty-ok; [ -c /dev/console ] && echo console-ok'`, "---"}, " "), " ")
	out, err = exec.CommandContext(t.Context(), "script", "-qec", cmdline, "/dev/null").Output()
	if !strings.Contains(string(out), "tty-ok") || !strings.Contains(string(out), "console-ok") {
		t.Errorf("--interactive on a terminal: %q %v", out, err)
	}
}

// --dns makes stage0 write rkt-resolv.conf and pass
// --dns-conf-mode=resolv=stage0: the app gets that file as resolv.conf.
func TestStage1DNSFromStage0(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	r := oneProbe(t, e.ok("run", stage1Flag(), "--net=none", "--dns=192.0.2.53", "--dns-search=example.test",
		probeACI(t), "--", "--read=/etc/resolv.conf", "---"))
	got := r.Files["/etc/resolv.conf"]
	if !strings.Contains(got, "nameserver 192.0.2.53") || !strings.Contains(got, "search example.test") {
		t.Errorf("resolv.conf: %q", got)
	}
}

// No fd of stage0 or stage1 (the pod lock among them) reaches an app or an
// event handler: only stdio, and the fd ls reads /proc/self/fd through.
// (busybox ls, not the probe: the Go runtime opens fds of its own.)
func TestStage1NoFdLeak(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	aci := customProbe(t, e, nil, `--event-handler=pre-start=/bin/ls /proc/self/fd`)
	out := e.ok("run", stage1Flag(), "--net=none", aci, "--exec=/bin/ls", "--", "/proc/self/fd", "---")
	if got := strings.Fields(out); !slices.Equal(got, []string{"0", "1", "2", "3", "0", "1", "2", "3"}) {
		t.Errorf("fds of the handler and the app: %v", got)
	}
}

// A relative --dir means the same data dir to every stage: stage1 runs in
// the pod dir, so stage0 must not hand it paths relative to the caller's.
func TestStage1RelativeDataDir(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	c := exec.Command(binPath("saturn"), "--dir="+filepath.Base(e.dir), "run", stage1Flag(), "--net=none",
		probeACI(t), "--exec=/bin/true")
	c.Dir = filepath.Dir(e.dir)
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("run with a relative --dir: %v\n%s", err, out)
	}
	if out := e.ok("list", "--no-legend"); !strings.Contains(out, "exited") {
		t.Errorf("the pod is not listed under the absolute --dir:\n%s", out)
	}
}
