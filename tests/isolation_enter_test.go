package tests

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// enterConfined runs the probe through enter and checks it reports exactly
// the app's confinement: every capability set, no_new_privs, seccomp mode
// and what the filter does, cgroup, limits, uid and gid.
func enterConfined(t *testing.T, e *env, uuid string, app probeReport, probeArgs ...string) {
	t.Helper()
	in := oneProbe(t, e.ok(append([]string{"enter", uuid, "/bin/probe"}, probeArgs...)...))
	for _, k := range []string{"CapBnd", "CapEff", "CapPrm", "CapInh", "CapAmb", "NoNewPrivs", "Seccomp"} {
		if in.Status[k] != app.Status[k] {
			t.Errorf("%s: enter %s, app %s", k, in.Status[k], app.Status[k])
		}
	}
	if in.UID != app.UID || in.GID != app.GID || !slices.Equal(in.Groups, app.Groups) {
		t.Errorf("enter runs as %d:%d %v, the app as %d:%d %v", in.UID, in.GID, in.Groups, app.UID, app.GID, app.Groups)
	}
	if strings.Join(in.Cgroup, ";") != strings.Join(app.Cgroup, ";") {
		t.Errorf("cgroups differ:\nenter %v\napp   %v", in.Cgroup, app.Cgroup)
	}
	for k, v := range app.Limits {
		if in.Limits[k] != v {
			t.Errorf("limit %s: enter %q, app %q", k, in.Limits[k], v)
		}
	}
	for k, v := range app.Syscalls {
		if in.Syscalls[k] != v {
			t.Errorf("syscall %s: enter %s, app %s", k, in.Syscalls[k], v)
		}
	}
	for _, ns := range []string{"pid", "mnt", "uts", "ipc", "net", "cgroup"} {
		if in.NS[ns] != app.NS[ns] {
			t.Errorf("enter is not in the app's %s namespace", ns)
		}
	}
}

// CVE-2019-10144/10145/10147 class: rkt's enter ran with every capability,
// no seccomp filter and outside the app's cgroup. saturn's enter gets what
// the app got, for a root app with the default confinement and for one
// with its own: retained capabilities, no_new_privs, a filter of its own,
// a memory limit, a read-only root.
func TestIsolationEnterConfined(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	nnp := customProbe(t, e, nil, "--isolator", "os/linux/no-new-privileges=true")
	probeArgs := []string{"--syscall=unshare", "--syscall=keyctl", "--syscall=chroot"}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"default root app", []string{probeACI(t), "--user=0"}},
		{"own confinement", []string{"--insecure-options=paths", nnp, "--user=0", "--caps-retain=CAP_SYS_CHROOT,CAP_NET_RAW",
			"--seccomp=mode=remove,errno=ENOSYS,keyctl", "--memory=96Mi", "--cpu=500m", "--readonly-rootfs"}},
		{"non-root app", []string{probeACI(t), "--user=1234", "--group=2345"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			outDir := t.TempDir()
			os.Chmod(outDir, 0o777)
			args := append([]string{stage1Flag(), "--net=none", "--volume=out,kind=host,source=" + outDir}, tc.args...)
			args = append(args, "--mount=volume=out,target=/out", "--")
			args = append(args, probeArgs...)
			p := e.background(append(args, "--sleep=60s", "--out=/out/app.json", "--quiet", "---")...)
			e.waitRunning(p)
			app := readProbe(t, waitFile(t, filepath.Join(outDir, "app.json")))
			if app.Status["Seccomp"] != "2" {
				t.Errorf("the app has no filter: %v", app.Status)
			}
			enterConfined(t, e, p.uuid, app, probeArgs...)
			e.ok("stop", p.uuid)
			p.wait(t, 15*time.Second)
		})
	}
}

// No fd of the caller of enter reaches the command it runs in the pod
// (host fds must not leak in): only stdio, and the fd ls reads with.
func TestIsolationEnterNoHostFds(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	p := e.background(stage1Flag(), "--net=none", probeACI(t), "--", "--sleep=60s", "--quiet", "---")
	e.waitRunning(p)
	secret, err := os.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer secret.Close()
	c := e.cmd(t.Context(), "enter", p.uuid, "/bin/ls", "/proc/self/fd")
	c.ExtraFiles = []*os.File{secret, secret, secret} // fds 3, 4, 5 in saturn
	out, err := c.Output()
	if err != nil {
		t.Fatalf("enter: %v", err)
	}
	if got := strings.Fields(string(out)); !slices.Equal(got, []string{"0", "1", "2", "3"}) {
		t.Errorf("fds in the entered command: %v, want stdio and ls's own", got)
	}
	e.ok("stop", p.uuid)
	p.wait(t, 15*time.Second)
}
