package tests

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/saturnpod/saturn/stage1/isolation/caps"
)

// capHex formats a set as /proc/PID/status does.
func capHex(s caps.Set) string { return fmt.Sprintf("%016x", uint64(s)) }

// hostBounding is the test process's bounding set: what an app keeps when
// nothing restricts it.
func hostBounding(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "CapBnd:"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatal("no CapBnd in /proc/self/status")
	return ""
}

func capsOf(t *testing.T, names ...string) caps.Set {
	t.Helper()
	var s caps.Set
	for _, n := range names {
		c, err := caps.Parse(n)
		if err != nil {
			t.Fatal(err)
		}
		s |= caps.Of(c)
	}
	return s
}

// checkCaps: a root app's bounding, permitted and effective sets are want;
// inheritable and ambient are empty.
func checkCaps(t *testing.T, what string, r probeReport, want string) {
	t.Helper()
	for _, k := range []string{"CapBnd", "CapPrm", "CapEff"} {
		if r.Status[k] != want {
			t.Errorf("%s: %s %s, want %s", what, k, r.Status[k], want)
		}
	}
	for _, k := range []string{"CapInh", "CapAmb"} {
		if r.Status[k] != capHex(0) {
			t.Errorf("%s: %s %s, want empty", what, k, r.Status[k])
		}
	}
}

// Each way to set an app's capabilities: the appc default set; the image's
// retain-set and remove-set isolators; --caps-retain and --caps-remove
// (which replace the image's); a non-root app; and
// --insecure-options=capabilities. CAP_SYS_CHROOT is in the default set:
// chroot works with it and fails without it.
func TestIsolationCapabilities(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	aci := probeACI(t)
	run := func(img, appFlag string, runFlags ...string) probeReport {
		t.Helper()
		args := append([]string{"run", stage1Flag(), "--net=none"}, runFlags...)
		args = append(args, img, appFlag, "--", "--syscall=chroot", "---")
		return oneProbe(t, e.ok(args...))
	}
	r := run(aci, "--user=0")
	checkCaps(t, "default", r, capHex(caps.Default))
	if r.Syscalls["chroot"] != "ok" {
		t.Errorf("default: chroot %s, want ok (CAP_SYS_CHROOT)", r.Syscalls["chroot"])
	}
	r = run(aci, "--caps-retain=CAP_NET_ADMIN,CAP_SYS_CHROOT")
	checkCaps(t, "--caps-retain", r, capHex(capsOf(t, "CAP_NET_ADMIN", "CAP_SYS_CHROOT")))
	r = run(aci, "--caps-remove=CAP_SYS_CHROOT,CAP_KILL")
	checkCaps(t, "--caps-remove", r, capHex(caps.Default&^capsOf(t, "CAP_SYS_CHROOT", "CAP_KILL")))
	if r.Syscalls["chroot"] != "EPERM" {
		t.Errorf("--caps-remove=CAP_SYS_CHROOT: chroot %s, want EPERM", r.Syscalls["chroot"])
	}
	retain := customProbe(t, e, nil, "--isolator", `os/linux/capabilities-retain-set={"set":["CAP_CHOWN","CAP_SYS_TIME"]}`)
	r = run(retain, "--user=0")
	checkCaps(t, "retain-set isolator", r, capHex(capsOf(t, "CAP_CHOWN", "CAP_SYS_TIME")))
	if r.Syscalls["chroot"] != "EPERM" {
		t.Errorf("retain-set without CAP_SYS_CHROOT: chroot %s, want EPERM", r.Syscalls["chroot"])
	}
	// The flag replaces the image's isolator.
	r = run(retain, "--caps-retain=CAP_SYS_CHROOT")
	checkCaps(t, "--caps-retain over the image's", r, capHex(capsOf(t, "CAP_SYS_CHROOT")))
	remove := customProbe(t, e, nil, "--isolator", `os/linux/capabilities-remove-set={"set":["CAP_MKNOD","CAP_NET_RAW"]}`)
	r = run(remove, "--user=0")
	checkCaps(t, "remove-set isolator", r, capHex(caps.Default&^capsOf(t, "CAP_MKNOD", "CAP_NET_RAW")))
	// A non-root app: the bounding set is the default, no capability held.
	r = run(aci, "--user=1234")
	if r.Status["CapBnd"] != capHex(caps.Default) || r.Status["CapEff"] != capHex(0) || r.Status["CapPrm"] != capHex(0) ||
		r.Status["CapInh"] != capHex(0) || r.Status["CapAmb"] != capHex(0) {
		t.Errorf("non-root app: %v", r.Status)
	}
	// --insecure-options=capabilities: the bounding set stays whole.
	r = run(aci, "--user=0", "--insecure-options=capabilities")
	checkCaps(t, "--insecure-options=capabilities", r, hostBounding(t))
	if n, _ := strconv.ParseUint(r.Status["CapBnd"], 16, 64); caps.Set(n)&capsOf(t, "CAP_SYS_ADMIN") == 0 {
		t.Errorf("--insecure-options=capabilities: no CAP_SYS_ADMIN in %s", r.Status["CapBnd"])
	}
	if r.Status["Seccomp"] != "2" {
		t.Errorf("--insecure-options=capabilities turned seccomp off too: %s", r.Status["Seccomp"])
	}
}
