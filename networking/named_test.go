package networking

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// bridgeConf is a named network on a bridge of the test's own.
func bridgeConf(ipamDir string) string {
	return fmt.Sprintf(`{"cniVersion":"1.0.0","name":"saturn-test-br","plugins":[
	 {"type":"bridge","bridge":"saturn-test-br0","isGateway":true,"ipMasq":true,
	  "dns":{"nameservers":["172.31.252.53"],"search":["saturn-test.example"]},
	  "ipam":{"type":"host-local","ranges":[[{"subnet":%q}]],"dataDir":%q}},
	 {"type":"firewall"}]}`, testBridgeSubnet, ipamDir)
}

func TestSetupNamedBridge(t *testing.T) {
	a := testOpts(t, NetRequest{Name: "saturn-test-br"})
	b := a
	b.PodDir, b.UUID = t.TempDir(), testUUID(t)
	b.Nets = []NetRequest{{Name: "saturn-test-br", Args: [][2]string{{"IP", "172.31.252.50"}}}}
	teardownAtCleanup(t, b)
	writeNetConf(t, a, "10-test.conflist", bridgeConf(a.IPAMDataDir))
	before := snapshot(t)
	t.Cleanup(func() { exec.Command("ip", "link", "del", "saturn-test-br0").Run() })

	pa, pb := mustSetup(t, a), mustSetup(t, b)
	ipa, ipb := pa.Networks()[0].IP, pb.Networks()[0].IP
	if ipb != "172.31.252.50" {
		t.Errorf("CNI_ARGS IP=172.31.252.50 gave %s", ipb)
	}
	if d := pa.DNS(); len(d.Nameservers) != 1 || d.Nameservers[0] != "172.31.252.53" || len(d.Search) != 1 {
		t.Errorf("DNS from the CNI result: %+v", d)
	}
	serve(t, pa, "from a")
	var got string
	err := pb.Do(func() (err error) { got, err = fetch(net.JoinHostPort(ipa, "7777")); return err })
	if err != nil || got != "from a" {
		t.Errorf("pod b to pod a on the bridge: %q, %v", got, err)
	}
	for _, p := range []*Pod{pa, pb} {
		if err := p.Teardown(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	assertClean(t, a, before, []string{ipa, ipb})
	assertClean(t, b, before, []string{ipa, ipb})
}

func TestSetupPortForward(t *testing.T) {
	o := testOpts(t, NetRequest{Name: NetDefault})
	hostPort := freePort(t)
	o.Ports = []PortMapping{{HostPort: hostPort, ContainerPort: 7777, Protocol: "tcp"}}
	before := snapshot(t)
	p := mustSetup(t, o)
	serve(t, p, "forwarded")
	addrs := []string{"127.0.0.1"}
	if ip := hostIP(t); ip != "" {
		addrs = append(addrs, ip)
	}
	for _, a := range addrs {
		if got, err := fetch(net.JoinHostPort(a, strconv.Itoa(hostPort))); err != nil || got != "forwarded" {
			t.Errorf("%s:%d to the pod: %q, %v", a, hostPort, got, err)
		}
	}
	ips := ipsOf(p)
	if err := p.Teardown(context.Background()); err != nil {
		t.Fatal(err)
	}
	assertClean(t, o, before, ips)
	if _, err := fetch(net.JoinHostPort("127.0.0.1", strconv.Itoa(hostPort))); err == nil {
		t.Errorf("port %d still forwarded after teardown", hostPort)
	}
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// hostIP is a global IPv4 address of this machine, to reach the forwarded
// port as another host would address it.
func hostIP(t *testing.T) string {
	out, err := exec.Command("ip", "-o", "-4", "addr", "show", "scope", "global").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) > 3 && !strings.HasPrefix(f[1], "veth") && !strings.HasPrefix(f[1], "saturn-test") {
			return strings.Split(f[3], "/")[0]
		}
	}
	return ""
}
