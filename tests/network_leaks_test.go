package tests

import (
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// hostNet is what the host has that a pod's networking could leak.
type hostNet struct {
	links   []string          // link names
	netns   []string          // /run/saturn/netns entries
	leases  map[string]string // IPAM file path -> content
	ruleset []string          // nft ruleset lines (iptables-nft included)
}

// snapshot records the host's links, pod netns mounts, the leases in the
// given IPAM dirs and the nftables ruleset.
func snapshot(t *testing.T, ipamDirs ...string) hostNet {
	t.Helper()
	var h hostNet
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range ifs {
		h.links = append(h.links, i.Name)
	}
	ents, _ := os.ReadDir("/run/saturn/netns")
	for _, e := range ents {
		h.netns = append(h.netns, e.Name())
	}
	h.leases = map[string]string{}
	for _, d := range ipamDirs {
		filepath.WalkDir(d, func(p string, de os.DirEntry, err error) error {
			// host-local's lock and allocation cursor are not leases.
			if err == nil && de.Type().IsRegular() && de.Name() != "lock" && !strings.HasPrefix(de.Name(), "last_reserved_ip") {
				b, _ := os.ReadFile(p)
				h.leases[p] = string(b)
			}
			return nil
		})
	}
	out, err := exec.Command("nft", "-s", "list", "ruleset").Output()
	if err != nil {
		t.Fatalf("nft list ruleset: %v", err)
	}
	h.ruleset = strings.Split(string(out), "\n")
	return h
}

// podTrace is what identifies a pod's networking on the host: its UUID
// (netns name, lease content, rule comments), IPs and host-side links.
type podTrace struct {
	uuid  string
	ips   []string
	links []string
	// subnet, e.g. "10.251.83.", is a prefix only this pod's addresses have.
	subnet string
}

// podTraceOf reads a pod's trace from its net/state.json while it exists.
func (n *netEnv) podTraceOf(uuid string) podTrace {
	n.t.Helper()
	tr := podTrace{uuid: uuid}
	matches, _ := filepath.Glob(filepath.Join(n.dir, "pods", "*", uuid, "net", "state.json"))
	if len(matches) != 1 {
		n.t.Fatalf("no net/state.json for pod %s", uuid)
	}
	b, err := os.ReadFile(matches[0])
	if err != nil {
		n.t.Fatal(err)
	}
	var rec struct {
		Nets []struct {
			Result struct {
				Interfaces []struct{ Name, Sandbox string }
				IPs        []struct{ Address string }
			}
		}
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		n.t.Fatal(err)
	}
	for _, nr := range rec.Nets {
		for _, i := range nr.Result.Interfaces {
			if i.Sandbox == "" {
				tr.links = append(tr.links, i.Name)
			}
		}
		for _, ip := range nr.Result.IPs {
			tr.ips = append(tr.ips, strings.Split(ip.Address, "/")[0])
		}
	}
	return tr
}

// leaks compares after with before and returns what is new and belongs to
// the pod: a link or netns, a lease, a rule naming the pod's UUID, IP or
// host link. What other pods on the machine did meanwhile is left out.
func leaks(before, after hostNet, tr podTrace) []string {
	var out []string
	mine := func(s string) bool {
		if strings.Contains(s, tr.uuid) || tr.subnet != "" && strings.Contains(s, tr.subnet) {
			return true
		}
		for _, ip := range tr.ips {
			if regexp.MustCompile(`(^|[^0-9.])` + regexp.QuoteMeta(ip) + `($|[^0-9])`).MatchString(s) {
				return true
			}
		}
		for _, l := range tr.links {
			if strings.Contains(s, l) {
				return true
			}
		}
		return false
	}
	for _, l := range after.links {
		if !slices.Contains(before.links, l) && mine(l) {
			out = append(out, "link "+l)
		}
	}
	for _, ns := range after.netns {
		if !slices.Contains(before.netns, ns) && mine(ns) {
			out = append(out, "netns "+ns)
		}
	}
	for p, c := range after.leases {
		if _, ok := before.leases[p]; !ok && (mine(c) || mine(filepath.Base(p))) {
			out = append(out, "lease "+p)
		}
	}
	for _, r := range after.ruleset {
		if !slices.Contains(before.ruleset, r) && mine(r) {
			out = append(out, "rule "+strings.TrimSpace(r))
		}
	}
	return out
}
