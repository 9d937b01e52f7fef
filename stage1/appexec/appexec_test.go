package appexec

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/saturnpod/saturn/internal/errdefs"
)

func TestLookPath(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "tool"), nil, 0o755)
	os.WriteFile(filepath.Join(dir, "data"), nil, 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	env := []string{"A=b", "PATH=/nonexistent:" + dir}
	if p, err := lookPath("tool", env); err != nil || p != filepath.Join(dir, "tool") {
		t.Errorf("got %q %v", p, err)
	}
	for _, name := range []string{"data", "sub", "missing"} {
		if _, err := lookPath(name, env); !errors.Is(err, errdefs.ErrNotFound) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if p, _ := lookPath("./rel/x", nil); p != "./rel/x" {
		t.Errorf("a path with a slash is taken as is: %q", p)
	}
}
