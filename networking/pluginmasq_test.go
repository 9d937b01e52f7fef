package networking

import (
	"net"
	"strings"
	"testing"

	"github.com/containernetworking/plugins/pkg/ip"
	"github.com/containernetworking/plugins/pkg/utils"
)

// The rules' names must stay the plugins' own: checked against their
// functions (the test binary may link knftables; stage1 does not).
func TestPluginMasqNames(t *testing.T) {
	for _, c := range [][2]string{{"saturn-test-net", "0123-abcd"}, {"", ""}, {`we"ird`, "id with spaces"}} {
		if got, want := pluginMasqChain(c[0], c[1]), utils.FormatChainName(c[0], c[1]); got != want {
			t.Errorf("chain %q: %q, the plugins say %q", c, got, want)
		}
		if got, want := pluginMasqComment(c[0], c[1]), utils.FormatComment(c[0], c[1]); got != want {
			t.Errorf("comment %q: %q, the plugins say %q", c, got, want)
		}
		if got, want := pluginHash(16, "", c[0]+c[1]), utils.MustFormatHashWithPrefix(16, "", c[0]+c[1]); got != want {
			t.Errorf("hash %q: %q, the plugins say %q", c, got, want)
		}
	}
}

// Rules the plugins' own ipMasq made (either backend) go, those of another
// attachment of the same network stay; a second teardown, and one with
// no rules at all, is nothing to do.
func TestPluginMasqTeardown(t *testing.T) {
	requireRoot(t)
	const network, ifName = "saturn-test-pmasq", "eth0"
	gone := []*net.IPNet{{IP: net.IPv4(172, 31, 248, 2), Mask: net.CIDRMask(24, 32)}}
	kept := []*net.IPNet{{IP: net.IPv4(172, 31, 248, 3), Mask: net.CIDRMask(24, 32)}}
	for _, backend := range []string{"nftables", "iptables"} {
		t.Run(backend, func(t *testing.T) {
			if err := teardownPluginMasq(gone, network, ifName, "saturn-test-none"); err != nil {
				t.Fatalf("teardown with no rules: %v", err)
			}
			for id, ipns := range map[string][]*net.IPNet{"saturn-test-gone": gone, "saturn-test-kept": kept} {
				if err := ip.SetupIPMasqForNetworks(&backend, ipns, network, ifName, id); err != nil {
					t.Fatalf("plugins' setup: %v", err)
				}
			}
			t.Cleanup(func() { ip.TeardownIPMasqForNetworks(kept, network, ifName, "saturn-test-kept") })
			for range 2 {
				if err := teardownPluginMasq(gone, network, ifName, "saturn-test-gone"); err != nil {
					t.Fatalf("teardown: %v", err)
				}
			}
			rules := snapshot(t).rules
			if strings.Contains(rules, "172.31.248.2") {
				t.Errorf("the torn down attachment's rules are left:\n%s", rules)
			}
			if !strings.Contains(rules, "172.31.248.3") {
				t.Errorf("the other attachment's rules are gone:\n%s", rules)
			}
		})
	}
}
