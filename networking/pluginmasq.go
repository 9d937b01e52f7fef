package networking

import (
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/coreos/go-iptables/iptables"
	"github.com/google/nftables"
	"golang.org/x/sys/unix"
)

// The ptp and bridge plugins' ipMasq rules, as containernetworking/plugins
// v1.9.1 (pkg/ip, ipmasq_*_linux.go) names them, for their removal when the
// pod's namespace is gone and the plugins' DEL leaves them. The plugins'
// own teardown (ip.TeardownIPMasqForNetworks) is not called: its package
// drags knftables into stage1 init, whose package init alone costs every
// pod start 0.2 ms and 100 KB of heap, and it runs `nft` twice. The names
// are checked against the plugins' own functions in pluginmasq_test.go.
const (
	pluginMasqTable    = "cni_plugins_masquerade" // inet family
	pluginMasqNftChain = "masq_checks"
)

// pluginHash is the plugins' utils.MustFormatHashWithPrefix: prefix and
// the hex SHA-512 of s, cut to n characters.
func pluginHash(n int, prefix, s string) string {
	sum := sha512.Sum512([]byte(s))
	return (prefix + hex.EncodeToString(sum[:]))[:n]
}

// pluginMasqChain is the iptables chain of an attachment's rules
// (utils.FormatChainName).
func pluginMasqChain(network, containerID string) string {
	return pluginHash(28, "CNI-", network+containerID)
}

// pluginMasqComment is the comment of the iptables rule that jumps to that
// chain (utils.FormatComment).
func pluginMasqComment(network, containerID string) string {
	return fmt.Sprintf("name: %q id: %q", network, containerID)
}

// pluginMasqNftPrefix begins the comment of each of an attachment's
// nftables rules (ip.hashForInstance).
func pluginMasqNftPrefix(network, ifName, containerID string) string {
	return pluginHash(16, "", network) + "-" + pluginHash(16, "", ifName+":"+containerID)
}

// teardownPluginMasq removes the rules of both backends, as the plugins
// do, since either may have made them.
func teardownPluginMasq(ipns []*net.IPNet, network, ifName, containerID string) error {
	return errors.Join(teardownPluginMasqIPTables(ipns, network, containerID),
		teardownPluginMasqNft(pluginMasqNftPrefix(network, ifName, containerID)))
}

// teardownPluginMasqIPTables removes, for each address, the POSTROUTING
// rule (either of the forms the plugins have used) and the chain. A host
// where iptables does not work (no command, or it cannot even list the
// filter table, as the plugins check) has none of them.
func teardownPluginMasqIPTables(ipns []*net.IPNet, network, containerID string) error {
	chain, comment := pluginMasqChain(network, containerID), pluginMasqComment(network, containerID)
	var errs []error
	for _, ipn := range ipns {
		proto := iptables.ProtocolIPv4
		if ipn.IP.To4() == nil {
			proto = iptables.ProtocolIPv6
		}
		ipt, err := iptables.NewWithProtocol(proto)
		if err != nil {
			continue
		}
		var ipErrs []error
		for _, src := range []string{ipn.IP.String(), ipn.String()} {
			ipErrs = append(ipErrs, ignoreMissing(ipt.Delete("nat", "POSTROUTING", "-s", src, "-j", chain, "-m", "comment", "--comment", comment)))
		}
		ipErrs = append(ipErrs, ignoreMissing(ipt.ClearChain("nat", chain)), ignoreMissing(ipt.DeleteChain("nat", chain)))
		if err := errors.Join(ipErrs...); err != nil {
			if _, lerr := ipt.ChainExists("filter", "INPUT"); lerr == nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

func ignoreMissing(err error) error {
	var e *iptables.Error
	if errors.As(err, &e) && e.IsNotExist() {
		return nil
	}
	return err
}

// teardownPluginMasqNft deletes the rules of the plugins' masq_checks
// chain whose comment begins with prefix, over netlink. No table, no
// chain, or no nftables at all: nothing to remove.
func teardownPluginMasqNft(prefix string) error {
	conn, err := nftables.New()
	if err != nil {
		return fmt.Errorf("nftables: %w", err)
	}
	table := &nftables.Table{Family: nftables.TableFamilyINet, Name: pluginMasqTable}
	n, _, err := delRules(conn, table, pluginMasqNftChain, func(c string) bool { return strings.HasPrefix(c, prefix) })
	if err != nil {
		if errors.Is(err, unix.ENOENT) || !hasTable(conn, table) {
			return nil
		}
		return fmt.Errorf("nftables: list %s: %w", pluginMasqTable, err)
	}
	if n == 0 {
		return nil
	}
	if err := conn.Flush(); err != nil {
		return fmt.Errorf("nftables: remove masquerade rules: %w", err)
	}
	return nil
}

// hasTable says whether t exists; a host where nftables cannot be listed
// has none.
func hasTable(conn *nftables.Conn, t *nftables.Table) bool {
	tables, err := conn.ListTablesOfFamily(t.Family)
	if err != nil {
		return false
	}
	for _, x := range tables {
		if x.Name == t.Name {
			return true
		}
	}
	return false
}
