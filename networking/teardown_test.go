package networking

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// After a reboot (or any loss of the mount) the namespace and its veth are
// gone, but the lease and the masquerade rules are not: with either
// firewall backend, and even when the record lost ptp's result (stage1
// killed during ptp's ADD, which had made the rules already).
func TestTeardownAfterMountGone(t *testing.T) {
	for _, tc := range []struct {
		name, backend string
		dropResult    bool
	}{{"nftables", "nftables", false}, {"iptables", "iptables", false}, {"iptables-no-result", "iptables", true}} {
		t.Run(tc.name, func(t *testing.T) {
			o := testOpts(t, NetRequest{Name: "saturn-test-gone"})
			writeNetConf(t, o, "gone.conflist", fmt.Sprintf(`{"cniVersion":"1.0.0","name":"saturn-test-gone","plugins":[
			 {"type":"ptp","ipMasq":true,"ipMasqBackend":%q,"ipam":{"type":"host-local","ranges":[[{"subnet":%q}]],"routes":[{"dst":"0.0.0.0/0"}],"dataDir":%q}}]}`,
				tc.backend, testSubnet, o.IPAMDataDir))
			before := snapshot(t)
			p := mustSetup(t, o)
			ips := ipsOf(p)
			assertLive(t, o, "saturn-test-gone", ips)
			if tc.dropResult {
				p.rec.Nets[0].Result, p.rec.Nets[0].Done, p.rec.Nets[0].Phase = nil, 0, phaseAdding
				if err := writeRecord(o.PodDir, p.rec); err != nil {
					t.Fatal(err)
				}
			}
			p.Close()
			if err := unix.Unmount(filepath.Join(o.NetnsDir, o.UUID), unix.MNT_DETACH); err != nil {
				t.Fatal(err)
			}
			// The kernel frees a namespace, and its veth with it, asynchronously.
			for deadline := time.Now().Add(5 * time.Second); !hostVethGone(t, p); time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the veth outlived its namespace: %s", snapshotAddrs(t))
				}
			}
			if err := Teardown(context.Background(), o.PodDir, o.PluginDirs); err != nil {
				t.Fatalf("Teardown: %v", err)
			}
			assertClean(t, o, before, ips)
		})
	}
}

// hostVethGone: no host link holds the pod's gateway address any more.
func hostVethGone(t *testing.T, p *Pod) bool {
	out := snapshotAddrs(t)
	for _, n := range p.Networks() {
		if n.Gateway != "" && containsWord(out, n.Gateway) {
			return false
		}
	}
	return true
}

func TestSetupFailingPlugin(t *testing.T) {
	for name, second := range map[string]string{
		// A real plugin failing half-way through the list.
		"tuning": `{"type":"tuning","sysctl":{"net.ipv4.conf.eth0.saturn_test_nonexistent":"1"}}`,
		// A plugin that is not there at all.
		"missing": `{"type":"saturn-test-missing"}`,
	} {
		t.Run(name, func(t *testing.T) {
			o := testOpts(t, NetRequest{Name: "saturn-test-fail"})
			writeNetConf(t, o, "fail.conflist", fmt.Sprintf(`{"cniVersion":"1.0.0","name":"saturn-test-fail","plugins":[
			 {"type":"ptp","ipMasq":true,"ipam":{"type":"host-local","ranges":[[{"subnet":%q}]],"dataDir":%q}},
			 %s]}`, testSubnet, o.IPAMDataDir, second))
			before := snapshot(t)
			p, err := Setup(context.Background(), o)
			if err == nil {
				p.Close()
				t.Fatal("Setup succeeded with a failing plugin")
			}
			assertClean(t, o, before, []string{"172.31.250.2", "172.31.250.3"})
			if err := Teardown(context.Background(), o.PodDir, o.PluginDirs); err != nil {
				t.Errorf("Teardown after a failed Setup: %v", err)
			}
		})
	}
}

func TestSetupErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		nets  []NetRequest
		ports []PortMapping
		want  error
	}{
		"unknown network": {[]NetRequest{{Name: "saturn-test-nosuch"}}, nil, errdefs.ErrNotFound},
		"host":            {[]NetRequest{{Name: NetHost}}, nil, errdefs.ErrInvalid},
		"port without portmap": {[]NetRequest{{Name: "saturn-test-br"}},
			[]PortMapping{{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}}, errdefs.ErrInvalid},
		"bad protocol": {[]NetRequest{{Name: NetDefault}},
			[]PortMapping{{HostPort: 8080, ContainerPort: 80, Protocol: "icmp"}}, errdefs.ErrInvalid},
	} {
		t.Run(name, func(t *testing.T) {
			o := testOpts(t, tc.nets...)
			o.Ports = tc.ports
			writeNetConf(t, o, "br.conflist", bridgeConf(o.IPAMDataDir))
			_, err := Setup(context.Background(), o)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Setup: %v, want %v", err, tc.want)
			}
			// Refused before touching anything.
			if _, err := os.Stat(filepath.Join(o.PodDir, StateDir)); err == nil {
				t.Errorf("a refused Setup left %s", StateDir)
			}
		})
	}
	o := testOpts(t, NetRequest{Name: NetNone})
	o.UUID = "../escape"
	if _, err := Setup(context.Background(), o); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("UUID with a slash: %v", err)
	}
}

func TestTeardownNeverSetUp(t *testing.T) {
	if err := Teardown(context.Background(), t.TempDir(), nil); err != nil {
		t.Errorf("Teardown of a pod without networking: %v", err)
	}
	if _, err := Load(t.TempDir(), nil); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("Load of a pod without networking: %v", err)
	}
}
