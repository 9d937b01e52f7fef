package sdboot

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Boot, look around, stop: nothing of the system is left on the host.
func TestBootStop(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("booting systemd needs root")
	}
	bind := t.TempDir()
	s, err := Boot(context.Background(), bind)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			s.Stop()
		}
	}()
	if out, err := s.Run("systemctl", "is-system-running"); err != nil && !strings.Contains(out, "degraded") {
		t.Fatalf("is-system-running: %s %v", out, err)
	}
	// The bind is shared: a file written inside shows on the host.
	if out, err := s.Run("sh", "-c", "echo inside > "+bind+"/f"); err != nil {
		t.Fatalf("%s %v", out, err)
	}
	if b, _ := os.ReadFile(filepath.Join(bind, "f")); string(b) != "inside\n" {
		t.Errorf("bind: %q", b)
	}
	// The root is a scratch overlay: writes elsewhere stay inside.
	if out, err := s.Run("sh", "-c", "echo x > /etc/saturn-sdboot-test"); err != nil {
		t.Fatalf("%s %v", out, err)
	}
	if _, err := os.Stat("/etc/saturn-sdboot-test"); err == nil {
		t.Errorf("a write inside reached the host's /etc")
	}
	cg := s.Cgroup
	stopped = true
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob("/sys/fs/cgroup/*/" + cg); len(left) > 0 {
		t.Errorf("cgroups left: %v", left)
	}
	if _, err := os.Stat("/tmp/sdboot-" + cg); err == nil {
		t.Errorf("scratch dir left")
	}
}
