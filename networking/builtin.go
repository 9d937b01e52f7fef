package networking

import (
	"encoding/json"
	"log/slog"
	"os/exec"
	"path/filepath"
)

// builtinConfig returns the configuration list of "default" or
// "default-restricted" (ok false for any other name). For "default" it
// makes sure the subnet is masqueraded (see ensureSubnetMasq).
func builtinConfig(name string, o Options) (b []byte, ok bool, err error) {
	var subnet string
	var routes []map[string]string
	masq := false
	switch name {
	case NetDefault:
		subnet, masq = o.DefaultSubnet, true
		routes = []map[string]string{{"dst": "0.0.0.0/0"}}
	case NetDefaultRestricted:
		// Only the subnet, whose gateway is the host side of the veth:
		// no route beyond the host, nothing to masquerade.
		subnet = o.RestrictedSubnet
	default:
		return nil, false, nil
	}
	ptp := map[string]any{
		"type":   "ptp",
		"ipMasq": masq,
		"ipam": map[string]any{
			"type":    "host-local",
			"ranges":  [][]map[string]string{{{"subnet": subnet}}},
			"routes":  routes,
			"dataDir": filepath.Clean(o.IPAMDataDir),
		},
	}
	backend := firewallBackend()
	if masq {
		if err := ensureSubnetMasq(subnet, filepath.Dir(o.NetnsDir)); err == nil {
			ptp["ipMasq"] = false
		} else {
			// No nf_tables over netlink: ptp masquerades per pod.
			slog.Debug("networking: per-pod masquerade", "reason", err)
			if backend != "" {
				ptp["ipMasqBackend"] = backend
			}
		}
	}
	plugins := []any{ptp}
	// portmap only when there is something to map: every plugin in the
	// list costs an exec at setup and at teardown.
	if len(o.Ports) > 0 {
		pm := map[string]any{"type": "portmap", "snat": true, "capabilities": map[string]bool{"portMappings": true}}
		if backend != "" {
			pm["backend"] = backend
		}
		plugins = append(plugins, pm)
	}
	b, err = json.Marshal(map[string]any{"cniVersion": "1.0.0", "name": name, "plugins": plugins})
	return b, true, err
}

// firewallBackend picks nftables when nft is installed: one `nft -f` per
// change where iptables takes an exec per rule and per check, which made
// masquerade setup several times slower. "" lets the plugins choose.
func firewallBackend() string {
	if _, err := exec.LookPath("nft"); err == nil {
		return "nftables"
	}
	if _, err := exec.LookPath("iptables"); err == nil {
		return "iptables"
	}
	return ""
}
