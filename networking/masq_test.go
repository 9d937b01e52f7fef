package networking

import (
	"context"
	"net"
	"testing"

	"github.com/vishvananda/netlink"
)

// outside is a namespace beyond the host, reached through a veth of the
// test's own: what "the world" is for a pod, without leaving the machine.
type outside struct {
	ns      *Pod // only its namespace is used
	hostIP  net.IP
	innerIP net.IP
}

func newOutside(t *testing.T) *outside {
	t.Helper()
	nsf, err := NewNetns()
	if err != nil {
		t.Fatal(err)
	}
	o := &outside{ns: &Pod{netns: nsf}, hostIP: net.IPv4(172, 31, 249, 1), innerIP: net.IPv4(172, 31, 249, 2)}
	t.Cleanup(func() { nsf.Close() })
	veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "saturn-test-o0"}, PeerName: "saturn-test-o1",
		PeerNamespace: netlink.NsFd(int(nsf.Fd()))}
	if err := netlink.LinkAdd(veth); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { netlink.LinkDel(veth) })
	up := func(name string, ip net.IP) error {
		l, err := netlink.LinkByName(name)
		if err != nil {
			return err
		}
		if err := netlink.AddrAdd(l, &netlink.Addr{IPNet: &net.IPNet{IP: ip, Mask: net.CIDRMask(24, 32)}}); err != nil {
			return err
		}
		return netlink.LinkSetUp(l)
	}
	if err := up("saturn-test-o0", o.hostIP); err != nil {
		t.Fatal(err)
	}
	if err := o.ns.Do(func() error { return up("saturn-test-o1", o.innerIP) }); err != nil {
		t.Fatal(err)
	}
	return o
}

// The default network reaches beyond the host, masqueraded behind the
// host's address; default-restricted does not reach it at all.
func TestDefaultMasquerade(t *testing.T) {
	out := newOutside(t)
	var ln net.Listener
	if err := out.ns.Do(func() (err error) { ln, err = net.Listen("tcp", ":7777"); return err }); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peers := make(chan string, 1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			peers <- c.RemoteAddr().(*net.TCPAddr).IP.String()
			c.Close()
		}
	}()
	target := net.JoinHostPort(out.innerIP.String(), "7777")

	o := testOpts(t, NetRequest{Name: NetDefault})
	p := mustSetup(t, o)
	if err := p.Do(func() error { _, err := fetch(target); return err }); err != nil {
		t.Fatalf("default pod to outside: %v", err)
	}
	if got := <-peers; got != out.hostIP.String() {
		t.Errorf("outside saw the pod as %s, want the host's %s (masquerade)", got, out.hostIP)
	}
	if err := p.Teardown(context.Background()); err != nil {
		t.Fatal(err)
	}

	r := mustSetup(t, testOpts(t, NetRequest{Name: NetDefaultRestricted}))
	if err := r.Do(func() error { _, err := fetch(target); return err }); err == nil {
		t.Errorf("default-restricted pod reached beyond the host")
	}
}
