package tests

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
)

// A pod serves HTTP; the host reaches it by the pod's IP, and through
// --port by its own address and 127.0.0.1; --port with a host IP binds
// only that address, also when saturn's PATH lacks /usr/sbin and /sbin.
func TestNetworkHTTPAndPorts(t *testing.T) {
	n := newNetEnv(t)
	web := webImage(t, n.env, "hello from the pod\n")
	port, lport := freePort(t), freePort(t)
	a := n.bg("default", append([]string{fmt.Sprintf("--port=http:%d", port), web}, httpdArgs()...)...)
	ip := n.podNets(a.uuid)[0].IP
	for _, url := range []string{
		"http://" + ip + ":8080/",
		fmt.Sprintf("http://127.0.0.1:%d/", port),
		fmt.Sprintf("http://%s:%d/", hostIP(t), port),
	} {
		if body, err := httpGet(url); err != nil || body != "hello from the pod\n" {
			t.Errorf("GET %s: %q %v", url, body, err)
		}
	}
	// A PATH without the sbin dirs (a user's, a unit's): the plugins must
	// still find iptables and nft.
	path := os.Getenv("PATH")
	os.Setenv("PATH", "/usr/bin:/bin")
	b := n.bg("default", append([]string{fmt.Sprintf("--port=http:127.0.0.1:%d", lport), web}, httpdArgs()...)...)
	os.Setenv("PATH", path)
	if body, err := httpGet(fmt.Sprintf("http://127.0.0.1:%d/", lport)); err != nil || body != "hello from the pod\n" {
		t.Errorf("GET 127.0.0.1:%d: %q %v", lport, body, err)
	}
	c := &http.Client{Timeout: 2e9}
	if resp, err := c.Get(fmt.Sprintf("http://%s:%d/", hostIP(t), lport)); err == nil {
		resp.Body.Close()
		t.Errorf("--port=http:127.0.0.1:%d answers on %s too", lport, hostIP(t))
	}
	n.stopPod(a)
	n.stopPod(b)
	if _, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d/", port)); err == nil {
		t.Errorf("port %d still forwarded after the pod exited", port)
	}
}

// Two pods on one named bridge network reach each other.
func TestNetworkBridgePods(t *testing.T) {
	n := newNetEnv(t)
	n.bridgeNet("saturn-test-br", "saturn-test-br", "10.251.80.0/24")
	web := webImage(t, n.env, "hello neighbour\n")
	a := n.bg("saturn-test-br", append([]string{web}, httpdArgs()...)...)
	ip := n.podNets(a.uuid)[0].IP
	out := n.ok(append(append(n.flags("saturn-test-br"), web), shArgs("/bin/busybox timeout 5 /bin/busybox wget -q -O- http://"+ip+":8080/; echo rc=$?")...)...)
	if !strings.Contains(out, "hello neighbour\nrc=0") {
		t.Errorf("pod B fetching from pod A (%s): %q", ip, out)
	}
	n.stopPod(a)
}

// default reaches beyond the host; default-restricted reaches the host
// only. "Beyond" is a network namespace of the test, behind a veth pair.
func TestNetworkRestricted(t *testing.T) {
	n := newNetEnv(t)
	b := newBeyond(t)
	// The host: a server on every address of the host's namespace.
	ln, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "host") })}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	hostPort := ln.Addr().(*net.TCPAddr).Port
	probe := probeACI(t)
	fetch := func(mode, gw string) string {
		cmd := fmt.Sprintf("/bin/busybox timeout 3 /bin/busybox wget -q -O- http://%s/; echo \" rc=$?\"; /bin/busybox timeout 3 /bin/busybox wget -q -O- http://%s:%d/; echo \" rc=$?\"", b.addr, gw, hostPort)
		return n.ok(append(append(n.flags(mode), probe), shArgs(cmd)...)...)
	}
	if out := fetch("default", "172.16.28.1"); !strings.Contains(out, "beyond rc=0\nhost rc=0\n") {
		t.Errorf("--net=default: beyond and host: %q", out)
	}
	out := fetch("default-restricted", "172.16.29.1")
	if !strings.Contains(out, "host rc=0\n") {
		t.Errorf("--net=default-restricted: host: %q", out)
	}
	if strings.Contains(out, "beyond") || !strings.HasPrefix(strings.TrimSpace(out), "rc=") || strings.HasPrefix(strings.TrimSpace(out), "rc=0") {
		t.Errorf("--net=default-restricted reached beyond the host: %q", out)
	}
}
