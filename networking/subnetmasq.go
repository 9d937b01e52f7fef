package networking

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/google/nftables/userdata"
	"golang.org/x/sys/unix"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// The built-in networks masquerade by subnet, with one nftables rule per
// subnet in table "ip saturn", made over netlink from Go when the first pod
// of the subnet starts and left in place, like the bridge of a named
// network: it is the network's, not a pod's, and matches no address
// outside the subnet. The ptp plugin's own ipMasq makes and removes a rule
// per pod with four `nft` (or a dozen `iptables`) execs each way, which
// alone cost more than the 25 ms a pod's network may add to its start.
const (
	masqTable = "saturn"
	masqChain = "postrouting"
)

// ensureSubnetMasq makes sure that traffic from subnet to anywhere outside
// it (multicast aside, as ptp does) is masqueraded. lockDir serializes
// concurrent setups so that the rule is added once.
func ensureSubnetMasq(subnet, lockDir string) error {
	_, ipn, err := net.ParseCIDR(subnet)
	if err != nil || ipn.IP.To4() == nil {
		return fmt.Errorf("masquerade %s: an IPv4 subnet is needed", subnet)
	}
	unlock, err := lockFile(filepath.Join(lockDir, ".masq.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	conn, err := nftables.New()
	if err != nil {
		return err
	}
	table := &nftables.Table{Family: nftables.TableFamilyIPv4, Name: masqTable}
	chain := &nftables.Chain{Name: masqChain, Table: table, Type: nftables.ChainTypeNAT,
		Hooknum: nftables.ChainHookPostrouting, Priority: nftables.ChainPriorityNATSource}
	comment := masqComment(ipn)
	// A missing table lists as no rules (or, depending on the kernel, as
	// an error the library does not wrap): either way, add them.
	rules, _ := conn.GetRules(table, chain)
	for _, r := range rules {
		if c, ok := userdata.GetString(r.UserData, userdata.TypeComment); ok && c == comment {
			return nil
		}
	}
	conn.AddTable(table)
	conn.AddChain(chain)
	conn.AddRule(&nftables.Rule{Table: table, Chain: chain, Exprs: masqExprs(ipn),
		UserData: userdata.AppendString(nil, userdata.TypeComment, comment)})
	if err := conn.Flush(); err != nil {
		return fmt.Errorf("add masquerade rule for %s: %w", subnet, err)
	}
	return nil
}

func masqComment(ipn *net.IPNet) string { return "saturn: masquerade " + ipn.String() }

// masqExprs is `ip saddr SUBNET ip daddr != SUBNET ip daddr != 224.0.0.0/4
// masquerade`.
func masqExprs(ipn *net.IPNet) []expr.Any {
	match := func(offset uint32, mask net.IPMask, network net.IP, op expr.CmpOp) []expr.Any {
		return []expr.Any{
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: offset, Len: 4},
			&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: slices.Clone(mask), Xor: make([]byte, 4)},
			&expr.Cmp{Op: op, Register: 1, Data: network.To4()},
		}
	}
	const saddr, daddr = 12, 16
	e := match(saddr, ipn.Mask, ipn.IP, expr.CmpOpEq)
	e = append(e, match(daddr, ipn.Mask, ipn.IP, expr.CmpOpNeq)...)
	e = append(e, match(daddr, net.CIDRMask(4, 32), net.IPv4(224, 0, 0, 0), expr.CmpOpNeq)...)
	return append(e, &expr.Masq{})
}

// lockFile takes an exclusive flock on path, creating it and its dir.
func lockFile(path string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}

// RemoveSubnetMasquerade removes the masquerade rule of a built-in
// network's subnet, and table "ip saturn" once it holds no rule. Teardown
// leaves the rule (other pods of the subnet need it); this is for whoever
// knows no pod uses the subnet any more, such as the benchmarks.
func RemoveSubnetMasquerade(subnet string) error {
	_, ipn, err := net.ParseCIDR(subnet)
	if err != nil {
		return fmt.Errorf("subnet %q: %w", subnet, errdefs.ErrInvalid)
	}
	conn, err := nftables.New()
	if err != nil {
		return err
	}
	table := &nftables.Table{Family: nftables.TableFamilyIPv4, Name: masqTable}
	comment := masqComment(ipn)
	deleted, left, err := delRules(conn, table, masqChain, func(c string) bool { return c == comment })
	if err != nil || deleted+left == 0 {
		return nil // no table (see ensureSubnetMasq), or an empty one: not ours to judge
	}
	if left == 0 {
		conn.DelTable(table)
	}
	if err := conn.Flush(); err != nil && !errors.Is(err, unix.ENOENT) {
		return err
	}
	return nil
}

// delRules queues (for conn.Flush) the deletion of the rules of table's
// chain whose comment match accepts, and counts the rules it deleted and
// those it left.
func delRules(conn *nftables.Conn, table *nftables.Table, chain string, match func(comment string) bool) (deleted, left int, err error) {
	rules, err := conn.GetRules(table, &nftables.Chain{Name: chain, Table: table})
	if err != nil {
		return 0, 0, err
	}
	for _, r := range rules {
		if c, _ := userdata.GetString(r.UserData, userdata.TypeComment); !match(c) {
			left++
			continue
		}
		if err := conn.DelRule(r); err != nil {
			return deleted, left, err
		}
		deleted++
	}
	return deleted, left, nil
}
