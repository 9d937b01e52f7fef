package tests

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The networks the tests define live in subnets of 10.251.0.0/16, away from
// the built-in ones (172.16.28.0/24, 172.16.29.0/24) and the host's.

// keepSysctls restores ip_forward and route_localnet (which the ptp and
// portmap plugins turn on) once the test ends.
func keepSysctls(t *testing.T) {
	t.Helper()
	for _, p := range []string{"/proc/sys/net/ipv4/ip_forward",
		"/proc/sys/net/ipv4/conf/all/route_localnet", "/proc/sys/net/ipv4/conf/default/route_localnet"} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Errorf("restore %s: %v", p, err)
			}
		})
	}
}

// netEnv is a saturn env with a local config dir of its own (--local-config)
// whose net.d the test fills, and an IPAM dir for those networks.
type netEnv struct {
	*env
	config, ipam string
}

func newNetEnv(t *testing.T) *netEnv {
	t.Helper()
	keepSysctls(t)
	e := newEnv(t)
	inTestCgroup(t)
	dir := t.TempDir()
	n := &netEnv{env: e, config: filepath.Join(dir, "config"), ipam: filepath.Join(dir, "ipam")}
	if err := os.MkdirAll(filepath.Join(n.config, "net.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	return n
}

// flags are `run` and the run flags every pod of a netEnv gets.
func (n *netEnv) flags(net string) []string { return append([]string{"run"}, n.runFlags(net)...) }

// runFlags are the run flags every pod of a netEnv gets.
func (n *netEnv) runFlags(net string) []string {
	return []string{stage1Flag(), "--insecure-options=image", "--local-config=" + n.config, "--net=" + net}
}

// bg starts a pod in the background with the env's run flags, then args.
func (n *netEnv) bg(net string, args ...string) *bgPod {
	n.t.Helper()
	p := n.background(append(n.runFlags(net), args...)...)
	n.waitRunning(p)
	return p
}

// stopPod stops a background pod and waits for its saturn to exit.
func (n *netEnv) stopPod(p *bgPod) result {
	n.t.Helper()
	n.ok("stop", p.uuid)
	return p.wait(n.t, 30*time.Second)
}

// freePort is a TCP port nothing listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// hostIP is an IPv4 address of the host other than loopback.
func hostIP(t *testing.T) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil && !ipn.IP.IsLoopback() &&
			!strings.HasPrefix(ipn.IP.String(), "172.16.2") && !strings.HasPrefix(ipn.IP.String(), "10.251.") {
			return ipn.IP.String()
		}
	}
	t.Skip("no non-loopback IPv4 address on the host")
	return ""
}

// addNet writes a CNI configuration list (plugins as JSON objects) named
// name into net.d.
func (n *netEnv) addNet(name string, plugins ...map[string]any) {
	n.t.Helper()
	b, err := json.Marshal(map[string]any{"cniVersion": "1.0.0", "name": name, "plugins": plugins})
	if err != nil {
		n.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(n.config, "net.d", name+".conflist"), b, 0o644); err != nil {
		n.t.Fatal(err)
	}
}

// ipam is host-local IPAM in subnet, its leases in the env's IPAM dir.
func (n *netEnv) hostLocal(subnet string, routes ...string) map[string]any {
	rs := []map[string]string{}
	for _, r := range routes {
		rs = append(rs, map[string]string{"dst": r})
	}
	return map[string]any{"type": "host-local", "dataDir": n.ipam, "routes": rs,
		"ranges": [][]map[string]string{{{"subnet": subnet}}}}
}

// bridgeNet defines a bridge network on bridge br (named saturn-test*),
// deleted when the test ends.
func (n *netEnv) bridgeNet(name, br, subnet string) {
	n.addNet(name, map[string]any{"type": "bridge", "bridge": br, "isGateway": true, "ipMasq": false,
		"ipam": n.hostLocal(subnet)})
	n.t.Cleanup(func() {
		if out, err := exec.Command("ip", "link", "del", br).CombinedOutput(); err != nil && !strings.Contains(string(out), "Cannot find") {
			n.t.Errorf("delete bridge %s: %v %s", br, err, out)
		}
	})
}

// podNet is one network of a pod, as net-info.json and status show it.
type podNet struct {
	NetName string `json:"netName"`
	IfName  string `json:"ifName"`
	IP      string `json:"ip"`
	Gateway string `json:"gateway"`
}

// podNets reads a pod's net-info.json (run/ or exited pods).
func (n *netEnv) podNets(uuid string) []podNet {
	n.t.Helper()
	var nets []podNet
	for _, st := range []string{"run", "exited-garbage"} {
		b, err := os.ReadFile(filepath.Join(n.dir, "pods", st, uuid, "net-info.json"))
		if err == nil {
			if err := json.Unmarshal(b, &nets); err != nil {
				n.t.Fatal(err)
			}
			return nets
		}
	}
	return nil
}

// webImage is the probe image with a page at /www/index.html and the port
// "http" (tcp 8080) declared.
func webImage(t *testing.T, e *env, page string) string {
	return customProbe(t, e, func(root string) {
		os.MkdirAll(filepath.Join(root, "www"), 0o755)
		os.WriteFile(filepath.Join(root, "www/index.html"), []byte(page), 0o644)
	}, "--port=http:tcp:8080")
}

// httpdArgs make a probe-image app serve /www on port 8080.
func httpdArgs() []string {
	return []string{"--exec=/bin/busybox", "--", "httpd", "-f", "-p", "8080", "-h", "/www", "---"}
}

// shArgs make a probe-image app run a shell command.
func shArgs(cmd string) []string {
	return []string{"--exec=/bin/busybox", "--", "sh", "-c", cmd, "---"}
}

// httpGet fetches url from the host, retrying briefly (a server that has
// just started may not listen yet).
func httpGet(url string) (string, error) {
	c := &http.Client{Timeout: 3 * time.Second}
	var err error
	for range 30 {
		var resp *http.Response
		if resp, err = c.Get(url); err == nil {
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			return string(b), err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "", err
}

// beyond is a network namespace standing for the world beyond the host:
// reached over a veth pair, 10.251.77.1 (host) <-> 10.251.77.2 (beyond),
// where it serves HTTP.
type beyond struct{ addr string }

func newBeyond(t *testing.T) *beyond {
	t.Helper()
	name := fmt.Sprintf("saturn-test-%d", os.Getpid())
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("netns", "add", name)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
	run("link", "add", "saturn-test-b0", "type", "veth", "peer", "name", "saturn-test-b1")
	t.Cleanup(func() { exec.Command("ip", "link", "del", "saturn-test-b0").Run() })
	run("link", "set", "saturn-test-b1", "netns", name)
	run("addr", "add", "10.251.77.1/30", "dev", "saturn-test-b0")
	run("link", "set", "saturn-test-b0", "up")
	run("-n", name, "addr", "add", "10.251.77.2/30", "dev", "saturn-test-b1")
	run("-n", name, "link", "set", "saturn-test-b1", "up")
	run("-n", name, "link", "set", "lo", "up")
	ln, err := listenIn("/run/netns/"+name, "10.251.77.2:8080")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "beyond") })}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &beyond{addr: "10.251.77.2:8080"}
}

// listenIn opens a TCP listener inside the network namespace at nsPath
// (a socket stays in the namespace it was made in), from a thread that
// goes back to the test's namespace after.
func listenIn(nsPath, addr string) (net.Listener, error) {
	type res struct {
		ln  net.Listener
		err error
	}
	c := make(chan res)
	go func() {
		runtime.LockOSThread()
		orig, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			c <- res{err: err}
			return
		}
		defer orig.Close()
		f, err := os.Open(nsPath)
		if err != nil {
			runtime.UnlockOSThread()
			c <- res{err: err}
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			c <- res{err: err}
			return
		}
		ln, err := net.Listen("tcp", addr)
		if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
			// Stay locked: the thread ends with this goroutine.
			c <- res{ln, fmt.Errorf("back to the test's netns: %w", err)}
			return
		}
		runtime.UnlockOSThread()
		c <- res{ln, err}
	}()
	r := <-c
	return r.ln, r.err
}

// readFile reads a file the test expects to exist.
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
