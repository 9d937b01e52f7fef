package tests

import (
	"testing"
)

// The default filter refuses, with EPERM, syscalls container runtimes
// block (unshare and keyctl here: neither needs a capability, so only the
// filter stops them); --seccomp replaces it; --insecure-options=seccomp
// removes it. The probe's getpid always works.
func TestIsolationSeccomp(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	aci := probeACI(t)
	probe := []string{"--", "--syscall=unshare", "--syscall=keyctl", "--syscall=getpid", "---"}
	run := func(flags ...string) probeReport {
		t.Helper()
		args := append([]string{"run", stage1Flag(), "--net=none"}, flags...)
		return oneProbe(t, e.ok(append(args, probe...)...))
	}
	check := func(what string, r probeReport, mode, unshare, keyctl string) {
		t.Helper()
		if r.Status["Seccomp"] != mode || r.Syscalls["unshare"] != unshare || r.Syscalls["keyctl"] != keyctl || r.Syscalls["getpid"] != "ok" {
			t.Errorf("%s: Seccomp %s, syscalls %v; want mode %s, unshare %s, keyctl %s", what, r.Status["Seccomp"], r.Syscalls, mode, unshare, keyctl)
		}
	}
	check("default", run(aci), "2", "EPERM", "EPERM")
	// A blocklist of its own: unshare is open, keyctl fails its own way.
	r := run(aci, "--seccomp=mode=remove,errno=ENOSYS,keyctl")
	check("--seccomp=mode=remove,errno=ENOSYS,keyctl", r, "2", "ok", "ENOSYS")
	// An allowlist: the default one, plus unshare.
	r = run(aci, "--seccomp=mode=retain,errno=EPERM,@saturn/default-allowlist,unshare")
	check("--seccomp=mode=retain,...,unshare", r, "2", "ok", "EPERM")
	r = run("--insecure-options=seccomp", aci)
	if r.Status["Seccomp"] != "0" || r.Syscalls["unshare"] != "ok" || r.Syscalls["keyctl"] == "EPERM" {
		t.Errorf("--insecure-options=seccomp: Seccomp %s, syscalls %v", r.Status["Seccomp"], r.Syscalls)
	}
	if r.Status["CapBnd"] == hostBounding(t) {
		t.Errorf("--insecure-options=seccomp turned the capability restriction off too")
	}
}

// os/linux/no-new-privileges sets no_new_privs; without it the app may
// gain privileges through setuid binaries, as appc says.
func TestIsolationNoNewPrivs(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	nnp := customProbe(t, e, nil, "--isolator", "os/linux/no-new-privileges=true")
	for _, user := range []string{"0", "1234"} {
		r := oneProbe(t, e.ok("run", stage1Flag(), "--net=none", nnp, "--user="+user))
		if r.Status["NoNewPrivs"] != "1" || r.Status["Seccomp"] != "2" {
			t.Errorf("user %s with no-new-privileges: NoNewPrivs %s Seccomp %s", user, r.Status["NoNewPrivs"], r.Status["Seccomp"])
		}
	}
	r := oneProbe(t, e.ok("run", stage1Flag(), "--net=none", probeACI(t)))
	if r.Status["NoNewPrivs"] != "0" {
		t.Errorf("no isolator: NoNewPrivs %s", r.Status["NoNewPrivs"])
	}
}
