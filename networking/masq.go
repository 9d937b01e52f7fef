package networking

import (
	"encoding/json"
	"net"
	"strings"

	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
	"github.com/coreos/go-iptables/iptables"
)

// unmasquerade removes the masquerade rules a ptp or bridge plugin of a's
// list made for this attachment, without the namespace: what the plugins
// do on DEL (see pluginmasq.go), with the addresses from the recorded
// result. Without a result (killed during the plugin's ADD) the iptables
// rules are found by their chain, which names the network and container;
// the nftables ones are found by comment whatever the addresses.
func unmasquerade(a *attachment, result json.RawMessage) error {
	var ipns []*net.IPNet
	if len(result) > 0 {
		if r, err := version.NewResult(a.list.CNIVersion, result); err == nil {
			if res, err := current.NewResultFromResult(r); err == nil {
				for _, c := range res.IPs {
					ipns = append(ipns, &c.Address)
				}
			}
		}
	}
	for _, pl := range a.list.Plugins {
		var conf struct {
			IPMasq bool `json:"ipMasq"`
		}
		if json.Unmarshal(pl.Bytes, &conf) != nil || !conf.IPMasq {
			continue
		}
		if len(ipns) == 0 {
			ipns = masqSources(a.list.Name, a.id)
		}
		if err := teardownPluginMasq(ipns, a.list.Name, a.ifName, a.id); err != nil {
			return err
		}
	}
	return nil
}

// masqSources finds the source addresses of the iptables POSTROUTING rules
// that jump to the masquerade chain of network name and container id.
func masqSources(name, id string) []*net.IPNet {
	var ipns []*net.IPNet
	chain := pluginMasqChain(name, id)
	for _, proto := range []iptables.Protocol{iptables.ProtocolIPv4, iptables.ProtocolIPv6} {
		ipt, err := iptables.NewWithProtocol(proto)
		if err != nil {
			continue
		}
		rules, err := ipt.List("nat", "POSTROUTING")
		if err != nil {
			continue
		}
		for _, r := range rules {
			f := strings.Fields(r)
			for i := 0; i+1 < len(f); i++ {
				if f[i] != "-s" || !strings.Contains(r, "-j "+chain) {
					continue
				}
				if _, ipn, err := net.ParseCIDR(f[i+1]); err == nil {
					ipns = append(ipns, &net.IPNet{IP: ipn.IP, Mask: ipn.Mask})
				}
			}
		}
	}
	return ipns
}
