package tests

import (
	"strings"
	"testing"
)

// dnsFiles runs the probe with the flags and returns what it read in
// /etc/resolv.conf and /etc/hosts ("" and ok false for a missing file).
func (n *netEnv) dnsFiles(net string, flags ...string) (resolv, hosts string, hasResolv bool) {
	n.t.Helper()
	args := append(append(n.flags(net), flags...), probeACI(n.t), "--", "--read=/etc/resolv.conf", "--read=/etc/hosts", "---")
	r := oneProbe(n.t, n.ok(args...))
	resolv, hasResolv = r.Files["/etc/resolv.conf"]
	return resolv, r.Files["/etc/hosts"], hasResolv
}

// --dns, --dns-search, --dns-opt and --hosts-entry land in the apps'
// files; the CNI result's DNS does unless --dns says otherwise.
func TestNetworkDNS(t *testing.T) {
	n := newNetEnv(t)
	hostResolv, hostHosts := readFile(t, "/etc/resolv.conf"), readFile(t, "/etc/hosts")

	resolv, hosts, _ := n.dnsFiles("none", "--dns=10.251.0.53", "--dns=10.251.0.54", "--dns-search=a.saturn-test",
		"--dns-search=b.saturn-test", "--dns-opt=ndots:3", "--hosts-entry=10.251.0.7=db.saturn-test", "--hosts-entry=10.251.0.8=cache")
	for _, want := range []string{"nameserver 10.251.0.53\nnameserver 10.251.0.54\n", "search a.saturn-test b.saturn-test\n", "options ndots:3\n"} {
		if !strings.Contains(resolv, want) {
			t.Errorf("--dns: resolv.conf lacks %q:\n%s", want, resolv)
		}
	}
	for _, want := range []string{"10.251.0.7\tdb.saturn-test\n", "10.251.0.8\tcache\n", "127.0.0.1\tlocalhost"} {
		if !strings.Contains(hosts, want) {
			t.Errorf("--hosts-entry: hosts lacks %q:\n%s", want, hosts)
		}
	}

	if resolv, hosts, _ := n.dnsFiles("none", "--dns=host", "--hosts-entry=host"); resolv != hostResolv || hosts != hostHosts {
		t.Errorf("--dns=host --hosts-entry=host: resolv.conf %q hosts %q, want the host's", resolv, hosts)
	}
	if resolv, _, ok := n.dnsFiles("none", "--dns=none"); ok {
		t.Errorf("--dns=none: the app has a resolv.conf: %q", resolv)
	}

	// A network whose result carries DNS (ptp copies its "dns").
	n.addNet("saturn-test-dns", map[string]any{"type": "ptp", "ipam": n.hostLocal("10.251.82.0/24"),
		"dns": map[string]any{"nameservers": []string{"10.251.82.53"}, "search": []string{"cni.saturn-test"}, "options": []string{"timeout:1"}}})
	resolv, _, _ = n.dnsFiles("saturn-test-dns")
	for _, want := range []string{"nameserver 10.251.82.53\n", "search cni.saturn-test\n", "options timeout:1\n"} {
		if !strings.Contains(resolv, want) {
			t.Errorf("CNI DNS: resolv.conf lacks %q:\n%s", want, resolv)
		}
	}
	if resolv, _, _ := n.dnsFiles("saturn-test-dns", "--dns=10.251.0.99"); !strings.Contains(resolv, "nameserver 10.251.0.99\n") || strings.Contains(resolv, "10.251.82.53") {
		t.Errorf("--dns over CNI DNS: %q", resolv)
	}
	// No DNS from the network: the host's file, as before networking.
	if resolv, _, _ := n.dnsFiles("default"); resolv != hostResolv {
		t.Errorf("--net=default without DNS in the result: %q, want the host's", resolv)
	}

	for _, bad := range [][]string{{"--dns=host", "--dns-search=x"}, {"--dns=none", "--dns=10.0.0.1"}, {"--dns=nameserver"},
		{"--hosts-entry=10.0.0.1"}, {"--hosts-entry=db=10.0.0.1"}, {"--hosts-entry=host", "--hosts-entry=10.0.0.1=x"}} {
		if out := n.fails(append(append(n.flags("none"), bad...), probeACI(t))...); !strings.Contains(out, "--") {
			t.Errorf("%v: %s", bad, out)
		}
	}
}
