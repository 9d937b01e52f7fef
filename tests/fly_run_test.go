package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The fly app shares the host's namespaces but its mount namespace, the
// caller's cgroup and capabilities, and is the very process saturn run was.
func TestFlyHostNamespaces(t *testing.T) {
	e := newEnv(t)
	r := oneProbe(t, e.ok("run", flyFlag(t), "--net=host", probeACI(t), "--", "--list=/", "---"))
	for _, ns := range []string{"pid", "net", "ipc", "uts", "cgroup", "user"} {
		if r.NS[ns] != hostNS(t, ns) {
			t.Errorf("%s namespace %s, the host's is %s", ns, r.NS[ns], hostNS(t, ns))
		}
	}
	if r.NS["mnt"] == hostNS(t, "mnt") {
		t.Errorf("the app runs in the host's mount namespace")
	}
	// saturn execs stage1, which execs the app: its parent is the test.
	if r.Ppid != os.Getpid() {
		t.Errorf("app's parent is %d, want the test (%d): not exec'd in place", r.Ppid, os.Getpid())
	}
	if h, _ := os.Hostname(); r.Hostname != h {
		t.Errorf("hostname %q, the host's is %q", r.Hostname, h)
	}
	cg, _ := os.ReadFile("/proc/self/cgroup")
	if got := strings.Join(r.Cgroup, "\n"); got != strings.TrimSpace(string(cg)) {
		t.Errorf("app cgroup:\n%s\nthe caller's:\n%s", got, cg)
	}
	for _, k := range []string{"CapBnd", "CapEff", "CapPrm"} {
		if r.Status[k] != hostStatus(t, k) {
			t.Errorf("%s %s, the caller has %s", k, r.Status[k], hostStatus(t, k))
		}
	}
	if r.Status["CapInh"] != "0000000000000000" || r.Status["CapAmb"] != "0000000000000000" || r.Status["Seccomp"] != "0" {
		t.Errorf("inheritable %s, ambient %s, seccomp %s: want none", r.Status["CapInh"], r.Status["CapAmb"], r.Status["Seccomp"])
	}
	for point, fstype := range map[string]string{"/": "overlay", "/proc": "proc", "/sys": "sysfs", "/tmp": "tmpfs"} {
		if m, ok := r.mount(point); !ok || m.FSType != fstype {
			t.Errorf("mount %s: %+v, want %s", point, m, fstype)
		}
	}
	if m, ok := r.mount("/dev"); !ok || m.FSType != hostFSType(t, "/dev") {
		t.Errorf("/dev: %+v, want the host's (%s)", m, hostFSType(t, "/dev"))
	}
	for k, v := range map[string]string{"AC_APP_NAME": "probe", "container": "saturn"} {
		if r.env(k) != v {
			t.Errorf("env %s=%q, want %q", k, r.env(k), v)
		}
	}
	if len(r.Errors) > 0 {
		t.Errorf("probe errors: %v", r.Errors)
	}
	e.noMountsLeft()
}

func hostFSType(t *testing.T, point string) string {
	for _, l := range hostMountLines(t) {
		pre, post, _ := strings.Cut(l, " - ")
		if f := strings.Fields(pre); len(f) > 4 && f[4] == point {
			return strings.Fields(post)[0]
		}
	}
	t.Fatalf("no host mount at %s", point)
	return ""
}

// One app per pod, and no network but the host's: clear errors, not a
// pod that runs differently than asked.
func TestFlyRefuses(t *testing.T) {
	e := newEnv(t)
	aci := probeACI(t)
	out := e.fails("run", flyFlag(t), aci, "--name=one", aci, "--name=two")
	if !strings.Contains(out, "exactly one app") || !strings.Contains(out, "one, two") {
		t.Errorf("two apps: %s", out)
	}
	if out := e.fails("run", flyFlag(t), "--net=none", aci); !strings.Contains(out, "host's network") {
		t.Errorf("--net=none: %s", out)
	}
}

func TestFlyVolumes(t *testing.T) {
	e := newEnv(t)
	rw, ro := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(ro, "data"), []byte("host data"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := oneProbe(t, e.ok("run", flyFlag(t),
		"--volume=rw,kind=host,source="+rw, "--volume=ro,kind=host,source="+ro+",readOnly=true", "--volume=scratch,kind=empty,mode=0700",
		probeACI(t), "--mount=volume=rw,target=/data/rw", "--mount=volume=ro,target=/data/ro", "--mount=volume=scratch,target=/scratch",
		"--", "--write=/data/rw/out=written", "--write=/data/ro/out=nope", "--write=/scratch/f=x",
		"--read=/data/ro/data", "--read=/etc/resolv.conf", "--read=/etc/hosts", "---"))
	if b, err := os.ReadFile(filepath.Join(rw, "out")); err != nil || string(b) != "written" {
		t.Errorf("write through a read-write host volume: %q %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(ro, "out")); err == nil {
		t.Errorf("wrote through a read-only volume")
	}
	if len(r.Errors) != 1 || !strings.Contains(r.Errors[0], "read-only file system") {
		t.Errorf("want one EROFS error, got %v", r.Errors)
	}
	if r.Files["/data/ro/data"] != "host data" {
		t.Errorf("read %q from the read-only volume", r.Files["/data/ro/data"])
	}
	if m, ok := r.mount("/data/ro"); !ok || !strings.HasPrefix(m.Options, "ro") {
		t.Errorf("/data/ro mount: %+v", m)
	}
	if host, err := os.ReadFile("/etc/resolv.conf"); err == nil && r.Files["/etc/resolv.conf"] != string(host) {
		t.Errorf("resolv.conf %q, the host's is %q", r.Files["/etc/resolv.conf"], host)
	}
	if h, _ := os.Hostname(); !strings.Contains(r.Files["/etc/hosts"], h) {
		t.Errorf("/etc/hosts does not name the host %s: %q", h, r.Files["/etc/hosts"])
	}
	e.noMountsLeft()
}

// User and group as in the default stage1; capabilities are the caller's
// unless an isolator narrows them.
func TestFlyUserAndCapabilities(t *testing.T) {
	e := newEnv(t)
	r := oneProbe(t, e.ok("run", flyFlag(t), probeACI(t), "--user=probe", "--group=extra"))
	if r.UID != 1234 || r.GID != 3456 || r.Status["CapEff"] != "0000000000000000" {
		t.Errorf("uid %d gid %d caps %s: want 1234 3456 none", r.UID, r.GID, r.Status["CapEff"])
	}
	r = oneProbe(t, e.ok("run", flyFlag(t), probeACI(t), "--caps-remove=CAP_NET_RAW"))
	host, _ := strconv.ParseUint(hostStatus(t, "CapBnd"), 16, 64)
	want := host &^ (1 << 13) // CAP_NET_RAW
	if got, _ := strconv.ParseUint(r.Status["CapBnd"], 16, 64); got != want {
		t.Errorf("--caps-remove=CAP_NET_RAW: bounding %x, want %x (the caller's without it)", got, want)
	}
	r = oneProbe(t, e.ok("run", flyFlag(t), probeACI(t), "--caps-retain=CAP_NET_ADMIN"))
	if r.Status["CapEff"] != "0000000000001000" {
		t.Errorf("--caps-retain=CAP_NET_ADMIN: effective %s", r.Status["CapEff"])
	}
}

// The app's exit code is saturn run's; a runtime error is 254. No status
// file can be written after an exec in place: stage0 reports the app's
// state as unknown.
func TestFlyExitCode(t *testing.T) {
	e := newEnv(t)
	uuidFile := filepath.Join(t.TempDir(), "uuid")
	if r := e.run("run", "--uuid-file-save="+uuidFile, flyFlag(t), probeACI(t), "--", "--exit=7", "--quiet", "---"); r.code != 7 {
		t.Errorf("exit %d, want 7\n%s", r.code, r.stderr)
	}
	uuid, _ := os.ReadFile(uuidFile)
	var st struct {
		State string `json:"state"`
		Apps  []struct {
			State    string `json:"state"`
			ExitCode *int   `json:"exit_code"`
		} `json:"apps"`
	}
	if err := json.Unmarshal([]byte(e.ok("status", "--format=json", strings.TrimSpace(string(uuid)))), &st); err != nil {
		t.Fatal(err)
	}
	if st.State != "exited" || len(st.Apps) != 1 || st.Apps[0].State != "unknown" || st.Apps[0].ExitCode != nil {
		t.Errorf("status after exit: %+v", st)
	}
	// --wait cannot give the app's code, and says so rather than exit 0.
	w := e.run("status", "--wait", strings.TrimSpace(string(uuid)))
	if w.code != 254 || !strings.Contains(w.stderr, "exit code was not recorded") || strings.Count(strings.TrimSpace(w.stderr), "\n") != 0 {
		t.Errorf("status --wait: exit %d, want 254 and one line on stderr: %q", w.code, w.stderr)
	}
	r := e.run("run", flyFlag(t), probeACI(t), "--exec=/no/such/binary")
	if r.code != 254 || !strings.Contains(r.stderr, "/no/such/binary") {
		t.Errorf("missing exec: exit %d: %s", r.code, r.stderr)
	}
	e.noMountsLeft()
}

// pre-start runs before the app, in its root; post-stop cannot run after
// an exec in place, and the user is told.
func TestFlyEventHandlers(t *testing.T) {
	e := newEnv(t)
	out := t.TempDir()
	aci := customProbe(t, e, nil, "--mount=out:/out",
		`--event-handler=pre-start=/bin/sh -c "echo pre:$AC_APP_NAME > /out/pre"`,
		`--event-handler=post-stop=/bin/sh -c "echo post > /out/post"`)
	vol := "--volume=out,kind=host,source=" + out
	r := e.run("run", flyFlag(t), vol, aci, "--", "--read=/out/pre", "---")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if got := oneProbe(t, r.stdout).Files["/out/pre"]; got != "pre:probe-custom\n" {
		t.Errorf("app saw pre-start's file as %q", got)
	}
	if !strings.Contains(r.stderr, "post-stop handler") || !strings.Contains(r.stderr, "will not run") {
		t.Errorf("no warning about post-stop on stderr: %q", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "post")); err == nil {
		t.Errorf("post-stop ran")
	}
	bad := customProbe(t, e, nil, "--mount=out:/out", `--event-handler=pre-start=/bin/false`)
	if r := e.run("run", flyFlag(t), vol, bad, "--", "--write=/out/bad=ran", "---"); r.code != 254 {
		t.Errorf("failing pre-start: exit %d, want 254: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "bad")); err == nil {
		t.Errorf("the app ran although pre-start failed")
	}
}

// --dns: the resolv.conf stage0 wrote, as in the default stage1.
func TestFlyDNS(t *testing.T) {
	e := newEnv(t)
	r := oneProbe(t, e.ok("run", flyFlag(t), "--dns=192.0.2.53", "--dns-search=example.test", probeACI(t), "--", "--read=/etc/resolv.conf", "---"))
	if got := r.Files["/etc/resolv.conf"]; !strings.Contains(got, "nameserver 192.0.2.53") || !strings.Contains(got, "search example.test") {
		t.Errorf("resolv.conf: %q", got)
	}
}
