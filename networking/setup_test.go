package networking

import (
	"context"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

func TestSetupDefault(t *testing.T) {
	o := testOpts(t, NetRequest{Name: NetDefault})
	before := snapshot(t)
	p := mustSetup(t, o)
	nets := p.Networks()
	if len(nets) != 1 || nets[0].Interface != "eth0" || nets[0].Name != NetDefault {
		t.Fatalf("networks = %+v", nets)
	}
	_, subnet, _ := net.ParseCIDR(testSubnet)
	if ip := net.ParseIP(nets[0].IP); ip == nil || !subnet.Contains(ip) {
		t.Fatalf("IP %q not in %s", nets[0].IP, testSubnet)
	}
	addrs := inPod(t, p, "ip", "-o", "-4", "addr", "show", "dev", "eth0")
	if !strings.Contains(addrs, nets[0].IP+"/") {
		t.Errorf("eth0 in the pod lacks %s: %s", nets[0].IP, addrs)
	}
	if r := inPod(t, p, "ip", "route", "show", "default"); !strings.Contains(r, "default via "+nets[0].Gateway) {
		t.Errorf("no default route via %s: %q", nets[0].Gateway, r)
	}
	if lo := inPod(t, p, "ip", "-o", "link", "show", "lo"); !strings.Contains(lo, "UP") {
		t.Errorf("lo is not up: %s", lo)
	}
	serve(t, p, "hello from the pod")
	if got, err := fetch(net.JoinHostPort(nets[0].IP, "7777")); err != nil || got != "hello from the pod" {
		t.Errorf("host to pod: %q, %v", got, err)
	}
	infos, err := ReadInfo(o.PodDir)
	if err != nil || len(infos) != 1 || infos[0].IP != nets[0].IP {
		t.Errorf("info.json: %+v, %v", infos, err)
	}
	assertLive(t, o, NetDefault, ipsOf(p))
	ips := ipsOf(p)
	if err := p.Teardown(context.Background()); err != nil {
		t.Fatalf("Teardown: %v", err)
	}
	assertClean(t, o, before, ips)
	if err := Teardown(context.Background(), o.PodDir, o.PluginDirs); err != nil {
		t.Errorf("second Teardown: %v", err)
	}
}

func TestSetupRestricted(t *testing.T) {
	o := testOpts(t, NetRequest{Name: NetDefaultRestricted})
	before := snapshot(t)
	p := mustSetup(t, o)
	n := p.Networks()[0]
	_, subnet, _ := net.ParseCIDR(testRestrictedSubnet)
	if !subnet.Contains(net.ParseIP(n.IP)) {
		t.Fatalf("IP %q not in %s", n.IP, testRestrictedSubnet)
	}
	if r := inPod(t, p, "ip", "route", "show", "default"); strings.TrimSpace(r) != "" {
		t.Errorf("default-restricted has a default route: %q", r)
	}
	// Beyond the host's veth: no route, so the kernel refuses before any
	// packet leaves (the target is this machine's own address, in case).
	beyond := hostIP(t)
	if beyond == "" {
		beyond = "127.0.0.1"
	}
	err := p.Do(func() error {
		c, err := net.Dial("tcp", net.JoinHostPort(beyond, "80"))
		if err == nil {
			c.Close()
		}
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Errorf("dial beyond the host from default-restricted: %v, want network unreachable", err)
	}
	// The host, at the gateway address of the pod's veth.
	ln, err := net.Listen("tcp", net.JoinHostPort(n.Gateway, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Write([]byte("host"))
			c.Close()
		}
	}()
	var got string
	if err := p.Do(func() (err error) { got, err = fetch(ln.Addr().String()); return err }); err != nil || got != "host" {
		t.Errorf("pod to host: %q, %v", got, err)
	}
	serve(t, p, "pod")
	if got, err := fetch(net.JoinHostPort(n.IP, "7777")); err != nil || got != "pod" {
		t.Errorf("host to pod: %q, %v", got, err)
	}
	ips := ipsOf(p)
	if err := p.Teardown(context.Background()); err != nil {
		t.Fatal(err)
	}
	assertClean(t, o, before, ips)
}

func TestSetupTwoNetworks(t *testing.T) {
	o := testOpts(t, NetRequest{Name: NetDefault}, NetRequest{Name: NetDefaultRestricted})
	before := snapshot(t)
	p := mustSetup(t, o)
	nets := p.Networks()
	if len(nets) != 2 {
		t.Fatalf("networks = %+v", nets)
	}
	for i, sub := range []string{testSubnet, testRestrictedSubnet} {
		_, subnet, _ := net.ParseCIDR(sub)
		want := "eth" + string(rune('0'+i))
		if nets[i].Interface != want || !subnet.Contains(net.ParseIP(nets[i].IP)) {
			t.Errorf("network %d = %+v, want %s in %s", i, nets[i], want, sub)
		}
		if a := inPod(t, p, "ip", "-o", "-4", "addr", "show", "dev", want); !strings.Contains(a, nets[i].IP+"/") {
			t.Errorf("%s lacks %s: %s", want, nets[i].IP, a)
		}
	}
	ips := ipsOf(p)
	if err := p.Teardown(context.Background()); err != nil {
		t.Fatal(err)
	}
	assertClean(t, o, before, ips)
}

// none: a namespace with lo only. The mount goes to HostMountNS when it
// can be joined, to the current mount namespace when it cannot.
func TestSetupNone(t *testing.T) {
	for name, hostNS := range map[string]string{"joined": "/proc/self/ns/mnt", "unreachable": "/nonexistent/ns/mnt"} {
		t.Run(name, func(t *testing.T) {
			o := testOpts(t, NetRequest{Name: NetNone})
			o.HostMountNS = hostNS
			before := snapshot(t)
			p := mustSetup(t, o)
			links := inPod(t, p, "ip", "-o", "link")
			if n := strings.Count(strings.TrimSpace(links), "\n") + 1; n != 1 || !strings.Contains(links, "lo:") || !strings.Contains(links, "UP") {
				t.Errorf("none: want lo only, up: %s", links)
			}
			if _, err := ReadInfo(o.PodDir); err == nil {
				t.Errorf("none has a net-info.json")
			}
			mi, _ := os.ReadFile("/proc/self/mountinfo")
			if !strings.Contains(string(mi), p.NetnsPath()) {
				t.Errorf("no mount at %s", p.NetnsPath())
			}
			if err := Teardown(context.Background(), o.PodDir, o.PluginDirs); err != nil {
				t.Fatal(err)
			}
			p.Close()
			assertClean(t, o, before, nil)
		})
	}
}

// Start runs a child in the pod's namespace and leaves the caller's thread
// where it was.
func TestPodStart(t *testing.T) {
	o := testOpts(t, NetRequest{Name: NetDefaultRestricted})
	p := mustSetup(t, o)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before, _ := os.Readlink("/proc/thread-self/ns/net")
	var out strings.Builder
	cmd := exec.Command("ip", "-o", "-4", "addr", "show", "dev", "eth0")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := p.Start(cmd); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil || !strings.Contains(out.String(), p.Networks()[0].IP+"/") {
		t.Errorf("child in the pod: %v: %s", err, out.String())
	}
	if after, _ := os.Readlink("/proc/thread-self/ns/net"); after != before {
		t.Errorf("Start left the thread in %s, was in %s", after, before)
	}
}
