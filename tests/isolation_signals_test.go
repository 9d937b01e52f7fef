package tests

import (
	"path/filepath"
	"testing"
	"time"
)

// An app running as root (with CAP_KILL) cannot stop or crash its pod by
// signalling the pod init, PID 1 of the pod: not with the stop signals,
// nor with the ones a Go program dies of (SIGQUIT dumps and exits,
// SIGSEGV sent by kill crashes), to the process or to any of its threads.
// The pod still stops on `saturn stop` afterwards.
func TestIsolationPodInitIgnoresAppSignals(t *testing.T) {
	e := newEnv(t)
	inTestCgroup(t)
	outDir := t.TempDir()
	// HUP INT QUIT ILL TRAP ABRT BUS FPE USR1 SEGV USR2 PIPE ALRM TERM
	// STKFLT XCPU XFSZ VTALRM IO PWR SYS, then KILL and STOP.
	args := []string{"--volume=out,kind=host,source=" + outDir, probeACI(t), "--user=0", "--mount=volume=out,target=/out", "--"}
	for _, sig := range []int{1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 24, 25, 26, 29, 30, 31, 9, 19} {
		args = append(args, "--signal=1:"+itoa(sig))
	}
	args = append(args, "--out=/out/r.json", "--quiet", "--sleep=60s", "---")
	p := e.background(append([]string{stage1Flag(), "--net=none"}, args...)...)
	e.waitRunning(p)
	r := readProbe(t, waitFile(t, filepath.Join(outDir, "r.json")))
	for sig, res := range r.Signals {
		if res != "ok" {
			t.Errorf("the app could not even send %s: %s (the test proves nothing)", sig, res)
		}
	}
	select {
	case res := <-p.done:
		t.Fatalf("the app's signals ended the pod: exit %d\n%s", res.code, res.stderr)
	case <-time.After(2 * time.Second):
	}
	e.ok("stop", p.uuid)
	if res := p.wait(t, 15*time.Second); res.code != 143 {
		t.Errorf("pod exit %d after stop, want 143\n%s", res.code, res.stderr)
	}
}
