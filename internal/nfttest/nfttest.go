// Package nfttest is for tests that run pods or CNI plugins: it removes
// the nftables tables they make and that stay, by design, for later pods
// (saturn's masquerade of the built-in networks, package networking; the
// CNI plugins' masquerade and portmap tables, and the iptables-nft nat
// and filter tables that their iptables backends fill), once the tests
// are done.
package nfttest

import (
	"errors"
	"fmt"
	"os"

	"github.com/google/nftables"
	"golang.org/x/sys/unix"
)

// tables are the tables pods and plugins leave behind.
func tables() []*nftables.Table {
	return []*nftables.Table{
		{Family: nftables.TableFamilyIPv4, Name: "saturn"},
		{Family: nftables.TableFamilyIPv4, Name: "cni_hostport"},
		{Family: nftables.TableFamilyINet, Name: "cni_plugins_masquerade"},
		{Family: nftables.TableFamilyIPv4, Name: "nat"},
		{Family: nftables.TableFamilyIPv4, Name: "filter"},
	}
}

// Cleanup notes which of the tables are missing now, before the tests,
// and returns what deletes those once the tests are done. A host whose
// own pods made a table keeps it, and so does one where nftables cannot
// be asked.
func Cleanup() func() {
	conn, err := nftables.New()
	if err != nil {
		return func() {}
	}
	var missing []*nftables.Table
	for _, t := range tables() {
		if _, err := conn.ListTableOfFamily(t.Name, t.Family); err != nil {
			missing = append(missing, t)
		}
	}
	return func() {
		for _, t := range missing {
			conn.DelTable(t)
			if err := conn.Flush(); err != nil && !errors.Is(err, unix.ENOENT) {
				fmt.Fprintf(os.Stderr, "delete nftables table %s: %v\n", t.Name, err)
			}
		}
	}
}
