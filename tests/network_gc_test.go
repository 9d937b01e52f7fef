package tests

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// gcAll runs gc, which calls stage1 gc for every exited pod, and checks
// that no pod is left.
func (n *netEnv) gcAll() {
	n.t.Helper()
	n.ok("gc", "--grace-period=0s", "--expire-prepared=0s")
	if l := n.ok("list", "--no-legend"); strings.TrimSpace(l) != "" {
		n.t.Fatalf("pods left after gc:\n%s", l)
	}
}

// ipamDirs are where the tests' networks keep leases.
func (n *netEnv) ipamDirs() []string { return []string{"/var/lib/saturn/cni/networks", n.ipam} }

// checkNoLeaks fails the test for whatever of the pod's networking is on
// the host now that was not before.
// The kernel frees a namespace, and its links with it, in the background:
// they get a moment.
func (n *netEnv) checkNoLeaks(what string, before hostNet, tr podTrace) {
	n.t.Helper()
	l := leaks(before, snapshot(n.t, n.ipamDirs()...), tr)
	for deadline := time.Now().Add(5 * time.Second); len(l) > 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		l = leaks(before, snapshot(n.t, n.ipamDirs()...), tr)
	}
	if len(l) > 0 {
		n.t.Errorf("%s: gc left the pod's networking behind:\n%s", what, strings.Join(l, "\n"))
	}
}

// runningWithTrace starts a --net=default pod forwarding a port, and
// checks that the leak detector sees it while it runs: a netns, a host
// link, a lease and rules.
func (n *netEnv) runningWithTrace(before hostNet) (*bgPod, podTrace) {
	n.t.Helper()
	web := webImage(n.t, n.env, "x")
	p := n.bg("default", append([]string{fmt.Sprintf("--port=http:%d", freePort(n.t)), web}, httpdArgs()...)...)
	tr := n.podTraceOf(p.uuid)
	during := leaks(before, snapshot(n.t, n.ipamDirs()...), tr)
	for _, kind := range []string{"netns ", "link ", "lease ", "rule "} {
		if !strings.Contains(strings.Join(during, "\n"), "\n"+kind) && !strings.HasPrefix(strings.Join(during, "\n"), kind) {
			n.t.Errorf("while the pod runs, no %s of it found: %q", kind, during)
		}
	}
	return p, tr
}

// After a normal exit, stage1 tears the network down and gc has nothing
// left to do; gc is idempotent.
func TestNetworkGCNormalExit(t *testing.T) {
	n := newNetEnv(t)
	before := snapshot(t, n.ipamDirs()...)
	p, tr := n.runningWithTrace(before)
	n.stopPod(p)
	n.checkNoLeaks("normal exit, before gc", before, tr)
	n.gcAll()
	n.checkNoLeaks("normal exit", before, tr)
}

// After stage1 init is SIGKILLed, gc (or rm) undoes everything.
func TestNetworkGCKilledStage1(t *testing.T) {
	n := newNetEnv(t)
	before := snapshot(t, n.ipamDirs()...)
	p, tr := n.runningWithTrace(before)
	// saturn run exec'd stage1 init: same PID.
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	p.wait(t, 30*time.Second)
	if len(leaks(before, snapshot(t, n.ipamDirs()...), tr)) == 0 {
		t.Error("nothing of the pod's networking left after kill -9: nothing for gc to prove")
	}
	n.gcAll()
	n.checkNoLeaks("kill -9 of stage1", before, tr)

	// rm calls stage1 gc too.
	p, tr = n.runningWithTrace(before)
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	p.wait(t, 30*time.Second)
	n.ok("rm", p.uuid)
	n.checkNoLeaks("kill -9 of stage1, then rm", before, tr)
}

// After the netns mount vanished (a reboot, an operator), gc still
// releases the lease and removes the rules.
func TestNetworkGCRemovedNetnsMount(t *testing.T) {
	n := newNetEnv(t)
	before := snapshot(t, n.ipamDirs()...)
	p, tr := n.runningWithTrace(before)
	path := "/run/saturn/netns/" + p.uuid
	umount := exec.Command("umount", path)
	if len(mountsWith(t, path)) == 0 {
		// The mount lives in stage1's mount namespace (PID 1's was out of reach).
		umount = exec.Command("nsenter", "-t", fmt.Sprint(p.cmd.Process.Pid), "-m", "umount", path)
	}
	if out, err := umount.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", umount.Args, err, out)
	}
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	p.wait(t, 30*time.Second)
	n.gcAll()
	n.checkNoLeaks("removed netns mount", before, tr)
}

// A plugin that fails half-way through a network's list: the run fails,
// what the plugins before it did is undone, and gc finds nothing left.
func TestNetworkGCFailingPlugin(t *testing.T) {
	n := newNetEnv(t)
	n.addNet("saturn-test-fail",
		map[string]any{"type": "ptp", "ipMasq": true, "ipam": n.hostLocal("10.251.83.0/24", "0.0.0.0/0")},
		map[string]any{"type": "portmap", "capabilities": map[string]bool{"portMappings": true}},
		map[string]any{"type": "tuning", "sysctl": map[string]string{"net.ipv4.conf.eth0.saturn_test_nonexistent": "1"}})
	before := snapshot(t, n.ipamDirs()...)
	web := webImage(t, n.env, "x")
	uuidFile := t.TempDir() + "/uuid"
	r := n.run(append(n.flags("saturn-test-fail"), "--uuid-file-save="+uuidFile, fmt.Sprintf("--port=http:%d", freePort(t)), web)...)
	if r.code != 254 || !strings.Contains(r.stderr, "tuning") {
		t.Fatalf("run with a failing plugin: exit %d\n%s", r.code, r.stderr)
	}
	tr := podTrace{uuid: strings.TrimSpace(readFile(t, uuidFile)), subnet: "10.251.83."}
	n.checkNoLeaks("failing plugin, before gc", before, tr)
	n.gcAll()
	n.checkNoLeaks("failing plugin", before, tr)
}
