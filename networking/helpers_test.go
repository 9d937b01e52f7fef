package networking

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Test subnets, away from the built-in ones so that the tests never clash
// with pods running on the same machine.
const (
	testSubnet           = "172.31.250.0/24"
	testRestrictedSubnet = "172.31.251.0/24"
	testBridgeSubnet     = "172.31.252.0/24"
)

// testOpts returns Options for a throwaway pod: its own pod dir, netns dir,
// IPAM dir and local config, the test subnets and the test plugins.
func testOpts(t *testing.T, nets ...NetRequest) Options {
	t.Helper()
	requireRoot(t)
	o := Options{
		PodDir:           t.TempDir(),
		UUID:             testUUID(t),
		Nets:             nets,
		LocalConfigDir:   t.TempDir(),
		PluginDirs:       []string{testPluginDir},
		NetnsDir:         testNetnsDir(t),
		IPAMDataDir:      t.TempDir(),
		DefaultSubnet:    testSubnet,
		RestrictedSubnet: testRestrictedSubnet,
	}
	teardownAtCleanup(t, o)
	return o
}

// teardownAtCleanup tears o's pod down when the test ends, whatever
// happened: a failing test must not leak into the next one.
func teardownAtCleanup(t *testing.T, o Options) {
	t.Cleanup(func() {
		if err := Teardown(context.Background(), o.PodDir, o.PluginDirs); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
}

func requireRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: creates network namespaces, links and firewall rules")
	}
}

func testUUID(t *testing.T) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "saturn-test-" + hex.EncodeToString(b[:])
}

// testNetnsDir is a netns dir under /run for one test. Setup makes it a
// shared mount point of itself; the cleanup undoes that.
func testNetnsDir(t *testing.T) string {
	dir := filepath.Join("/run/saturn-test", strings.ReplaceAll(t.Name(), "/", "_"), "netns")
	t.Cleanup(func() {
		unix.Unmount(dir, unix.MNT_DETACH)
		os.RemoveAll(filepath.Dir(dir))
		os.Remove("/run/saturn-test")
	})
	return dir
}

func writeNetConf(t *testing.T, o Options, file, body string) {
	t.Helper()
	dir := filepath.Join(o.LocalConfigDir, "net.d")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, file), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustSetup(t *testing.T, o Options) *Pod {
	t.Helper()
	p, err := Setup(context.Background(), o)
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// serve listens on TCP port 7777 inside p's namespace and answers every
// connection with reply.
func serve(t *testing.T, p *Pod, reply string) {
	t.Helper()
	var ln net.Listener
	err := p.Do(func() (err error) {
		ln, err = net.Listen("tcp", ":7777")
		return err
	})
	if err != nil {
		t.Fatalf("listen in pod: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			io.WriteString(c, reply)
			c.Close()
		}
	}()
}

// fetch connects to addr and returns what it says.
func fetch(addr string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, 3*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	b, err := io.ReadAll(c)
	return string(b), err
}

// inPod runs a command (ip, busybox) inside p's namespace.
func inPod(t *testing.T, p *Pod, name string, args ...string) string {
	t.Helper()
	var out []byte
	err := p.Do(func() (err error) {
		out, err = exec.Command(name, args...).CombinedOutput()
		return err
	})
	if err != nil {
		t.Fatalf("%s %v in pod: %v: %s", name, args, err, out)
	}
	return string(out)
}

// hostState is what a pod may leak into the host.
type hostState struct {
	links, rules string
}

func snapshot(t *testing.T) hostState {
	t.Helper()
	links, err := exec.Command("ip", "-o", "link").CombinedOutput()
	if err != nil {
		t.Fatalf("ip link: %v: %s", err, links)
	}
	var rules []byte
	for _, cmd := range [][]string{{"iptables-save"}, {"ip6tables-save"}, {"nft", "list", "ruleset"}} {
		if out, err := exec.Command(cmd[0], cmd[1:]...).CombinedOutput(); err == nil {
			rules = append(rules, out...)
		} else if _, lerr := exec.LookPath(cmd[0]); lerr == nil {
			t.Fatalf("%v: %v: %s", cmd, err, out)
		}
	}
	return hostState{links: string(links), rules: string(rules)}
}

var linkName = regexp.MustCompile(`(?m)^\d+: ([^:@]+).*$`)

// testLink tells whether a host link (line of `ip -o link`) is a test
// pod's: on a test bridge, or holding an address of a test subnet. Pods
// that other tests on the machine run meanwhile have links too.
func testLink(line, name string) bool {
	if strings.Contains(line, "master saturn-test") {
		return true
	}
	out, err := exec.Command("ip", "-o", "-4", "addr", "show", "dev", name).CombinedOutput()
	if err != nil {
		return false // gone meanwhile
	}
	for _, subnet := range []string{testSubnet, testRestrictedSubnet, testBridgeSubnet} {
		if _, ipn, _ := net.ParseCIDR(subnet); ipn != nil {
			for _, f := range strings.Fields(string(out)) {
				if ip, _, err := net.ParseCIDR(f); err == nil && ipn.Contains(ip) {
					return true
				}
			}
		}
	}
	return false
}

// assertClean fails unless the pod left nothing behind: no netns mount or
// file, no link that was not there before, no lease, no rule naming the
// pod or its addresses, no record.
func assertClean(t *testing.T, o Options, before hostState, ips []string) {
	t.Helper()
	had := map[string]bool{}
	for _, m := range linkName.FindAllStringSubmatch(before.links, -1) {
		had[m[1]] = true
	}
	// A namespace whose last reference went away is freed by the kernel
	// a little later, and its veth with it: links get a moment.
	var after hostState
	var leaked []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		after, leaked = snapshot(t), nil
		for _, m := range linkName.FindAllStringSubmatch(after.links, -1) {
			if !had[m[1]] && !strings.HasPrefix(m[1], "saturn-test") && testLink(m[0], m[1]) {
				leaked = append(leaked, m[1])
			}
		}
		if len(leaked) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, l := range leaked {
		t.Errorf("leaked link %s", l)
	}
	netnsPath := filepath.Join(o.NetnsDir, o.UUID)
	if _, err := os.Stat(netnsPath); err == nil {
		t.Errorf("leaked netns file %s", netnsPath)
	}
	if mi, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(mi), o.UUID) {
		t.Errorf("leaked netns mount of %s", o.UUID)
	}
	if strings.Contains(after.rules, o.UUID) {
		t.Errorf("leaked firewall rule naming %s:\n%s", o.UUID, grepLines(after.rules, o.UUID))
	}
	for _, ip := range ips {
		re := regexp.MustCompile(`\b` + regexp.QuoteMeta(ip) + `\b`)
		if re.MatchString(after.rules) && !re.MatchString(before.rules) {
			t.Errorf("leaked firewall rule naming %s", ip)
		}
	}
	leases, _ := filepath.Glob(filepath.Join(o.IPAMDataDir, "*", "*"))
	for _, l := range leases {
		if b := filepath.Base(l); b != "lock" && !strings.HasPrefix(b, "last_reserved_ip") {
			t.Errorf("leaked IPAM lease %s", l)
		}
	}
	if _, err := os.Stat(filepath.Join(o.PodDir, StateDir, recordFile)); err == nil {
		t.Errorf("record left after teardown")
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func ipsOf(p *Pod) []string {
	var ips []string
	for _, n := range p.Networks() {
		if n.IP != "" {
			ips = append(ips, n.IP)
		}
	}
	return ips
}

// assertLive checks that what assertClean looks for is there while the pod
// runs, so that its absence afterwards means something.
func assertLive(t *testing.T, o Options, netName string, ips []string) {
	t.Helper()
	want := o.UUID // ptp's per-pod masquerade rule
	if netName == NetDefault {
		want = "saturn: masquerade " + o.DefaultSubnet
	}
	if s := snapshot(t); !strings.Contains(s.rules, want) {
		t.Errorf("no masquerade rule %q while the pod runs", want)
	}
	for _, ip := range ips {
		if _, err := os.Stat(filepath.Join(o.IPAMDataDir, netName, ip)); err != nil {
			t.Errorf("no lease for %s while the pod runs: %v", ip, err)
		}
	}
	if _, err := os.Stat(filepath.Join(o.NetnsDir, o.UUID)); err != nil {
		t.Errorf("no netns mount while the pod runs: %v", err)
	}
}

func snapshotAddrs(t *testing.T) string {
	out, err := exec.Command("ip", "-o", "addr").CombinedOutput()
	if err != nil {
		t.Fatalf("ip addr: %v: %s", err, out)
	}
	return string(out)
}

func containsWord(s, word string) bool {
	return regexp.MustCompile(`\b` + regexp.QuoteMeta(word) + `\b`).MatchString(s)
}

// removeTestMasq removes the subnet masquerade rules of the test subnets.
func removeTestMasq() {
	for _, sub := range []string{testSubnet, testRestrictedSubnet, testBridgeSubnet} {
		if err := RemoveSubnetMasquerade(sub); err != nil {
			fmt.Fprintln(os.Stderr, "networking tests: remove masquerade:", err)
		}
	}
}
