package machined

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/saturnpod/saturn/internal/errdefs"
)

func TestRegisterBadUUID(t *testing.T) {
	if err := Register("not-a-uuid", 1, ""); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("Register(bad uuid) = %v", err)
	}
}

// Without a system bus, registration fails at once, with an error.
func TestRegisterNoBus(t *testing.T) {
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "none"))
	start := time.Now()
	if err := Register("6cf48f1b-5262-4401-8cc2-fd2d8dec7fe2", 1, ""); err == nil {
		t.Fatal("registered without a bus")
	}
	if err := Unregister("6cf48f1b-5262-4401-8cc2-fd2d8dec7fe2"); err == nil {
		t.Fatal("unregistered without a bus")
	}
	if d := time.Since(start); d > Timeout {
		t.Errorf("took %v", d)
	}
	if n := Name("6cf48f1b-5262-4401-8cc2-fd2d8dec7fe2"); n != "saturn-6cf48f1b-5262-4401-8cc2-fd2d8dec7fe2" {
		t.Errorf("Name = %s", n)
	}
}
