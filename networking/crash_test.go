package networking

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// crashChildEnv carries the Options a child test process runs Setup with,
// as stage1 init would: the test kills it half-way, or lets it exit
// without teardown.
const crashChildEnv = "SATURN_TEST_CRASH_CHILD"

func crashChild() int {
	var o Options
	if err := json.Unmarshal([]byte(os.Getenv(crashChildEnv)), &o); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if _, err := Setup(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "child: Setup:", err)
		return 1
	}
	return 0
}

// startChild starts a child test process that runs Setup with o, in a
// private mount namespace if privateMounts (as stage0 runs stage1 init).
func startChild(t *testing.T, o Options, privateMounts bool) *exec.Cmd {
	t.Helper()
	b, _ := json.Marshal(o)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+string(b))
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if privateMounts {
		// Go makes the new namespace's mounts private: nothing the child
		// mounts shows here, unless it mounts in our namespace.
		cmd.SysProcAttr.Unshareflags = syscall.CLONE_NEWNS
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// stage1 init runs in a private mount namespace. Where it can join the
// host's, the netns mount outlives it there; where it cannot, the mount
// dies with it; teardown from the host cleans up either way.
func TestSetupFromPrivateMountNS(t *testing.T) {
	for name, reachable := range map[string]bool{"host-mount": true, "private-mount": false} {
		t.Run(name, func(t *testing.T) {
			o := testOpts(t, NetRequest{Name: NetDefault})
			if reachable {
				o.HostMountNS = fmt.Sprintf("/proc/%d/ns/mnt", os.Getpid())
			} else {
				o.HostMountNS = "/nonexistent/ns/mnt"
			}
			before := snapshot(t)
			if err := startChild(t, o, true).Wait(); err != nil {
				t.Fatalf("child: %v", err)
			}
			p, err := Load(o.PodDir, o.PluginDirs)
			if err != nil {
				t.Fatal(err)
			}
			ips := ipsOf(p)
			if reachable != (p.NetnsFile() != nil) {
				t.Fatalf("netns open after stage1 exited: %v, want %v", p.NetnsFile() != nil, reachable)
			}
			if reachable {
				if a := inPod(t, p, "ip", "-o", "-4", "addr", "show", "dev", "eth0"); !strings.Contains(a, ips[0]+"/") {
					t.Errorf("the persisted netns lacks eth0 with %s: %s", ips[0], a)
				}
			}
			if err := p.Teardown(context.Background()); err != nil {
				t.Fatal(err)
			}
			assertClean(t, o, before, ips)
		})
	}
}

// hangPlugin is a CNI plugin whose ADD never returns, for stage1 to be
// killed in; its DEL has nothing to undo.
const hangPlugin = "#!/bin/sh\n[ \"$CNI_COMMAND\" = ADD ] && exec sleep 60\nexit 0\n"

func TestTeardownAfterCrash(t *testing.T) {
	o := testOpts(t, NetRequest{Name: "saturn-test-crash"})
	hangDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(hangDir, "saturn-test-hang"), []byte(hangPlugin), 0o755); err != nil {
		t.Fatal(err)
	}
	o.PluginDirs = append(o.PluginDirs, hangDir)
	writeNetConf(t, o, "crash.conflist", fmt.Sprintf(`{"cniVersion":"1.0.0","name":"saturn-test-crash","plugins":[
	 {"type":"ptp","ipMasq":true,"ipam":{"type":"host-local","ranges":[[{"subnet":%q}]],"dataDir":%q}},
	 {"type":"saturn-test-hang"}]}`, testSubnet, o.IPAMDataDir))
	before := snapshot(t)

	cmd := startChild(t, o, false)
	// Kill it (and the hanging plugin) once ptp has returned.
	var ips []string
	deadline := time.Now().Add(10 * time.Second)
	for ; ; time.Sleep(5 * time.Millisecond) {
		if rec, err := readRecord(o.PodDir); err == nil && len(rec.Nets) == 1 && rec.Nets[0].Done == 1 {
			ips = recordIPs(t, rec)
			break
		}
		if time.Now().After(deadline) {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			t.Fatal("the child never got half-way")
		}
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Wait()
	assertLive(t, o, "saturn-test-crash", ips)

	if err := Teardown(context.Background(), o.PodDir, o.PluginDirs); err != nil {
		t.Fatalf("Teardown after the crash: %v", err)
	}
	assertClean(t, o, before, ips)
}

func recordIPs(t *testing.T, rec *record) []string {
	var r struct {
		IPs []struct{ Address string } `json:"ips"`
	}
	if err := json.Unmarshal(rec.Nets[0].Result, &r); err != nil || len(r.IPs) == 0 {
		t.Fatalf("recorded result %s: %v", rec.Nets[0].Result, err)
	}
	var ips []string
	for _, ip := range r.IPs {
		addr, _, err := net.ParseCIDR(ip.Address)
		if err != nil {
			t.Fatal(err)
		}
		ips = append(ips, addr.String())
	}
	return ips
}
