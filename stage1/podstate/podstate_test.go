package podstate

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/saturnpod/saturn/internal/errdefs"
)

func TestIntFiles(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pid")
	if _, err := ReadInt(p); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("missing: %v", err)
	}
	if err := WriteInt(p, 4242); err != nil {
		t.Fatal(err)
	}
	if n, err := ReadInt(p); err != nil || n != 4242 {
		t.Errorf("got %d %v", n, err)
	}
	if _, err := os.Stat(p + ".tmp"); err == nil {
		t.Error("temporary file left")
	}
	// Cleared: the file stays, the number is gone.
	if err := ClearInt(p); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Errorf("cleared file: %v", err)
	}
	if _, err := ReadInt(p); !errors.Is(err, errdefs.ErrNotFound) {
		t.Errorf("cleared: %v", err)
	}
	for _, bad := range []string{"x", "-1", "0", "\n"} {
		os.WriteFile(p, []byte(bad), 0o644)
		if _, err := ReadInt(p); !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
