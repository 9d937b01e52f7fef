package approot

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/saturnpod/saturn/internal/errdefs"
)

func TestMakeEmpty(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vol")
	v := EmptyVolume{Name: "v", Mode: 0o1770, UID: 1234, GID: 2345}
	if err := MakeEmpty(dir, v); err != nil {
		if os.Geteuid() != 0 {
			t.Skip("chown needs root")
		}
		t.Fatal(err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o770 || st.Mode()&os.ModeSticky == 0 {
		t.Errorf("mode %v", st.Mode())
	}
	// A second app (or run) keeps what is there.
	os.WriteFile(filepath.Join(dir, "keep"), nil, 0o644)
	if err := MakeEmpty(dir, v); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "keep")); err != nil {
		t.Errorf("existing volume emptied")
	}
	if err := MakeEmpty(dir+"2", EmptyVolume{Name: "v", Mode: 0o10755}); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("bad mode: %v", err)
	}
}
