package tests

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"net"
	"slices"
	"strings"
	"testing"
)

// probeNetArgs make the probe report its interfaces, routes and addresses.
func probeNetArgs() []string {
	return []string{"--", "--list=/sys/class/net", "--read=/proc/net/route", "--read=/proc/net/fib_trie", "---"}
}

// route is one IPv4 route of /proc/net/route.
type route struct {
	ifName string
	dst    *net.IPNet
	gw     net.IP
}

func routes(t *testing.T, r probeReport) []route {
	t.Helper()
	var out []route
	for _, line := range strings.Split(r.Files["/proc/net/route"], "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 8 {
			continue
		}
		ip := func(h string) net.IP {
			b, err := hex.DecodeString(h)
			if err != nil || len(b) != 4 {
				t.Fatalf("route %q", line)
			}
			v := binary.LittleEndian.Uint32(b)
			return net.IPv4(byte(v>>24), byte(v>>16), byte(v>>8), byte(v)).To4()
		}
		dst, gw, mask := ip(f[1]), ip(f[2]), ip(f[7])
		out = append(out, route{f[0], &net.IPNet{IP: dst, Mask: net.IPMask(mask)}, gw})
	}
	return out
}

func defaultRoute(t *testing.T, r probeReport) *route {
	for _, rt := range routes(t, r) {
		if ones, _ := rt.dst.Mask.Size(); ones == 0 {
			return &rt
		}
	}
	return nil
}

// The probe reports its interfaces, address and default route in each
// mode; status and list show the networks.
func TestNetworkModes(t *testing.T) {
	n := newNetEnv(t)
	probe := probeACI(t)
	hostNet := hostNS(t, "net")

	{
		r := oneProbe(t, n.ok(append(append(n.flags("none"), probe), probeNetArgs()...)...))
		if !slices.Equal(r.Dirs["/sys/class/net"], []string{"lo"}) || r.NS["net"] == hostNet {
			t.Errorf("--net=none: interfaces %v, netns %s (host %s)", r.Dirs["/sys/class/net"], r.NS["net"], hostNet)
		}
		if rt := routes(t, r); len(rt) != 0 {
			t.Errorf("--net=none: routes %v", rt)
		}
	}
	{
		r := oneProbe(t, n.ok(append(append(n.flags("host"), probe), probeNetArgs()...)...))
		if r.NS["net"] != hostNet {
			t.Errorf("--net=host: netns %s, host's %s", r.NS["net"], hostNet)
		}
	}
	for mode, subnet := range map[string]string{"default": "172.16.28.0/24", "default-restricted": "172.16.29.0/24"} {
		func() {
			uuidFile := t.TempDir() + "/uuid"
			r := oneProbe(t, n.ok(append(append(n.flags(mode), "--uuid-file-save="+uuidFile, probe), probeNetArgs()...)...))
			uuid := strings.TrimSpace(readFile(t, uuidFile))
			if !slices.Equal(r.Dirs["/sys/class/net"], []string{"eth0", "lo"}) {
				t.Errorf("--net=%s: interfaces %v, want eth0 lo", mode, r.Dirs["/sys/class/net"])
			}
			nets := n.podNets(uuid)
			_, want, _ := net.ParseCIDR(subnet)
			if len(nets) != 1 || nets[0].NetName != mode || nets[0].IfName != "eth0" || !want.Contains(net.ParseIP(nets[0].IP)) {
				t.Fatalf("net-info %+v, want %s on eth0 in %s", nets, mode, subnet)
			}
			if !strings.Contains(r.Files["/proc/net/fib_trie"], "|-- "+nets[0].IP+"\n") {
				t.Errorf("--net=%s: the probe does not have %s:\n%s", mode, nets[0].IP, r.Files["/proc/net/fib_trie"])
			}
			def := defaultRoute(t, r)
			switch {
			case mode == "default" && (def == nil || def.ifName != "eth0" || def.gw.String() != nets[0].Gateway):
				t.Errorf("default route %+v, want via %s dev eth0", def, nets[0].Gateway)
			case mode == "default-restricted" && def != nil:
				t.Errorf("default-restricted has a default route %+v", def)
			}
			st := n.ok("status", uuid)
			if !strings.Contains(st, "networks="+mode+":ip4="+nets[0].IP+"\n") {
				t.Errorf("--net=%s: status:\n%s", mode, st)
			}
			var js struct {
				Networks []podNet `json:"networks"`
			}
			if err := json.Unmarshal([]byte(n.ok("status", "--format=json", uuid)), &js); err != nil || len(js.Networks) != 1 || js.Networks[0].IP != nets[0].IP {
				t.Errorf("--net=%s: status JSON networks %+v %v", mode, js.Networks, err)
			}
			if l := n.ok("list", "--full"); !strings.Contains(l, mode+":ip4="+nets[0].IP) {
				t.Errorf("--net=%s: list:\n%s", mode, l)
			}
		}()
	}
}

// Two networks give two interfaces; CNI args reach the plugins (host-local
// takes IP=).
func TestNetworkTwoNetworks(t *testing.T) {
	n := newNetEnv(t)
	n.addNet("saturn-test-ptp", map[string]any{"type": "ptp", "ipam": n.hostLocal("10.251.81.0/24")})
	uuidFile := t.TempDir() + "/uuid"
	r := oneProbe(t, n.ok(append(append(n.flags("default,saturn-test-ptp:IP=10.251.81.77"), "--uuid-file-save="+uuidFile, probeACI(t)), probeNetArgs()...)...))
	if !slices.Equal(r.Dirs["/sys/class/net"], []string{"eth0", "eth1", "lo"}) {
		t.Errorf("interfaces %v, want eth0 eth1 lo", r.Dirs["/sys/class/net"])
	}
	nets := n.podNets(strings.TrimSpace(readFile(t, uuidFile)))
	if len(nets) != 2 || nets[0].NetName != "default" || nets[1].NetName != "saturn-test-ptp" || nets[1].IfName != "eth1" || nets[1].IP != "10.251.81.77" {
		t.Errorf("net-info %+v", nets)
	}
	if def := defaultRoute(t, r); def == nil || def.ifName != "eth0" {
		t.Errorf("default route %+v, want dev eth0", def)
	}
	// An unknown network fails before anything is set up.
	if out := n.fails(append(n.flags("saturn-test-nosuch"), probeACI(t))...); !strings.Contains(out, "saturn-test-nosuch") {
		t.Errorf("unknown network: %s", out)
	}
}
