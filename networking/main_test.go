package networking

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/saturnpod/saturn/internal/nfttest"
)

// The plugins the tests run: SATURN_CNI_DIR, else the ones `make` built,
// else built here. Set by TestMain, read-only afterwards.
var testPluginDir string

var pluginNames = []string{"ptp", "bridge", "loopback", "host-local", "portmap", "firewall", "tuning"}

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	if os.Getenv(crashChildEnv) != "" {
		return crashChild()
	}
	dir, cleanup, err := findPlugins()
	if err != nil {
		fmt.Fprintln(os.Stderr, "networking tests: CNI plugins:", err)
		return 1
	}
	defer cleanup()
	testPluginDir = dir
	// ptp and bridge turn IP forwarding on for the whole host.
	fwd, err := os.ReadFile(ipForward)
	if err == nil {
		defer os.WriteFile(ipForward, fwd, 0o644)
	}
	defer removeTestMasq()
	defer nfttest.Cleanup()()
	return m.Run()
}

const ipForward = "/proc/sys/net/ipv4/ip_forward"

func findPlugins() (string, func(), error) {
	nop := func() {}
	for _, dir := range []string{os.Getenv("SATURN_CNI_DIR"), "../build/cni"} {
		if dir != "" && hasPlugins(dir) {
			abs, err := filepath.Abs(dir)
			return abs, nop, err
		}
	}
	tmp, err := os.MkdirTemp("", "saturn-test-cni-")
	if err != nil {
		return "", nop, err
	}
	args := []string{"build", "-o", tmp + "/"}
	for _, p := range []string{"main/ptp", "main/bridge", "main/loopback", "ipam/host-local", "meta/portmap", "meta/firewall", "meta/tuning"} {
		args = append(args, "github.com/containernetworking/plugins/plugins/"+p)
	}
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(tmp)
		return "", nop, fmt.Errorf("go build: %v: %s", err, out)
	}
	return tmp, func() { os.RemoveAll(tmp) }, nil
}

func hasPlugins(dir string) bool {
	for _, n := range pluginNames {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			return false
		}
	}
	return true
}
