package tests

import (
	"strings"
	"testing"
	"time"
)

// A memory limit that the app exceeds kills it: the OOM killer's SIGKILL
// makes the app's status (and the pod's exit code) 137, and stage1 says on
// stderr that it was the OOM killer. Below the limit the app runs, and
// reads its limit in its own cgroup.
func TestIsolationMemoryLimitKills(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	aci := probeACI(t)
	r := oneProbe(t, e.ok("run", stage1Flag(), "--net=none", aci, "--memory=64Mi", "--", "--alloc=8", "---"))
	if got := r.Limits["memory/memory.limit_in_bytes"] + r.Limits["memory.max"]; got != itoa(64<<20) {
		t.Errorf("memory limit the app sees: %q (limits %v)", got, r.Limits)
	}
	if sw, ok := r.Limits["memory/memory.memsw.limit_in_bytes"]; ok && sw != itoa(64<<20) {
		t.Errorf("memory+swap limit %s: an app could swap past its limit", sw)
	}
	p := e.background(stage1Flag(), "--net=none", aci, "--memory=32Mi", "--", "--alloc=128", "---")
	res := p.wait(t, 2*time.Minute)
	if res.code != 137 {
		t.Errorf("pod over its memory limit exited %d, want 137\n%s", res.code, res.stderr)
	}
	if c := e.appExitCode(p.uuid, "probe"); c != "137" {
		t.Errorf("status of the OOM-killed app: %q, want 137", c)
	}
	if !strings.Contains(res.stderr, "killed by the OOM killer") {
		t.Errorf("stderr does not name the OOM kill: %q", res.stderr)
	}
	if strings.Contains(res.stdout, "PROBE") {
		t.Errorf("the app got past its allocation: %s", res.stdout)
	}
}

// resource/cpu becomes a CFS quota over a 100ms period, os/linux/cpu-shares
// the cpu.shares of the app's cgroup, as the app reads them.
func TestIsolationCPUQuotaAndShares(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	aci := customProbe(t, e, nil, "--isolator", `os/linux/cpu-shares=512`)
	r := oneProbe(t, e.ok("run", stage1Flag(), "--net=none", aci, "--cpu=250m"))
	if v2, ok := r.Limits["cpu.max"]; ok {
		if v2 != "25000 100000" || r.Limits["cpu.weight"] != "20" {
			t.Errorf("cgroup2 cpu.max %q cpu.weight %q", v2, r.Limits["cpu.weight"])
		}
		return
	}
	want := map[string]string{"cpu/cpu.cfs_quota_us": "25000", "cpu/cpu.cfs_period_us": "100000", "cpu/cpu.shares": "512"}
	for f, v := range want {
		if r.Limits[f] != v {
			t.Errorf("%s = %q, want %q (all: %v)", f, r.Limits[f], v, r.Limits)
		}
	}
	// Without isolators the app gets no quota.
	r = oneProbe(t, e.ok("run", stage1Flag(), "--net=none", probeACI(t)))
	if q := r.Limits["cpu/cpu.cfs_quota_us"]; q != "-1" {
		t.Errorf("default quota %q, want -1", q)
	}
}

// os/linux/oom-score-adj is the app's oom_score_adj (raised here: lowering
// it needs CAP_SYS_RESOURCE, which the test machine's root lacks).
func TestIsolationOOMScoreAdj(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	aci := customProbe(t, e, nil, "--isolator", `os/linux/oom-score-adj=700`)
	r := oneProbe(t, e.ok("run", stage1Flag(), "--net=none", aci, "--", "--read=/proc/self/oom_score_adj", "---"))
	if got := strings.TrimSpace(r.Files["/proc/self/oom_score_adj"]); got != "700" {
		t.Errorf("oom_score_adj %q, want 700 (errors %v)", got, r.Errors)
	}
}
